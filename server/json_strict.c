/* server/json_strict.c: a non-allocating RFC 8259 validator (see json_strict.h). */
#include "server/json_strict.h"

#include <string.h>

#include "server/utf8.h"

#define MAX_DEPTH 64

typedef struct scan {
    const unsigned char *s;
    size_t len, at;
    int depth;
} scan_t;

static bool value(scan_t *c);

static void skip_ws(scan_t *c)
{
    while (c->at < c->len && (c->s[c->at] == ' ' || c->s[c->at] == '\t' || c->s[c->at] == '\n' || c->s[c->at] == '\r'))
        c->at++;
}

static bool literal(scan_t *c, const char *word)
{
    for (size_t i = 0; word[i]; i++, c->at++)
        if (c->at >= c->len || c->s[c->at] != (unsigned char)word[i]) return false;
    return true;
}

static bool is_hex(unsigned char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* A string; in an object key an escaped NUL is refused too: json-c keeps keys as C strings, so a key spelled
 * a, backslash-u0000, b would quietly become the key "a". */
static bool string(scan_t *c, bool key)
{
    c->at++; /* the opening quote */
    while (c->at < c->len) {
        unsigned char ch = c->s[c->at];
        if (ch == '"') {
            c->at++;
            return true;
        }
        if (ch < 0x20) return false;
        if (ch == '\\') {
            if (++c->at >= c->len) return false;
            ch = c->s[c->at];
            if (ch == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (c->at + (size_t)i >= c->len || !is_hex(c->s[c->at + (size_t)i])) return false;
                if (key && memcmp(c->s + c->at + 1, "0000", 4) == 0) return false;
                c->at += 5;
            } else if (ch == '"' || ch == '\\' || ch == '/' || ch == 'b' || ch == 'f' || ch == 'n' || ch == 'r' ||
                       ch == 't') {
                c->at++;
            } else {
                return false;
            }
        } else if (ch >= 0x80) {
            size_t n = srv_utf8_char_len(c->s + c->at, c->len - c->at);
            if (n == 0) return false;
            c->at += n;
        } else {
            c->at++;
        }
    }
    return false;
}

static bool digits(scan_t *c)
{
    size_t start = c->at;
    while (c->at < c->len && c->s[c->at] >= '0' && c->s[c->at] <= '9') c->at++;
    return c->at > start;
}

static bool number(scan_t *c)
{
    if (c->s[c->at] == '-') c->at++;
    if (c->at >= c->len) return false;
    if (c->s[c->at] == '0') c->at++;
    else if (!digits(c)) return false;
    if (c->at < c->len && c->s[c->at] == '.') {
        c->at++;
        if (!digits(c)) return false;
    }
    if (c->at < c->len && (c->s[c->at] == 'e' || c->s[c->at] == 'E')) {
        c->at++;
        if (c->at < c->len && (c->s[c->at] == '+' || c->s[c->at] == '-')) c->at++;
        if (!digits(c)) return false;
    }
    return true;
}

static bool container(scan_t *c, unsigned char close)
{
    if (++c->depth > MAX_DEPTH) return false;
    c->at++;
    skip_ws(c);
    if (c->at < c->len && c->s[c->at] == close) {
        c->at++;
        c->depth--;
        return true;
    }
    for (;;) {
        skip_ws(c);
        if (close == '}') {
            if (c->at >= c->len || c->s[c->at] != '"' || !string(c, true)) return false;
            skip_ws(c);
            if (c->at >= c->len || c->s[c->at] != ':') return false;
            c->at++;
            skip_ws(c);
        }
        if (!value(c)) return false;
        skip_ws(c);
        if (c->at >= c->len) return false;
        if (c->s[c->at] == close) {
            c->at++;
            c->depth--;
            return true;
        }
        if (c->s[c->at] != ',') return false;
        c->at++;
    }
}

static bool value(scan_t *c)
{
    if (c->at >= c->len) return false;
    switch (c->s[c->at]) {
    case '{': return container(c, '}');
    case '[': return container(c, ']');
    case '"': return string(c, false);
    case 't': return literal(c, "true");
    case 'f': return literal(c, "false");
    case 'n': return literal(c, "null");
    default: return (c->s[c->at] == '-' || (c->s[c->at] >= '0' && c->s[c->at] <= '9')) && number(c);
    }
}

bool srv_json_strict_valid(const char *buf, size_t len, size_t *error_at)
{
    scan_t c = {.s = (const unsigned char *)buf, .len = len, .at = 0, .depth = 0};
    skip_ws(&c);
    bool ok = value(&c);
    if (ok) {
        skip_ws(&c);
        ok = c.at == len;
    }
    if (!ok && error_at != NULL) *error_at = c.at;
    return ok;
}
