/* providers/nookal_patients.c: find_patients (searchPatients by email, or by name with the phone and date of
 * birth compared here; a phone alone is refused: Nookal has no phone search) and create_patient (addPatient). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "providers/adapter_util.h"
#include "providers/cliniko_decode.h"
#include "providers/patient_match.h"
#include "providers/nookal_internal.h"

#define MAX_PATIENTS 200

typedef struct patients_state {
    prov_patients_cb cb;
    void *data;
    prov_patient_match_t match;
    bk_patient_t *v;
    size_t n, cap;
} patients_state_t;

static void strings_free(bk_strings_t *l)
{
    for (size_t k = 0; k < l->count; k++) free(l->items[k]);
    free(l->items);
}

static prov_status_t patients_page(const prov_nookal_reply_t *reply, void *data)
{
    patients_state_t *s = data;
    json_object *items = prov_nookal_results_array(reply, "patients");
    for (size_t i = 0; items != NULL && i < json_object_array_length(items) && s->n < MAX_PATIENTS; i++) {
        bk_patient_t p;
        bk_strings_t phones;
        bool active;
        if (prov_nookal_patient_decode(json_object_array_get_idx(items, i), &p, &phones, &active) != 0)
            return PROV_UPSTREAM;
        /* searchPatients' own matching is not documented: every given field is checked here */
        bool keep = active && prov_patient_match_keep(&s->match, &p, &phones);
        strings_free(&phones);
        if (!keep) {
            bk_patient_clear(&p);
            continue;
        }
        if (prov_grow((void **)&s->v, s->n, &s->cap, sizeof(*s->v)) != 0) {
            bk_patient_clear(&p);
            return PROV_UNAVAILABLE;
        }
        s->v[s->n++] = p;
    }
    return PROV_OK;
}

static void patients_free(patients_state_t *s)
{
    bk_patients_free(s->v, s->n);
    prov_patient_match_clear(&s->match);
    free(s);
}

static void patients_done(prov_status_t st, void *data)
{
    patients_state_t *s = data;
    if (st == PROV_NOT_FOUND) st = PROV_OK; /* "no patient found" is an empty answer to a search */
    s->cb(st, st == PROV_OK ? s->v : NULL, st == PROV_OK ? s->n : 0, s->data);
    patients_free(s);
}

static void patients_rejected_later(void *arg)
{
    patients_done(PROV_REJECTED, arg);
}

int nookal_find_patients(void *instance, prov_env_t *env, const prov_patient_query_t *q, prov_patients_cb cb,
                         void *data)
{
    nookal_t *n = instance;
    if (q == NULL) return -1;
    patients_state_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    s->cb = cb;
    s->data = data;
    if (prov_patient_match_init(&s->match, q) != 0) goto fail;
    /* searchPatients takes an email, or names (with a date of birth); it has no phone parameter. An email
     * identifies a patient by itself (the other given fields but the phone must agree); a name search keeps
     * only patients with a number matching the phone when one is given. A phone alone is PROV_REJECTED. */
    nookal_param_t params[4];
    size_t count = 0;
    if (s->match.email != NULL) {
        params[count++] = (nookal_param_t){"email", s->match.email};
    } else if (s->match.last_name != NULL) {
        params[count++] = (nookal_param_t){"last_name", s->match.last_name};
        if (s->match.first_name != NULL) params[count++] = (nookal_param_t){"first_name", s->match.first_name};
        if (s->match.dob != NULL) params[count++] = (nookal_param_t){"date_of_birth", s->match.dob};
        s->match.phone_required = s->match.phone != NULL;
    } else {
        if (nookal_defer(env->loop, patients_rejected_later, s) != 0) goto fail;
        return 0;
    }
    if (nookal_list(n, env, "searchPatients", params, count, true, patients_page, patients_done, s) != 0) goto fail;
    return 0;
fail:
    patients_free(s);
    return -1;
}

typedef struct create_patient {
    prov_patient_cb cb;
    void *data;
    bk_patient_t asked;
} create_patient_t;

static void create_patient_free(create_patient_t *k)
{
    bk_patient_clear(&k->asked);
    free(k);
}

static void on_patient_created(prov_status_t st, const prov_nookal_reply_t *reply, void *data)
{
    create_patient_t *k = data;
    char id[PROV_NOOKAL_ID_CAP];
    json_object *v = NULL;
    if (st == PROV_OK &&
        (!json_object_object_get_ex(reply->results, "patient_id", &v) || prov_nookal_id(v, id, sizeof(id)) != 0))
        st = PROV_UPSTREAM;
    if (st == PROV_NOT_FOUND) st = PROV_UPSTREAM;
    bk_patient_t p = k->asked;
    p.id = st == PROV_OK ? id : NULL;
    k->cb(st, st == PROV_OK ? &p : NULL, k->data);
    create_patient_free(k);
}

int nookal_create_patient(void *instance, prov_env_t *env, const bk_patient_t *patient, prov_patient_cb cb, void *data)
{
    nookal_t *n = instance;
    if (patient == NULL || patient->first_name == NULL || patient->last_name == NULL) return -1;
    create_patient_t *k = calloc(1, sizeof(*k));
    if (k == NULL) return -1;
    k->cb = cb;
    k->data = data;
    bool oom = !prov_patient_copy_asked(&k->asked, patient);
    /* addPatient's phone parameter is not documented (callers pass "mobile"): our reading sends the number
     * as mobile, E.164 as we hold it. */
    nookal_param_t params[] = {{"first_name", k->asked.first_name},
                               {"last_name", k->asked.last_name},
                               {"date_of_birth", k->asked.dob},
                               {"email", k->asked.email},
                               {"mobile", k->asked.phone}};
    if (oom || nookal_call(n, env, "addPatient", params, 5, false, false, on_patient_created, k) != 0) {
        create_patient_free(k);
        return -1;
    }
    return 0;
}
