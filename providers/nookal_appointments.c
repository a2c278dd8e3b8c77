/* providers/nookal_appointments.c: a patient's appointments (getAppointments, paged), and the writes on one
 * appointment: create (addAppointmentBooking, allow_overlap_bookings never sent), cancel (cancelAppointment),
 * the conflict probe (getAppointments of the practitioner's day) and delete (Nookal has no delete: the
 * rollback of a clash is a cancel). Each needs the locations' zones first (nookal_with_zones); cancel and the
 * probe read what Frontdesk remembers of the appointment (nookal_index.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/nookal_internal.h"

#define MAX_APPOINTMENTS 500
#define ANY_ZONE_MS      (14 * TZ_MS_PER_HOUR) /* no zone is further ahead of UTC */

typedef struct op {
    nookal_t *n;
    prov_env_t env;
    union {
        prov_appointments_cb list;
        prov_appointment_cb one;
        prov_conflict_cb conflict;
        prov_done_cb done;
    } cb;
    void *data;
    bk_appointment_t a;    /* create: what was asked (owned copy); cancel/probe: the id and what is known */
    nookal_appt_ref_t ref; /* cancel, probe: from the index */
    int64_t from;          /* list: appointments starting at or after */
    bk_appointment_t *v;   /* list, probe: what was read */
    size_t n_v, cap;
    bool rollback; /* delete: answers through cb.done */
} op_t;

static op_t *op_new(nookal_t *n, prov_env_t *env, void *data)
{
    op_t *k = calloc(1, sizeof(*k));
    if (k == NULL) return NULL;
    k->n = n;
    k->env = *env;
    k->data = data;
    return k;
}

static void op_free(op_t *k)
{
    bk_appointment_clear(&k->a);
    bk_appointments_free(k->v, k->n_v);
    free(k);
}

/* Decodes the appointments of a getAppointments page (each in its location's zone; one at a location whose
 * zone is not known is left out) into k->v. */
static prov_status_t read_appointments(op_t *k, const prov_nookal_reply_t *reply)
{
    json_object *items = prov_nookal_results_array(reply, "appointments");
    for (size_t i = 0; items != NULL && i < json_object_array_length(items) && k->n_v < MAX_APPOINTMENTS; i++) {
        json_object *item = json_object_array_get_idx(items, i);
        char loc[PROV_NOOKAL_ID_CAP], zone_id[TZ_NAME_ID_CAP];
        if (prov_nookal_appointment_location(item, loc, sizeof(loc)) != 0) return PROV_UPSTREAM;
        const tz_zone_t *zone = nookal_zone_of(k->n, loc, zone_id) ? tz_zone_load(zone_id) : NULL;
        if (zone == NULL) continue;
        if (prov_grow((void **)&k->v, k->n_v, &k->cap, sizeof(*k->v)) != 0) return PROV_UNAVAILABLE;
        if (prov_nookal_appointment_decode(item, zone, &k->v[k->n_v]) != 0) return PROV_UPSTREAM;
        k->n_v++;
    }
    return PROV_OK;
}

/* ---- list ------------------------------------------------------------------------------------------------- */

static prov_status_t list_page(const prov_nookal_reply_t *reply, void *data)
{
    return read_appointments(data, reply);
}

