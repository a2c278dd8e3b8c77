/* server/routes_booking.c: POST /ai_brain/createAppt, bookAppt, cancelAppt and rescheduleAppt. */
#include "server/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "booking/appointments.h"
#include "booking/catalog_cache.h"
#include "core/slot_token.h"
#include "server/appt_answer.h"
#include "server/fields.h"
#include "server/idempotent.h"
#include "server/worker.h"
#include "tz/tz.h"
#include "tz/tz_spoken.h"

#define ID_CAP BK_HOLD_FIELD_CAP

/* ---- createAppt ------------------------------------------------------------------------------------------------ */

typedef struct create_call {
    srv_request_t *r;
    srv_idem_t *idem;
    char patient_id[ID_CAP], staff_id[ID_CAP], treatment_id[ID_CAP], location_id[ID_CAP];
    bool from_slot;
    int64_t start, end, now;
} create_call_t;

static void create_free(create_call_t *c)
{
    srv_idem_end(c->idem);
    free(c);
}

static void on_held(bk_write_result_t result, prov_status_t status, const bk_hold_t *hold, void *data)
{
    create_call_t *c = data;
    srv_request_t *r = c->r;
    if (!srv_request_release(r)) {
        if (hold != NULL) bk_hold_settle(&c->r->worker->booking, c->r->tenant, hold->id, BK_HOLD_SETTLE_RELEASE, NULL);
        create_free(c);
        return;
    }
    if (result != BK_W_OK) {
        srv_answer_write_failure(r, c->idem, result, status);
        create_free(c);
        return;
    }
    char public_id[BK_HOLD_PUBLIC_CAP];
    bk_hold_public_id(hold, public_id);
    bk_appointment_t a = {.id = public_id, .state = BK_APPT_PROVISIONAL, .start = hold->start, .end = hold->end,
                          .patient_id = (char *)hold->patient_id, .staff_id = (char *)hold->staff_id,
                          .treatment_id = (char *)hold->treatment_id, .location_id = (char *)hold->location_id};
    srv_idem_t *idem = c->idem;
    c->idem = NULL;
    srv_answer_appointments(r, idem, 201, &a, 1, true, hold);
    create_free(c);
}

static void on_create_catalog(prov_status_t status, const bk_catalog_t *catalog, bk_catalog_source_t source,
                              void *data)
{
    create_call_t *c = data;
    srv_request_t *r = c->r;
    if (!srv_request_release(r)) goto done;
    if (status != PROV_OK) {
        srv_answer_write_failure(r, c->idem, BK_W_PROVIDER, status);
        goto done;
    }
    const bk_location_t *location;
    if (c->from_slot) {
        if (!bk_tenant_allows_location(r->tenant, catalog, c->location_id)) {
            srv_respond_error(r, API_ERR_LOCATION_FORBIDDEN, NULL, "slot_id");
            goto done;
        }
        location = &catalog->locations[bk_catalog_find_location(catalog, c->location_id)];
    } else if ((location = srv_field_location(r, catalog)) == NULL) {
        goto done;
    }
    long s = bk_catalog_find_staff(catalog, c->staff_id), t = bk_catalog_find_treatment(catalog, c->treatment_id);
    if (s < 0) {
        srv_respond_error(r, API_ERR_UNKNOWN_STAFF, NULL, c->from_slot ? "slot_id" : "staff_member_id");
        goto done;
    }
    if (t < 0) {
        srv_respond_error(r, API_ERR_UNKNOWN_TREATMENT, NULL, c->from_slot ? "slot_id" : "treatment_id");
        goto done;
    }
    const bk_staff_t *staff = &catalog->staff[s];
    const bk_catalog_treatment_t *treatment = &catalog->treatments[t];
    if (!bk_strings_contains(&staff->location_ids, location->id) ||
        !bk_strings_contains(&treatment->location_ids, location->id) ||
        !bk_strings_contains(&treatment->staff_ids, staff->id)) {
        srv_respond_error(r, API_ERR_NOT_OFFERED, NULL, "treatment_id");
        goto done;
    }
    const tz_zone_t *zone = location->time_zone != NULL ? tz_zone_load(location->time_zone) : NULL;
    if (zone == NULL) {
        srv_respond_error(r, API_ERR_EMR_ERROR, "The clinic's location has no usable time zone.", NULL);
        goto done;
    }
    if (!c->from_slot) {
        bool has_end;
        if (!srv_field_instant(r, "start_at", true, zone, &c->start, NULL)) goto done;
        if (!srv_field_instant(r, "end_at", false, zone, &c->end, &has_end)) goto done;
        if (!has_end) c->end = c->start + (int64_t)treatment->duration_minutes * TZ_MS_PER_MINUTE;
        if (c->end <= c->start) {
            srv_respond_error(r, API_ERR_INVALID_RANGE, "end_at must be after start_at.", "end_at");
            goto done;
        }
        if (c->end - c->start > BK_HOLD_MAX_MS) {
            srv_respond_error(r, API_ERR_INVALID_RANGE, "An appointment may last at most 24 hours.", "end_at");
            goto done;
        }
    }
    bk_slot_request_t q = {.tenant = r->tenant, .staff_id = staff->id, .treatment_id = treatment->id,
                           .location_id = location->id, .patient_id = c->patient_id,
                           .time_zone = location->time_zone, .duration_minutes = treatment->duration_minutes,
                           .start = c->start, .end = c->end, .now = c->now};
    srv_request_hold(r);
    if (bk_appt_hold(&r->worker->booking, &q, on_held, c) != 0) {
        srv_request_release(r);
        srv_idem_error(r, c->idem, API_ERR_REDIS_UNAVAILABLE, NULL, NULL, false);
        goto done;
    }
    return;
done:
    create_free(c);
}

