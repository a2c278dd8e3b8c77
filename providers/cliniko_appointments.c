/* providers/cliniko_appointments.c: a patient's appointments (a paged job over /individual_appointments)
 * and the writes on one appointment: create, cancel (then read back), reschedule, conflict probe, delete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/cliniko_internal.h"

/* list_appointments: a paged job over /individual_appointments. */
typedef struct appts_state {
    prov_appointments_cb cb;
    void *data;
    bk_appointment_t *v;
    size_t n, cap;
} appts_state_t;

#define MAX_APPOINTMENTS 500

static prov_status_t appts_page(job_t *j, const task_t *t, const prov_http_response_t *r)
{
    appts_state_t *s = j->state;
    prov_cliniko_page_t page;
    if (prov_cliniko_page_parse(r->body, r->body_len, "individual_appointments", &page) != 0) return PROV_UPSTREAM;
    prov_status_t st = PROV_OK;
    void *tmp_grow;
    for (size_t i = 0; i < page.count && st == PROV_OK && s->n < MAX_APPOINTMENTS; i++) {
        bk_appointment_t a;
        bool deleted;
        if (prov_cliniko_appointment_decode(json_object_array_get_idx(page.items, i), &a, &deleted) != 0) {
            st = PROV_UPSTREAM;
        } else if (deleted) {
            bk_appointment_clear(&a);
        } else if (GROW(s->v, s->n, s->cap) != 0) {
            bk_appointment_clear(&a);
            st = PROV_UNAVAILABLE;
        } else {
            s->v[s->n++] = a;
        }
    }
    if (st == PROV_OK && s->n < MAX_APPOINTMENTS) st = cliniko_follow_next(j, t, &page);
    prov_cliniko_page_clear(&page);
    return st;
}

