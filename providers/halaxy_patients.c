/* providers/halaxy_patients.c: find_patients and create_patient on Halaxy's FHIR Patient.
 *
 * Halaxy's patient search parameters are not in its captured documentation (an unknown): the safe reading used
 * here is FHIR R4's standard ones (email, family, given, birthdate), and every patient answered is checked again
 * here against what was asked, so a server that ignored a parameter can never make us pick someone else (at most
 * MAX_PAGES pages are read). A phone alone is not searched (no phone search is declared: a server ignoring the
 * parameter would page through every patient, and missing the caller would create a duplicate); with a name it
 * must match one of the patient's numbers (stored as E.164 in Halaxy, compared by digits). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "providers/cliniko_decode.h"
#include "providers/halaxy_internal.h"
#include "providers/patient_match.h"

#define MAX_PAGES 5
#define MAX_PATIENTS 200

typedef struct patients_state {
    prov_patients_cb cb;
    void *data;
    prov_patient_match_t asked; /* the query's copy (only its strings are used here) */
    bk_patient_t *v;
    size_t n, cap;
} patients_state_t;

static bool eq_ci(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

static bool matches(const patients_state_t *s, const bk_patient_t *p)
{
    if (s->asked.phone != NULL && (p->phone == NULL || !prov_cliniko_phone_matches(p->phone, s->asked.phone))) return false;
    if (s->asked.email != NULL && !eq_ci(p->email, s->asked.email)) return false;
    if (s->asked.last_name != NULL && !eq_ci(p->last_name, s->asked.last_name)) return false;
    if (s->asked.first_name != NULL && !eq_ci(p->first_name, s->asked.first_name)) return false;
    if (s->asked.dob != NULL && (p->dob == NULL || strcmp(p->dob, s->asked.dob) != 0)) return false;
    return true;
}

static prov_status_t each_patient(void *state, json_object *r)
{
    patients_state_t *s = state;
    bk_patient_t p;
    if (prov_halaxy_patient_decode(r, &p) != 0) return PROV_UPSTREAM;
    if (!matches(s, &p) || s->n >= MAX_PATIENTS) {
        bk_patient_clear(&p);
        return PROV_OK;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        bk_patient_t *v = realloc(s->v, cap * sizeof(*v));
        if (v == NULL) {
            bk_patient_clear(&p);
            return PROV_UNAVAILABLE;
        }
        s->v = v;
        s->cap = cap;
    }
    if (s->asked.phone != NULL) { /* answer the number as asked (E.164) */
        char *phone = strdup(s->asked.phone);
        if (phone != NULL) free(p.phone), p.phone = phone;
    }
    s->v[s->n++] = p;
    return PROV_OK;
}

static void patients_free(patients_state_t *s)
{
    bk_patients_free(s->v, s->n);
    prov_patient_match_clear(&s->asked);
    free(s);
}

static void on_searched(void *state, prov_status_t st)
{
    patients_state_t *s = state;
    s->cb(st, st == PROV_OK ? s->v : NULL, st == PROV_OK ? s->n : 0, s->data);
    patients_free(s);
}

static void rejected_later(void *arg)
{
    on_searched(arg, PROV_REJECTED);
}

int halaxy_find_patients(void *instance, prov_env_t *env, const prov_patient_query_t *q, prov_patients_cb cb,
                         void *data)
{
    halaxy_t *h = instance;
    if (q == NULL) return -1;
    patients_state_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    *s = (patients_state_t){.cb = cb, .data = data};
    bool oom = prov_patient_match_init(&s->asked, q) != 0;
    char url[HX_URL_CAP];
    bool ok = !oom && halaxy_url(url, h, "/Patient?_count=100");
    if (ok && s->asked.email != NULL) ok = halaxy_add_param(url, "email", s->asked.email);
    if (ok && s->asked.last_name != NULL) ok = halaxy_add_param(url, "family", s->asked.last_name);
    if (ok && s->asked.first_name != NULL && s->asked.last_name != NULL) ok = halaxy_add_param(url, "given", s->asked.first_name);
    if (ok && s->asked.dob != NULL && s->asked.last_name != NULL) ok = halaxy_add_param(url, "birthdate", s->asked.dob);
    if (!ok) goto fail;
    if (s->asked.email == NULL && s->asked.last_name == NULL) {
        /* Nothing that narrows a search: listing every patient is not done (PROV_REJECTED). */
        if (halaxy_defer(env->loop, rejected_later, s) != 0) goto fail;
        return 0;
    }
    if (halaxy_search(h, env, url, MAX_PAGES, each_patient, on_searched, s) != 0) goto fail;
    return 0;
fail:
    patients_free(s);
    return -1;
}

typedef struct create_call {
    prov_patient_cb cb;
    void *data;
    char *phone;
} create_call_t;

static void on_patient_created(prov_status_t st, const prov_http_response_t *r, void *data)
{
    create_call_t *k = data;
    bk_patient_t p = {0};
    if (st == PROV_OK) {
        json_object *root, *res;
        char id[HX_ID_CAP];
        if (prov_halaxy_resource_parse(r->body, r->body_len, "Patient", &root, &res) == 0) {
            if (prov_halaxy_patient_decode(res, &p) != 0) st = PROV_UPSTREAM;
            json_object_put(root);
        } else if (r->location != NULL && prov_halaxy_ref_id(r->location, "Patient", id, sizeof(id)) == 0) {
            if ((p.id = strdup(id)) == NULL) st = PROV_UNAVAILABLE; /* 201 with a Location and no body */
        } else {
            st = PROV_UPSTREAM;
        }
        if (st == PROV_OK && k->phone != NULL) {
            free(p.phone);
            p.phone = strdup(k->phone);
        }
    }
    k->cb(st, st == PROV_OK ? &p : NULL, k->data);
    bk_patient_clear(&p);
    free(k->phone);
    free(k);
}

static void add_telecom(json_object *arr, const char *system, const char *value, const char *use)
{
    if (value == NULL) return;
    json_object *t = json_object_new_object();
    json_object_object_add(t, "system", json_object_new_string(system));
    json_object_object_add(t, "value", json_object_new_string(value));
    if (use != NULL) json_object_object_add(t, "use", json_object_new_string(use));
    json_object_array_add(arr, t);
}

int halaxy_create_patient(void *instance, prov_env_t *env, const bk_patient_t *patient, prov_patient_cb cb, void *data)
{
    halaxy_t *h = instance;
    if (patient == NULL || patient->last_name == NULL || patient->first_name == NULL) return -1;
    create_call_t *k = calloc(1, sizeof(*k));
    if (k == NULL) return -1;
    *k = (create_call_t){.cb = cb, .data = data};
    if (patient->phone != NULL && (k->phone = strdup(patient->phone)) == NULL) goto fail;
    json_object *o = json_object_new_object(), *name = json_object_new_object(), *given = json_object_new_array();
    json_object *names = json_object_new_array(), *telecom = json_object_new_array();
    json_object_object_add(o, "resourceType", json_object_new_string("Patient"));
    json_object_object_add(name, "use", json_object_new_string("official"));
    json_object_array_add(given, json_object_new_string(patient->first_name));
    json_object_object_add(name, "given", given);
    json_object_object_add(name, "family", json_object_new_string(patient->last_name));
    json_object_array_add(names, name);
    json_object_object_add(o, "name", names);
    add_telecom(telecom, "sms", patient->phone, "mobile"); /* "+{cc}{number}", no spaces: E.164 as we keep it */
    add_telecom(telecom, "email", patient->email, NULL);
    json_object_object_add(o, "telecom", telecom);
    if (patient->dob != NULL) json_object_object_add(o, "birthDate", json_object_new_string(patient->dob));
    char *body = halaxy_json_body(o);
    char url[HX_URL_CAP];
    int rc = body != NULL && halaxy_url(url, h, "/Patient")
                 ? halaxy_send(h, env, "POST", url, body, HX_JSON, false, on_patient_created, k)
                 : -1;
    free(body);
    if (rc != 0) goto fail;
    return 0;
fail:
    free(k->phone);
    free(k);
    return -1;
}
