/* booking/appt_changes.c: cancelAppt and rescheduleAppt over the provider (see appointments.h). */
#include "booking/appointments.h"
#include "booking/durable.h"
#include "booking/events.h"
#include "booking/requests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/script.h"

/* KEYS[1] remembered appointment. ARGV state. Only an appointment we remember is updated. */
static store_script_t mark_script = STORE_SCRIPT(
    "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'state', ARGV[1]) end return 1");

static void mark(bk_env_t *env, const bk_tenant_t *tenant, const char *id, const char *state)
{
    char key[256];
    snprintf(key, sizeof(key), "fd:{%s}:appt:%s", tenant->id, id);
    const char *keys[] = {key};
    const char *args[] = {state};
    store_eval(env->store, &mark_script, NULL, NULL, 1, keys, 1, args, NULL);
}

/* What a change flow carries: the appointment as remembered (owned strings) and the request. */
typedef struct change {
    bk_env_t *env;
    const bk_tenant_t *tenant;
    char id[BK_HOLD_FIELD_CAP], reason[512], zone[64];
    char staff_id[BK_HOLD_FIELD_CAP], location_id[BK_HOLD_FIELD_CAP]; /* reschedule: asked ("" = same) */
    bool known, recovering;
    bk_appointment_t old; /* remembered copy */
    bk_appointment_t done; /* cancel: the cancelled appointment (owned), for its event and the answer */
    bk_hold_t hold;       /* reschedule: the new time's hold */
    bool claimed;         /* reschedule of a booking request: it is claimed (booking/requests.h) */
    char request_hold[BK_HOLD_ID_LEN + 1]; /* ... and the hold that keeps its time */
    int64_t request_expires;
    int64_t start, end, now;
    fd_mx_booking_op_t op; /* cancel or reschedule, for the write counters */
    bk_appt_done_cb cb;
    void *data;
} change_t;

static void change_free(change_t *c)
{
    bk_appointment_clear(&c->old);
    bk_appointment_clear(&c->done);
    free(c);
}

static void change_end(change_t *c, bk_write_result_t result, prov_status_t status, const bk_appointment_t *a)
{
    if (c->claimed && result != BK_W_OK) bk_request_unclaim(c->env, c->tenant, c->id);
    bk_count_write(c->op, result, status);
    c->cb(result, status, a, c->data);
    change_free(c);
}

static void on_change_durable(bool durable, void *data)
{
    change_t *c = data;
    if (durable) change_end(c, BK_W_OK, PROV_OK, &c->done);
    else change_end(c, BK_W_REDIS, PROV_UNAVAILABLE, NULL);
}

/* The change is recorded: answers `a` (kept in c->done) once its writes are on the replicas (durable.h). */
static void change_durable_end(change_t *c, const bk_appointment_t *a)
{
    if (a != &c->done) {
        bk_appointment_clear(&c->done);
        if (!bk_appointment_copy(&c->done, a)) {
            bk_appointment_clear(&c->done);
            change_end(c, BK_W_REDIS, PROV_UNAVAILABLE, NULL);
            return;
        }
    }
    bk_durable(c->env, on_change_durable, c);
}

static bool copy_old(change_t *c, const bk_appointment_t *a, const char *zone)
{
    snprintf(c->zone, sizeof(c->zone), "%s", zone != NULL ? zone : "");
    c->known = true;
    return bk_appointment_copy(&c->old, a);
}

/* ---- cancel ---------------------------------------------------------------------------------------------- */

/* Marks the remembered appointment cancelled, frees its time and records its event, in one transaction; answers. */
static void record_cancelled(const bk_catalog_t *catalog, void *data)
{
    change_t *c = data;
    bool tx = bk_events_begin(c->env, c->tenant, BK_EVENT_APPT_CANCELLED);
    mark(c->env, c->tenant, c->id, "cancelled");
    bk_appt_release_marker(c->env, c->tenant, c->id);
    if (tx) {
        bk_event_t ev = {.type = BK_EVENT_APPT_CANCELLED,
                         .appointment = &c->done,
                         .time_zone = c->known ? c->zone : NULL,
                         .reason = c->reason[0] ? c->reason : NULL,
                         .catalog = catalog};
        bk_events_add(c->env, c->tenant, &ev);
        bk_events_commit(c->env);
    }
    change_durable_end(c, &c->done);
}

