/* server/body.h: turning a request body into a JSON object, with the contract's limits and media types. */
#ifndef FD_SERVER_BODY_H
#define FD_SERVER_BODY_H

#include <json.h>
#include <stddef.h>

#include "booking/api_error.h"

#define SRV_MAX_BODY_BYTES (64u * 1024u)

/** Reads a POST body. content_type is the raw header value (NULL when absent). JSON media types
 * (application/json, application/...+json, none) are parsed; application/x-www-form-urlencoded is accepted when
 * the body is JSON (curl -d sends that); anything else is API_ERR_UNSUPPORTED_MEDIA_TYPE. Over 64 KiB is
 * API_ERR_BODY_TOO_LARGE; an empty or blank body is {}; bad JSON or a non-object is API_ERR_INVALID_JSON with a
 * sentence in message. Returns API_ERR__COUNT on success with the object in *out (caller owns). */
api_error_t srv_body_parse(const char *content_type, size_t content_type_len, const char *body, size_t len,
                           json_object **out, char *message, size_t message_cap);

/** The first top-level member of a parsed body whose value holds a NUL character anywhere (an escaped u0000 in
 * a string, at any depth), or NULL. Such text would be cut at the NUL by every C string use ("Ann", NUL, "Evil"
 * stored as "Ann"), so the request is refused naming that member. The name is borrowed from body. */
const char *srv_body_nul_field(json_object *body);

#endif
