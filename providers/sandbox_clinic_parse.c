/* providers/sandbox_clinic_parse.c: the parser toolkit of the sandbox clinic file: the clinic's arena, JSON
 * paths and messages (into the diagnostics list), typed fields, value checks, and strict JSON reading. The
 * sections and cross-checks that use it live in sandbox_clinic_read.c. */
#include "providers/sandbox_clinic_parse.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ------------------------------------------------------------------------------------------------- */

#define ARENA_ALIGN 16u
#define ARENA_CHUNK (64u << 10)

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
} chunk_t;

#define CHUNK_HEADER ((sizeof(chunk_t) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))

struct sb_arena {
    chunk_t *head;
};

sb_arena_t *sb_arena_new(void)
{
    return calloc(1, sizeof(sb_arena_t));
}

void sb_arena_free(sb_arena_t *arena)
{
    if (arena == NULL) return;
    chunk_t *c = arena->head;
    while (c != NULL) {
        chunk_t *next = c->next;
        free(c);
        c = next;
    }
    free(arena);
}

void *sb_arena_array(sb_arena_t *arena, size_t count, size_t size)
{
    if (size != 0 && count > (SIZE_MAX / 2) / size) return NULL;
    size_t n = count * size;
    n = n == 0 ? ARENA_ALIGN : (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    chunk_t *c = arena->head;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        chunk_t *fresh = calloc(1, CHUNK_HEADER + cap);
        if (fresh == NULL) return NULL;
        fresh->cap = cap;
        if (c != NULL && cap > ARENA_CHUNK) { /* an oversized block: keep filling the current chunk */
            fresh->used = n;
            fresh->next = c->next;
            c->next = fresh;
            return (char *)fresh + CHUNK_HEADER;
        }
        fresh->next = c;
        arena->head = fresh;
        c = fresh;
    }
    void *p = (char *)c + CHUNK_HEADER + c->used;
    c->used += n;
    return p;
}