/* The EMR cancelled `a` (borrowed): record it and answer. */
static void cancelled(change_t *c, const bk_appointment_t *a)
{
    if (!bk_appointment_copy(&c->done, a)) {
        bk_appointment_clear(&c->done);
        change_end(c, BK_W_REDIS, PROV_UNAVAILABLE, NULL);
        return;
    }
    c->done.state = BK_APPT_CANCELLED;
    bk_events_with_catalog(c->env, c->tenant, BK_EVENT_APPT_CANCELLED, record_cancelled, c);
}

static void on_cancelled(prov_status_t status, const bk_appointment_t *a, void *data)
{
    change_t *c = data;
    if (status == PROV_OK && a != NULL) {
        bk_appt_invalidate(c->env, c->tenant, a->staff_id, c->known ? c->zone : NULL, a->start, a->end);
        cancelled(c, a);
    } else if (status == PROV_CONFLICT) {
        mark(c->env, c->tenant, c->id, "cancelled");
        if (c->recovering && c->known) {
            cancelled(c, &c->old); /* our earlier cancel did reach the EMR: its event is recorded now */
        } else {
            change_end(c, BK_W_ALREADY_CANCELLED, status, NULL);
        }
    } else if (status == PROV_NOT_FOUND) {
        change_end(c, BK_W_NOT_FOUND, status, NULL);
    } else {
        change_end(c, status == PROV_TIMEOUT ? BK_W_UNKNOWN : BK_W_PROVIDER, status == PROV_OK ? PROV_UPSTREAM : status,
                   NULL);
    }
}

static void on_recalled_for_cancel(bool ok, const bk_appointment_t *a, const char *zone, void *data)
{
    change_t *c = data;
    const prov_ops_t *ops = c->tenant->provider;
    if (!ok) {
        change_end(c, BK_W_REDIS, PROV_UNAVAILABLE, NULL);
        return;
    }
    if (a != NULL && !copy_old(c, a, zone)) {
        change_end(c, BK_W_REDIS, PROV_UNAVAILABLE, NULL);
        return;
    }
    /* Some EMRs (Cliniko) accept cancelling a cancelled appointment; the caller hears that it already was. A
     * retry of our own unknown cancel is its success. */
    if (a != NULL && a->state == BK_APPT_CANCELLED) {
        c->old.state = BK_APPT_CANCELLED;
        if (c->recovering) change_end(c, BK_W_OK, PROV_OK, &c->old);
        else change_end(c, BK_W_ALREADY_CANCELLED, PROV_OK, NULL);
        return;
    }
    if (ops->cancel_appointment == NULL ||
        ops->cancel_appointment(c->tenant->provider_instance, &c->env->prov, c->id, c->reason, on_cancelled, c) != 0)
        change_end(c, ops->cancel_appointment == NULL ? BK_W_UNSUPPORTED : BK_W_PROVIDER, PROV_UNAVAILABLE, NULL);
}

int bk_appt_cancel(bk_env_t *env, const bk_tenant_t *tenant, const char *id, const char *reason, bool recovering,
                   bk_appt_done_cb cb, void *data)
{
    if (strlen(id) >= BK_HOLD_FIELD_CAP) return -1;
    if (bk_request_is_id(id)) return bk_request_withdraw_as_appt(env, tenant, id, reason, recovering, cb, data);
    change_t *c = calloc(1, sizeof(*c));
    if (c == NULL) return -1;
    *c = (change_t){.env = env, .tenant = tenant, .recovering = recovering, .op = FD_MX_BOOKING_CANCEL,
                    .cb = cb, .data = data};
    snprintf(c->id, sizeof(c->id), "%s", id);
    snprintf(c->reason, sizeof(c->reason), "%s", reason != NULL ? reason : "");
    if (bk_appt_recall(env, tenant, id, on_recalled_for_cancel, c) != 0) {
        free(c);
        return -1;
    }
    return 0;
}

/* ---- reschedule -------------------------------------------------------------------------------------------- */

/* Settles the new time's hold, frees the old time, remembers the moved appointment and records its event, in one
 * transaction; answers. */
