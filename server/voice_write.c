/* server/voice_write.c: the shared kit of the GET /voice write routes (see voice_write.h). */
#include "server/voice_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "booking/appointments.h"
#include "server/fields.h"
#include "server/query.h"
#include "server/voice_host.h"
#include "server/worker.h"

#define MAX_PARAMS 64
/* What a caller hears when our own Redis is down, restarting or hung. */
#define REDIS_SENTENCE "The booking service is briefly unavailable; please try again in a moment."

bool srv_voice_query_body(srv_request_t *r)
{
    json_object *body = json_object_new_object();
    if (body == NULL) goto oom;
    h2o_req_t *req = r->req;
    if (req != NULL && req->query_at != SIZE_MAX) {
        const char *q = req->path.base + req->query_at + 1;
        size_t len = req->path.len - req->query_at - 1, i = 0;
        int count = 0;
        char key[64], value[2048];
        while (i < len) {
            size_t end = i;
            while (end < len && q[end] != '&') end++;
            const char *eq = memchr(q + i, '=', end - i);
            size_t key_end = eq != NULL ? (size_t)(eq - q) : end, v = eq != NULL ? key_end + 1 : end;
            if (end > i) {
                if (++count > MAX_PARAMS) {
                    json_object_put(body);
                    srv_respond_error(r, API_ERR_INVALID_FIELD, "The query has more than 64 parameters.", NULL);
                    return false;
                }
                long kl = srv_query_decode(q + i, key_end - i, key, sizeof(key));
                long vl = srv_query_decode(q + v, end - v, value, sizeof(value));
                if (kl < 0 || vl < 0) {
                    json_object_put(body);
                    srv_respond_error(r, API_ERR_INVALID_FIELD, "A query parameter could not be read.", NULL);
                    return false;
                }
                if (kl > 0 && !json_object_object_get_ex(body, key, NULL))
                    json_object_object_add(body, key, json_object_new_string_len(value, (int)vl));
            }
            i = end + 1;
        }
    }
    json_object_put(r->body);
    r->body = body;
    return true;
oom:
    srv_add_header(r, "retry-after", "1");
    srv_respond_error(r, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
    return false;
}

/* ---- timers ------------------------------------------------------------------------------------------------- */

struct srv_voice_timer {
    uv_timer_t timer;
    void (*fire)(void *data);
    void *data;
};

static void on_timer_closed(uv_handle_t *handle)
{
    free(handle->data);
}

static void on_timer(uv_timer_t *timer)
{
    srv_voice_timer_t *t = timer->data;
    t->fire(t->data);
    uv_close((uv_handle_t *)&t->timer, on_timer_closed);
}

srv_voice_timer_t *srv_voice_timer_start(srv_request_t *r, uint64_t ms, void (*fire)(void *data), void *data)
{
    srv_voice_timer_t *t = calloc(1, sizeof(*t));
    if (t == NULL) return NULL;
    t->fire = fire;
    t->data = data;
    uv_timer_init(&r->worker->loop, &t->timer);
    t->timer.data = t;
    uv_timer_start(&t->timer, on_timer, ms, 0);
    return t;
}

void srv_voice_timer_cancel(srv_voice_timer_t *t)
{
    if (t == NULL) return;
    uv_timer_stop(&t->timer);
    uv_close((uv_handle_t *)&t->timer, on_timer_closed);
}

uint64_t srv_voice_time_left(const srv_request_t *r)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    uint64_t spent_ms = (now - r->started_ns) / 1000000u, budget = r->deadline_ms - SRV_VOICE_WRITE_MARGIN_MS;
    return spent_ms + 1 < budget ? budget - spent_ms : 1;
}

/* ---- caller details ----------------------------------------------------------------------------------------- */

