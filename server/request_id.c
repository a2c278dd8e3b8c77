/* server/request_id.c: request ids (see request_id.h). */
#include "server/request_id.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

bool srv_request_id_sane(const char *text, size_t len)
{
    if (len == 0 || len > SRV_REQUEST_ID_MAX) return false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == ':' || c == '-';
        if (!ok) return false;
    }
    return true;
}

static pthread_once_t boot_once = PTHREAD_ONCE_INIT;
static uint64_t boot; /* 48 random bits of this process */
static atomic_uint thread_count;
static _Thread_local unsigned thread_number; /* 0: not drawn yet */
static _Thread_local uint64_t made;

static void draw_boot(void)
{
    if (getrandom(&boot, sizeof(boot), 0) != (ssize_t)sizeof(boot)) {
        struct timespec ts; /* no entropy at all: the start time still tells processes apart */
        clock_gettime(CLOCK_REALTIME, &ts);
        boot = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec;
    }
    boot &= 0xffffffffffffull;
}

void srv_request_id_of(h2o_req_t *req, char out[SRV_REQUEST_ID_CAP])
{
    ssize_t at = h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-request-id"), -1);
    if (at >= 0 && srv_request_id_sane(req->headers.entries[at].value.base, req->headers.entries[at].value.len)) {
        memcpy(out, req->headers.entries[at].value.base, req->headers.entries[at].value.len);
        out[req->headers.entries[at].value.len] = '\0';
        return;
    }
    pthread_once(&boot_once, draw_boot);
    if (thread_number == 0) thread_number = atomic_fetch_add_explicit(&thread_count, 1, memory_order_relaxed) + 1;
    snprintf(out, SRV_REQUEST_ID_CAP, "%012" PRIx64 "-%x-%" PRIx64, boot, thread_number, ++made);
}

void srv_request_id_header(h2o_req_t *req, const char *id)
{
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL,
                          h2o_strdup(&req->pool, id, SIZE_MAX).base, strlen(id));
}

size_t srv_request_id_in_error(const char *body, size_t len, const char *id, char *out, size_t cap, char *code,
                               size_t code_cap)
{
    static const char head[] = "{\"error\":{\"code\":\"";
    size_t head_len = sizeof(head) - 1;
    if (code_cap > 0) code[0] = '\0';
    if (cap == 0) return 0;
    const char *code_end = len > head_len && memcmp(body, head, head_len) == 0
                               ? memchr(body + head_len, '"', len - head_len) /* codes are snake_case: no escapes */
                               : NULL;
    if (code_end == NULL) {
        size_t n = len < cap ? len : cap - 1;
        memcpy(out, body, n);
        out[n] = '\0';
        return n;
    }
    size_t code_len = (size_t)(code_end - body) - head_len;
    if (code_cap > 0) snprintf(code, code_cap, "%.*s", (int)code_len, body + head_len);
    size_t cut = (size_t)(code_end - body) + 1; /* through the code's closing quote */
    int n = snprintf(out, cap, "%.*s,\"request_id\":\"%s\"%.*s", (int)cut, body, id, (int)(len - cut), body + cut);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}
