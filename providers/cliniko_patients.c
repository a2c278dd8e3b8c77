/* providers/cliniko_patients.c: find_patients (by email, or last name checked against the phone; a phone
 * alone is refused) and create_patient. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "providers/adapter_util.h"
#include "providers/cliniko_internal.h"
#include "providers/patient_match.h"

typedef struct patients_state {
    prov_patients_cb cb;
    void *data;
    prov_patient_match_t match; /* the given fields, the last name left out: Cliniko's own filter applies it */
    bk_patient_t *v;
    size_t n, cap;
} patients_state_t;

#define MAX_PATIENTS 200

static prov_status_t patients_page(job_t *j, const task_t *t, const prov_http_response_t *r)
{
    patients_state_t *s = j->state;
    prov_cliniko_page_t page;
    if (prov_cliniko_page_parse(r->body, r->body_len, "patients", &page) != 0) return PROV_UPSTREAM;
    prov_status_t st = PROV_OK;
    void *tmp_grow;
    for (size_t i = 0; i < page.count && st == PROV_OK && s->n < MAX_PATIENTS; i++) {
        bk_patient_t p;
        bk_strings_t phones;
        bool archived;
        if (prov_cliniko_patient_decode(json_object_array_get_idx(page.items, i), &p, &phones, &archived) != 0) {
            st = PROV_UPSTREAM;
            break;
        }
        bool keep = !archived && prov_patient_match_keep(&s->match, &p, &phones);
        for (size_t k = 0; k < phones.count; k++) free(phones.items[k]);
        free(phones.items);
        if (!keep) {
            bk_patient_clear(&p);
        } else if (GROW(s->v, s->n, s->cap) != 0) {
            bk_patient_clear(&p);
            st = PROV_UNAVAILABLE;
        } else {
            s->v[s->n++] = p;
        }
    }
    if (st == PROV_OK && s->n < MAX_PATIENTS && t->page < 5) st = cliniko_follow_next(j, t, &page);
    prov_cliniko_page_clear(&page);
    return st;
}

static void patients_finish(patients_state_t *s, prov_status_t st)
{
    s->cb(st, st == PROV_OK ? s->v : NULL, st == PROV_OK ? s->n : 0, s->data);
    bk_patients_free(s->v, s->n);
    prov_patient_match_clear(&s->match);
    free(s);
}

static void patients_drained(job_t *j)
{
    patients_state_t *s = j->state;
    prov_status_t st = j->status;
    cliniko_job_free(j);
    patients_finish(s, st);
}

static void patients_rejected_later(void *arg)
{
    patients_finish(arg, PROV_REJECTED);
}

int cliniko_find_patients(void *instance, prov_env_t *env, const prov_patient_query_t *q, prov_patients_cb cb,
                          void *data)
{
    cliniko_t *c = instance;
    if (q == NULL) return -1;
    patients_state_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    s->cb = cb;
    s->data = data;
    prov_patient_query_t given = *q;
    given.last_name = NULL;
    if (prov_patient_match_init(&s->match, &given) != 0) goto fail;
    /* Cliniko documents no phone filter (GET /patients?phone= seen in third-party code is unverified), so a
     * search needs an email or a last name. An email identifies a patient by itself (the other given fields
     * but the phone must agree); a name search keeps only patients with a number matching the phone, when one
     * is given, compared here after normalizing both to digits. A phone alone cannot be searched without
     * listing every patient of the clinic: refused as PROV_REJECTED. */
    char url[URL_CAP];
    if (!cliniko_url(url, c, "/patients?per_page=100")) goto fail;
    bool ok = true;
    if (q->email != NULL && q->email[0] != '\0') {
        ok = cliniko_add_filter(url, "email", q->email);
    } else if (q->last_name != NULL && q->last_name[0] != '\0') {
        ok = cliniko_add_filter(url, "last_name", q->last_name);
        s->match.phone_required = s->match.phone != NULL;
        if (ok && s->match.first_name != NULL) ok = cliniko_add_filter(url, "first_name", s->match.first_name);
        if (ok && s->match.dob != NULL) ok = cliniko_add_filter(url, "date_of_birth", s->match.dob);
    } else {
        if (cliniko_defer(env->loop, patients_rejected_later, s) != 0) goto fail;
        return 0;
    }
    if (!ok) goto fail;
    job_t *j = cliniko_job_new(c, env, patients_page, patients_drained, s);
    if (j == NULL) goto fail;
    if (cliniko_job_add(j, 0, 0, 1, url) != 0 || cliniko_job_start(j) != 0) {
        cliniko_job_free(j);
        goto fail;
    }
    return 0;
fail:
    prov_patient_match_clear(&s->match);
    free(s);
    return -1;
}

static void on_patient_created(const prov_http_response_t *r, void *data)
{
    call_t *k = data;
    prov_status_t st = cliniko_status(k->c, r, false);
    bk_patient_t p = {0};
    if (st == PROV_OK) {
        json_object *root;
        bk_strings_t phones;
        bool archived;
        if (prov_cliniko_parse_object(r->body, r->body_len, &root) != 0) {
            st = PROV_UPSTREAM;
        } else {
            if (prov_cliniko_patient_decode(root, &p, &phones, &archived) != 0)
                st = PROV_UPSTREAM;
            else {
                for (size_t i = 0; i < phones.count; i++) free(phones.items[i]);
                free(phones.items);
            }
            json_object_put(root);
        }
        /* Answer what was asked where Cliniko echoes it in its own form (the phone, notably). */
        if (st == PROV_OK && p.phone == NULL && k->patient.phone != NULL) p.phone = strdup(k->patient.phone);
    }
    k->cb.patient(st, st == PROV_OK ? &p : NULL, k->data);
    bk_patient_clear(&p);
    cliniko_call_free(k);
}

int cliniko_create_patient(void *instance, prov_env_t *env, const bk_patient_t *patient, prov_patient_cb cb, void *data)
{
    cliniko_t *c = instance;
    if (patient == NULL || patient->last_name == NULL || patient->first_name == NULL) return -1;
    call_t *k = cliniko_call_new(c, env, data);
    if (k == NULL) return -1;
    k->cb.patient = cb;
    if (patient->phone != NULL && (k->patient.phone = strdup(patient->phone)) == NULL) goto fail;
    json_object *o = json_object_new_object();
    if (o == NULL) goto fail;
    cliniko_json_add(o, "first_name", patient->first_name);
    cliniko_json_add(o, "last_name", patient->last_name);
    cliniko_json_add(o, "email", patient->email);
    cliniko_json_add(o, "date_of_birth", patient->dob);
    cliniko_json_add(o, "city", patient->city);
    cliniko_json_add(o, "state", patient->state);
    cliniko_json_add(o, "country", patient->country);
    if (patient->phone != NULL) {
        json_object *arr = json_object_new_array(), *num = json_object_new_object();
        cliniko_json_add(num, "phone_type", "Mobile");
        cliniko_json_add(num, "number", patient->phone);
        json_object_array_add(arr, num);
        json_object_object_add(o, "patient_phone_numbers", arr);
    }
    char *body = cliniko_json_body(o);
    char url[URL_CAP];
    int rc = body != NULL && cliniko_url(url, c, "/patients")
                 ? cliniko_send(c, env, "POST", url, body, false, on_patient_created, k)
                 : -1;
    free(body);
    if (rc != 0) goto fail;
    return 0;
fail:
    cliniko_call_free(k);
    return -1;
}
