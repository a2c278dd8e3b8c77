/* server/idempotent.h: the Idempotency-Key header on write routes: claim before the work, replay, 409/422, and
 * recording the answer the route gives (booking/idempotency.h keeps the records). */
#ifndef FD_SERVER_IDEMPOTENT_H
#define FD_SERVER_IDEMPOTENT_H

#include <stdbool.h>

#include "server/request.h"

typedef struct srv_idem srv_idem_t;

/** Continues a write route: idem is the claim (NULL without an Idempotency-Key; the route passes it to the
 * srv_idem_* answers and ends it with srv_idem_end), recovering is true when an earlier run with the same key
 * ended with an unknown EMR outcome. */
typedef void (*srv_idem_go_fn)(srv_request_t *r, srv_idem_t *idem, bool recovering);

/** Runs go under the request's Idempotency-Key: without one at once; with one after claiming it, or answers a
 * replay (with Idempotent-Replayed: true), 409 idempotency_in_progress, 422 idempotency_key_reused, 400 for a key
 * that is empty or longer than 255 bytes, or 503 when Redis fails. A tool call's key is its idem_key
 * (srv_request_begin_tool). */
void srv_idem_run(srv_request_t *r, srv_idem_go_fn go);

/** Answers JSON and stores it for replay (any status below 500). */
void srv_idem_json(srv_request_t *r, srv_idem_t *idem, int status, json_object *body);

/** Answers an error: below 500 stored for replay; 5xx not stored (the claim is given back) unless unknown is
 * true (the EMR may have done the write): then stored as unknown, and the next run with the key recovers. */
void srv_idem_error(srv_request_t *r, srv_idem_t *idem, api_error_t err, const char *message, const char *field,
                    bool unknown);

/** Ends a claim: gives it back when no answer was stored (e.g. a 400 answered by a field reader, or a client
 * gone), then frees it. NULL is fine. */
void srv_idem_end(srv_idem_t *idem);

#endif
