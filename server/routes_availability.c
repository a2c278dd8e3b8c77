/* server/routes_availability.c: POST /ai_brain/fetchAvailabilityForRange and fetchAvailabilityNext7Days. */
#include "server/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "booking/availability.h"
#include "booking/catalog_cache.h"
#include "core/slot_token.h"
#include "server/fields.h"
#include "server/worker.h"
#include "tz/tz.h"
#include "tz/tz_names.h"
#include "tz/tz_spoken.h"

#define MAX_RANGE_MS (31LL * TZ_MS_PER_DAY)

typedef struct availability_call {
    srv_request_t *r;
    bool next_7_days;
    char staff_id[160], treatment_id[160], location_id[160];
    const tz_zone_t *zone;
    int64_t now;
} availability_call_t;

/* The zone the body's offset-less times are read in: its time_zone when given, else the location's. */
static bool request_zone(srv_request_t *r, const tz_zone_t *location_zone, const tz_zone_t **zone)
{
    const char *name;
    if (!srv_field_string(r, "time_zone", &name)) return false;
    *zone = location_zone;
    if (name == NULL) return true;
    tz_resolution_t res;
    char why[160], message[256];
    if (tz_resolve(name, strlen(name), r->tenant->country, &res, why, sizeof(why)) != 0) {
        snprintf(message, sizeof(message), "time_zone is not a zone we know (%s). Use an IANA name such as "
                 "America/New_York.", why);
        srv_respond_error(r, API_ERR_INVALID_TIME_ZONE, message, "time_zone");
        return false;
    }
    *zone = res.zone;
    return true;
}

static void on_availability(prov_status_t status, const prov_opening_t *openings, size_t count, void *data)
{
    availability_call_t *call = data;
    srv_request_t *r = call->r;
    if (!srv_provider_answer_usable(r, status)) goto done;
    /* Streamed: a month of slots is written straight out, not built as a json-c tree first. */
    bk_slot_writer_t w;
    bk_slot_writer_init(&w, srv_render(r), call->staff_id, call->treatment_id, call->location_id, call->zone,
                        call->now);
    bk_json_out_t out;
    bk_json_out_init(&out, 64 + count * 400);
    bk_json_out_raw(&out, "{\"slots\":[", 10);
    for (size_t i = 0; i < count; i++) {
        if (i > 0) bk_json_out_raw(&out, ",", 1);
        bk_slot_writer_put(&w, &out, openings[i].start, openings[i].end);
    }
    bk_json_out_raw(&out, "]}", 2);
    if (out.failed) srv_respond_error(r, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
    else srv_respond_json_text(r, 200, out.buf, out.len);
    bk_json_out_free(&out);
done:
    free(call);
}

/* Checks the practitioner, treatment and location against the catalog and starts the availability read. */
static void on_catalog(prov_status_t status, const bk_catalog_t *catalog, bk_catalog_source_t source, void *data)
{
    availability_call_t *call = data;
    srv_request_t *r = call->r;
    if (!srv_provider_answer_usable(r, status)) goto done;
    const bk_location_t *location = srv_field_location(r, catalog);
    if (location == NULL) goto done;
    long s = bk_catalog_find_staff(catalog, call->staff_id);
    if (s < 0) {
        srv_respond_error(r, API_ERR_UNKNOWN_STAFF, NULL, "staff_member_id");
        goto done;
    }
    long t = bk_catalog_find_treatment(catalog, call->treatment_id);
    if (t < 0) {
        srv_respond_error(r, API_ERR_UNKNOWN_TREATMENT, NULL, "treatment_id");
        goto done;
    }
    const bk_staff_t *staff = &catalog->staff[s];
    const bk_catalog_treatment_t *treatment = &catalog->treatments[t];
    if (!staff->ai_enabled) {
        srv_respond_error(r, API_ERR_NOT_BOOKABLE_ONLINE,
                          "That practitioner is not booked by the AI receptionist; please call the clinic.",
                          "staff_member_id");
        goto done;
    }
    if (!bk_strings_contains(&staff->location_ids, location->id) ||
        !bk_strings_contains(&treatment->location_ids, location->id) ||
        !bk_strings_contains(&treatment->staff_ids, staff->id)) {
        srv_respond_error(r, API_ERR_NOT_OFFERED, NULL, "treatment_id");
        goto done;
    }
    call->zone = location->time_zone != NULL ? tz_zone_load(location->time_zone) : NULL;
    if (call->zone == NULL) {
        srv_respond_error(r, API_ERR_EMR_ERROR, "The clinic's location has no usable time zone.", NULL);
        goto done;
    }
    snprintf(call->location_id, sizeof(call->location_id), "%s", location->id);

    int64_t from, to;
    if (call->next_7_days) {
        int y, m, d;
        tz_local_date(call->zone, call->now, &y, &m, &d);
        int64_t day = tz_days_from_civil(y, m, d) + 7;
        tz_civil_from_days(day, &y, &m, &d);
        from = call->now;
        if (tz_day_start(call->zone, y, m, d, &to) != 0) to = from + 7 * TZ_MS_PER_DAY;
    } else {
        const tz_zone_t *zone;
        if (!request_zone(r, call->zone, &zone)) goto done;
        if (!srv_field_instant(r, "start_at", true, zone, &from, NULL)) goto done;
        if (!srv_field_instant(r, "end_at", true, zone, &to, NULL)) goto done;
        if (to <= from) {
            srv_respond_error(r, API_ERR_INVALID_RANGE, "end_at must be after start_at.", "end_at");
            goto done;
        }
        if (to - from > MAX_RANGE_MS) {
            srv_respond_error(r, API_ERR_INVALID_RANGE, "The range may span at most 31 days.", "end_at");
            goto done;
        }
    }
    bk_avail_query_t q = {.tenant = r->tenant, .staff_id = staff->id, .treatment_id = treatment->id,
                          .location_id = location->id, .duration_minutes = treatment->duration_minutes,
                          .time_zone = location->time_zone, .from = from, .to = to, .now = call->now};
    srv_request_hold(r);
    if (bk_availability_get(&r->worker->booking, &q, on_availability, call) != 0) {
        srv_request_release(r);
        srv_add_header(r, "retry-after", "1");
        srv_respond_error(r, API_ERR_REDIS_UNAVAILABLE, NULL, NULL);
        goto done;
    }
    return;

done:
    free(call);
}

static void start(srv_request_t *r, bool next_7_days)
{
    availability_call_t *call = calloc(1, sizeof(*call));
    if (call == NULL) {
        srv_respond_error(r, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        return;
    }
    call->r = r;
    call->next_7_days = next_7_days;
    call->now = tz_now();
    if (!srv_field_id(r, "staff_member_id", true, call->staff_id, sizeof(call->staff_id)) ||
        !srv_field_id(r, "treatment_id", true, call->treatment_id, sizeof(call->treatment_id))) {
        free(call);
        return;
    }
    /* Missing times are the caller's mistake whatever the catalog says: say so before asking it. The times
     * themselves are parsed later, in the location's zone. */
    if (!next_7_days && (!srv_field_required(r, "start_at") || !srv_field_required(r, "end_at"))) {
        free(call);
        return;
    }
    if (!srv_start_catalog(r, on_catalog, call)) free(call);
}

void srv_route_fetch_availability_for_range(srv_request_t *r)
{
    start(r, false);
}

void srv_route_fetch_availability_next_7_days(srv_request_t *r)
{
    start(r, true);
}
