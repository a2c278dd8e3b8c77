/* server/query.h: reading parameters out of a GET request's query string (the /voice routes): percent- and
 * plus-decoded, length-bounded, with a 400 naming the parameter when it cannot be read. Voice queries carry
 * PHI (names, phones), so nothing here logs them. */
#ifndef FD_SERVER_QUERY_H
#define FD_SERVER_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "server/request.h"

/** The query string as received, without the '?' (borrowed from the request; "" when there is none). */
const char *srv_query_raw(const srv_request_t *r, size_t *len);

/** Decodes the first value of `name` into out (NUL-terminated, valid UTF-8 not checked here). Returns 1 when
 * present (an empty value counts as absent: returns 0 and out = ""), 0 when absent, and -1 after answering
 * 400 invalid_field when the value is malformed (bad %-escape, a NUL) or longer than cap - 1 bytes. */
int srv_query_get(srv_request_t *r, const char *name, char *out, size_t cap);

/** Like srv_query_get, but answers 400 missing_field and returns false when the parameter is absent or empty. */
bool srv_query_require(srv_request_t *r, const char *name, char *out, size_t cap);

/** Decodes application/x-www-form-urlencoded text in[0..len) into out; returns the length, or -1 when it is
 * malformed or does not fit (cap includes the NUL). Pure; exposed for tests and fuzzing. */
long srv_query_decode(const char *in, size_t len, char *out, size_t cap);

#endif
