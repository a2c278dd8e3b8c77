/* server/head_guard.c: picohttpparser's request parser, as libh2o calls it, with the heads h2o would answer in
 * plain text turned into refusals the router answers in JSON (see head_guard.h). */
#include "server/head_guard.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

/* picohttpparser's interface (libh2o 2.2.5 does not install picohttpparser.h; this is its stable ABI). */
struct phr_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

typedef int (*phr_parse_request_fn)(const char *buf, size_t len, const char **method, size_t *method_len,
                                    const char **path, size_t *path_len, int *minor_version,
                                    struct phr_header *headers, size_t *num_headers, size_t last_len);

int phr_parse_request(const char *buf, size_t len, const char **method, size_t *method_len, const char **path,
                      size_t *path_len, int *minor_version, struct phr_header *headers, size_t *num_headers,
                      size_t last_len);

enum refused_head { HEAD_BAD_LINE, HEAD_LINE_TOO_LONG, HEAD_TOO_MANY_HEADERS, HEAD_TOO_LARGE, HEAD_BAD_HEADER, HEAD__N };

/* The method of each refused head: the router knows them by address. */
static const char refused_methods[HEAD__N][32] = {
    "(malformed request line)", "(request line too long)", "(too many headers)", "(request head too large)",
    "(malformed header)",
};

static const srv_head_refusal_t refusals[HEAD__N] = {
    {API_ERR_BAD_REQUEST, "The request line is not valid HTTP/1.1 (method, target and version).", "request_line"},
    {API_ERR_URI_TOO_LONG, "The request line is longer than 408 KiB.", "path"},
    {API_ERR_BAD_REQUEST, "The request has more than 100 headers.", "headers"},
    {API_ERR_BAD_REQUEST, "The request head is larger than 408 KiB.", "headers"},
    {API_ERR_BAD_REQUEST, "A header is malformed or contains a control character such as NUL.", "headers"},
};

static phr_parse_request_fn library_parser;
static pthread_once_t library_parser_once = PTHREAD_ONCE_INIT;

static void find_library_parser(void)
{
    library_parser = (phr_parse_request_fn)dlsym(RTLD_NEXT, "phr_parse_request");
}

static bool is_token_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && !strchr("\"(),/:;<=>?@[\\]{}", c);
}

/* True when line (without its LF) reads "METHOD SP target SP HTTP/1.d" with an optional CR at the end. */
static bool request_line_is_valid(const char *line, size_t len)
{
    if (len > 0 && line[len - 1] == '\r') len--;
    size_t i = 0;
    while (i < len && is_token_char((unsigned char)line[i])) i++;
    if (i == 0 || i >= len || line[i++] != ' ') return false;
    size_t target = i;
    while (i < len && (unsigned char)line[i] > 0x20 && line[i] != 0x7f) i++;
    if (i == target || i >= len || line[i++] != ' ') return false;
    return len - i == 8 && memcmp(line + i, "HTTP/1.", 7) == 0 && line[i + 7] >= '0' && line[i + 7] <= '9';
}

/* Which refusal a head the library parser failed on (result -1, or -2 at h2o's head limit) deserves. */
static enum refused_head classify(const char *buf, size_t len, int result, size_t max_headers)
{
    const char *eol = memchr(buf, '\n', len);
    if (eol == NULL) return result == -2 ? HEAD_LINE_TOO_LONG : HEAD_BAD_LINE;
    if (!request_line_is_valid(buf, (size_t)(eol - buf))) return HEAD_BAD_LINE;
    size_t lines = 0;
    for (const char *p = eol + 1, *end = buf + len; p < end;) {
        const char *next = memchr(p, '\n', (size_t)(end - p));
        if (next == NULL || next == p || (next == p + 1 && *p == '\r')) break; /* the head's end, or cut short */
        lines++;
        p = next + 1;
    }
    if (lines > max_headers) return HEAD_TOO_MANY_HEADERS;
    return result == -2 ? HEAD_TOO_LARGE : HEAD_BAD_HEADER;
}

static bool only_line_breaks(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != '\r' && s[i] != '\n') return false;
    return true;
}

/* libh2o's handle_incoming_request calls this for every HTTP/1 request head (see head_guard.h). */
int phr_parse_request(const char *buf, size_t len, const char **method, size_t *method_len, const char **path,
                      size_t *path_len, int *minor_version, struct phr_header *headers, size_t *num_headers,
                      size_t last_len)
{
    pthread_once(&library_parser_once, find_library_parser);
    size_t max_headers = *num_headers;
    int result = library_parser(buf, len, method, method_len, path, path_len, minor_version, headers, num_headers,
                                last_len);
    if (result >= 0 || (result == -2 && len < H2O_MAX_REQLEN)) return result;
    static const char http2_preface[] = "PRI * HTTP/2";
    if (len >= sizeof(http2_preface) - 1 && memcmp(buf, http2_preface, sizeof(http2_preface) - 1) == 0) return result;
    if (len <= 4 && only_line_breaks(buf, len)) return result; /* h2o closes these without an answer */
    enum refused_head kind = classify(buf, len, result, max_headers);
    *method = refused_methods[kind];
    *method_len = strlen(refused_methods[kind]);
    *path = "/";
    *path_len = 1;
    *minor_version = 1;
    *num_headers = 0;
    return (int)len; /* the whole head so far; the connection is closed after the answer */
}

bool srv_head_guard_refused(const h2o_req_t *req, srv_head_refusal_t *refusal)
{
    uintptr_t method = (uintptr_t)req->input.method.base, first = (uintptr_t)refused_methods[0];
    if (method < first || method >= (uintptr_t)refused_methods[HEAD__N]) return false;
    *refusal = refusals[(method - first) / sizeof(refused_methods[0])];
    return true;
}

bool srv_head_guard_active(void)
{
    pthread_once(&library_parser_once, find_library_parser);
    return library_parser != NULL && dlsym(RTLD_DEFAULT, "phr_parse_request") == (void *)phr_parse_request;
}
