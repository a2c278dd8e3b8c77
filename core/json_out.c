/* core/json_out.c: streamed JSON text (see json_out.h). */
#include "core/json_out.h"

#include <stdlib.h>
#include <string.h>

/* Bytes json-c writes escaped: 1 always (control characters, quote, backslash; the NUL ends the scan), 2 when
 * slashes are escaped. */
static const unsigned char escaped[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['"'] = 1, ['\\'] = 1, ['/'] = 2,
};

bool bk_json_put_string(char *buf, size_t cap, size_t *at, const char *s, bool escape_slash)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = *at;
    if (o + 1 >= cap) return false;
    buf[o++] = '"';
    unsigned char mask = escape_slash ? 3 : 1;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        const unsigned char *run = p; /* copied whole: most texts need no escaping at all */
        while (!(escaped[*p] & mask)) p++;
        size_t n = (size_t)(p - run);
        if (o + n + 7 >= cap) return false;
        memcpy(buf + o, run, n);
        o += n;
        if (*p == 0) break;
        const char *esc = NULL;
        switch (*p) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '/': esc = "\\/"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default: break;
        }
        if (esc != NULL) {
            buf[o++] = esc[0], buf[o++] = esc[1];
        } else {
            memcpy(buf + o, "\\u00", 4);
            buf[o + 4] = hex[*p >> 4], buf[o + 5] = hex[*p & 15];
            o += 6;
        }
        p++;
    }
    if (o + 1 >= cap) return false;
    buf[o++] = '"';
    *at = o;
    return true;
}

void bk_json_out_init(bk_json_out_t *o, size_t hint)
{
    o->cap = hint > 64 ? hint : 64;
    o->len = 0;
    o->buf = malloc(o->cap);
    o->failed = o->buf == NULL;
    if (o->failed) o->cap = 0;
}

void bk_json_out_free(bk_json_out_t *o)
{
    free(o->buf);
    o->buf = NULL;
    o->len = o->cap = 0;
}

/* Makes room for `more` bytes (plus a NUL). */
static bool reserve(bk_json_out_t *o, size_t more)
{
    if (o->failed) return false;
    if (o->len + more + 1 <= o->cap) return true;
    size_t cap = o->cap * 2;
    while (cap < o->len + more + 1) cap *= 2;
    char *buf = realloc(o->buf, cap);
    if (buf == NULL) {
        o->failed = true;
        return false;
    }
    o->buf = buf;
    o->cap = cap;
    return true;
}

void bk_json_out_raw(bk_json_out_t *o, const char *text, size_t n)
{
    if (!reserve(o, n)) return;
    memcpy(o->buf + o->len, text, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

char *bk_json_out_room(bk_json_out_t *o, size_t more)
{
    return reserve(o, more) ? o->buf + o->len : NULL;
}

void bk_json_out_commit(bk_json_out_t *o, size_t n)
{
    if (o->failed) return;
    o->len += n;
    o->buf[o->len] = '\0';
}

void bk_json_out_string(bk_json_out_t *o, const char *s, bool escape_slash)
{
    size_t n = strlen(s);
    if (!reserve(o, 6 * n + 2 + 8)) return; /* the worst case: every byte a \u00XX */
    size_t at = o->len;
    if (bk_json_put_string(o->buf, o->cap, &at, s, escape_slash)) o->len = at;
    else o->failed = true;
    o->buf[o->len] = '\0';
}
