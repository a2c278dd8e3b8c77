/* booking/appointments.c: createAppt's hold and bookAppt's EMR write, with their Redis records (see
 * appointments.h). */
#include "booking/appointments.h"
#include "booking/durable.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking/availability.h"
#include "booking/durable.h"
#include "booking/emr_holds.h"
#include "booking/events.h"
#include "booking/requests.h"
#include "booking/voice_retry.h"
#include "store/script.h"
#include "tz/tz.h"

#define REMEMBER_AFTER_END_MS (30LL * 24 * 3600 * 1000)

static int cmp_opening(const void *a, const void *b)
{
    const prov_opening_t *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

bool bk_time_covered(const prov_opening_t *openings, size_t count, const prov_opening_t *extra, int64_t start,
                     int64_t end)
{
    int64_t at = start;
    bool moved = true;
    /* Openings are sorted by start; each pass extends the covered prefix [start, at) as far as it can. */
    while (at < end && moved) {
        moved = false;
        for (size_t i = 0; i < count; i++) {
            if (openings[i].start > at) break;
            if (openings[i].end > at) {
                at = openings[i].end;
                moved = true;
            }
        }
        if (extra != NULL && extra->start <= at && extra->end > at) {
            at = extra->end;
            moved = true;
        }
    }
    return at >= end;
}

void bk_appt_invalidate(bk_env_t *env, const bk_tenant_t *tenant, const char *staff_id, const char *time_zone,
                        int64_t start, int64_t end)
{
    const tz_zone_t *zone = time_zone != NULL ? tz_zone_load(time_zone) : NULL;
    if (zone == NULL) { /* any zone: UTC-12 .. UTC+14 */
        zone = tz_zone_fixed(0);
        start -= 12 * TZ_MS_PER_HOUR;
        end += 14 * TZ_MS_PER_HOUR;
    }
    if (zone == NULL) return;
    int y0, m0, d0, y1, m1, d1;
    tz_local_date(zone, start, &y0, &m0, &d0);
    tz_local_date(zone, end - 1, &y1, &m1, &d1);
    for (int64_t day = tz_days_from_civil(y0, m0, d0); day <= tz_days_from_civil(y1, m1, d1); day++) {
        int y, m, d;
        char date[16];
        tz_civil_from_days(day, &y, &m, &d);
        snprintf(date, sizeof(date), "%04d-%02d-%02d", y, m, d);
        bk_availability_invalidate(env, tenant, staff_id, date);
    }
}

/* ---- remembered appointments ------------------------------------------------------------------------------ */

/* KEYS[1] remembered appointment. ARGV hold-hash prefix, staff-set prefix. */
static store_script_t unmark_script = STORE_SCRIPT(
    "local h = redis.call('HGET', KEYS[1], 'hold') if not h or h == '' then return 0 end "
    "local staff = redis.call('HGET', ARGV[1] .. h, 'staff') "
    "if staff then redis.call('ZREM', ARGV[2] .. staff, h) "
    "  redis.call('HDEL', ARGV[2] .. staff .. '" BK_HOLDS_SPANS_SUFFIX "', h) end "
    "redis.call('DEL', ARGV[1] .. h) redis.call('HSET', KEYS[1], 'hold', '') return 1");

void bk_appt_release_marker(bk_env_t *env, const bk_tenant_t *tenant, const char *appointment_id)
{
    char key[256], hold_prefix[128], set_prefix[128];
    snprintf(key, sizeof(key), "fd:{%s}:appt:%s", tenant->id, appointment_id);
    snprintf(hold_prefix, sizeof(hold_prefix), "fd:{%s}:hold:", tenant->id);
    snprintf(set_prefix, sizeof(set_prefix), "fd:{%s}:holds:", tenant->id);
    const char *keys[] = {key};
    const char *args[] = {hold_prefix, set_prefix};
    store_eval(env->store, &unmark_script, NULL, NULL, 1, keys, 2, args, NULL);
}

#define REMEMBERED_FIELDS 9 /* name-value pairs of a remembered appointment */

/* The remembered appointment's key and fields (names and values alternating, borrowing from a, time_zone, hold_id,
 * start and end); returns the instant it is forgotten at. */
static int64_t remembered(const bk_tenant_t *tenant, const bk_appointment_t *a, const char *time_zone,
                          const char *hold_id, char key[256], char start[24], char end[24],
                          const char *fields[2 * REMEMBERED_FIELDS])
{
    snprintf(key, 256, "fd:{%s}:appt:%s", tenant->id, a->id);
    snprintf(start, 24, "%" PRId64, a->start);
    snprintf(end, 24, "%" PRId64, a->end);
    const char *f[2 * REMEMBERED_FIELDS] = {
        "staff", a->staff_id, "treatment", a->treatment_id, "location", a->location_id,
        "patient", a->patient_id != NULL ? a->patient_id : "", "start", start, "end", end, "zone", time_zone,
        "state", bk_appt_state_name(a->state), "hold", hold_id != NULL ? hold_id : ""};
    memcpy(fields, f, sizeof(f));
    return a->end + REMEMBER_AFTER_END_MS;
}

void bk_appt_remember(bk_env_t *env, const bk_tenant_t *tenant, const bk_appointment_t *a, const char *time_zone,
                      const char *hold_id)
{
    char key[256], start[24], end[24], ttl[24];
    const char *argv[2 + 2 * REMEMBERED_FIELDS] = {"HSET", key};
    int64_t forget_at = remembered(tenant, a, time_zone, hold_id, key, start, end, argv + 2);
    snprintf(ttl, sizeof(ttl), "%" PRId64, forget_at);
    size_t lens[2 + 2 * REMEMBERED_FIELDS];
    for (int i = 0; i < 2 + 2 * REMEMBERED_FIELDS; i++) lens[i] = strlen(argv[i]);
    store_command(env->store, NULL, NULL, 2 + 2 * REMEMBERED_FIELDS, argv, lens);
    store_commandf(env->store, NULL, NULL, "PEXPIREAT %s %s", key, ttl);
}

typedef struct recall {
    char id[BK_HOLD_FIELD_CAP];
    bk_appt_recall_cb cb;
    void *data;
} recall_t;

/* The state of a remembered appointment, or of a booking request (requests.h: open while requested or being
 * changed, kept as booked once confirmed, every other close is a cancellation). */
static bk_appt_state_t recalled_state(const char *id, const char *state)
{
    if (!bk_request_is_id(id))
        return state != NULL && strcmp(state, "cancelled") == 0 ? BK_APPT_CANCELLED : BK_APPT_BOOKED;
    if (state == NULL || strcmp(state, "requested") == 0 || strcmp(state, "changing") == 0) return BK_APPT_REQUESTED;
    return strcmp(state, "confirmed") == 0 ? BK_APPT_BOOKED : BK_APPT_CANCELLED;
}

static void on_recall(const redisReply *reply, void *data)
{
    recall_t *c = data;
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements != 8) {
        c->cb(false, NULL, NULL, c->data);
        free(c);
        return;
    }
    const char *v[8];
    for (int i = 0; i < 8; i++) v[i] = reply->element[i]->type == REDIS_REPLY_STRING ? reply->element[i]->str : NULL;
    if (v[0] == NULL || v[4] == NULL || v[5] == NULL) {
        c->cb(true, NULL, NULL, c->data);
        free(c);
        return;
    }
    bk_appt_state_t state = recalled_state(c->id, v[7]);
    bk_appointment_t a = {.id = c->id, .state = state, .start = strtoll(v[4], NULL, 10),
                          .end = strtoll(v[5], NULL, 10), .staff_id = (char *)v[0], .treatment_id = (char *)v[1],
                          .location_id = (char *)v[2], .patient_id = (char *)v[3]};
    c->cb(true, &a, v[6], c->data);
    free(c);
}

