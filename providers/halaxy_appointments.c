/* providers/halaxy_appointments.c: a patient's appointments (a search of Appointment?patient=), the booking
 * through Appointment/$book (a FHIR Parameters body naming the practitioner role, patient and HealthcareService),
 * the read of one appointment, and the conflict probe.
 *
 * Whether $book refuses a time already taken is not documented (an unknown): the safe reading is that it does
 * not, so the adapter declares a conflict probe (the practitioner role's appointments around the new one are
 * searched after the write, and an overlap rolls the booking back, see halaxy_changes.c) on top of Frontdesk's own
 * holds. Whether $book can make a tentative appointment is unknown too: no native hold is declared. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/halaxy_internal.h"

#define MAX_PAGES 10
#define MAX_APPOINTMENTS 500
#define PROBE_LOOKBACK_MS (24LL * 3600 * 1000) /* an appointment overlapping ours starts at most a day before it */

prov_status_t halaxy_appointment_of(halaxy_t *h, json_object *resource, bk_appointment_t *a)
{
    char role[HX_ID_CAP];
    if (prov_halaxy_appointment_decode(resource, a, role) != 0) return PROV_UPSTREAM;
    if (!halaxy_appointment_place(h, a, role)) {
        /* A role we do not know (another clinic, a group booking): kept, without staff or location. */
        free(a->staff_id), free(a->location_id);
        a->staff_id = a->location_id = NULL;
    }
    return PROV_OK;
}

/* ---- list ----------------------------------------------------------------------------------------------------- */

typedef struct list_state {
    halaxy_t *h;
    prov_env_t env;
    prov_appointments_cb cb;
    void *data;
    char patient[HX_ID_CAP];
    int64_t from;
    bk_appointment_t *v;
    size_t n, cap;
} list_state_t;