static int cmp_appt(const void *a, const void *b)
{
    const bk_appointment_t *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static void list_done(prov_status_t st, void *data)
{
    op_t *k = data;
    if (st == PROV_NOT_FOUND) st = PROV_OK; /* "no appointments found" */
    size_t n = 0;
    if (st == PROV_OK) {
        for (size_t i = 0; i < k->n_v; i++) {
            if (k->v[i].start < k->from) {
                bk_appointment_clear(&k->v[i]);
                continue;
            }
            nookal_index_put(k->n, &k->env, &k->v[i]);
            k->v[n++] = k->v[i];
        }
        k->n_v = n;
        qsort(k->v, n, sizeof(*k->v), cmp_appt);
    }
    k->cb.list(st, st == PROV_OK ? k->v : NULL, st == PROV_OK ? n : 0, k->data);
    op_free(k);
}

static int list_send(op_t *k)
{
    int y, m, d;
    tz_civil_t c;
    tz_to_local(tz_zone_fixed(0), k->from - ANY_ZONE_MS, &c, NULL);
    y = c.year, m = c.month, d = c.day;
    char from[11], unused[6];
    prov_nookal_format_local(y, m, d, 0, from, unused);
    nookal_param_t params[] = {{"patient_id", k->a.patient_id}, {"date_from", from}};
    return nookal_list(k->n, &k->env, "getAppointments", params, 2, true, list_page, list_done, k);
}

static void list_with_zones(prov_status_t st, void *data)
{
    op_t *k = data;
    if (st == PROV_OK && list_send(k) == 0) return;
    list_done(st == PROV_OK ? PROV_UNAVAILABLE : st, k);
}

int nookal_list_appointments(void *instance, prov_env_t *env, const char *patient_id, int64_t from,
                             prov_appointments_cb cb, void *data)
{
    nookal_t *n = instance;
    if (!nookal_valid_id(patient_id)) return -1;
    op_t *k = op_new(n, env, data);
    if (k == NULL || (k->a.patient_id = strdup(patient_id)) == NULL) goto fail;
    k->cb.list = cb;
    k->from = from;
    int rc = nookal_with_zones(n, env, list_with_zones, k);
    if (rc == 0 || (rc == 1 && list_send(k) == 0)) return 0;
fail:
    if (k != NULL) op_free(k);
    return -1;
}

/* ---- create ----------------------------------------------------------------------------------------------- */

static void on_created(prov_status_t st, const prov_nookal_reply_t *reply, void *data)
{
    op_t *k = data;
    char id[PROV_NOOKAL_ID_CAP];
    json_object *v = NULL;
    if (st == PROV_OK &&
        (!json_object_object_get_ex(reply->results, "appointment_id", &v) || prov_nookal_id(v, id, sizeof(id)) != 0))
        st = PROV_UPSTREAM;
    bk_appointment_t out = k->a;
    if (st == PROV_OK) {
        out.id = id;
        out.state = BK_APPT_BOOKED;
        nookal_index_put(k->n, &k->env, &out);
    }
    k->cb.one(st, st == PROV_OK ? &out : NULL, k->data);
    op_free(k);
}

static void answer_later(void *data)
{
    op_t *k = data;
    k->cb.one(PROV_REJECTED, NULL, k->data);
    op_free(k);
}

/* Sends addAppointmentBooking: 0, or -1 when it could not be sent. A start that cannot be written as a local
 * time (the second occurrence of a repeated hour) is answered PROV_REJECTED on the next turn. */
static int create_send(op_t *k)
{
    char zone_id[TZ_NAME_ID_CAP];
    const tz_zone_t *zone = nookal_zone_of(k->n, k->a.location_id, zone_id) ? tz_zone_load(zone_id) : NULL;
    int y, m, d, minute;
    if (zone == NULL || prov_nookal_to_local(zone, k->a.start, &y, &m, &d, &minute) != 0)
        return nookal_defer(k->env.loop, answer_later, k);
    char date[11], time[6];
    prov_nookal_format_local(y, m, d, minute, date, time);
    /* allow_overlap_bookings is left out on purpose: Nookal then refuses a clash itself (research: [INF]), and
     * the conflict probe checks afterwards in case it does not. */
    nookal_param_t params[] = {{"location_id", k->a.location_id},
                               {"appointment_date", date},
                               {"start_time", time},
                               {"patient_id", k->a.patient_id},
                               {"practitioner_id", k->a.staff_id},
                               {"appointment_type_id", k->a.treatment_id}};
    return nookal_call(k->n, &k->env, "addAppointmentBooking", params, 6, true, false, on_created, k);
}

static void create_with_zones(prov_status_t st, void *data)
{
    op_t *k = data;
    if (st == PROV_OK && create_send(k) == 0) return;
    k->cb.one(st == PROV_OK ? PROV_UNAVAILABLE : st, NULL, k->data);
    op_free(k);
}

int nookal_create_appointment(void *instance, prov_env_t *env, const bk_appointment_t *a, prov_appointment_cb cb,
                              void *data)
{
    nookal_t *n = instance;
    if (a == NULL || !nookal_valid_id(a->patient_id) || !nookal_valid_id(a->staff_id) ||
        !nookal_valid_id(a->treatment_id) || !nookal_valid_id(a->location_id) || a->end <= a->start)
        return -1;
    op_t *k = op_new(n, env, data);
    if (k == NULL) return -1;
    k->cb.one = cb;
    if (!bk_appointment_copy(&k->a, a)) {
        free(k);
        return -1;
    }
    free(k->a.id);
    k->a.id = NULL;
    int rc = nookal_with_zones(n, env, create_with_zones, k);
    if (rc == 0 || (rc == 1 && create_send(k) == 0)) return 0;
    op_free(k);
    return -1;
}

/* ---- cancel and delete ------------------------------------------------------------------------------------ */

static void on_cancelled(prov_status_t st, const prov_nookal_reply_t *reply, void *data)
{
    (void)reply;
    op_t *k = data;
    if (!k->rollback) {
        bk_appointment_t out = {.id = k->a.id,
                                .state = BK_APPT_CANCELLED,
                                .start = k->ref.start,
                                .end = k->ref.end,
                                .patient_id = k->ref.patient_id,
                                .staff_id = k->ref.staff_id,
                                .location_id = k->ref.location_id};
        k->cb.one(st, st == PROV_OK ? &out : NULL, k->data);
    } else {
        k->cb.done(st, k->data);
    }
    op_free(k);
}

static void cancel_with_ref(bool ok, bool found, const nookal_appt_ref_t *ref, void *data)
{
    op_t *k = data;
    /* An appointment Frontdesk never wrote nor listed: its patient is unknown, and Nookal cannot cancel
     * without it. Refused as not found (Redis down: unavailable), never guessed. */
    prov_status_t st = !ok ? PROV_UNAVAILABLE : PROV_NOT_FOUND;
    if (found) {
        k->ref = *ref;
        nookal_param_t params[] = {{"appointment_id", k->a.id}, {"patient_id", k->ref.patient_id}};
        if (nookal_call(k->n, &k->env, "cancelAppointment", params, 2, true, false, on_cancelled, k) == 0) return;
        st = PROV_UNAVAILABLE;
    }
    on_cancelled(st, NULL, k);
}

static int cancel_start(nookal_t *n, prov_env_t *env, const char *appointment_id, op_t *k)
{
    if ((k->a.id = strdup(appointment_id)) == NULL ||
        nookal_index_get(n, env, appointment_id, cancel_with_ref, k) != 0) {
        op_free(k);
        return -1;
    }
    return 0;
}

int nookal_cancel_appointment(void *instance, prov_env_t *env, const char *appointment_id, const char *reason,
                              prov_appointment_cb cb, void *data)
{
    (void)reason; /* cancelAppointment takes no documented reason */
    if (!nookal_valid_id(appointment_id)) return -1;
    op_t *k = op_new(instance, env, data);
    if (k == NULL) return -1;
    k->cb.one = cb;
    return cancel_start(instance, env, appointment_id, k);
}

int nookal_delete_appointment(void *instance, prov_env_t *env, const char *appointment_id, prov_done_cb cb, void *data)
{
    if (!nookal_valid_id(appointment_id)) return -1;
    op_t *k = op_new(instance, env, data);
    if (k == NULL) return -1;
    k->cb.done = cb;
    k->rollback = true;
    return cancel_start(instance, env, appointment_id, k);
}

/* ---- conflict probe --------------------------------------------------------------------------------------- */

static prov_status_t probe_page(const prov_nookal_reply_t *reply, void *data)
{
    return read_appointments(data, reply);
}

static void probe_done(prov_status_t st, void *data)
{
    op_t *k = data;
    if (st == PROV_NOT_FOUND) st = PROV_OK;
    bool conflict = false;
    for (size_t i = 0; st == PROV_OK && i < k->n_v; i++) {
        const bk_appointment_t *o = &k->v[i];
        conflict |= strcmp(o->id, k->a.id) != 0 && o->state != BK_APPT_CANCELLED &&
                    strcmp(o->staff_id, k->ref.staff_id) == 0 && o->start < k->ref.end && k->ref.start < o->end;
    }
    k->cb.conflict(st, conflict, k->data);
    op_free(k);
}

static int probe_send(op_t *k)
{
    char zone_id[TZ_NAME_ID_CAP];
    const tz_zone_t *zone = nookal_zone_of(k->n, k->ref.location_id, zone_id) ? tz_zone_load(zone_id) : NULL;
    if (zone == NULL) return -1;
    int y0, m0, d0, y1, m1, d1;
    tz_local_date(zone, k->ref.start, &y0, &m0, &d0);
    tz_local_date(zone, k->ref.end - 1, &y1, &m1, &d1);
    char from[11], to[11], unused[6];
    prov_nookal_format_local(y0, m0, d0, 0, from, unused);
    prov_nookal_format_local(y1, m1, d1, 0, to, unused);
    /* Every appointment of the practitioner those days, whatever the location: one person, one place. */
    nookal_param_t params[] = {{"practitioner_id", k->ref.staff_id}, {"date_from", from}, {"date_to", to}};
    return nookal_list(k->n, &k->env, "getAppointments", params, 3, true, probe_page, probe_done, k);
}

static void probe_with_zones(prov_status_t st, void *data)
{
    op_t *k = data;
    if (st == PROV_OK && probe_send(k) == 0) return;
    probe_done(st == PROV_OK ? PROV_UNAVAILABLE : st, k);
}

static void probe_with_ref(bool ok, bool found, const nookal_appt_ref_t *ref, void *data)
{
    op_t *k = data;
    if (!ok || !found) { /* cannot tell: the booking stands, as with any failed probe */
        probe_done(PROV_UNAVAILABLE, k);
        return;
    }
    k->ref = *ref;
    int rc = nookal_with_zones(k->n, &k->env, probe_with_zones, k);
    if (rc == 0) return;
    probe_with_zones(rc == 1 ? PROV_OK : PROV_UNAVAILABLE, k);
}

int nookal_probe_conflicts(void *instance, prov_env_t *env, const char *appointment_id, prov_conflict_cb cb, void *data)
{
    if (!nookal_valid_id(appointment_id)) return -1;
    op_t *k = op_new(instance, env, data);
    if (k == NULL) return -1;
    k->cb.conflict = cb;
    if ((k->a.id = strdup(appointment_id)) == NULL ||
        nookal_index_get(instance, env, appointment_id, probe_with_ref, k) != 0) {
        op_free(k);
        return -1;
    }
    return 0;
}
