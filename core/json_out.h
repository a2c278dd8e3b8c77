/* core/json_out.h: JSON text written straight into a growable buffer, for answers too big to build as json-c
 * trees first (a month of slots). Strings are escaped exactly as json-c escapes them, so a streamed answer is
 * byte for byte the text json_object_to_json_string_ext gives for the same tree. */
#ifndef FD_CORE_JSON_OUT_H
#define FD_CORE_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>

/** A growable text buffer. After any failed growth `failed` stays true and writes are ignored. */
typedef struct bk_json_out {
    char *buf;
    size_t len, cap;
    bool failed;
} bk_json_out_t;

/** Starts an empty buffer with room for about `hint` bytes (0: a small default). */
void bk_json_out_init(bk_json_out_t *o, size_t hint);

/** Frees the buffer's memory. */
void bk_json_out_free(bk_json_out_t *o);

/** Appends n bytes of ready JSON text (punctuation, keys already quoted, numbers). */
void bk_json_out_raw(bk_json_out_t *o, const char *text, size_t n);

/** Room for `more` bytes written in place at the end of the text: a pointer to them (then bk_json_out_commit
 * with how many were written), or NULL when the buffer cannot grow. */
char *bk_json_out_room(bk_json_out_t *o, size_t more);

/** Keeps the n bytes written at bk_json_out_room's pointer (n at most what was asked for). */
void bk_json_out_commit(bk_json_out_t *o, size_t n);

/** Appends s (NUL-terminated) as a JSON string, quotes included; escape_slash as json-c without
 * JSON_C_TO_STRING_NOSLASHESCAPE. */
void bk_json_out_string(bk_json_out_t *o, const char *s, bool escape_slash);

/** Writes s as a quoted JSON string into buf[*at..cap), escaped as json-c does (quote, backslash, control
 * characters, and '/' when escape_slash). Returns false, leaving *at, when it does not fit with 7 bytes spare. */
bool bk_json_put_string(char *buf, size_t cap, size_t *at, const char *s, bool escape_slash);

#endif