int bk_appt_recall(bk_env_t *env, const bk_tenant_t *tenant, const char *id, bk_appt_recall_cb cb, void *data)
{
    if (strlen(id) >= BK_HOLD_FIELD_CAP) return -1;
    recall_t *c = calloc(1, sizeof(*c));
    if (c == NULL) return -1;
    snprintf(c->id, sizeof(c->id), "%s", id);
    c->cb = cb;
    c->data = data;
    char key[256]; /* a booking request's hash has the same fields (requests.h) */
    snprintf(key, sizeof(key), "fd:{%s}:%s:%s", tenant->id, bk_request_is_id(id) ? "req" : "appt", id);
    if (store_commandf(env->store, on_recall, c, "HMGET %s staff treatment location patient start end zone state", key) !=
        0) {
        free(c);
        return -1;
    }
    return 0;
}

/* ---- hold: fresh availability, then the Redis hold ---------------------------------------------------------- */

typedef struct hold_flow {
    bk_env_t *env;
    const bk_tenant_t *tenant;
    bk_hold_t spec;
    prov_opening_t free_extra;
    bool has_extra;
    bool own_hold_only;
    const bk_hold_record_t *record; /* borrowed until cb */
    bk_openings_read_t *read;       /* borrowed until cb */
    int64_t read_from, read_to;
    int64_t now;
    bk_hold_done_cb cb;
    void *data;
} hold_flow_t;