static void create_go(srv_request_t *r, srv_idem_t *idem, bool recovering)
{
    create_call_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        srv_idem_error(r, idem, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL, false);
        srv_idem_end(idem);
        return;
    }
    c->r = r;
    c->idem = idem;
    c->now = tz_now();
    char slot_id[BK_SLOT_TOKEN_CAP];
    if (!srv_field_id(r, "patient_id", true, c->patient_id, sizeof(c->patient_id)) ||
        !srv_field_id(r, "slot_id", false, slot_id, sizeof(slot_id)))
        goto fail;
    if (slot_id[0] != '\0') {
        bk_slot_ref_t ref;
        if (!bk_slot_id_read(srv_render(r), slot_id, &ref)) {
            srv_respond_error(r, API_ERR_INVALID_SLOT_ID, NULL, "slot_id");
            goto fail;
        }
        c->from_slot = true;
        snprintf(c->staff_id, sizeof(c->staff_id), "%s", ref.staff_id);
        snprintf(c->treatment_id, sizeof(c->treatment_id), "%s", ref.treatment_id);
        snprintf(c->location_id, sizeof(c->location_id), "%s", ref.location_id);
        c->start = ref.start;
        c->end = ref.end;
    } else if (!srv_field_id(r, "staff_member_id", true, c->staff_id, sizeof(c->staff_id)) ||
               !srv_field_id(r, "treatment_id", true, c->treatment_id, sizeof(c->treatment_id))) {
        goto fail;
    }
    r->deadline_error = API_ERR_EMR_TIMEOUT;
    srv_request_hold(r);
    if (bk_catalog_get(&r->worker->booking, r->tenant, on_create_catalog, c) != 0) {
        srv_request_release(r);
        srv_idem_error(r, idem, API_ERR_REDIS_UNAVAILABLE, NULL, NULL, false);
        goto fail;
    }
    return;
fail:
    create_free(c);
}

void srv_route_create_appt(srv_request_t *r)
{
    srv_idem_run(r, create_go);
}

/* ---- bookAppt, cancelAppt, rescheduleAppt --------------------------------------------------------------------- */

typedef struct write_call {
    srv_request_t *r;
    srv_idem_t *idem;
} write_call_t;

