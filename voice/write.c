/* voice/write.c: the shared rules of the voice writes (see write.h). */
#include "voice/write.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "booking/appointments.h"
#include "booking/write_failure.h"

/* What a caller hears when our own Redis is down, restarting or hung. */
#define REDIS_SENTENCE "The booking service is briefly unavailable; please try again in a moment."
#define STILL_CONFIRMING                                                                                               \
    "The clinic's system is slow to confirm right now; please ask me again in a moment and I'll check."
#define TIME_GONE      "Sorry, that time is no longer free; please pick another time."
#define NO_APPOINTMENT "I couldn't find that appointment."

uint64_t vc_write_time_left(const vc_call_t *v)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    uint64_t spent_ms = (now - v->started_ns) / 1000000u, budget = v->deadline_ms - VC_WRITE_MARGIN_MS;
    return spent_ms + 1 < budget ? budget - spent_ms : 1;
}

static void on_write_deadline(void *data)
{
    vc_write_t *w = data;
    w->deadline = NULL;
    if (w->v != NULL && w->v->ops->open(w->v->host)) vc_deadline_answer(w->v, w->claim);
}

void vc_write_init(vc_write_t *w, const vc_call_t *v, void *claim)
{
    *w = (vc_write_t){.v = v, .claim = claim, .claim_end = v->ops->claim_end};
}

bool vc_write_arm(vc_write_t *w)
{
    w->v->ops->deadline_blames_emr(w->v->host);
    w->deadline = prov_once_timer_start(w->v->loop, vc_write_time_left(w->v), on_write_deadline, w);
    if (w->deadline != NULL) return true;
    vc_error(w->v, NULL, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL, NULL);
    return false;
}

void vc_write_step(vc_write_t *w)
{
    if (w->v != NULL) w->v->ops->hold(w->v->host);
}

bool vc_write_back(vc_write_t *w)
{
    if (w->v == NULL) return false;
    if (w->v->ops->release(w->v->host)) return true;
    w->v = NULL;
    prov_once_timer_cancel(w->deadline);
    w->deadline = NULL;
    return false;
}

void vc_write_end(vc_write_t *w)
{
    prov_once_timer_cancel(w->deadline);
    w->deadline = NULL;
    if (w->claim != NULL && w->claim_end != NULL) w->claim_end(w->claim);
    w->claim = NULL;
}

bool vc_contact(const vc_call_t *v, char phone[BK_PHONE_CAP], char email[BK_EMAIL_CAP])
{
    char in[BK_EMAIL_CAP], why[128], message[256];
    phone[0] = email[0] = '\0';
    int got = vc_param(v, "phone", in, 64);
    if (got < 0) return false;
    if (got > 0 && bk_phone_normalize(in, v->tenant->country, phone, why, sizeof(why)) != 0) {
        snprintf(message, sizeof(message),
                 "That phone number doesn't look right (%s); please ask the caller for it "
                 "again.",
                 why);
        vc_error(v, NULL, API_ERR_INVALID_FIELD, message, "phone", NULL);
        return false;
    }
    got = vc_param(v, "email", in, sizeof(in));
    if (got < 0) return false;
    if (got > 0 && bk_email_normalize(in, email) != 0) {
        vc_error(v, NULL, API_ERR_INVALID_FIELD,
                 "That e-mail address doesn't look right; please ask the caller to spell it again.", "email", NULL);
        return false;
    }
    return true;
}

bool vc_name(const vc_call_t *v, const char *param, char out[VC_NAME_CAP])
{
    if (vc_param(v, param, out, VC_NAME_CAP) < 0) return false;
    size_t len = strlen(out);
    if (len > 0 && strspn(out, " \t") == len) out[0] = '\0';
    return true;
}

void vc_deadline_answer(const vc_call_t *v, void *claim)
{
    vc_answer_t a = {
        .kind = VC_ANSWER_ERROR, .error = API_ERR_EMR_TIMEOUT, .message = STILL_CONFIRMING, .unknown = true};
    v->ops->answer(v->host, claim, &a);
}

/* The sentence of a provider's failure of a write. */
static const char *provider_failure_sentence(prov_status_t status)
{
    switch (status) {
    case PROV_TIMEOUT:
        return "The clinic's system didn't answer in time; please try again in a moment.";
    case PROV_NOT_FOUND:
        return NO_APPOINTMENT;
    case PROV_REJECTED:
        return "The clinic doesn't take that change online; the front desk can help.";
    case PROV_CONFLICT:
        return TIME_GONE;
    case PROV_RATE_LIMITED:
        return "The clinic's system is busy right now; please try again in a minute.";
    case PROV_UPSTREAM:
        return "The clinic's system had a problem; please try again shortly.";
    default:
        return "The clinic's system is unavailable right now; please try again in a moment.";
    }
}

/* The sentence an agent says for a failed write. */
static const char *write_failure_sentence(int result, prov_status_t status)
{
    switch ((bk_write_result_t)result) {
    case BK_W_SLOT_TAKEN:
    case BK_W_SLOT_UNAVAILABLE:
        return TIME_GONE;
    case BK_W_TOO_SOON:
        return "That time is too soon to book; the clinic needs more notice.";
    case BK_W_TOO_FAR:
        return "That time is too far ahead to book yet.";
    case BK_W_HOLD_EXPIRED:
        return "That time was not held long enough; please choose it again.";
    case BK_W_BUSY:
        return "I'm still working on that appointment; please ask me again in a moment.";
    case BK_W_NOT_FOUND:
        return NO_APPOINTMENT;
    case BK_W_ALREADY_CANCELLED:
        return "That appointment was already cancelled.";
    case BK_W_UNSUPPORTED:
        return "The clinic's system doesn't allow that change online; the front desk can help.";
    case BK_W_NOT_OFFERED:
        return "That practitioner doesn't offer that treatment at that location.";
    case BK_W_PATIENT_NOT_FOUND:
        return "I couldn't find the caller's patient record; please look them up again.";
    case BK_W_UNKNOWN:
        return STILL_CONFIRMING;
    case BK_W_PROVIDER:
        return provider_failure_sentence(status);
    default:
        return REDIS_SENTENCE;
    }
}

void vc_write_failure(const vc_call_t *v, void *claim, int result, prov_status_t status)
{
    bk_write_failure_t f = bk_write_failure_of(result, status);
    vc_answer_t a = {.kind = VC_ANSWER_ERROR, .error = f.error, .message = write_failure_sentence(result, status),
                     .field = f.field, .retry_soon = f.retry_soon, .emr_retry_after = f.emr_retry_after,
                     .unknown = f.unknown};
    v->ops->answer(v->host, claim, &a);
}
