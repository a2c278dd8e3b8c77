/* providers/sandbox_clinic_parse.h: private parser toolkit of the sandbox clinic file (paths, messages, typed
 * fields, value checks, the arena), implemented in sandbox_clinic_parse.c and used by sandbox_clinic_read.c
 * only. */
#ifndef FD_SANDBOX_CLINIC_PARSE_H
#define FD_SANDBOX_CLINIC_PARSE_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "providers/sandbox_clinic.h"
#include "providers/sandbox_clinic_impl.h"

#define SB_SHOW_CAP       48 /* a bad value is echoed up to ~44 bytes */
#define SB_JSON_MAX_DEPTH 16

/** The state of one parse: where we are (a JSON path) and where messages go. Lives on the caller's stack. */
typedef struct parser {
    sb_diag_t *diag; /* may be NULL */
    size_t errors;   /* errors found so far (also when diag is NULL) */
    int oom;
    char path[SB_PATH_CAP];
    size_t path_len;
    sb_arena_t *arena;
    sb_clinic_impl_t *impl;
} parser_t;

/** A validator of a string value: 0 when fine, else -1 with a reason ("is not a time") written to why. */
typedef int (*sb_check_fn)(const char *s, size_t len, char *why, size_t cap);

/** A new, empty arena (freed with sb_arena_free, which frees every block it handed out). */
sb_arena_t *sb_arena_new(void);
/** Frees the arena and everything allocated from it. NULL is a no-op. */
void sb_arena_free(sb_arena_t *arena);
/** Zeroed room for count objects of size bytes (16-byte aligned), or NULL when out of memory/overflow. */
void *sb_arena_array(sb_arena_t *arena, size_t count, size_t size);
/** A NUL-terminated copy of s[0..len) in the arena, or NULL. */
char *sb_arena_strndup(sb_arena_t *arena, const char *s, size_t len);

/** Records an error at the current path. */
void sb_err(parser_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Records an error at an explicit path ("" or "$" is the whole file). */
void sb_err_at(parser_t *p, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/** Records a warning at an explicit path. */
void sb_warn_at(parser_t *p, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/** Records "out of memory" once. */
void sb_oom(parser_t *p);

/** Appends ".key" to the path; returns the previous length for sb_pop. */
size_t sb_push_key(parser_t *p, const char *key);
/** Appends "[i]" to the path; returns the previous length for sb_pop. */
size_t sb_push_index(parser_t *p, size_t i);
/** Restores the path to a length returned by sb_push_*. */
void sb_pop(parser_t *p, size_t old);
/** A short printable rendering of a value for messages ("\"\"" when empty, "..." when cut). */
const char *sb_show(const char *s, size_t len, char buf[SB_SHOW_CAP]);

/** The member `key` of an object, or NULL when absent or JSON null. */
json_object *sb_member(json_object *obj, const char *key);
/** 1 when v is an object; else records "must be an object" at the current path and returns 0. */
int sb_expect_object(parser_t *p, json_object *v);
/** Records "unknown field" for every key of obj not in the NULL-terminated list (and not "$comment"). */
void sb_check_keys(parser_t *p, json_object *obj, const char *const *allowed);
/** A string member checked for type, length 1..max, NUL bytes and `check` (may be NULL), copied into the
 * arena. NULL when absent (an error if required) or bad (error recorded). echo: show the bad value. */
const char *sb_string_field(parser_t *p, json_object *obj, const char *key, int required, size_t max, sb_check_fn check,
                            int echo);
/** An integer member in [lo, hi]: 1 and *out set, 0 when absent (an error if required), -1 when bad. */
int sb_int_field(parser_t *p, json_object *obj, const char *key, int required, int64_t lo, int64_t hi, int64_t *out);
/** A number member (integer or fraction) in [lo, hi]: as sb_int_field. */
int sb_number_field(parser_t *p, json_object *obj, const char *key, int required, double lo, double hi, double *out);
/** A boolean member, or dflt when absent (or bad: error recorded). */
int sb_bool_field(parser_t *p, json_object *obj, const char *key, int dflt);
/** An array member with min..max entries, or NULL when absent (an error if required) or bad. */
json_object *sb_array_field(parser_t *p, json_object *obj, const char *key, int required, size_t min, size_t max);

int sb_check_text(const char *s, size_t len, char *why, size_t cap);     /**< printable, not blank */
int sb_check_id(const char *s, size_t len, char *why, size_t cap);       /**< [A-Za-z0-9._-] */
int sb_check_country(const char *s, size_t len, char *why, size_t cap);  /**< "AU" */
int sb_check_currency(const char *s, size_t len, char *why, size_t cap); /**< "AUD" */
int sb_check_locale(const char *s, size_t len, char *why, size_t cap);   /**< "en-AU" */
int sb_check_phone(const char *s, size_t len, char *why, size_t cap);    /**< E.164 */
int sb_check_email(const char *s, size_t len, char *why, size_t cap);    /**< a@b.c */
int sb_check_url(const char *s, size_t len, char *why, size_t cap);      /**< http(s)://... */
int sb_check_date(const char *s, size_t len, char *why, size_t cap);     /**< YYYY-MM-DD */

/** Parses "YYYY-MM-DD" (a real date, years 1900-2999): 0, or -1. */
int sb_parse_date(const char *s, size_t len, int *y, int *m, int *d);
/** Parses "HH:MM" (00:00-24:00) into minutes since midnight, or -1. */
int sb_parse_time(const char *s, size_t len);

/** Parses the whole text as one JSON object (strict JSON, UTF-8, no trailing text, bounded depth and size).
 * Returns the object (caller puts it) or NULL with an error recorded at "$". */
json_object *sb_parse_json(parser_t *p, const char *json, size_t len);

#endif