static void on_written(bk_write_result_t result, prov_status_t status, const bk_appointment_t *a, void *data)
{
    write_call_t *w = data;
    srv_request_t *r = w->r;
    srv_idem_t *idem = w->idem;
    free(w);
    if (!srv_request_release(r)) {
        srv_idem_end(idem);
        return;
    }
    if (result != BK_W_OK || a == NULL) {
        srv_answer_write_failure(r, idem, result, status);
        srv_idem_end(idem);
        return;
    }
    srv_answer_appointments(r, idem, 200, a, 1, true, NULL);
}

/* The appointment id of a body: appointment_id, or the id inside {"appointment": {...}} (then a hold_token in
 * it must agree with the id's). */
static bool read_appointment_id(srv_request_t *r, char *out, size_t cap)
{
    json_object *inner;
    if (json_object_object_get_ex(r->body, "appointment", &inner) && !json_object_is_type(inner, json_type_null)) {
        json_object *id, *token;
        if (!json_object_is_type(inner, json_type_object) || !json_object_object_get_ex(inner, "id", &id) ||
            !json_object_is_type(id, json_type_string) || (size_t)json_object_get_string_len(id) >= cap ||
            json_object_get_string_len(id) == 0) {
            srv_respond_error(r, API_ERR_INVALID_FIELD,
                              "appointment must be the object createAppt answered (with its id).", "appointment");
            return false;
        }
        snprintf(out, cap, "%s", json_object_get_string(id));
        if (json_object_object_get_ex(inner, "hold_token", &token) && json_object_is_type(token, json_type_string)) {
            const char *dot = strchr(out, '.');
            if (dot == NULL || strcmp(dot + 1, json_object_get_string(token)) != 0) {
                srv_respond_error(r, API_ERR_HOLD_EXPIRED, NULL, "appointment");
                return false;
            }
        }
        return true;
    }
    return srv_field_id(r, "appointment_id", true, out, cap);
}

static write_call_t *write_call(srv_request_t *r, srv_idem_t *idem)
{
    write_call_t *w = malloc(sizeof(*w));
    if (w == NULL) {
        srv_idem_error(r, idem, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL, false);
        srv_idem_end(idem);
        return NULL;
    }
    *w = (write_call_t){r, idem};
    r->deadline_error = API_ERR_EMR_TIMEOUT;
    srv_request_hold(r);
    return w;
}

static void started(srv_request_t *r, write_call_t *w, int rc)
{
    if (rc == 0) return;
    srv_request_release(r);
    srv_idem_error(r, w->idem, API_ERR_REDIS_UNAVAILABLE, NULL, NULL, false);
    srv_idem_end(w->idem);
    free(w);
}

static void book_go(srv_request_t *r, srv_idem_t *idem, bool recovering)
{
    char id[ID_CAP], hold_id[BK_HOLD_ID_LEN + 1], token[BK_HOLD_TOKEN_LEN + 1];
    if (!read_appointment_id(r, id, sizeof(id))) {
        srv_idem_end(idem);
        return;
    }
    if (!bk_hold_parse_public_id(id, hold_id, token)) {
        /* Not a hold of ours (or mangled): the same answer as an expired one, so nothing leaks. */
        srv_idem_error(r, idem, API_ERR_HOLD_EXPIRED, NULL, "appointment_id", false);
        srv_idem_end(idem);
        return;
    }
    write_call_t *w = write_call(r, idem);
    if (w == NULL) return;
    started(r, w, bk_appt_book(&r->worker->booking, r->tenant, hold_id, token, on_written, w));
}

void srv_route_book_appt(srv_request_t *r)
{
    srv_idem_run(r, book_go);
}

