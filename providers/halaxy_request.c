/* providers/halaxy_request.c: one authenticated FHIR request to Halaxy: the token (halaxy_token.c), the headers
 * (application/fhir+json, merge-patch for PATCH), the rate budget, a single resend after a 401 with a new token,
 * the provider status of the answer (OperationOutcome codes, see prov_halaxy_status_of), and the operator's log
 * line; plus the URL, time, JSON and deferral helpers the operations share. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "providers/adapter_util.h"
#include "providers/cliniko_decode.h"
#include "providers/halaxy_internal.h"
#include "providers/once_timer.h"

typedef struct send {
    halaxy_t *h;
    prov_env_t env;
    char *method, *url, *body;
    const char *content_type;
    bool record, resent;
    char auth[sizeof("Authorization: Bearer ") + PROV_HALAXY_TOKEN_CAP];
    hx_cb cb;
    void *data;
    prov_status_t early; /* a failure answered on the next loop turn */
} send_t;

static void send_free(send_t *s)
{
    explicit_bzero(s->auth, sizeof(s->auth));
    free(s->method), free(s->url), free(s->body);
    free(s);
}

static bool is_write(const send_t *s)
{
    return strcmp(s->method, "GET") != 0;
}

static prov_status_t transport_status(const send_t *s, const prov_http_response_t *r)
{
    /* Halaxy's rule: only a write that left and lost its connection (to an address we did not refuse) may have
     * been committed: its outcome is unknown. A cancelled or broken one is reported as for a read. */
    if (r->status == PROV_HTTP_UNAVAILABLE && is_write(s) && r->attempts > 0 && !r->address_refused)
        return PROV_TIMEOUT;
    return prov_transport_status(r, true);
}

static void on_token(prov_status_t st, const char *auth_header, void *data);

static void answer(send_t *s, prov_status_t st, const prov_http_response_t *r)
{
    s->cb(st, r, s->data);
    send_free(s);
}

static void on_answer(const prov_http_response_t *r, void *data)
{
    send_t *s = data;
    prov_status_t st = transport_status(s, r);
    if (st == PROV_OK && r->code == 401 && !s->resent) {
        /* The token was refused (expired early, revoked): drop it and try once more with a new one. */
        halaxy_token_drop(s->h, &s->env, s->auth);
        s->resent = true;
        if (halaxy_token_get(s->h, &s->env, on_token, s) != 0) answer(s, PROV_UNAVAILABLE, r);
        return;
    }
    char issue[32] = "";
    if (st == PROV_OK) st = prov_halaxy_status_of(r->code, r->body, r->body_len, s->record, issue, sizeof(issue));
    if (r->status == PROV_HTTP_OK && (r->code == 401 || r->code == 403)) {
        prov_credential_refused(&s->h->refused_logged, s->h->tenant_id, "halaxy", r->code);
    } else if (st == PROV_UPSTREAM) {
        char detail[96];
        snprintf(detail, sizeof(detail), "%s answered HTTP %ld%s%s", s->method, r->code, issue[0] ? ", issue " : "",
                 issue);
        halaxy_log(s->h, "error", "Halaxy answered with an error", detail);
    }
    answer(s, st, r);
}

static void early_answer(void *arg)
{
    send_t *s = arg;
    answer(s, s->early, NULL);
}

static void on_token(prov_status_t st, const char *auth_header, void *data)
{
    send_t *s = data;
    if (st == PROV_OK) {
        snprintf(s->auth, sizeof(s->auth), "%s", auth_header);
        char ctype[64];
        snprintf(ctype, sizeof(ctype), "Content-Type: %s", s->content_type != NULL ? s->content_type : "");
        const char *headers[] = {s->auth, "Accept: application/fhir+json", s->h->ua_header,
                                 s->body != NULL ? ctype : NULL, NULL};
        prov_http_request_t rq = {
            .method = s->method,
            .url = s->url,
            .headers = headers,
            .body = s->body,
            .body_len = s->body != NULL ? strlen(s->body) : 0,
            .credential = s->h->credential,
            .bucket = s->h->bucket,
            .connect_timeout_ms = s->h->connect_timeout_ms,
            .timeout_ms = s->h->timeout_ms,
            .max_in_flight = s->h->max_in_flight,
            .idempotent = !is_write(s),
        };
        if (s->env.http != NULL && prov_http_request(s->env.http, &rq, on_answer, s, NULL) == 0) return;
        st = PROV_UNAVAILABLE;
    }
    /* Never answer from inside halaxy_send: the first token lookup may be synchronous. */
    s->early = st;
    if (halaxy_defer(s->env.loop, early_answer, s) != 0) answer(s, st, NULL);
}

