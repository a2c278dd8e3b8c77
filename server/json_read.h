/* server/json_read.h: strict JSON parsing of a whole buffer or file (no trailing garbage, bounded size). */
#ifndef FD_SERVER_JSON_READ_H
#define FD_SERVER_JSON_READ_H

#include <json.h>
#include <stddef.h>

/** Parses exactly one JSON value filling buf[0..len). Returns it (caller owns), or NULL with a reason such as
 * "truncated JSON" or "unexpected text after the JSON value at byte 7" in why. */
json_object *srv_json_parse(const char *buf, size_t len, char *why, size_t why_cap);

/** Reads and parses a JSON file of at most max_bytes. Returns NULL with a reason in why. */
json_object *srv_json_read_file(const char *path, size_t max_bytes, char *why, size_t why_cap);

#endif