bool srv_voice_contact(srv_request_t *r, char phone[BK_PHONE_CAP], char email[BK_EMAIL_CAP])
{
    char in[BK_EMAIL_CAP], why[128], message[256];
    phone[0] = email[0] = '\0';
    int got = srv_query_get(r, "phone", in, 64);
    if (got < 0) return false;
    if (got > 0 && bk_phone_normalize(in, r->tenant->country, phone, why, sizeof(why)) != 0) {
        snprintf(message, sizeof(message), "That phone number doesn't look right (%s); please ask the caller for it "
                 "again.", why);
        srv_voice_error(r, NULL, API_ERR_INVALID_FIELD, message, "phone", NULL);
        return false;
    }
    got = srv_query_get(r, "email", in, sizeof(in));
    if (got < 0) return false;
    if (got > 0 && bk_email_normalize(in, email) != 0) {
        srv_voice_error(r, NULL, API_ERR_INVALID_FIELD,
                        "That e-mail address doesn't look right; please ask the caller to spell it again.", "email",
                        NULL);
        return false;
    }
    return true;
}

bool srv_voice_name(srv_request_t *r, const char *param, char out[SRV_VOICE_NAME_CAP])
{
    if (srv_query_get(r, param, out, SRV_VOICE_NAME_CAP) < 0) return false;
    size_t len = strlen(out);
    if (len > 0 && strspn(out, " \t") == len) out[0] = '\0';
    return true;
}

/* ---- answers ------------------------------------------------------------------------------------------------ */

void srv_voice_error(srv_request_t *r, srv_idem_t *idem, api_error_t err, const char *message, const char *field,
                     json_object *extra)
{
    vc_error(srv_voice_call(r), idem, err, message, field, extra);
}

void srv_voice_deadline_answer(srv_request_t *r, srv_idem_t *idem)
{
    srv_idem_error(r, idem, API_ERR_EMR_TIMEOUT,
                   "The clinic's system is slow to confirm right now; please ask me again in a moment and I'll "
                   "check.",
                   NULL, true);
}

void srv_voice_deadline_fired(srv_voice_timer_t **deadline, srv_request_t *r, srv_idem_t *idem)
{
    *deadline = NULL;
    if (r != NULL && r->req != NULL && !r->responded) srv_voice_deadline_answer(r, idem);
}

bool srv_voice_back(srv_request_t **r, srv_voice_timer_t **deadline)
{
    if (*r == NULL) return false;
    if (srv_request_release(*r)) return true;
    *r = NULL;
    srv_voice_timer_cancel(*deadline);
    *deadline = NULL;
    return false;
}