static void cancel_go(srv_request_t *r, srv_idem_t *idem, bool recovering)
{
    char id[ID_CAP], hold_id[BK_HOLD_ID_LEN + 1], token[BK_HOLD_TOKEN_LEN + 1];
    const char *reason;
    json_object *v;
    if (!srv_field_id(r, "appointment_id", true, id, sizeof(id)) ||
        !srv_field_string(r, "cancelled_reason", &reason)) {
        srv_idem_end(idem);
        return;
    }
    static const char *const flags[] = {"with_notifications", "send_wlns"};
    for (int i = 0; i < 2; i++) {
        if (json_object_object_get_ex(r->body, flags[i], &v) && !json_object_is_type(v, json_type_null) &&
            !json_object_is_type(v, json_type_boolean)) {
            char message[96];
            snprintf(message, sizeof(message), "%s must be true or false.", flags[i]);
            srv_respond_error(r, API_ERR_INVALID_FIELD, message, flags[i]);
            srv_idem_end(idem);
            return;
        }
    }
    if (reason != NULL && strlen(reason) > 500) {
        srv_respond_error(r, API_ERR_INVALID_FIELD, "cancelled_reason may be at most 500 characters.",
                          "cancelled_reason");
        srv_idem_end(idem);
        return;
    }
    bool is_hold = bk_hold_is_hold_id(id);
    if (is_hold && !bk_hold_parse_public_id(id, hold_id, token)) {
        srv_idem_error(r, idem, API_ERR_HOLD_EXPIRED, NULL, "appointment_id", false);
        srv_idem_end(idem);
        return;
    }
    write_call_t *w = write_call(r, idem);
    if (w == NULL) return;
    bk_env_t *env = &r->worker->booking;
    started(r, w,
            is_hold ? bk_appt_release_hold(env, r->tenant, hold_id, token, on_written, w)
                    : bk_appt_cancel(env, r->tenant, id, reason, recovering, on_written, w));
}

void srv_route_cancel_appt(srv_request_t *r)
{
    srv_idem_run(r, cancel_go);
}

static void reschedule_go(srv_request_t *r, srv_idem_t *idem, bool recovering)
{
    char id[ID_CAP], staff[ID_CAP], location[ID_CAP];
    json_object *v;
    if (!srv_field_id(r, "appointment_id", true, id, sizeof(id)) ||
        !srv_field_id(r, "staff_member_id", false, staff, sizeof(staff))) {
        srv_idem_end(idem);
        return;
    }
    location[0] = '\0';
    const char *loc_field = json_object_object_get_ex(r->body, "locationId", &v) ? "locationId" : "location_id";
    if (!srv_field_id(r, loc_field, false, location, sizeof(location))) {
        srv_idem_end(idem);
        return;
    }
    /* Offset-less times are read in the tenant's zone here (the appointment's location is not known yet). */
    const tz_zone_t *zone = r->tenant->time_zone != NULL ? tz_zone_load(r->tenant->time_zone) : NULL;
    int64_t start, end = 0;
    bool has_end;
    if (!srv_field_instant(r, "start_at", true, zone, &start, NULL) ||
        !srv_field_instant(r, "end_at", false, zone, &end, &has_end)) {
        srv_idem_end(idem);
        return;
    }
    if (has_end && end <= start) {
        srv_idem_error(r, idem, API_ERR_INVALID_RANGE, "end_at must be after start_at.", "end_at", false);
        srv_idem_end(idem);
        return;
    }
    if (bk_hold_is_hold_id(id)) {
        srv_idem_error(r, idem, API_ERR_INVALID_FIELD,
                       "A provisional appointment cannot be moved: cancel it and create a new one.", "appointment_id",
                       false);
        srv_idem_end(idem);
        return;
    }
    if (location[0] != '\0' && r->tenant->locations.count > 0 && !bk_strings_contains(&r->tenant->locations, location)) {
        srv_respond_error(r, API_ERR_LOCATION_FORBIDDEN, NULL, loc_field);
        srv_idem_end(idem);
        return;
    }
    write_call_t *w = write_call(r, idem);
    if (w == NULL) return;
    bk_move_request_t q = {.tenant = r->tenant, .appointment_id = id, .staff_id = staff[0] ? staff : NULL,
                           .location_id = location[0] ? location : NULL, .start = start, .end = has_end ? end : 0,
                           .now = tz_now()};
    started(r, w, bk_appt_reschedule(&r->worker->booking, &q, on_written, w));
}

void srv_route_reschedule_appt(srv_request_t *r)
{
    srv_idem_run(r, reschedule_go);
}