static int cmp_appt(const void *a, const void *b)
{
    const bk_appointment_t *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static void appts_drained(job_t *j)
{
    appts_state_t *s = j->state;
    prov_status_t st = j->status;
    cliniko_job_free(j);
    if (st == PROV_OK) qsort(s->v, s->n, sizeof(*s->v), cmp_appt);
    s->cb(st, st == PROV_OK ? s->v : NULL, st == PROV_OK ? s->n : 0, s->data);
    bk_appointments_free(s->v, s->n);
    free(s);
}

int cliniko_list_appointments(void *instance, prov_env_t *env, const char *patient_id, int64_t from,
                              prov_appointments_cb cb, void *data)
{
    cliniko_t *c = instance;
    if (!cliniko_valid_id(patient_id)) return -1;
    appts_state_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    s->cb = cb;
    s->data = data;
    char url[URL_CAP], iso[TZ_ISO_CAP], filter[96];
    cliniko_format_time(from, iso);
    snprintf(filter, sizeof(filter), "starts_at:>=%s", iso);
    job_t *j = NULL;
    if (!cliniko_url(url, c, "/individual_appointments?per_page=100&sort=starts_at") ||
        !cliniko_add_filter(url, "patient_id", patient_id) || !cliniko_add_query(url, filter))
        goto fail;
    j = cliniko_job_new(c, env, appts_page, appts_drained, s);
    if (j == NULL) goto fail;
    if (cliniko_job_add(j, 0, 0, 1, url) != 0 || cliniko_job_start(j) != 0) goto fail;
    return 0;
fail:
    if (j != NULL) cliniko_job_free(j);
    free(s);
    return -1;
}

static void answer_appointment(call_t *k, prov_status_t st, const prov_http_response_t *r)
{
    bk_appointment_t a = {0};
    if (st == PROV_OK && prov_cliniko_appointment_body_decode(r->body, r->body_len, &a) != 0) st = PROV_UPSTREAM;
    k->cb.appointment(st, st == PROV_OK ? &a : NULL, k->data);
    bk_appointment_clear(&a);
    cliniko_call_free(k);
}

static void on_appointment_answer(const prov_http_response_t *r, void *data)
{
    answer_appointment(data, cliniko_status(((call_t *)data)->c, r, true), r);
}

static void on_appointment_created(const prov_http_response_t *r, void *data)
{
    answer_appointment(data, cliniko_status(((call_t *)data)->c, r, false), r);
}

int cliniko_create_appointment(void *instance, prov_env_t *env, const bk_appointment_t *a, prov_appointment_cb cb,
                               void *data)
{
    cliniko_t *c = instance;
    if (a == NULL || !cliniko_valid_id(a->patient_id) || !cliniko_valid_id(a->staff_id) ||
        !cliniko_valid_id(a->treatment_id) || !cliniko_valid_id(a->location_id) || a->end <= a->start)
        return -1;
    call_t *k = cliniko_call_new(c, env, data);
    if (k == NULL) return -1;
    k->cb.appointment = cb;
    char start[TZ_ISO_CAP], end[TZ_ISO_CAP], url[URL_CAP];
    cliniko_format_time(a->start, start);
    cliniko_format_time(a->end, end);
    json_object *o = json_object_new_object();
    cliniko_json_add(o, "starts_at", start);
    cliniko_json_add(o, "ends_at", end);
    cliniko_json_add(o, "patient_id", a->patient_id);
    cliniko_json_add(o, "practitioner_id", a->staff_id);
    cliniko_json_add(o, "appointment_type_id", a->treatment_id);
    cliniko_json_add(o, "business_id", a->location_id);
    char *body = cliniko_json_body(o);
    int rc = body != NULL && cliniko_url(url, c, "/individual_appointments")
                 ? cliniko_send(c, env, "POST", url, body, false, on_appointment_created, k)
                 : -1;
    free(body);
    if (rc != 0) cliniko_call_free(k);
    return rc;
}

/* Cancel: PATCH .../cancel answers 204 with no body, so the appointment is read back afterwards. */
static void on_cancelled_read(const prov_http_response_t *r, void *data)
{
    call_t *k = data;
    prov_status_t st = cliniko_status(k->c, r, true);
    bk_appointment_t a = {0};
    if (st != PROV_OK || prov_cliniko_appointment_body_decode(r->body, r->body_len, &a) != 0) {
        /* The cancel did happen: answer what is known rather than an error. */
        bk_appointment_clear(&a);
        a.id = k->id;
        a.state = BK_APPT_CANCELLED;
        k->cb.appointment(PROV_OK, &a, k->data);
        cliniko_call_free(k);
        return;
    }
    a.state = BK_APPT_CANCELLED;
    k->cb.appointment(PROV_OK, &a, k->data);
    bk_appointment_clear(&a);
    cliniko_call_free(k);
}

static void on_cancelled(const prov_http_response_t *r, void *data)
{
    call_t *k = data;
    prov_status_t st = cliniko_status(k->c, r, true);
    char url[URL_CAP];
    if (st == PROV_OK && cliniko_url(url, k->c, "/individual_appointments/%s", k->id) &&
        cliniko_send(k->c, &k->env, "GET", url, NULL, true, on_cancelled_read, k) == 0)
        return;
    if (st == PROV_OK) { /* could not read it back: synthesize */
        bk_appointment_t a = {.id = k->id, .state = BK_APPT_CANCELLED};
        k->cb.appointment(PROV_OK, &a, k->data);
    } else {
        k->cb.appointment(st, NULL, k->data);
    }
    cliniko_call_free(k);
}

int cliniko_cancel_appointment(void *instance, prov_env_t *env, const char *appointment_id, const char *reason,
                               prov_appointment_cb cb, void *data)
{
    cliniko_t *c = instance;
    if (!cliniko_valid_id(appointment_id)) return -1;
    call_t *k = cliniko_call_new(c, env, data);
    if (k == NULL) return -1;
    k->cb.appointment = cb;
    snprintf(k->id, sizeof(k->id), "%s", appointment_id);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "cancellation_reason", json_object_new_int(prov_cliniko_cancel_reason_code(reason)));
    if (reason != NULL && reason[0] != '\0') {
        char note[501];
        size_t n = strlen(reason) < 500 ? strlen(reason) : 500;
        while (n > 0 && n < strlen(reason) && ((unsigned char)reason[n] & 0xC0) == 0x80) n--;
        memcpy(note, reason, n);
        note[n] = '\0';
        cliniko_json_add(o, "cancellation_note", note);
    }
    char *body = cliniko_json_body(o);
    char url[URL_CAP];
    int rc = body != NULL && cliniko_url(url, c, "/individual_appointments/%s/cancel", appointment_id)
                 ? cliniko_send(c, env, "PATCH", url, body, false, on_cancelled, k)
                 : -1;
    free(body);
    if (rc != 0) cliniko_call_free(k);
    return rc;
}

