/* server/json_strict.c: a non-allocating RFC 8259 validator (see json_strict.h). */
#include "server/json_strict.h"

#include <stdint.h>

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

/* One UTF-8 sequence starting at c->at (already known to be >= 0x80). */
static bool utf8(scan_t *c)
{
    unsigned char b = c->s[c->at];
    size_t n;
    uint32_t cp;
    if (b >= 0xC2 && b <= 0xDF) n = 1, cp = b & 0x1F;
    else if (b >= 0xE0 && b <= 0xEF) n = 2, cp = b & 0x0F;
    else if (b >= 0xF0 && b <= 0xF4) n = 3, cp = b & 0x07;
    else return false;
    if (c->at + n >= c->len) return false;
    for (size_t i = 1; i <= n; i++) {
        unsigned char k = c->s[c->at + i];
        if ((k & 0xC0) != 0x80) return false;
        cp = (cp << 6) | (k & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
        return false;
    c->at += n + 1;
    return true;
}

static bool string(scan_t *c)
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
                c->at += 5;
            } else if (ch == '"' || ch == '\\' || ch == '/' || ch == 'b' || ch == 'f' || ch == 'n' || ch == 'r' ||
                       ch == 't') {
                c->at++;
            } else {
                return false;
            }
        } else if (ch >= 0x80) {
            if (!utf8(c)) return false;
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
            if (c->at >= c->len || c->s[c->at] != '"' || !string(c)) return false;
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
    case '"': return string(c);
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