/* The placed hold (in f->spec) is on the replicas, or may not be: then the caller is not told of it, and it is
 * released so that it does not keep the time from the next caller for hold_seconds. */
static void on_hold_durable(bool durable, void *data)
{
    hold_flow_t *f = data;
    if (durable) {
        f->cb(BK_W_OK, PROV_OK, &f->spec, f->data);
    } else {
        bk_hold_settle(f->env, f->tenant, f->spec.id, BK_HOLD_SETTLE_RELEASE, NULL);
        f->cb(BK_W_REDIS, PROV_UNAVAILABLE, NULL, f->data);
    }
    free(f);
}

/* The EMR's own hold of the time: kept with ours, or ours goes too (the time is not ours to offer). */
static void on_emr_held(prov_status_t status, const char *emr_hold_id, void *data)
{
    hold_flow_t *f = data;
    if (status == PROV_OK && strlen(emr_hold_id) < sizeof(f->spec.emr_hold_id)) {
        snprintf(f->spec.emr_hold_id, sizeof(f->spec.emr_hold_id), "%s", emr_hold_id);
        bk_hold_set_emr_hold(f->env, f->tenant, f->spec.id, emr_hold_id);
        bk_durable(f->env, on_hold_durable, f);
        return;
    }
    bk_hold_settle(f->env, f->tenant, f->spec.id, BK_HOLD_SETTLE_RELEASE, NULL);
    if (status == PROV_CONFLICT) {
        bk_appt_invalidate(f->env, f->tenant, f->spec.staff_id, f->spec.time_zone, f->spec.start, f->spec.end);
        f->cb(BK_W_SLOT_TAKEN, status, NULL, f->data);
    } else {
        f->cb(BK_W_PROVIDER, status == PROV_OK ? PROV_UPSTREAM : status, NULL, f->data);
    }
    free(f);
}

static void on_placed(bk_hold_result_t result, const bk_hold_t *hold, void *data)
{
    hold_flow_t *f = data;
    if (result == BK_HOLD_OK) {
        f->spec = *hold;
        if (f->own_hold_only || !bk_emr_holds_time(f->tenant)) {
            bk_durable(f->env, on_hold_durable, f);
            return;
        }
        const bk_hold_t *h = &f->spec;
        prov_hold_request_t q = {.staff_id = h->staff_id, .treatment_id = h->treatment_id,
                                 .location_id = h->location_id, .key = h->id, .start = h->start, .end = h->end,
                                 .expires = h->expires};
        if (bk_emr_hold_place(f->env, f->tenant, &q, on_emr_held, f) != 0) {
            bk_hold_settle(f->env, f->tenant, f->spec.id, BK_HOLD_SETTLE_RELEASE, NULL);
            f->cb(BK_W_PROVIDER, PROV_UNAVAILABLE, NULL, f->data);
            free(f);
        }
        return;
    }
    if (result == BK_HOLD_TAKEN) f->cb(BK_W_SLOT_TAKEN, PROV_OK, NULL, f->data);
    else f->cb(BK_W_REDIS, PROV_UNAVAILABLE, NULL, f->data);
    free(f);
}