char *sb_arena_strndup(sb_arena_t *arena, const char *s, size_t len)
{
    char *p = sb_arena_array(arena, len + 1, 1);
    if (p == NULL) return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* ---- parser: paths and messages ---------------------------------------------------------------------------- */

static void add(parser_t *p, sb_severity_t sev, const char *path, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void add(parser_t *p, sb_severity_t sev, const char *path, const char *fmt, va_list ap)
{
    if (sev == SB_ERROR) p->errors++;
    sb_diag_addv(p->diag, sev, path, fmt, ap);
}

void sb_err(parser_t *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(p, SB_ERROR, p->path, fmt, ap);
    va_end(ap);
}

void sb_err_at(parser_t *p, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(p, SB_ERROR, path, fmt, ap);
    va_end(ap);
}

void sb_warn_at(parser_t *p, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(p, SB_WARNING, path, fmt, ap);
    va_end(ap);
}

void sb_oom(parser_t *p)
{
    if (!p->oom) sb_err_at(p, "$", "out of memory");
    p->oom = 1;
}

size_t sb_push_key(parser_t *p, const char *key)
{
    size_t old = p->path_len;
    int n = snprintf(p->path + old, sizeof(p->path) - old, "%s%s", old > 0 ? "." : "", key);
    if (n > 0) p->path_len = old + (size_t)n < sizeof(p->path) ? old + (size_t)n : sizeof(p->path) - 1;
    return old;
}

size_t sb_push_index(parser_t *p, size_t i)
{
    size_t old = p->path_len;
    int n = snprintf(p->path + old, sizeof(p->path) - old, "[%zu]", i);
    if (n > 0) p->path_len = old + (size_t)n < sizeof(p->path) ? old + (size_t)n : sizeof(p->path) - 1;
    return old;
}

void sb_pop(parser_t *p, size_t old)
{
    p->path_len = old;
    p->path[old] = '\0';
}

const char *sb_show(const char *s, size_t len, char buf[SB_SHOW_CAP])
{
    if (len == 0) return "\"\"";
    int quote = s[0] == ' ' || s[len - 1] == ' ';
    size_t limit = SB_SHOW_CAP - 6, n = 0;
    if (quote) buf[n++] = '"';
    for (size_t i = 0; i < len && n < limit; i++) {
        unsigned char ch = (unsigned char)s[i];
        buf[n++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
    }
    size_t copied = n - (size_t)quote;
    if (copied < len) {
        /* Do not cut a UTF-8 sequence: drop the lead bytes of a character whose rest did not fit. */
        while (copied > 0 && ((unsigned char)s[copied] & 0xC0) == 0x80) {
            copied--;
            n--;
        }
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    if (quote) buf[n++] = '"';
    buf[n] = '\0';
    return buf;
}

/* ---- parser: typed fields ---------------------------------------------------------------------------------- */

static const char *type_name(json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return "a boolean";
    case json_type_double:
    case json_type_int:
        return "a number";
    case json_type_object:
        return "an object";
    case json_type_array:
        return "an array";
    case json_type_string:
        return "a string";
    }
    return "something else";
}

json_object *sb_member(json_object *obj, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(obj, key, &v) ? v : NULL; /* JSON null reads as absent */
}

int sb_expect_object(parser_t *p, json_object *v)
{
    if (json_object_is_type(v, json_type_object)) return 1;
    sb_err(p, "must be an object, not %s", type_name(v));
    return 0;
}

/* Edit distance of two short keys, capped (for "did you mean"). */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) return 99;
    size_t row[41];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

void sb_check_keys(parser_t *p, json_object *obj, const char *const *allowed)
{
    json_object_object_foreach(obj, key, val)
    {
        (void)val;
        if (strcmp(key, "$comment") == 0) continue;
        const char *near = NULL;
        size_t best = 3;
        int known = 0;
        for (size_t i = 0; allowed[i] != NULL; i++) {
            if (strcmp(key, allowed[i]) == 0) {
                known = 1;
                break;
            }
            size_t d = distance(key, allowed[i]);
            if (d < best) {
                best = d;
                near = allowed[i];
            }
        }
        if (known) continue;
        char shown[SB_SHOW_CAP];
        size_t old = sb_push_key(p, sb_show(key, strlen(key), shown));
        if (near != NULL)
            sb_err(p, "unknown field (did you mean %s?)", near);
        else
            sb_err(p, "unknown field");
        sb_pop(p, old);
    }
}

const char *sb_string_field(parser_t *p, json_object *obj, const char *key, int required, size_t max, sb_check_fn check,
                            int echo)
{
    json_object *v = sb_member(obj, key);
    size_t old = sb_push_key(p, key);
    const char *out = NULL;
    if (v == NULL) {
        if (required) sb_err(p, "is required");
        goto done;
    }
    if (!json_object_is_type(v, json_type_string)) {
        sb_err(p, "must be a string, not %s", type_name(v));
        goto done;
    }
    const char *s = json_object_get_string(v);
    size_t len = (size_t)json_object_get_string_len(v);
    char shown[SB_SHOW_CAP], why[128] = "";
    if (len == 0) {
        sb_err(p, "must not be empty");
        goto done;
    }
    if (len > max) {
        sb_err(p, "is %zu bytes long (at most %zu)", len, max);
        goto done;
    }
    if (memchr(s, '\0', len) != NULL) {
        sb_err(p, "must not contain a NUL character");
        goto done;
    }
    if (check != NULL && check(s, len, why, sizeof(why)) != 0) {
        if (echo)
            sb_err(p, "%s %s", sb_show(s, len, shown), why);
        else
            sb_err(p, "%s", why);
        goto done;
    }
    if ((out = sb_arena_strndup(p->arena, s, len)) == NULL) sb_oom(p);
done:
    sb_pop(p, old);
    return out;
}

/* An integer field's value v from lo to hi into *out: 1, or -1 with the error recorded at the current path. */
static int int_value(parser_t *p, json_object *v, int64_t lo, int64_t hi, int64_t *out)
{
    if (!json_object_is_type(v, json_type_int)) {
        sb_err(p, "must be a whole number, not %s",
               json_object_is_type(v, json_type_double) ? "a fraction" : type_name(v));
        return -1;
    }
    errno = 0;
    int64_t x = json_object_get_int64(v);
    if (x < lo || x > hi || errno == ERANGE) {
        sb_err(p, "%s is out of range (%lld to %lld)", json_object_get_string(v), (long long)lo, (long long)hi);
        return -1;
    }
    *out = x;
    return 1;
}

/* A number field's value v from lo to hi into *out: 1, or -1 with the error recorded at the current path. */
static int number_value(parser_t *p, json_object *v, double lo, double hi, double *out)
{
    if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double)) {
        sb_err(p, "must be a number, not %s", type_name(v));
        return -1;
    }
    double x = json_object_get_double(v);
    if (!isfinite(x) || x < lo || x > hi) {
        char shown[SB_SHOW_CAP];
        const char *text = json_object_get_string(v);
        sb_err(p, "%s is out of range (%g to %g)", sb_show(text, strlen(text), shown), lo, hi);
        return -1;
    }
    *out = x;
    return 1;
}

/* Whether a member v is there: 1; 0 when absent and optional; -1 ("is required" recorded) when absent and
 * required. */