static void record_moved(const bk_catalog_t *catalog, void *data)
{
    change_t *c = data;
    const char *new_id = c->hold.appointment_id;
    bk_appt_invalidate(c->env, c->tenant, c->old.staff_id, c->zone, c->old.start, c->old.end);
    bk_appt_invalidate(c->env, c->tenant, c->hold.staff_id, c->hold.time_zone, c->hold.start, c->hold.end);
    bk_appointment_t out = {.id = (char *)new_id, .state = BK_APPT_BOOKED, .start = c->hold.start, .end = c->hold.end,
                            .patient_id = c->old.patient_id, .staff_id = c->hold.staff_id,
                            .treatment_id = c->old.treatment_id, .location_id = c->hold.location_id};
    bool tx = bk_events_begin(c->env, c->tenant, BK_EVENT_APPT_RESCHEDULED);
    bk_hold_settle(c->env, c->tenant, c->hold.id, BK_HOLD_SETTLE_BOOKED, new_id);
    bk_appt_release_marker(c->env, c->tenant, c->old.id);
    if (strcmp(new_id, c->old.id) != 0) mark(c->env, c->tenant, c->old.id, "cancelled");
    bk_appt_remember(c->env, c->tenant, &out, c->hold.time_zone, c->hold.id);
    if (tx) {
        bk_event_t ev = {.type = BK_EVENT_APPT_RESCHEDULED,
                         .appointment = &out,
                         .time_zone = c->hold.time_zone,
                         .previous = &c->old,
                         .previous_time_zone = c->zone,
                         .catalog = catalog};
        bk_events_add(c->env, c->tenant, &ev);
        bk_events_commit(c->env);
    }
    change_durable_end(c, &out);
}

/* The EMR holds the moved appointment as new_id (borrowed): record it and answer. */
static void moved(change_t *c, const char *new_id)
{
    if (new_id != c->hold.appointment_id)
        snprintf(c->hold.appointment_id, sizeof(c->hold.appointment_id), "%s", new_id);
    bk_events_with_catalog(c->env, c->tenant, BK_EVENT_APPT_RESCHEDULED, record_moved, c);
}

static void failed_move(change_t *c, prov_status_t status)
{
    if (status == PROV_TIMEOUT) {
        bk_hold_settle(c->env, c->tenant, c->hold.id, BK_HOLD_SETTLE_UNKNOWN, NULL);
        change_end(c, BK_W_UNKNOWN, status, NULL);
        return;
    }
    bk_hold_settle(c->env, c->tenant, c->hold.id, BK_HOLD_SETTLE_RELEASE, NULL);
    if (status == PROV_CONFLICT) change_end(c, BK_W_SLOT_TAKEN, status, NULL);
    else if (status == PROV_NOT_FOUND) change_end(c, BK_W_NOT_FOUND, status, NULL);
    else change_end(c, BK_W_PROVIDER, status == PROV_OK ? PROV_UPSTREAM : status, NULL);
}

static void on_rescheduled(prov_status_t status, const bk_appointment_t *a, void *data)
{
    change_t *c = data;
    if (status == PROV_OK && a != NULL && a->id != NULL) moved(c, a->id);
    else failed_move(c, status);
}

/* Without a native reschedule: the new appointment exists; now the old one goes. */
static void on_old_cancelled(prov_status_t status, const bk_appointment_t *a, void *data)
{
    change_t *c = data;
    (void)a;
    /* Even if the old one could not be cancelled, the patient has the new time; the old stays visible in the EMR. */
    moved(c, c->hold.appointment_id);
}

static void on_new_created(prov_status_t status, const bk_appointment_t *a, void *data)
{
    change_t *c = data;
    const prov_ops_t *ops = c->tenant->provider;
    if (status != PROV_OK || a == NULL || a->id == NULL) {
        failed_move(c, status);
        return;
    }
    snprintf(c->hold.appointment_id, sizeof(c->hold.appointment_id), "%s", a->id);
    if (ops->cancel_appointment == NULL ||
        ops->cancel_appointment(c->tenant->provider_instance, &c->env->prov, c->old.id, "Rescheduled",
                                on_old_cancelled, c) != 0)
        on_old_cancelled(PROV_UNAVAILABLE, NULL, c);
}