int64_t bk_horizon_end(const bk_tenant_t *tenant, const tz_zone_t *zone, int64_t now)
{
    int y, m, d;
    tz_local_date(zone, now, &y, &m, &d);
    tz_civil_from_days(tz_days_from_civil(y, m, d) + tenant->policy.max_days_ahead, &y, &m, &d);
    tz_instant_t end;
    return tz_day_start(zone, y, m, d, &end) == 0 ? end : INT64_MAX;
}

static void on_fresh(prov_status_t status, const prov_opening_t *openings, size_t count, void *data)
{
    hold_flow_t *f = data;
    if (status != PROV_OK) {
        f->cb(BK_W_PROVIDER, status, NULL, f->data);
        free(f);
        return;
    }
    /* The same notice and horizon as the availability answers. */
    int64_t horizon_end = bk_horizon_end(f->tenant, tz_zone_load(f->spec.time_zone), f->now);
    if (f->spec.start < f->now + (int64_t)f->tenant->policy.min_notice_minutes * TZ_MS_PER_MINUTE) {
        f->cb(BK_W_TOO_SOON, PROV_OK, NULL, f->data);
        free(f);
        return;
    }
    if (f->spec.start >= horizon_end) {
        f->cb(BK_W_TOO_FAR, PROV_OK, NULL, f->data);
        free(f);
        return;
    }
    prov_opening_t *sorted = malloc((count ? count : 1) * sizeof(*sorted));
    if (sorted == NULL) {
        f->cb(BK_W_REDIS, PROV_UNAVAILABLE, NULL, f->data);
        free(f);
        return;
    }
    if (count) memcpy(sorted, openings, count * sizeof(*sorted));
    qsort(sorted, count, sizeof(*sorted), cmp_opening);
    if (f->read != NULL) { /* the caller keeps a copy (sorted) */
        prov_opening_t *copy = malloc((count ? count : 1) * sizeof(*copy));
        if (copy != NULL) {
            if (count) memcpy(copy, sorted, count * sizeof(*copy));
            free(f->read->items);
            *f->read = (bk_openings_read_t){.items = copy, .count = count, .from = f->read_from, .to = f->read_to};
        }
    }
    bool free_now = bk_time_covered(sorted, count, f->has_extra ? &f->free_extra : NULL, f->spec.start, f->spec.end);
    free(sorted);
    if (!free_now) {
        f->cb(BK_W_SLOT_UNAVAILABLE, PROV_OK, NULL, f->data);
        free(f);
        return;
    }
    if (bk_hold_place_with(f->env, f->tenant, &f->spec, f->record, on_placed, f) != 0) {
        f->cb(BK_W_REDIS, PROV_UNAVAILABLE, NULL, f->data);
        free(f);
    }
}

int bk_appt_hold(bk_env_t *env, const bk_slot_request_t *q, bk_hold_done_cb cb, void *data)
{
    const bk_tenant_t *t = q->tenant;
    const tz_zone_t *zone = tz_zone_load(q->time_zone);
    if (zone == NULL || q->end <= q->start || q->end - q->start > BK_HOLD_MAX_MS || !store_is_connected(env->store))
        return -1;
    if (strlen(q->staff_id) >= BK_HOLD_FIELD_CAP || strlen(q->treatment_id) >= BK_HOLD_FIELD_CAP ||
        strlen(q->location_id) >= BK_HOLD_FIELD_CAP || strlen(q->patient_id) >= BK_HOLD_FIELD_CAP ||
        strlen(q->time_zone) >= sizeof(((bk_hold_t *)0)->time_zone))
        return -1;
    if (t->provider->fetch_availability == NULL) return -1;
    hold_flow_t *f = calloc(1, sizeof(*f));
    if (f == NULL) return -1;
    *f = (hold_flow_t){.env = env, .tenant = t, .now = q->now, .own_hold_only = q->own_hold_only,
                       .record = q->record, .read = q->read, .cb = cb, .data = data};
    snprintf(f->spec.staff_id, sizeof(f->spec.staff_id), "%s", q->staff_id);
    snprintf(f->spec.treatment_id, sizeof(f->spec.treatment_id), "%s", q->treatment_id);
    snprintf(f->spec.location_id, sizeof(f->spec.location_id), "%s", q->location_id);
    snprintf(f->spec.patient_id, sizeof(f->spec.patient_id), "%s", q->patient_id);
    snprintf(f->spec.time_zone, sizeof(f->spec.time_zone), "%s", q->time_zone);
    f->spec.start = q->start;
    f->spec.end = q->end;
    if (q->counts_as_free != NULL) {
        f->free_extra = *q->counts_as_free;
        f->has_extra = true;
    }
    int y0, m0, d0, y1, m1, d1;
    tz_local_date(zone, q->start, &y0, &m0, &d0);
    tz_local_date(zone, q->end - 1, &y1, &m1, &d1);
    int ny, nm, nd;
    tz_civil_from_days(tz_days_from_civil(y1, m1, d1) + 1, &ny, &nm, &nd);
    if (tz_day_start(zone, y0, m0, d0, &f->read_from) != 0 || tz_day_start(zone, ny, nm, nd, &f->read_to) != 0)
        f->read = NULL; /* no window to say what was read */
    prov_availability_query_t aq = {.staff_id = f->spec.staff_id, .treatment_id = f->spec.treatment_id,
                                    .location_id = f->spec.location_id, .duration_minutes = q->duration_minutes,
                                    .time_zone = f->spec.time_zone, .year = y0, .month = m0, .day = d0,
                                    .days = (int)(tz_days_from_civil(y1, m1, d1) - tz_days_from_civil(y0, m0, d0)) + 1};
    if (t->provider->fetch_availability(t->provider_instance, &env->prov, &aq, on_fresh, f) != 0) {
        free(f);
        return -1;
    }
    return 0;
}

