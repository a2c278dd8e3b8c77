/* server/voice_write.h: the HTTP side of the GET /voice write routes (book, cancel, reschedule): the query string
 * as the body their Idempotency-Key fingerprints (the write itself, with its deadline, is voice/write.h's). */
#ifndef FD_SERVER_VOICE_WRITE_H
#define FD_SERVER_VOICE_WRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "server/idempotent.h"
#include "server/request.h"

/** Sets r->body to an object of the query's parameters (first value of each name, decoded; a tool call's arguments
 * as text), so the
 * Idempotency-Key fingerprint covers the request. Returns false after answering 400 (malformed, more than 64
 * parameters) or 503. */
bool srv_voice_query_body(srv_request_t *r);

#endif
