/* server/voice_write.h: what the GET /voice write routes (book, cancel, reschedule) share: the query string as the
 * body their Idempotency-Key fingerprints, the voice deadline (a write that is not done by then answers 504 with
 * a sentence to say and finishes, or is recovered, in the background), short waits, the caller's contact
 * details, and errors that carry a sayable top-level `message` besides the usual error object. */
#ifndef FD_SERVER_VOICE_WRITE_H
#define FD_SERVER_VOICE_WRITE_H

#include <json.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/model.h"
#include "core/phone.h"
#include "providers/provider.h"
#include "server/idempotent.h"
#include "server/request.h"

/* API.md "Voice deadline": a voice route answers within the tenant's deadline (policy.voice_deadline_ms, 2,000 ms
 * by default; GoHighLevel gives up at 2-3 s). A write still running then answers its own sayable 504 this much
 * earlier, so the request's generic deadline answer never has to. */
#define SRV_VOICE_WRITE_MARGIN_MS 150
#define SRV_VOICE_NAME_CAP 128

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

/** Milliseconds left until SRV_VOICE_WRITE_MARGIN_MS before r's deadline; at least 1. */
uint64_t srv_voice_time_left(const srv_request_t *r);

/** The caller's contact details: query parameters phone (to E.164 with the tenant's country) and email. Each
 * output is "" when absent. Returns false after answering 400 invalid_field naming the malformed one. */
bool srv_voice_contact(srv_request_t *r, char phone[BK_PHONE_CAP], char email[BK_EMAIL_CAP]);

/** Reads a name parameter (first_name, last_name): "" when absent. Returns false after answering 400. */
bool srv_voice_name(srv_request_t *r, const char *param, char out[SRV_VOICE_NAME_CAP]);

/** Answers {"error": {code, message, field}, "message": message} (message NULL: the table's default) through idem:
 * below 500 stored for replay; a 503 gets Retry-After. extra (may be NULL; consumed) is merged into the top
 * level. Redis trouble is answered as such (srv_redis_to_blame), with its own sentence. */
void srv_voice_error(srv_request_t *r, srv_idem_t *idem, api_error_t err, const char *message, const char *field,
                     json_object *extra);

/** Answers the failure of a booking write (result: a bk_write_result_t) with a sentence to say; BK_W_UNKNOWN is
 * 504 and recorded as unknown under idem, so a retry with the key looks before writing again. */
void srv_voice_write_failure(srv_request_t *r, srv_idem_t *idem, int result, prov_status_t status);

/** Answers the 504 of the voice deadline: "still confirming, ask again" (unknown under idem: a retry with the same
 * key recovers, and a retry without one is answered by the route's own reconciliation). */
void srv_voice_deadline_answer(srv_request_t *r, srv_idem_t *idem);

/** For a voice write's deadline timer when it fires: forgets the timer (*deadline = NULL) and, while r is still
 * unanswered, answers the deadline's 504. */
void srv_voice_deadline_fired(srv_voice_timer_t **deadline, srv_request_t *r, srv_idem_t *idem);

/** First thing in a voice write's callback, after each asynchronous step (which held *r): true when *r may still
 * be answered; otherwise forgets it (*r = NULL) and cancels the write's deadline timer. */
bool srv_voice_back(srv_request_t **r, srv_voice_timer_t **deadline);

/** Writes "<spoken> with <practitioner>" (or just spoken) of an appointment or slot object into buf. */
void srv_voice_say_when(json_object *appointment, char *buf, size_t cap);

/** Number of words of a sentence (runs of non-spaces). */
size_t srv_voice_words(const char *s);

#endif