/* ---- book: a claimed hold into the EMR ---------------------------------------------------------------------- */

typedef struct book_flow {
    bk_env_t *env;
    const bk_tenant_t *tenant;
    bk_hold_t hold;
    bk_appointment_t made; /* owned copy of what the EMR created */
    char retry_key[BK_VRETRY_KEY_CAP]; /* the /voice/book retry record to write the booking into, or "" */
    bk_appt_done_cb cb;
    void *data;
} book_flow_t;

static void book_free(book_flow_t *f)
{
    bk_appointment_clear(&f->made);
    free(f);
}

/* The appointment the hold describes, pointing into f->hold (borrowed). */
static bk_appointment_t of_hold(book_flow_t *f, bk_appt_state_t state, const char *id)
{
    bk_hold_t *h = &f->hold;
    return (bk_appointment_t){.id = (char *)id, .state = state, .start = h->start, .end = h->end,
                              .patient_id = h->patient_id, .staff_id = h->staff_id, .treatment_id = h->treatment_id,
                              .location_id = h->location_id};
}

/* A booking this flow answers, into the retry record unless record_booked wrote it there already. */
static void record_retry(book_flow_t *f, bk_write_result_t result, const bk_appointment_t *a)
{
    if (result == BK_W_OK && a != NULL && f->retry_key[0] != '\0') bk_vretry_set_booked(f->env, f->retry_key, a);
    f->retry_key[0] = '\0';
}

/* The one answer of the book flow (counted), then the flow's end. */
static void book_answer(book_flow_t *f, bk_write_result_t result, prov_status_t status, const bk_appointment_t *a)
{
    record_retry(f, result, a);
    bk_count_write(FD_MX_BOOKING_BOOK, result, status);
    f->cb(result, status, a, f->data);
    book_free(f);
}

static void book_end(book_flow_t *f, bk_write_result_t result, prov_status_t status)
{
    book_answer(f, result, status, NULL);
}

/* The booking's writes (hold settled, appointment remembered, event) are on the replicas, or may not be. */
static void on_booked_durable(bool durable, void *data)
{
    book_flow_t *f = data;
    if (!durable) {
        book_end(f, BK_W_REDIS, PROV_UNAVAILABLE);
        return;
    }
    bk_appointment_t out = of_hold(f, BK_APPT_BOOKED, f->made.id);
    book_answer(f, BK_W_OK, PROV_OK, &out);
}

/* Marks the hold booked, remembers the appointment and writes it into the retry record (one script), and records
 * its event, in one transaction; drops the cached days; answers. */