int halaxy_send(halaxy_t *h, prov_env_t *env, const char *method, const char *url, const char *body,
                const char *content_type, bool record, hx_cb cb, void *data)
{
    if (env == NULL || env->http == NULL || env->loop == NULL) return -1;
    send_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    *s = (send_t){.h = h, .env = *env, .content_type = content_type, .record = record, .cb = cb, .data = data};
    s->method = strdup(method);
    s->url = strdup(url);
    s->body = body != NULL ? strdup(body) : NULL;
    if (s->method == NULL || s->url == NULL || (body != NULL && s->body == NULL) ||
        halaxy_token_get(h, env, on_token, s) != 0) {
        send_free(s);
        return -1;
    }
    return 0;
}

bool halaxy_url(char *out, const halaxy_t *h, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool fits = prov_url_vformat(out, HX_URL_CAP, h->base_url, fmt, ap);
    va_end(ap);
    return fits;
}

bool halaxy_add_param(char *url, const char *name, const char *value)
{
    size_t n = strlen(url), nl = strlen(name);
    if (n + nl + 3 >= HX_URL_CAP) return false;
    url[n++] = strchr(url, '?') != NULL ? '&' : '?';
    memcpy(url + n, name, nl);
    url[n + nl] = '=';
    url[n + nl + 1] = '\0';
    return prov_cliniko_query_escape(url, HX_URL_CAP, value) == 0;
}

void halaxy_format_time(const halaxy_t *h, int64_t t, char out[TZ_ISO_CAP])
{
    const tz_zone_t *z = tz_zone_load(h->time_zone);
    t -= t % 1000; /* whole seconds */
    if (z != NULL)
        tz_format_local(z, t, out);
    else
        tz_format_utc(t, out);
}

int halaxy_defer(uv_loop_t *loop, void (*fn)(void *), void *arg)
{
    return prov_once_timer_start(loop, 0, fn, arg) != NULL ? 0 : -1;
}

char *halaxy_json_body(json_object *o)
{
    const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    char *copy = s != NULL ? strdup(s) : NULL;
    json_object_put(o);
    return copy;
}

json_object *halaxy_reference(const halaxy_t *h, const char *type, const char *id)
{
    char ref[700];
    snprintf(ref, sizeof(ref), "%s/%s/%s", h->base_url, type, id);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "reference", json_object_new_string(ref));
    json_object_object_add(o, "type", json_object_new_string(type));
    return o;
}

/* Appends s to out (cap bytes), JSON-escaped when `escape` (tenant ids and our own fixed texts only: never a
 * body), truncated to fit. */
static void append(char *out, size_t cap, const char *s, bool escape)
{
    size_t n = strlen(out);
    for (; *s && n + 8 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (escape && (c == '"' || c == '\\')) {
            out[n++] = '\\';
            out[n++] = (char)c;
        } else if (escape && c < 0x20) {
            n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
        } else {
            out[n++] = (char)c;
        }
    }
    out[n] = '\0';
}

void halaxy_log(const halaxy_t *h, const char *level, const char *msg, const char *detail)
{
    char line[1024];
    snprintf(line, sizeof(line), "{\"ts\":%lld,\"level\":\"%s\",\"msg\":\"", (long long)tz_now(), level);
    append(line, sizeof(line) - 160, msg, true);
    append(line, sizeof(line), "\",\"provider\":\"halaxy\",\"tenant\":\"", false);
    append(line, sizeof(line) - 96, h->tenant_id, true);
    append(line, sizeof(line), "\",\"detail\":\"", false);
    append(line, sizeof(line) - 8, detail != NULL ? detail : "", true);
    append(line, sizeof(line), "\"}\n", false);
    ssize_t w = write(STDERR_FILENO, line, strlen(line));
    (void)w;
}