static void on_request_moved(bk_write_result_t result, const bk_request_view_t *view, void *data)
{
    change_t *c = data;
    c->claimed = false; /* bk_request_finish_move gave it back, moved or not */
    if (result != BK_W_OK || view == NULL) change_end(c, result, PROV_UNAVAILABLE, NULL);
    else change_end(c, BK_W_OK, PROV_OK, &view->appointment);
}

static void on_new_held(bk_write_result_t result, prov_status_t status, const bk_hold_t *hold, void *data)
{
    change_t *c = data;
    const prov_ops_t *ops = c->tenant->provider;
    if (result != BK_W_OK) {
        change_end(c, result, status, NULL);
        return;
    }
    if (c->claimed) { /* a booking request: its new time is held; nothing to write into the EMR */
        bk_request_view_t old = {.id = c->id, .state = "requested", .hold_id = c->request_hold,
                                 .appointment = c->old, .time_zone = c->zone, .expires = c->request_expires};
        bk_request_finish_move(c->env, c->tenant, &old, hold, on_request_moved, c);
        return;
    }
    c->hold = *hold;
    const char *staff = strcmp(hold->staff_id, c->old.staff_id) != 0 ? hold->staff_id : NULL;
    int rc;
    if ((prov_capabilities(ops, c->tenant->provider_instance) & PROV_CAP_NATIVE_RESCHEDULE) &&
        ops->reschedule_appointment != NULL &&
        strcmp(hold->location_id, c->old.location_id) == 0) {
        rc = ops->reschedule_appointment(c->tenant->provider_instance, &c->env->prov, c->old.id, hold->start,
                                         hold->end, staff, on_rescheduled, c);
    } else if (ops->create_appointment != NULL) {
        bk_appointment_t a = {.state = BK_APPT_BOOKED, .start = hold->start, .end = hold->end,
                              .patient_id = c->old.patient_id, .staff_id = c->hold.staff_id,
                              .treatment_id = c->old.treatment_id, .location_id = c->hold.location_id};
        rc = ops->create_appointment(c->tenant->provider_instance, &c->env->prov, &a, on_new_created, c);
    } else {
        bk_hold_settle(c->env, c->tenant, c->hold.id, BK_HOLD_SETTLE_RELEASE, NULL);
        change_end(c, BK_W_UNSUPPORTED, PROV_OK, NULL);
        return;
    }
    if (rc != 0) failed_move(c, PROV_UNAVAILABLE);
}

static void on_catalog_for_move(prov_status_t status, const bk_catalog_t *catalog, bk_catalog_source_t source,
                                void *data)
{
    change_t *c = data;
    if (status != PROV_OK) {
        change_end(c, BK_W_PROVIDER, status, NULL);
        return;
    }
    const char *staff_id = c->staff_id[0] ? c->staff_id : c->old.staff_id;
    const char *location_id = c->location_id[0] ? c->location_id : c->old.location_id;
    long s = bk_catalog_find_staff(catalog, staff_id), t = bk_catalog_find_treatment(catalog, c->old.treatment_id);
    long l = bk_catalog_find_location(catalog, location_id);
    if (s < 0 || t < 0 || l < 0 || catalog->locations[l].time_zone == NULL ||
        !bk_strings_contains(&catalog->staff[s].location_ids, location_id) ||
        !bk_strings_contains(&catalog->treatments[t].staff_ids, staff_id)) {
        change_end(c, BK_W_NOT_OFFERED, PROV_OK, NULL);
        return;
    }
    int64_t end = c->end ? c->end : c->start + (int64_t)catalog->treatments[t].duration_minutes * 60000;
    prov_opening_t own = {c->old.start, c->old.end};
    bool same_staff = strcmp(staff_id, c->old.staff_id) == 0;
    bk_slot_request_t q = {.tenant = c->tenant, .staff_id = staff_id, .treatment_id = c->old.treatment_id,
                           .location_id = location_id, .patient_id = c->old.patient_id,
                           .time_zone = catalog->locations[l].time_zone,
                           .duration_minutes = catalog->treatments[t].duration_minutes, .start = c->start, .end = end,
                           .now = c->now, .counts_as_free = same_staff ? &own : NULL, .own_hold_only = true};
    if (c->zone[0] == '\0') {
        long ol = bk_catalog_find_location(catalog, c->old.location_id);
        if (ol >= 0 && catalog->locations[ol].time_zone != NULL)
            snprintf(c->zone, sizeof(c->zone), "%s", catalog->locations[ol].time_zone);
    }
    if (end <= c->start) {
        change_end(c, BK_W_NOT_OFFERED, PROV_OK, NULL);
        return;
    }
    if (bk_appt_hold(c->env, &q, on_new_held, c) != 0) change_end(c, BK_W_REDIS, PROV_UNAVAILABLE, NULL);
}

