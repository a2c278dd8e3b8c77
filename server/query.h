/* server/query.h: reading parameters out of a GET request's query string (the /voice routes): percent- and
 * plus-decoded, length-bounded, with a 400 naming the parameter when it cannot be read. Voice queries carry
 * PHI (names, phones), so nothing here logs them. */
#ifndef FD_SERVER_QUERY_H
#define FD_SERVER_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "server/request.h"

/* The longest query string a request may carry (longer: 414 from the router). */
#define SRV_MAX_QUERY_BYTES (8u * 1024u)

/** The query string as received, without the '?' (borrowed from the request; "" when there is none); for a tool call
 * (srv_request_begin_tool) its arguments as JSON text. */
const char *srv_query_raw(const srv_request_t *r, size_t *len);

/** Decodes the first value of `name` into out (NUL-terminated; the router has checked the whole query with
 * srv_query_check, so it is well-formed UTF-8). Returns 1 when
 * present (an empty value counts as absent: returns 0 and out = ""), 0 when absent, and -1 after answering
 * 400 invalid_field when the value is malformed (bad %-escape, a NUL) or longer than cap - 1 bytes. A tool call's
 * parameters are its arguments: a string, or a number or boolean as written (null: absent; a list or an object:
 * 400 invalid_field). */
int srv_query_get(srv_request_t *r, const char *name, char *out, size_t cap);

/** Checks every parameter of r's query: name and value must decode (%-escapes), hold no NUL and be well-formed
 * UTF-8 (the text is stored and sent back in JSON). Returns true when all do; else answers 400 invalid_field
 * naming the first bad parameter (field null when the name itself is unreadable) and returns false. */
bool srv_query_check(srv_request_t *r);

/** The pure part of srv_query_check on a raw query q[0..len): 0 when every parameter is text; 1 when a value is
 * not, with its decoded name in name (or "" when the name does not fit name_cap); -1 when a name is not. Values
 * longer than SRV_MAX_QUERY_BYTES count as not text. Exposed for tests and fuzzing. */
int srv_query_find_bad(const char *q, size_t len, char *name, size_t name_cap);

/** Decodes application/x-www-form-urlencoded text in[0..len) into out; returns the length, or -1 when it is
 * malformed or does not fit (cap includes the NUL). Pure; exposed for tests and fuzzing. */
long srv_query_decode(const char *in, size_t len, char *out, size_t cap);

#endif