static int member_present(parser_t *p, json_object *v, int required)
{
    if (v != NULL) return 1;
    if (required) sb_err(p, "is required");
    return required ? -1 : 0;
}

int sb_int_field(parser_t *p, json_object *obj, const char *key, int required, int64_t lo, int64_t hi, int64_t *out)
{
    json_object *v = sb_member(obj, key);
    size_t old = sb_push_key(p, key);
    int rc = member_present(p, v, required);
    if (rc == 1) rc = int_value(p, v, lo, hi, out);
    sb_pop(p, old);
    return rc;
}

int sb_number_field(parser_t *p, json_object *obj, const char *key, int required, double lo, double hi, double *out)
{
    json_object *v = sb_member(obj, key);
    size_t old = sb_push_key(p, key);
    int rc = member_present(p, v, required);
    if (rc == 1) rc = number_value(p, v, lo, hi, out);
    sb_pop(p, old);
    return rc;
}

int sb_bool_field(parser_t *p, json_object *obj, const char *key, int dflt)
{
    json_object *v = sb_member(obj, key);
    if (v == NULL) return dflt;
    if (json_object_is_type(v, json_type_boolean)) return json_object_get_boolean(v) ? 1 : 0;
    size_t old = sb_push_key(p, key);
    sb_err(p, "must be true or false, not %s", type_name(v));
    sb_pop(p, old);
    return dflt;
}

json_object *sb_array_field(parser_t *p, json_object *obj, const char *key, int required, size_t min, size_t max)
{
    json_object *v = sb_member(obj, key);
    size_t old = sb_push_key(p, key);
    json_object *out = NULL;
    if (v == NULL) {
        if (required) sb_err(p, "is required");
    } else if (!json_object_is_type(v, json_type_array)) {
        sb_err(p, "must be an array, not %s", type_name(v));
    } else if (json_object_array_length(v) < min) {
        sb_err(p, "must have at least %zu entr%s", min, min == 1 ? "y" : "ies");
    } else if (json_object_array_length(v) > max) {
        sb_err(p, "has %zu entries (at most %zu)", json_object_array_length(v), max);
    } else {
        out = v;
    }
    sb_pop(p, old);
    return out;
}

/* ---- value checks ------------------------------------------------------------------------------------------ */

int sb_check_text(const char *s, size_t len, char *why, size_t cap)
{
    size_t visible = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f) {
            snprintf(why, cap, "must not contain control characters");
            return -1;
        }
        if (ch != ' ') visible++;
    }
    if (visible == 0) {
        snprintf(why, cap, "must not be blank");
        return -1;
    }
    return 0;
}

int sb_check_id(const char *s, size_t len, char *why, size_t cap)
{
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
              ch == '_' || ch == '.')) {
            snprintf(why, cap, "is not an ID (1-%d of A-Z a-z 0-9 . _ -)", SB_ID_MAX);
            return -1;
        }
    }
    return 0;
}

static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int sb_check_country(const char *s, size_t len, char *why, size_t cap)
{
    if (len == 2 && is_upper(s[0]) && is_upper(s[1])) return 0;
    snprintf(why, cap, "is not a country code (two capital letters, ISO 3166-1, e.g. AU)");
    return -1;
}

int sb_check_currency(const char *s, size_t len, char *why, size_t cap)
{
    if (len == 3 && is_upper(s[0]) && is_upper(s[1]) && is_upper(s[2])) return 0;
    snprintf(why, cap, "is not a currency (three capital letters, ISO 4217, e.g. AUD)");
    return -1;
}

int sb_check_locale(const char *s, size_t len, char *why, size_t cap)
{
    size_t i = 0, part = 0;
    while (i < len && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))) i++;
    if (i < 2 || i > 3) goto bad;
    while (i < len) {
        if (s[i] != '-' && s[i] != '_') goto bad;
        size_t start = ++i;
        while (i < len && (is_digit(s[i]) || (s[i] >= 'a' && s[i] <= 'z') || is_upper(s[i]))) i++;
        if (i - start < 2 || i - start > 8 || ++part > 4) goto bad;
    }
    return 0;
bad:
    snprintf(why, cap, "is not a locale (e.g. en-AU)");
    return -1;
}

int sb_check_phone(const char *s, size_t len, char *why, size_t cap)
{
    if (len >= 8 && len <= 16 && s[0] == '+' && s[1] >= '1' && s[1] <= '9') {
        size_t i = 2;
        while (i < len && is_digit(s[i])) i++;
        if (i == len) return 0;
    }
    snprintf(why, cap, "is not an E.164 phone number (+ then 7-15 digits, no spaces, e.g. +61290001234)");
    return -1;
}