static void on_recalled_for_move(bool ok, const bk_appointment_t *a, const char *zone, void *data)
{
    change_t *c = data;
    if (!ok) {
        change_end(c, BK_W_REDIS, PROV_UNAVAILABLE, NULL);
        return;
    }
    if (a == NULL) {
        change_end(c, BK_W_NOT_FOUND, PROV_NOT_FOUND, NULL);
        return;
    }
    if (!copy_old(c, a, zone)) {
        change_end(c, BK_W_REDIS, PROV_UNAVAILABLE, NULL);
        return;
    }
    if (a->state == BK_APPT_CANCELLED) {
        change_end(c, BK_W_ALREADY_CANCELLED, PROV_OK, NULL);
        return;
    }
    /* Its own booked-hold marker must not block the move (the EMR still holds the original until it is moved). */
    bk_appt_release_marker(c->env, c->tenant, c->old.id);
    if (bk_catalog_get(c->env, c->tenant, on_catalog_for_move, c) != 0)
        change_end(c, BK_W_REDIS, PROV_UNAVAILABLE, NULL);
}

/* A booking request to move: claimed, then moved like an appointment, without the EMR. */
static void on_request_claimed(bk_write_result_t result, const bk_request_view_t *view, void *data)
{
    change_t *c = data;
    if (result == BK_W_REQUEST_CLOSED) result = BK_W_ALREADY_CANCELLED;
    if (result != BK_W_OK || view == NULL || strcmp(view->state, "requested") != 0) {
        change_end(c, result == BK_W_OK ? BK_W_ALREADY_CANCELLED : result, PROV_OK, NULL);
        return;
    }
    c->claimed = true;
    snprintf(c->request_hold, sizeof(c->request_hold), "%s", view->hold_id);
    c->request_expires = view->expires;
    if (!copy_old(c, &view->appointment, view->time_zone)) {
        change_end(c, BK_W_REDIS, PROV_UNAVAILABLE, NULL);
        return;
    }
    if (bk_catalog_get(c->env, c->tenant, on_catalog_for_move, c) != 0)
        change_end(c, BK_W_REDIS, PROV_UNAVAILABLE, NULL);
}

int bk_appt_reschedule(bk_env_t *env, const bk_move_request_t *q, bk_appt_done_cb cb, void *data)
{
    if (strlen(q->appointment_id) >= BK_HOLD_FIELD_CAP || (q->staff_id && strlen(q->staff_id) >= BK_HOLD_FIELD_CAP) ||
        (q->location_id && strlen(q->location_id) >= BK_HOLD_FIELD_CAP) || (q->end && q->end <= q->start))
        return -1;
    change_t *c = calloc(1, sizeof(*c));
    if (c == NULL) return -1;
    *c = (change_t){.env = env, .tenant = q->tenant, .start = q->start, .end = q->end, .now = q->now,
                    .op = FD_MX_BOOKING_RESCHEDULE, .cb = cb, .data = data};
    snprintf(c->id, sizeof(c->id), "%s", q->appointment_id);
    snprintf(c->staff_id, sizeof(c->staff_id), "%s", q->staff_id != NULL ? q->staff_id : "");
    snprintf(c->location_id, sizeof(c->location_id), "%s", q->location_id != NULL ? q->location_id : "");
    int rc = bk_request_is_id(c->id) ? bk_request_claim_move(env, q->tenant, c->id, on_request_claimed, c)
                                     : bk_appt_recall(env, q->tenant, c->id, on_recalled_for_move, c);
    if (rc != 0) {
        free(c);
        return -1;
    }
    return 0;
}
