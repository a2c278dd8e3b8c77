/* server/query.c: query-string parameters (see query.h). */
#include "server/query.h"

#include <stdio.h>
#include <string.h>

#include "server/utf8.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

long srv_query_decode(const char *in, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= len) return -1;
            int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0' || n + 1 >= cap) return -1;
        out[n++] = c;
    }
    out[n] = '\0';
    return (long)n;
}

/* Decodes in[0..len) into out; the length when it is text (well-formed UTF-8, no NUL), else -1. */
static long decode_text(const char *in, size_t len, char *out, size_t cap)
{
    long n = srv_query_decode(in, len, out, cap);
    return n >= 0 && srv_utf8_valid(out, (size_t)n) ? n : -1;
}

int srv_query_find_bad(const char *q, size_t len, char *name, size_t name_cap)
{
    char text[SRV_MAX_QUERY_BYTES + 1]; /* the name, its NUL, then the value */
    name[0] = '\0';
    for (size_t i = 0; i < len;) {
        size_t end = i;
        while (end < len && q[end] != '&') end++;
        const char *eq = memchr(q + i, '=', end - i);
        size_t key_end = eq != NULL ? (size_t)(eq - q) : end, v = eq != NULL ? key_end + 1 : end;
        long kl = decode_text(q + i, key_end - i, text, sizeof(text));
        if (kl < 0) return -1;
        /* kl <= sizeof(text) - 2, so the value has room for at least its NUL */
        if (decode_text(q + v, end - v, text + kl + 1, sizeof(text) - (size_t)kl - 1) < 0) {
            if ((size_t)kl < name_cap) memcpy(name, text, (size_t)kl + 1);
            return 1;
        }
        i = end + 1;
    }
    return 0;
}

bool srv_query_check(srv_request_t *r)
{
    size_t len;
    const char *q = srv_query_raw(r, &len);
    char name[65], message[160];
    int bad = srv_query_find_bad(q, len, name, sizeof(name));
    if (bad == 0) return true;
    if (bad < 0)
        snprintf(message, sizeof(message), "A query parameter name is not valid text (bad %%-encoding or UTF-8).");
    else
        snprintf(message, sizeof(message), "%s must be valid UTF-8 text without NUL characters.", name);
    srv_respond_error(r, API_ERR_INVALID_FIELD, message, bad < 0 ? NULL : name);
    return false;
}

const char *srv_query_raw(const srv_request_t *r, size_t *len)
{
    if (r->args_text != NULL) {
        *len = strlen(r->args_text);
        return r->args_text;
    }
    const h2o_req_t *req = r->req;
    if (req == NULL || req->query_at == SIZE_MAX) {
        *len = 0;
        return "";
    }
    *len = req->path.len - req->query_at - 1;
    return req->path.base + req->query_at + 1;
}

/* A tool call's argument `name` as text (a number or true/false as written; null counts as absent). */
static int arg_get(srv_request_t *r, const char *name, char *out, size_t cap)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(r->args, name, &v) || v == NULL) return 0;
    char message[160];
    if (json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array)) {
        snprintf(message, sizeof(message), "%s must be text, not a list or an object.", name);
        srv_respond_error(r, API_ERR_INVALID_FIELD, message, name);
        return -1;
    }
    size_t len = strlen(json_object_get_string(v));
    if (len >= cap || memchr(json_object_get_string(v), '\0', (size_t)json_object_get_string_len(v)) != NULL ||
        !srv_utf8_valid(json_object_get_string(v), len)) {
        snprintf(message, sizeof(message), "%s could not be read (not text, or longer than %zu bytes).", name,
                 cap - 1);
        srv_respond_error(r, API_ERR_INVALID_FIELD, message, name);
        return -1;
    }
    memcpy(out, json_object_get_string(v), len + 1);
    return len > 0 ? 1 : 0;
}

int srv_query_get(srv_request_t *r, const char *name, char *out, size_t cap)
{
    out[0] = '\0';
    if (r->args != NULL) return arg_get(r, name, out, cap);
    h2o_req_t *req = r->req;
    if (req == NULL || req->query_at == SIZE_MAX) return 0;
    const char *q = req->path.base + req->query_at + 1;
    size_t len = req->path.len - req->query_at - 1, name_len = strlen(name);
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && q[end] != '&') end++;
        const char *eq = memchr(q + i, '=', end - i);
        size_t key_end = eq != NULL ? (size_t)(eq - q) : end;
        char key[64];
        long key_len = srv_query_decode(q + i, key_end - i, key, sizeof(key));
        if (key_len == (long)name_len && memcmp(key, name, name_len) == 0) {
            size_t v = eq != NULL ? key_end + 1 : end;
            if (srv_query_decode(q + v, end - v, out, cap) < 0) {
                char message[160];
                snprintf(message, sizeof(message), "%s could not be read (bad %%-encoding or longer than %zu bytes).",
                         name, cap - 1);
                srv_respond_error(r, API_ERR_INVALID_FIELD, message, name);
                return -1;
            }
            return out[0] != '\0' ? 1 : 0;
        }
        i = end + 1;
    }
    return 0;
}

