/* server/voice_write.h: the HTTP side of the GET /voice write routes (book, cancel, reschedule): the query string
 * as the body their Idempotency-Key fingerprints, the voice deadline timer (a write that is not done by then
 * answers voice/write.h's sayable 504 and finishes, or is recovered, in the background) and short waits. */
#ifndef FD_SERVER_VOICE_WRITE_H
#define FD_SERVER_VOICE_WRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "providers/once_timer.h"
#include "server/idempotent.h"
#include "server/request.h"

/** Sets r->body to an object of the query's parameters (first value of each name, decoded; a tool call's arguments
 * as text), so the
 * Idempotency-Key fingerprint covers the request. Returns false after answering 400 (malformed, more than 64
 * parameters) or 503. */
bool srv_voice_query_body(srv_request_t *r);

/** The skeleton every voice write's call starts with: its request (NULL once answered by the deadline or gone:
 * the flow then only tidies up), its Idempotency-Key claim and its deadline timer. */
typedef struct srv_voice_write {
    srv_request_t *r;
    srv_idem_t *idem;
    prov_once_timer_t *deadline; /* frees itself once fired: forget it in the callback */
} srv_voice_write_t;

/** Starts the write's deadline (w->r set): from now on the request's own deadline blames the EMR, and the write
 * answers voice/write.h's sayable 504 VC_WRITE_MARGIN_MS before it. Returns false after answering 503. w must stay
 * allocated until srv_voice_write_end. */
bool srv_voice_write_arm(srv_voice_write_t *w);

/** Before an asynchronous step: holds the request while it is still the write's. */
void srv_voice_write_step(srv_voice_write_t *w);

/** First thing in a callback after a step: true when w->r may still be answered; otherwise forgets it (w->r =
 * NULL) and cancels the deadline timer. */
bool srv_voice_write_back(srv_voice_write_t *w);

/** Ends the write's share: cancels the deadline timer and ends the claim (gives it back when nothing was
 * recorded). */
void srv_voice_write_end(srv_voice_write_t *w);

#endif
