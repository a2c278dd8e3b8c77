/* server/json_strict.h: an RFC 8259 validator, run before json-c (which also accepts single quotes, NaN,
 * Infinity and raw control characters), so only standard JSON gets in. */
#ifndef FD_SERVER_JSON_STRICT_H
#define FD_SERVER_JSON_STRICT_H

#include <stdbool.h>
#include <stddef.h>

/** True when buf[0..len) is exactly one RFC 8259 JSON value (surrounding white space allowed, UTF-8 checked,
 * nesting at most 64 deep, no escaped NUL in an object key). Otherwise false, with the byte offset of the first
 * problem in *error_at. */
bool srv_json_strict_valid(const char *buf, size_t len, size_t *error_at);

#endif