void srv_voice_write_failure(srv_request_t *r, srv_idem_t *idem, int result, prov_status_t status)
{
    switch ((bk_write_result_t)result) {
    case BK_W_SLOT_TAKEN:
    case BK_W_SLOT_UNAVAILABLE:
        srv_voice_error(r, idem, result == BK_W_SLOT_TAKEN ? API_ERR_SLOT_TAKEN : API_ERR_SLOT_UNAVAILABLE,
                        "Sorry, that time is no longer free; please pick another time.", "start_at", NULL);
        break;
    case BK_W_TOO_SOON:
        srv_voice_error(r, idem, API_ERR_INVALID_RANGE, "That time is too soon to book; the clinic needs more notice.",
                        "start_at", NULL);
        break;
    case BK_W_TOO_FAR:
        srv_voice_error(r, idem, API_ERR_INVALID_RANGE, "That time is too far ahead to book yet.", "start_at", NULL);
        break;
    case BK_W_HOLD_EXPIRED:
        srv_voice_error(r, idem, API_ERR_HOLD_EXPIRED, "That time was not held long enough; please choose it again.",
                        NULL, NULL);
        break;
    case BK_W_BUSY:
        srv_add_header(r, "retry-after", "1");
        srv_voice_error(r, idem, API_ERR_IDEMPOTENCY_IN_PROGRESS,
                        "I'm still working on that appointment; please ask me again in a moment.", "appointment_id",
                        NULL);
        break;
    case BK_W_NOT_FOUND:
        srv_voice_error(r, idem, API_ERR_NOT_FOUND, "I couldn't find that appointment.", "appointment_id", NULL);
        break;
    case BK_W_ALREADY_CANCELLED:
        srv_voice_error(r, idem, API_ERR_ALREADY_CANCELLED, "That appointment was already cancelled.", "appointment_id",
                        NULL);
        break;
    case BK_W_UNSUPPORTED:
        srv_voice_error(r, idem, API_ERR_NOT_BOOKABLE_ONLINE,
                        "The clinic's system doesn't allow that change online; the front desk can help.", NULL, NULL);
        break;
    case BK_W_NOT_OFFERED:
        srv_voice_error(r, idem, API_ERR_NOT_OFFERED,
                        "That practitioner doesn't offer that treatment at that location.", "staff_member_id", NULL);
        break;
    case BK_W_PATIENT_NOT_FOUND:
        srv_voice_error(r, idem, API_ERR_NOT_FOUND,
                        "I couldn't find the caller's patient record; please look them up "
                        "again.",
                        "patient_id", NULL);
        break;
    case BK_W_UNKNOWN:
        srv_idem_error(r, idem, API_ERR_EMR_TIMEOUT,
                       "The clinic's system is slow to confirm right now; please ask me again in a moment and I'll "
                       "check.",
                       NULL, true);
        break;
    case BK_W_PROVIDER:
        switch (status) {
        case PROV_TIMEOUT:
            srv_voice_error(r, idem, API_ERR_EMR_TIMEOUT,
                            "The clinic's system didn't answer in time; please try again in a moment.", NULL, NULL);
            break;
        case PROV_NOT_FOUND:
            srv_voice_error(r, idem, API_ERR_NOT_FOUND, "I couldn't find that appointment.", "appointment_id", NULL);
            break;
        case PROV_REJECTED:
            srv_voice_error(r, idem, API_ERR_NOT_BOOKABLE_ONLINE,
                            "The clinic doesn't take that change online; the front desk can help.", NULL, NULL);
            break;
        case PROV_CONFLICT:
            srv_voice_error(r, idem, API_ERR_SLOT_TAKEN,
                            "Sorry, that time is no longer free; please pick another time.", "start_at", NULL);
            break;
        case PROV_RATE_LIMITED:
            srv_add_emr_retry_after(r);
            srv_voice_error(r, idem, API_ERR_EMR_RATE_LIMITED,
                            "The clinic's system is busy right now; please try again in a minute.", NULL, NULL);
            break;
        case PROV_UPSTREAM:
            srv_voice_error(r, idem, API_ERR_EMR_ERROR, "The clinic's system had a problem; please try again shortly.",
                            NULL, NULL);
            break;
        default:
            srv_voice_error(r, idem, API_ERR_SERVICE_UNAVAILABLE,
                            "The clinic's system is unavailable right now; please try again in a moment.", NULL, NULL);
            break;
        }
        break;
    default:
        srv_voice_error(r, idem, API_ERR_REDIS_UNAVAILABLE, REDIS_SENTENCE, NULL, NULL);
        break;
    }
}

void srv_voice_say_when(json_object *o, char *buf, size_t cap)
{
    json_object *spoken = NULL, *who = NULL;
    json_object_object_get_ex(o, "spoken", &spoken);
    json_object_object_get_ex(o, "staff_member_name", &who);
    const char *s = spoken != NULL ? json_object_get_string(spoken) : "";
    const char *w = who != NULL && json_object_is_type(who, json_type_string) ? json_object_get_string(who) : "";
    if (s[0] == '\0') s = "the time you chose";
    if (w[0] != '\0') snprintf(buf, cap, "%s with %s", s, w);
    else snprintf(buf, cap, "%s", s);
}

size_t srv_voice_words(const char *s)
{
    size_t n = 0;
    bool in = false;
    for (; *s; s++) {
        bool space = *s == ' ' || *s == '\t' || *s == '\n';
        if (!space && !in) n++;
        in = !space;
    }
    return n;
}