static void record_booked(const bk_catalog_t *catalog, void *data)
{
    book_flow_t *f = data;
    bk_appt_invalidate(f->env, f->tenant, f->hold.staff_id, f->hold.time_zone, f->hold.start, f->hold.end);
    bk_appointment_t out = of_hold(f, BK_APPT_BOOKED, f->made.id);
    bool tx = bk_events_begin(f->env, f->tenant, BK_EVENT_APPT_CREATED);
    char key[256], start[24], end[24], retry_start[24], retry_end[24];
    const char *appt_fields[2 * REMEMBERED_FIELDS], *retry_fields[2 * BK_VRETRY_BOOKED_FIELDS];
    bk_hold_record_t records[2] = {{.key = key, .fields = appt_fields, .n = REMEMBERED_FIELDS}};
    records[0].expire_at = remembered(f->tenant, &out, f->hold.time_zone, f->hold.id, key, start, end, appt_fields);
    size_t n = 1;
    if (f->retry_key[0] != '\0') {
        bk_vretry_booked_fields(&out, retry_start, retry_end, retry_fields);
        records[n++] = (bk_hold_record_t){.key = f->retry_key, .fields = retry_fields, .n = BK_VRETRY_BOOKED_FIELDS,
                                          .only_if_live = true};
    }
    bk_hold_settle_with(f->env, f->tenant, f->hold.id, BK_HOLD_SETTLE_BOOKED, out.id, records, n);
    f->retry_key[0] = '\0';
    if (tx) {
        bk_event_t ev = {
            .type = BK_EVENT_APPT_CREATED, .appointment = &out, .time_zone = f->hold.time_zone, .catalog = catalog};
        bk_events_add(f->env, f->tenant, &ev);
        bk_events_commit(f->env);
    }
    bk_durable(f->env, on_booked_durable, f);
}

/* The EMR holds the appointment `a` (borrowed): record it (booking/events.h) and answer. */
static void booked(book_flow_t *f, const bk_appointment_t *a)
{
    if (f->made.id != a->id) {
        char *id = strdup(a->id);
        if (id == NULL) { /* out of memory: the answer still carries the EMR's id */
            bk_hold_settle(f->env, f->tenant, f->hold.id, BK_HOLD_SETTLE_BOOKED, a->id);
            bk_appointment_t out = of_hold(f, BK_APPT_BOOKED, a->id);
            book_answer(f, BK_W_OK, PROV_OK, &out);
            return;
        }
        free(f->made.id);
        f->made.id = id;
    }
    bk_events_with_catalog(f->env, f->tenant, BK_EVENT_APPT_CREATED, record_booked, f);
}

static void on_rolled_back(prov_status_t status, void *data)
{
    book_flow_t *f = data;
    /* Whatever the delete answered, the slot belongs to someone else; the hold goes. */
    bk_hold_settle(f->env, f->tenant, f->hold.id, BK_HOLD_SETTLE_RELEASE, NULL);
    bk_appt_invalidate(f->env, f->tenant, f->hold.staff_id, f->hold.time_zone, f->hold.start, f->hold.end);
    book_end(f, BK_W_SLOT_TAKEN, status);
}

static void on_probed(prov_status_t status, bool conflict, void *data)
{
    book_flow_t *f = data;
    const prov_ops_t *ops = f->tenant->provider;
    if (status == PROV_OK && conflict) {
        if (ops->delete_appointment != NULL &&
            ops->delete_appointment(f->tenant->provider_instance, &f->env->prov, f->made.id, on_rolled_back, f) == 0)
            return;
        on_rolled_back(PROV_UNAVAILABLE, f);
        return;
    }
    /* No conflict, or the probe failed: the EMR accepted the booking, which stands. */
    booked(f, &f->made);
}

