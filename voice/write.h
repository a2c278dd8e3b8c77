/* voice/write.h: what the voice writes (book, cancel, reschedule) share, whatever host carries them: the voice
 * deadline budget, the caller's contact details and names, and the sentence an agent says when a write fails. */
#ifndef FD_VOICE_WRITE_H
#define FD_VOICE_WRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/model.h"
#include "core/phone.h"
#include "providers/once_timer.h"
#include "providers/provider.h"
#include "voice/host.h"

/* API.md "Voice deadline": a voice call is answered within the tenant's deadline (policy.voice_deadline_ms, 2,000
 * ms by default; GoHighLevel gives up at 2-3 s). A write still running then answers its own sayable 504 this much
 * earlier, so the host's generic deadline answer never has to. */
#define VC_WRITE_MARGIN_MS 150
#define VC_NAME_CAP        128

/** Milliseconds left until VC_WRITE_MARGIN_MS before the call's deadline; at least 1. */
uint64_t vc_write_time_left(const vc_call_t *v);

/** The skeleton every voice write's run starts with: its call (NULL once answered by the deadline or gone: the
 * flow then only tidies up), the retry claim the host gave it (an Idempotency-Key's, or NULL) and its deadline
 * timer. */
typedef struct vc_write {
    const vc_call_t *v;
    void *claim;
    void (*claim_end)(void *claim); /* the host's, kept for when v is gone */
    prov_once_timer_t *deadline;    /* frees itself once fired: forgotten in the callback */
} vc_write_t;

/** Starts the skeleton of a write run on v with claim (may be NULL; ended by vc_write_end whatever happens). */
void vc_write_init(vc_write_t *w, const vc_call_t *v, void *claim);

/** Starts the write's deadline (w->v set): from now on the host's own deadline blames the EMR, and the write answers
 * the sayable 504 of vc_deadline_answer VC_WRITE_MARGIN_MS before it. Returns false after answering 503. w must
 * stay allocated until vc_write_end. */
bool vc_write_arm(vc_write_t *w);

/** Before an asynchronous step: holds the call's host while it is still the write's. */
void vc_write_step(vc_write_t *w);

/** First thing in a callback after a step: true when w->v may still be answered; otherwise forgets it (w->v =
 * NULL) and cancels the deadline timer. */
bool vc_write_back(vc_write_t *w);

/** Ends the write's share: cancels the deadline timer and ends the claim (the host gives it back when nothing was
 * recorded). */
void vc_write_end(vc_write_t *w);

/** The caller's contact details: parameters phone (to E.164 with the tenant's country) and email. Each output is
 * "" when absent. Returns false after answering 400 invalid_field naming the malformed one. */
bool vc_contact(const vc_call_t *v, char phone[BK_PHONE_CAP], char email[BK_EMAIL_CAP]);

/** Reads a name parameter (first_name, last_name): "" when absent or blank. Returns false after answering 400. */
bool vc_name(const vc_call_t *v, const char *param, char out[VC_NAME_CAP]);

/** Answers the failure of a booking write (result: a bk_write_result_t) with a sentence to say, through claim (may
 * be NULL); BK_W_UNKNOWN is 504 and recorded as unknown, so a retry with the key looks before writing again. */
void vc_write_failure(const vc_call_t *v, void *claim, int result, prov_status_t status);

/** Answers the 504 of the voice deadline: "still confirming, ask again" (unknown under claim: a retry with the same
 * key recovers, and a retry without one is answered by the write's own reconciliation). */
void vc_deadline_answer(const vc_call_t *v, void *claim);

#endif