static prov_status_t each_appointment(void *state, json_object *r)
{
    list_state_t *s = state;
    bk_appointment_t a;
    if (halaxy_appointment_of(s->h, r, &a) != PROV_OK) return PROV_UPSTREAM;
    if (a.start < s->from || s->n >= MAX_APPOINTMENTS || a.patient_id == NULL || strcmp(a.patient_id, s->patient)) {
        bk_appointment_clear(&a);
        return PROV_OK;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        bk_appointment_t *v = realloc(s->v, cap * sizeof(*v));
        if (v == NULL) {
            bk_appointment_clear(&a);
            return PROV_UNAVAILABLE;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = a;
    return PROV_OK;
}

static int cmp_appt(const void *a, const void *b)
{
    const bk_appointment_t *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static void list_done(void *state, prov_status_t st)
{
    list_state_t *s = state;
    if (st == PROV_OK && s->n > 0) qsort(s->v, s->n, sizeof(*s->v), cmp_appt); /* v is NULL when empty */
    s->cb(st, st == PROV_OK ? s->v : NULL, st == PROV_OK ? s->n : 0, s->data);
    bk_appointments_free(s->v, s->n);
    free(s);
}

static void list_roles_ready(prov_status_t st, void *data)
{
    list_state_t *s = data;
    char url[HX_URL_CAP], from[TZ_ISO_CAP], ge[TZ_ISO_CAP + 2];
    halaxy_format_time(s->h, s->from, from);
    snprintf(ge, sizeof(ge), "ge%s", from);
    if (st == PROV_OK &&
        (!halaxy_url(url, s->h, "/Appointment?_count=100") || !halaxy_add_param(url, "patient", s->patient) ||
         !halaxy_add_param(url, "date", ge) ||
         halaxy_search(s->h, &s->env, url, MAX_PAGES, each_appointment, list_done, s) != 0))
        st = PROV_UNAVAILABLE;
    if (st != PROV_OK) list_done(s, st);
}

int halaxy_list_appointments(void *instance, prov_env_t *env, const char *patient_id, int64_t from,
                             prov_appointments_cb cb, void *data)
{
    halaxy_t *h = instance;
    if (!prov_halaxy_valid_id(patient_id)) return -1;
    list_state_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    *s = (list_state_t){.h = h, .env = *env, .cb = cb, .data = data, .from = from};
    snprintf(s->patient, sizeof(s->patient), "%s", patient_id);
    if (halaxy_roles_ensure(h, env, list_roles_ready, s) != 0) {
        free(s);
        return -1;
    }
    return 0;
}

/* ---- read one ------------------------------------------------------------------------------------------------- */

typedef struct read_call {
    hx_appointment_cb cb;
    void *data;
} read_call_t;

static void on_read(prov_status_t st, const prov_http_response_t *r, void *data)
{
    read_call_t *k = data;
    json_object *root = NULL, *res = NULL;
    if (st == PROV_OK && prov_halaxy_resource_parse(r->body, r->body_len, "Appointment", &root, &res) != 0)
        st = PROV_UPSTREAM;
    k->cb(st, st == PROV_OK ? res : NULL, k->data);
    json_object_put(root);
    free(k);
}

int halaxy_read_appointment(halaxy_t *h, prov_env_t *env, const char *id, hx_appointment_cb cb, void *data)
{
    char url[HX_URL_CAP];
    if (!prov_halaxy_valid_id(id) || !halaxy_url(url, h, "/Appointment/%s", id)) return -1;
    read_call_t *k = malloc(sizeof(*k));
    if (k == NULL) return -1;
    *k = (read_call_t){cb, data};
    if (halaxy_send(h, env, "GET", url, NULL, NULL, true, on_read, k) != 0) {
        free(k);
        return -1;
    }
    return 0;
}

/* ---- create through $book --------------------------------------------------------------------------------------- */

typedef struct book_call {
    halaxy_t *h;
    prov_env_t env;
    prov_appointment_cb cb;
    void *data;
    bk_appointment_t asked;
} book_call_t;

static void book_free(book_call_t *k)
{
    bk_appointment_clear(&k->asked);
    free(k);
}

static void on_booked(prov_status_t st, const prov_http_response_t *r, void *data)
{
    book_call_t *k = data;
    bk_appointment_t a = {0};
    if (st == PROV_OK) {
        json_object *root, *res;
        char id[HX_ID_CAP];
        if (prov_halaxy_resource_parse(r->body, r->body_len, "Appointment", &root, &res) == 0) {
            st = halaxy_appointment_of(k->h, res, &a);
            json_object_put(root);
        } else if (r->location != NULL && prov_halaxy_ref_id(r->location, "Appointment", id, sizeof(id)) == 0) {
            /* Only a Location: the appointment is what was asked, under Halaxy's new id. */
            if (!bk_appointment_copy(&a, &k->asked)) st = PROV_UNAVAILABLE;
            else {
                free(a.id);
                if ((a.id = strdup(id)) == NULL) st = PROV_UNAVAILABLE;
            }
        } else {
            st = PROV_UPSTREAM;
        }
    }
    if (st == PROV_OK && (a.staff_id == NULL || a.location_id == NULL)) {
        free(a.staff_id), free(a.location_id);
        a.staff_id = strdup(k->asked.staff_id);
        a.location_id = strdup(k->asked.location_id);
    }
    k->cb(st, st == PROV_OK ? &a : NULL, k->data);
    bk_appointment_clear(&a);
    book_free(k);
}

static json_object *parameter(const char *name, const char *key, json_object *value)
{
    json_object *p = json_object_new_object();
    json_object_object_add(p, "name", json_object_new_string(name));
    json_object_object_add(p, key, value);
    return p;
}

/* The $book Parameters of an appointment for a patient with a practitioner role. */
static char *book_body(const halaxy_t *h, const bk_appointment_t *a, const char *role)
{
    char start[TZ_ISO_CAP], end[TZ_ISO_CAP];
    halaxy_format_time(h, a->start, start);
    halaxy_format_time(h, a->end, end);
    json_object *appt = json_object_new_object(), *parts = json_object_new_array(), *part = json_object_new_object();
    json_object_object_add(appt, "resourceType", json_object_new_string("Appointment"));
    json_object_object_add(appt, "start", json_object_new_string(start));
    json_object_object_add(appt, "end", json_object_new_string(end));
    json_object_object_add(appt, "minutesDuration", json_object_new_int((int)((a->end - a->start) / 60000)));
    json_object_object_add(part, "actor", halaxy_reference(h, "PractitionerRole", role));
    json_object_array_add(parts, part);
    json_object_object_add(appt, "participant", parts);
    json_object *list = json_object_new_array(), *o = json_object_new_object();
    json_object_array_add(list, parameter("appt-resource", "resource", appt));
    json_object_array_add(list, parameter("patient-id", "valueReference", halaxy_reference(h, "Patient", a->patient_id)));
    json_object_array_add(list, parameter("healthcare-service-id", "valueReference",
                                          halaxy_reference(h, "HealthcareService", a->treatment_id)));
    json_object_array_add(list, parameter("location-type", "valueCode", json_object_new_string("clinic")));
    json_object_array_add(list, parameter("status", "valueCode", json_object_new_string("booked")));
    json_object_object_add(o, "resourceType", json_object_new_string("Parameters"));
    json_object_object_add(o, "parameter", list);
    return halaxy_json_body(o);
}

static void book_roles_ready(prov_status_t st, void *data)
{
    book_call_t *k = data;
    char role[HX_ID_CAP], url[HX_URL_CAP];
    if (st == PROV_OK && !halaxy_role_of(k->h, k->asked.staff_id, k->asked.location_id, role))
        st = PROV_REJECTED; /* the practitioner does not work at that clinic */
    if (st == PROV_OK) {
        char *body = book_body(k->h, &k->asked, role);
        int rc = body != NULL && halaxy_url(url, k->h, "/Appointment/$book")
                     ? halaxy_send(k->h, &k->env, "POST", url, body, HX_JSON, true, on_booked, k)
                     : -1;
        free(body);
        if (rc == 0) return;
        st = PROV_UNAVAILABLE;
    }
    k->cb(st, NULL, k->data);
    book_free(k);
}

int halaxy_create_appointment(void *instance, prov_env_t *env, const bk_appointment_t *a, prov_appointment_cb cb,
                              void *data)
{
    halaxy_t *h = instance;
    if (a == NULL || !prov_halaxy_valid_id(a->patient_id) || !prov_halaxy_valid_id(a->staff_id) ||
        !prov_halaxy_valid_id(a->treatment_id) || !prov_halaxy_valid_id(a->location_id) || a->end <= a->start)
        return -1;
    book_call_t *k = calloc(1, sizeof(*k));
    if (k == NULL) return -1;
    *k = (book_call_t){.h = h, .env = *env, .cb = cb, .data = data};
    if (!bk_appointment_copy(&k->asked, a) || halaxy_roles_ensure(h, env, book_roles_ready, k) != 0) {
        book_free(k);
        return -1;
    }
    return 0;
}

/* ---- conflict probe --------------------------------------------------------------------------------------------- */

typedef struct probe {
    halaxy_t *h;
    prov_env_t env;
    prov_conflict_cb cb;
    void *data;
    char id[HX_ID_CAP], role[HX_ID_CAP];
    int64_t start, end;
    bool conflict;
} probe_t;

static prov_status_t each_neighbour(void *state, json_object *r)
{
    probe_t *p = state;
    bk_appointment_t a;
    char role[HX_ID_CAP];
    if (prov_halaxy_appointment_decode(r, &a, role) != 0) return PROV_UPSTREAM;
    if (strcmp(a.id, p->id) != 0 && strcmp(role, p->role) == 0 && a.state != BK_APPT_CANCELLED &&
        a.start < p->end && p->start < a.end)
        p->conflict = true;
    bk_appointment_clear(&a);
    return PROV_OK;
}

static void probe_done(void *state, prov_status_t st)
{
    probe_t *p = state;
    p->cb(st, st == PROV_OK && p->conflict, p->data);
    free(p);
}

static void on_probe_read(prov_status_t st, json_object *res, void *data)
{
    probe_t *p = data;
    bk_appointment_t a = {0};
    if (st == PROV_OK && prov_halaxy_appointment_decode(res, &a, p->role) != 0) st = PROV_UPSTREAM;
    p->start = a.start;
    p->end = a.end;
    bk_appointment_clear(&a);
    char url[HX_URL_CAP], ge[TZ_ISO_CAP + 2], lt[TZ_ISO_CAP + 2], t[TZ_ISO_CAP];
    if (st == PROV_OK && p->role[0] != '\0') {
        halaxy_format_time(p->h, p->start - PROBE_LOOKBACK_MS, t);
        snprintf(ge, sizeof(ge), "ge%s", t);
        halaxy_format_time(p->h, p->end, t);
        snprintf(lt, sizeof(lt), "lt%s", t);
        /* Halaxy's date filter is not documented: sent as FHIR's, and overlaps are checked here either way. */
        if (halaxy_url(url, p->h, "/Appointment?_count=100") && halaxy_add_param(url, "practitioner-role", p->role) &&
            halaxy_add_param(url, "date", ge) && halaxy_add_param(url, "date", lt) &&
            halaxy_search(p->h, &p->env, url, MAX_PAGES, each_neighbour, probe_done, p) == 0)
            return;
        st = PROV_UNAVAILABLE;
    }
    probe_done(p, st);
}

int halaxy_probe_conflicts(void *instance, prov_env_t *env, const char *appointment_id, prov_conflict_cb cb,
                           void *data)
{
    halaxy_t *h = instance;
    probe_t *p = calloc(1, sizeof(*p));
    if (p == NULL || !prov_halaxy_valid_id(appointment_id)) {
        free(p);
        return -1;
    }
    *p = (probe_t){.h = h, .env = *env, .cb = cb, .data = data};
    snprintf(p->id, sizeof(p->id), "%s", appointment_id);
    if (halaxy_read_appointment(h, env, appointment_id, on_probe_read, p) != 0) {
        free(p);
        return -1;
    }
    return 0;
}