static void on_created(prov_status_t status, const bk_appointment_t *a, void *data)
{
    book_flow_t *f = data;
    const prov_ops_t *ops = f->tenant->provider;
    if (status == PROV_OK && a != NULL && a->id != NULL) {
        f->made = (bk_appointment_t){.id = strdup(a->id)};
        if (f->made.id == NULL) {
            booked(f, a);
            return;
        }
        if ((prov_capabilities(ops, f->tenant->provider_instance) & PROV_CAP_CONFLICT_PROBE) &&
            ops->probe_conflicts != NULL &&
            ops->probe_conflicts(f->tenant->provider_instance, &f->env->prov, f->made.id, on_probed, f) == 0)
            return;
        booked(f, &f->made);
        return;
    }
    if (status == PROV_TIMEOUT) {
        bk_hold_settle(f->env, f->tenant, f->hold.id, BK_HOLD_SETTLE_UNKNOWN, NULL);
        book_end(f, BK_W_UNKNOWN, status);
    } else if (status == PROV_CONFLICT) {
        bk_hold_settle(f->env, f->tenant, f->hold.id, BK_HOLD_SETTLE_RELEASE, NULL);
        bk_appt_invalidate(f->env, f->tenant, f->hold.staff_id, f->hold.time_zone, f->hold.start, f->hold.end);
        book_end(f, BK_W_SLOT_TAKEN, status);
    } else if (status == PROV_NOT_FOUND) {
        /* The hold names a patient the EMR does not have: no retry can book it, so the time is freed. */
        bk_hold_settle(f->env, f->tenant, f->hold.id, BK_HOLD_SETTLE_RELEASE, NULL);
        book_end(f, BK_W_PATIENT_NOT_FOUND, status);
    } else {
        bk_hold_settle(f->env, f->tenant, f->hold.id, BK_HOLD_SETTLE_HELD, NULL);
        book_end(f, BK_W_PROVIDER, status == PROV_OK ? PROV_UPSTREAM : status);
    }
}

/* A requests-only EMR: the claimed hold becomes a booking request (booking/requests.h), answered as such. */
static void on_requested(bk_write_result_t result, prov_status_t status, const bk_appointment_t *a, void *data)
{
    book_flow_t *f = data;
    if (result != BK_W_OK) bk_hold_settle(f->env, f->tenant, f->hold.id, BK_HOLD_SETTLE_HELD, NULL);
    record_retry(f, result, a);
    f->cb(result, status, a, f->data);
    book_free(f);
}

static void create(book_flow_t *f)
{
    const prov_ops_t *ops = f->tenant->provider;
    if (bk_requests_only(f->tenant)) {
        if (bk_request_record_as_appt(f->env, f->tenant, &f->hold, on_requested, f) != 0) {
            bk_hold_settle(f->env, f->tenant, f->hold.id, BK_HOLD_SETTLE_HELD, NULL);
            book_end(f, BK_W_REDIS, PROV_UNAVAILABLE);
        }
        return;
    }
    bk_appointment_t a = of_hold(f, BK_APPT_BOOKED, NULL);
    void *instance = f->tenant->provider_instance;
    int rc = -1;
    if (f->hold.emr_hold_id[0] != '\0' && ops->create_held_appointment != NULL)
        rc = ops->create_held_appointment(instance, &f->env->prov, &a, f->hold.emr_hold_id, on_created, f);
    else if (ops->create_appointment != NULL)
        rc = ops->create_appointment(instance, &f->env->prov, &a, on_created, f);
    if (rc != 0) {
        bk_hold_settle(f->env, f->tenant, f->hold.id, BK_HOLD_SETTLE_HELD, NULL);
        book_end(f, ops->create_appointment == NULL ? BK_W_UNSUPPORTED : BK_W_PROVIDER, PROV_UNAVAILABLE);
    }
}

/* Recovery: an earlier write of this hold timed out. Is it in the EMR (same practitioner and start)? */
static void on_listed(prov_status_t status, const bk_appointment_t *list, size_t count, void *data)
{
    book_flow_t *f = data;
    if (status != PROV_OK) {
        bk_hold_settle(f->env, f->tenant, f->hold.id, BK_HOLD_SETTLE_UNKNOWN, NULL);
        book_end(f, BK_W_PROVIDER, status);
        return;
    }
    for (size_t i = 0; i < count; i++) {
        const bk_appointment_t *a = &list[i];
        if (a->state != BK_APPT_CANCELLED && a->start == f->hold.start && a->staff_id != NULL && a->id != NULL &&
            strcmp(a->staff_id, f->hold.staff_id) == 0) {
            booked(f, a);
            return;
        }
    }
    create(f);
}