int cliniko_reschedule_appointment(void *instance, prov_env_t *env, const char *appointment_id, int64_t start,
                                   int64_t end, const char *staff_id, prov_appointment_cb cb, void *data)
{
    cliniko_t *c = instance;
    if (!cliniko_valid_id(appointment_id) || end <= start || (staff_id != NULL && !cliniko_valid_id(staff_id)))
        return -1;
    call_t *k = cliniko_call_new(c, env, data);
    if (k == NULL) return -1;
    k->cb.appointment = cb;
    char s[TZ_ISO_CAP], e[TZ_ISO_CAP], url[URL_CAP];
    cliniko_format_time(start, s);
    cliniko_format_time(end, e);
    json_object *o = json_object_new_object();
    cliniko_json_add(o, "starts_at", s);
    cliniko_json_add(o, "ends_at", e);
    cliniko_json_add(o, "practitioner_id", staff_id);
    char *body = cliniko_json_body(o);
    /* PATCH is the update verb of Cliniko's OpenAPI spec (the 2022 markdown docs showed PUT; Rails routes
     * both to the same action). */
    int rc = body != NULL && cliniko_url(url, c, "/individual_appointments/%s", appointment_id)
                 ? cliniko_send(c, env, "PATCH", url, body, false, on_appointment_answer, k)
                 : -1;
    free(body);
    if (rc != 0) cliniko_call_free(k);
    return rc;
}

static void on_conflicts(const prov_http_response_t *r, void *data)
{
    call_t *k = data;
    prov_status_t st = cliniko_status(k->c, r, true);
    bool exist = false;
    if (st == PROV_OK && prov_cliniko_conflicts_decode(r->body, r->body_len, &exist) != 0) st = PROV_UPSTREAM;
    k->cb.conflict(st, exist, k->data);
    cliniko_call_free(k);
}

int cliniko_probe_conflicts(void *instance, prov_env_t *env, const char *appointment_id, prov_conflict_cb cb,
                            void *data)
{
    cliniko_t *c = instance;
    char url[URL_CAP];
    if (!cliniko_valid_id(appointment_id) ||
        !cliniko_url(url, c, "/individual_appointments/%s/conflicts", appointment_id))
        return -1;
    call_t *k = cliniko_call_new(c, env, data);
    if (k == NULL) return -1;
    k->cb.conflict = cb;
    /* Not coalesced with an earlier probe of the same appointment: a probe must see the latest writes. */
    if (cliniko_send(c, env, "GET", url, NULL, false, on_conflicts, k) != 0) {
        cliniko_call_free(k);
        return -1;
    }
    return 0;
}

static void on_deleted(const prov_http_response_t *r, void *data)
{
    call_t *k = data;
    k->cb.done(cliniko_status(k->c, r, true), k->data);
    cliniko_call_free(k);
}

int cliniko_delete_appointment(void *instance, prov_env_t *env, const char *appointment_id, prov_done_cb cb, void *data)
{
    cliniko_t *c = instance;
    char url[URL_CAP];
    if (!cliniko_valid_id(appointment_id) || !cliniko_url(url, c, "/individual_appointments/%s", appointment_id))
        return -1;
    call_t *k = cliniko_call_new(c, env, data);
    if (k == NULL) return -1;
    k->cb.done = cb;
    if (cliniko_send(c, env, "DELETE", url, NULL, false, on_deleted, k) != 0) {
        cliniko_call_free(k);
        return -1;
    }
    return 0;
}
