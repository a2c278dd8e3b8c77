/* server/routes_compat_change.c: POST /api-update-appointment and /api-cancel-appointment, their Nookal-style
 * aliases and GHL webhooks (update_appt, cancel_appt): the appointment is named by the caller's own id (the
 * calendar.appointmentId it booked with, booking/external_appt.h) or by ours, then moved with bk_appt_reschedule
 * (the original kept when the new time fails) or cancelled with bk_appt_cancel. */
#include "server/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking/appointments.h"
#include "booking/external_appt.h"
#include "booking/holds.h"
#include "server/compat_answer.h"
#include "server/compat_payload.h"
#include "server/idempotent.h"
#include "server/worker.h"
#include "tz/tz.h"

typedef struct change_call {
    srv_request_t *r;
    srv_idem_t *idem;
    srv_compat_action_t action;
    bool recovering;
    srv_compat_payload_t p;
    int64_t start, end; /* update: the new time (end 0: the treatment's duration) */
} change_call_t;

static void call_free(change_call_t *c)
{
    srv_idem_end(c->idem);
    free(c);
}

static void on_written(bk_write_result_t result, prov_status_t status, const bk_appointment_t *a, void *data)
{
    change_call_t *c = data;
    if (!srv_request_release(c->r)) {
        call_free(c);
        return;
    }
    if (result == BK_W_OK && a != NULL) {
        srv_idem_t *idem = c->idem;
        c->idem = NULL;
        srv_compat_answer(c->r, idem, c->action, a, false);
    } else {
        srv_compat_failure(c->r, c->idem, result == BK_W_OK ? BK_W_PROVIDER : result, status);
    }
    call_free(c);
}

static void on_resolved(bool ok, const char *linked, void *data)
{
    change_call_t *c = data;
    srv_request_t *r = c->r;
    if (!srv_request_release(r)) goto done;
    if (!ok) {
        srv_idem_error(r, c->idem, API_ERR_REDIS_UNAVAILABLE, NULL, NULL, false);
        goto done;
    }
    char id[SRV_COMPAT_TEXT_CAP];
    snprintf(id, sizeof(id), "%.*s", (int)sizeof(id) - 1, linked != NULL ? linked : c->p.appointment_id.text);
    bk_env_t *env = &r->worker->booking;
    const char *reason = c->p.reason.field != NULL ? c->p.reason.text : NULL;
    bk_move_request_t move = {
        .tenant = r->tenant, .appointment_id = id, .start = c->start, .end = c->end, .now = tz_now()};
    srv_request_hold(r);
    int rc = c->action == SRV_COMPAT_CANCEL ? bk_appt_cancel(env, r->tenant, id, reason, c->recovering, on_written, c)
                                            : bk_appt_reschedule(env, &move, on_written, c);
    if (rc == 0) return;
    srv_request_release(r);
    srv_idem_error(r, c->idem, API_ERR_REDIS_UNAVAILABLE, NULL, NULL, false);
done:
    call_free(c);
}

/* The new time of an update, read in the tenant's zone when it has no offset and no selectedTimezone; end 0
 * when absent (the treatment's duration). Returns false after answering. */
static bool read_new_time(change_call_t *c)
{
    srv_request_t *r = c->r;
    const tz_zone_t *zone = tz_zone_load(r->tenant->time_zone != NULL ? r->tenant->time_zone : "UTC");
    bool has_end;
    if (!srv_compat_times(r, &c->p, zone != NULL ? zone : tz_zone_load("UTC"), &c->start, &c->end, &has_end))
        return false;
    if (!has_end) c->end = 0;
    return true;
}

static void change_go(srv_request_t *r, srv_idem_t *idem, bool recovering, srv_compat_action_t action)
{
    change_call_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        srv_idem_error(r, idem, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL, false);
        srv_idem_end(idem);
        return;
    }
    *c = (change_call_t){.r = r, .idem = idem, .action = action, .recovering = recovering};
    if (!srv_compat_read(r, &c->p) || !srv_compat_require(r, &c->p.appointment_id, "appointmentId") ||
        (action == SRV_COMPAT_UPDATE && !read_new_time(c)))
        goto fail;
    if (strlen(c->p.appointment_id.text) >= BK_EXTERNAL_ID_CAP) {
        srv_respond_error(r, API_ERR_INVALID_FIELD, "An appointment id is at most 128 characters.",
                          c->p.appointment_id.field);
        goto fail;
    }
    r->deadline_error = API_ERR_EMR_TIMEOUT;
    srv_request_hold(r);
    if (bk_external_resolve(&r->worker->booking, r->tenant, c->p.appointment_id.text, on_resolved, c) != 0) {
        srv_request_release(r);
        srv_idem_error(r, idem, API_ERR_REDIS_UNAVAILABLE, NULL, NULL, false);
        goto fail;
    }
    return;
fail:
    call_free(c);
}

static void update_go(srv_request_t *r, srv_idem_t *idem, bool recovering)
{
    change_go(r, idem, recovering, SRV_COMPAT_UPDATE);
}

static void cancel_go(srv_request_t *r, srv_idem_t *idem, bool recovering)
{
    change_go(r, idem, recovering, SRV_COMPAT_CANCEL);
}

void srv_route_compat_update(srv_request_t *r)
{
    srv_idem_run(r, update_go);
}

void srv_route_compat_cancel(srv_request_t *r)
{
    srv_idem_run(r, cancel_go);
}