static void on_claimed(bk_hold_result_t result, const bk_hold_t *hold, void *data)
{
    book_flow_t *f = data;
    if (hold != NULL) f->hold = *hold;
    const prov_ops_t *ops = f->tenant->provider;
    switch (result) {
    case BK_HOLD_OK:
        create(f);
        return;
    case BK_HOLD_RECOVER:
        if (ops->list_appointments == NULL ||
            ops->list_appointments(f->tenant->provider_instance, &f->env->prov, f->hold.patient_id, f->hold.start,
                                   on_listed, f) != 0) {
            bk_hold_settle(f->env, f->tenant, f->hold.id, BK_HOLD_SETTLE_UNKNOWN, NULL);
            book_end(f, BK_W_PROVIDER, PROV_UNAVAILABLE);
        }
        return;
    case BK_HOLD_BOOKED:
    case BK_HOLD_REQUESTED: {
        bk_appt_state_t state = result == BK_HOLD_REQUESTED ? BK_APPT_REQUESTED : BK_APPT_BOOKED;
        bk_appointment_t out = of_hold(f, state, f->hold.appointment_id);
        book_answer(f, BK_W_OK, PROV_OK, &out);
        return;
    }
    case BK_HOLD_BUSY: book_end(f, BK_W_BUSY, PROV_OK); return;
    case BK_HOLD_GONE: book_end(f, BK_W_HOLD_EXPIRED, PROV_OK); return;
    default: book_end(f, BK_W_REDIS, PROV_UNAVAILABLE); return;
    }
}

int bk_appt_book(bk_env_t *env, const bk_tenant_t *tenant, const char *id, const char *token, bk_appt_done_cb cb,
                 void *data)
{
    return bk_appt_book_retry(env, tenant, id, token, NULL, cb, data);
}

int bk_appt_book_retry(bk_env_t *env, const bk_tenant_t *tenant, const char *id, const char *token,
                       const char *retry_key, bk_appt_done_cb cb, void *data)
{
    if (retry_key != NULL && strlen(retry_key) >= BK_VRETRY_KEY_CAP) return -1;
    book_flow_t *f = calloc(1, sizeof(*f));
    if (f == NULL) return -1;
    *f = (book_flow_t){.env = env, .tenant = tenant, .cb = cb, .data = data};
    if (retry_key != NULL) snprintf(f->retry_key, sizeof(f->retry_key), "%s", retry_key);
    if (bk_hold_claim(env, tenant, id, token, BK_BOOK_LEASE_MS, on_claimed, f) != 0) {
        free(f);
        return -1;
    }
    return 0;
}

static void on_claimed_for_release(bk_hold_result_t result, const bk_hold_t *hold, void *data)
{
    book_flow_t *f = data;
    if (result == BK_HOLD_OK || result == BK_HOLD_RECOVER) {
        f->hold = *hold;
        bk_hold_settle(f->env, f->tenant, f->hold.id, BK_HOLD_SETTLE_RELEASE, NULL);
        char public_id[BK_HOLD_PUBLIC_CAP];
        bk_hold_public_id(&f->hold, public_id);
        bk_appointment_t out = of_hold(f, BK_APPT_CANCELLED, public_id);
        f->cb(BK_W_OK, PROV_OK, &out, f->data);
        book_free(f);
        return;
    }
    book_end(f, result == BK_HOLD_FAILED ? BK_W_REDIS : result == BK_HOLD_BUSY ? BK_W_BUSY : BK_W_HOLD_EXPIRED,
             PROV_OK);
}

int bk_appt_release_hold(bk_env_t *env, const bk_tenant_t *tenant, const char *id, const char *token,
                         bk_appt_done_cb cb, void *data)
{
    book_flow_t *f = calloc(1, sizeof(*f));
    if (f == NULL) return -1;
    *f = (book_flow_t){.env = env, .tenant = tenant, .cb = cb, .data = data};
    memcpy(f->hold.token, token, strnlen(token, BK_HOLD_TOKEN_LEN));
    if (bk_hold_claim(env, tenant, id, token, BK_BOOK_LEASE_MS, on_claimed_for_release, f) != 0) {
        free(f);
        return -1;
    }
    return 0;
}
