/* server/voice_write.h: the HTTP side of the GET /voice write routes (book, cancel, reschedule): the query string
 * as the body their Idempotency-Key fingerprints, the voice deadline timer (a write that is not done by then
 * answers voice/write.h's sayable 504 and finishes, or is recovered, in the background) and short waits. */
#ifndef FD_SERVER_VOICE_WRITE_H
#define FD_SERVER_VOICE_WRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "server/idempotent.h"
#include "server/request.h"

/** Sets r->body to an object of the query's parameters (first value of each name, decoded), so the
 * Idempotency-Key fingerprint covers the request. Returns false after answering 400 (malformed, more than 64
 * parameters) or 503. */
bool srv_voice_query_body(srv_request_t *r);

typedef struct srv_voice_timer srv_voice_timer_t;

/** Calls fire(data) once after ms on r's worker loop, unless cancelled first. The timer frees itself after firing;
 * the owner must forget it in fire. NULL when out of memory. */
srv_voice_timer_t *srv_voice_timer_start(srv_request_t *r, uint64_t ms, void (*fire)(void *data), void *data);

/** Cancels a timer that has not fired (it never fires then) and frees it. NULL is fine. */
void srv_voice_timer_cancel(srv_voice_timer_t *timer);

/** For a voice write's deadline timer when it fires: forgets the timer (*deadline = NULL) and, while r is still
 * unanswered, answers the deadline's 504. */
void srv_voice_deadline_fired(srv_voice_timer_t **deadline, srv_request_t *r, srv_idem_t *idem);

/** First thing in a voice write's callback, after each asynchronous step (which held *r): true when *r may still
 * be answered; otherwise forgets it (*r = NULL) and cancels the write's deadline timer. */
bool srv_voice_back(srv_request_t **r, srv_voice_timer_t **deadline);

#endif