int sb_check_email(const char *s, size_t len, char *why, size_t cap)
{
    const char *at = memchr(s, '@', len);
    size_t ats = 0, dots_after = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= ' ' || ch == 0x7f) goto bad;
        if (ch == '@') ats++;
        if (ch == '.' && at != NULL && s + i > at) dots_after++;
    }
    if (ats != 1 || at == s || at == s + len - 1 || dots_after == 0 || s[len - 1] == '.' || at[1] == '.') goto bad;
    return 0;
bad:
    snprintf(why, cap, "is not an email address");
    return -1;
}

int sb_check_url(const char *s, size_t len, char *why, size_t cap)
{
    size_t skip = len > 8 && memcmp(s, "https://", 8) == 0 ? 8 : len > 7 && memcmp(s, "http://", 7) == 0 ? 7 : 0;
    if (skip == 0) goto bad;
    for (size_t i = skip; i < len; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f) goto bad;
    return 0;
bad:
    snprintf(why, cap, "is not an http(s) URL");
    return -1;
}

int sb_parse_date(const char *s, size_t len, int *y, int *m, int *d)
{
    if (len != 10 || s[4] != '-' || s[7] != '-') return -1;
    for (size_t i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !is_digit(s[i])) return -1;
    int yy = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int mm = (s[5] - '0') * 10 + (s[6] - '0'), dd = (s[8] - '0') * 10 + (s[9] - '0');
    if (yy < 1900 || yy > 2999 || dd < 1 || dd > tz_days_in_month(yy, mm)) return -1;
    *y = yy;
    *m = mm;
    *d = dd;
    return 0;
}

int sb_check_date(const char *s, size_t len, char *why, size_t cap)
{
    int y, m, d;
    if (sb_parse_date(s, len, &y, &m, &d) == 0) return 0;
    snprintf(why, cap, "is not a date (YYYY-MM-DD, 1900-2999)");
    return -1;
}

int sb_parse_time(const char *s, size_t len)
{
    if (len != 5 || s[2] != ':' || !is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[3]) || !is_digit(s[4])) return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
    return h * 60 + m;
}

/* Line and column (1-based) of a byte offset, for JSON syntax errors. */
static void line_col(const char *s, size_t off, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (s[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

json_object *sb_parse_json(parser_t *p, const char *json, size_t len)
{
    json_object *root = NULL;
    json_tokener *tok = NULL;
    size_t skip = len >= 3 && memcmp(json, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0; /* a UTF-8 byte-order mark */
    size_t line, col;
    if (len > SB_FILE_MAX_BYTES) {
        sb_err_at(p, "$", "the file is larger than %u MiB", SB_FILE_MAX_BYTES >> 20);
        goto cleanup;
    }
    const char *nul = memchr(json, '\0', len);
    if (nul != NULL) {
        line_col(json, (size_t)(nul - json), &line, &col);
        sb_err_at(p, "$", "line %zu, column %zu: the file contains a NUL byte", line, col);
        goto cleanup;
    }
    if ((tok = json_tokener_new_ex(SB_JSON_MAX_DEPTH)) == NULL) {
        sb_oom(p);
        goto cleanup;
    }
    /* Trailing text is allowed by the tokener only so that we can name it ourselves below. */
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS | JSON_TOKENER_VALIDATE_UTF8);
    root = json_tokener_parse_ex(tok, json + skip, (int)(len - skip));
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = skip + json_tokener_get_parse_end(tok);
    if (jerr == json_tokener_continue || (root == NULL && jerr == json_tokener_success)) {
        sb_err_at(p, "$", "the JSON ends too early (an object or array is not closed)");
        goto fail;
    }
    if (jerr != json_tokener_success) {
        line_col(json, end, &line, &col);
        sb_err_at(p, "$", "line %zu, column %zu: not valid JSON: %s", line, col, json_tokener_error_desc(jerr));
        goto fail;
    }
    while (end < len && (json[end] == ' ' || json[end] == '\t' || json[end] == '\n' || json[end] == '\r')) end++;
    if (end != len) {
        line_col(json, end, &line, &col);
        sb_err_at(p, "$", "line %zu, column %zu: unexpected text after the JSON value", line, col);
        goto fail;
    }
    if (!json_object_is_type(root, json_type_object)) {
        sb_err_at(p, "$", "must be a JSON object, not %s", type_name(root));
        goto fail;
    }
    goto cleanup;
fail:
    json_object_put(root);
    root = NULL;
cleanup:
    if (tok != NULL) json_tokener_free(tok);
    return root;
}
