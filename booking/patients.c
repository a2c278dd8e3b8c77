/* booking/patients.c: finding or creating a patient, and listing a patient's appointments (see patients.h). */
#include "booking/patients.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "booking/events.h"
#include "booking/requests.h"

enum { STEP_PHONE, STEP_EMAIL, STEP_NAME, STEP_CREATE };

typedef struct lookup {
    bk_env_t *env;
    const bk_tenant_t *tenant;
    bk_patient_t in; /* owned copies */
    int step;
    bk_patient_done_cb cb;
    bk_patients_found_cb found_cb;
    void *data;
} lookup_t;

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static void lookup_free(lookup_t *l)
{
    bk_patient_clear(&l->in);
    free(l);
}

static bool same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

static int next_step(lookup_t *l);

static void on_created(prov_status_t status, const bk_patient_t *p, void *data)
{
    lookup_t *l = data;
    if (status == PROV_OK && p != NULL) {
        /* Its contact card and its event in one transaction; fields the EMR did not echo are the ones given. */
        bk_patient_t made = {p->id,
                             p->first_name ? p->first_name : l->in.first_name,
                             p->last_name ? p->last_name : l->in.last_name,
                             p->phone ? p->phone : l->in.phone,
                             p->email ? p->email : l->in.email,
                             NULL,
                             NULL,
                             NULL,
                             NULL};
        bool tx = bk_events_begin(l->env, l->tenant, BK_EVENT_PATIENT_CREATED);
        bk_events_remember_contact(l->env, l->tenant, &made);
        if (tx) {
            bk_event_t ev = {.type = BK_EVENT_PATIENT_CREATED, .patient = &made};
            bk_events_add(l->env, l->tenant, &ev);
            bk_events_commit(l->env);
        }
        l->cb(BK_PATIENT_CREATED, status, p, l->data);
    } else
        l->cb(BK_PATIENT_FAILED, status == PROV_OK ? PROV_UPSTREAM : status, NULL, l->data);
    lookup_free(l);
}

static void on_found(prov_status_t status, const bk_patient_t *v, size_t n, void *data)
{
    lookup_t *l = data;
    if (status == PROV_REJECTED) {
        /* The EMR cannot search that way (Cliniko has no phone search): no match by this step, try the next. */
        status = PROV_OK;
        n = 0;
    }
    if (status != PROV_OK) {
        l->cb(BK_PATIENT_FAILED, status, NULL, l->data);
        lookup_free(l);
        return;
    }
    if (n == 1) {
        bk_events_remember_contact(l->env, l->tenant, &v[0]);
        l->cb(BK_PATIENT_FOUND, status, &v[0], l->data);
        lookup_free(l);
        return;
    }
    if (n > 1) {
        /* Narrow by name, then by date of birth; a unique best match wins. */
        const bk_patient_t *best = NULL;
        int best_score = -1, ties = 0;
        for (size_t i = 0; i < n; i++) {
            int score = (same(v[i].first_name, l->in.first_name) && same(v[i].last_name, l->in.last_name) ? 2 : 0) +
                        (l->in.dob != NULL && v[i].dob != NULL && strcmp(v[i].dob, l->in.dob) == 0 ? 1 : 0);
            if (score > best_score) {
                best = &v[i];
                best_score = score;
                ties = 1;
            } else if (score == best_score) {
                ties++;
            }
        }
        if (ties == 1 && best_score > 0) {
            bk_events_remember_contact(l->env, l->tenant, best);
            l->cb(BK_PATIENT_FOUND, status, best, l->data);
        } else
            l->cb(BK_PATIENT_AMBIGUOUS, status, NULL, l->data);
        lookup_free(l);
        return;
    }
    l->step++;
    if (next_step(l) != 0) {
        l->cb(BK_PATIENT_FAILED, PROV_UNAVAILABLE, NULL, l->data);
        lookup_free(l);
    }
}

/* Starts the next provider call: a search, or the creation when every search came back empty. Returns 0, or -1
 * when the provider refused the call (nothing will call back). */
static int next_step(lookup_t *l)
{
    const prov_ops_t *ops = l->tenant->provider;
    prov_patient_query_t q = {0};
    while (l->step < STEP_CREATE) {
        if (l->step == STEP_PHONE && l->in.phone != NULL) q.phone = l->in.phone;
        else if (l->step == STEP_EMAIL && l->in.email != NULL) q.email = l->in.email;
        else if (l->step == STEP_NAME && l->in.dob != NULL) {
            q.first_name = l->in.first_name;
            q.last_name = l->in.last_name;
            q.dob = l->in.dob;
        } else {
            l->step++;
            continue;
        }
        return ops->find_patients(l->tenant->provider_instance, &l->env->prov, &q, on_found, l);
    }
    return ops->create_patient(l->tenant->provider_instance, &l->env->prov, &l->in, on_created, l);
}

/* A lookup holding copies of the input's strings. */
static lookup_t *lookup_new(bk_env_t *env, const bk_tenant_t *tenant, const bk_patient_t *in)
{
    lookup_t *l = calloc(1, sizeof(*l));
    if (l == NULL) return NULL;
    l->env = env;
    l->tenant = tenant;
    l->in = (bk_patient_t){NULL,
                           dup_or_null(in->first_name),
                           dup_or_null(in->last_name),
                           dup_or_null(in->phone),
                           dup_or_null(in->email),
                           dup_or_null(in->dob),
                           dup_or_null(in->city),
                           dup_or_null(in->state),
                           dup_or_null(in->country)};
    if ((in->first_name && !l->in.first_name) || (in->last_name && !l->in.last_name) ||
        (in->phone && !l->in.phone) || (in->email && !l->in.email) || (in->dob && !l->in.dob) ||
        (in->city && !l->in.city) || (in->state && !l->in.state) || (in->country && !l->in.country)) {
        lookup_free(l);
        return NULL;
    }
    return l;
}

int bk_patient_lookup_create(bk_env_t *env, const bk_tenant_t *tenant, const bk_patient_t *input,
                             bk_patient_done_cb cb, void *data)
{
    const prov_ops_t *ops = tenant->provider;
    if (ops->find_patients == NULL || ops->create_patient == NULL || input->first_name == NULL ||
        input->last_name == NULL || (input->phone == NULL && input->email == NULL && input->dob == NULL))
        return -1;
    lookup_t *l = lookup_new(env, tenant, input);
    if (l == NULL) return -1;
    l->cb = cb;
    l->data = data;
    if (next_step(l) != 0) {
        lookup_free(l);
        return -1;
    }
    return 0;
}

/* ---- find by phone or e-mail ------------------------------------------------------------------------------- */

static void on_found_any(prov_status_t status, const bk_patient_t *v, size_t n, void *data)
{
    lookup_t *l = data;
    if (status == PROV_REJECTED && l->step == STEP_PHONE) status = PROV_OK, n = 0; /* no phone search there */
    if (status == PROV_OK && n == 0 && l->step == STEP_PHONE && l->in.email != NULL) {
        l->step = STEP_EMAIL;
        prov_patient_query_t q = {.email = l->in.email};
        const prov_ops_t *ops = l->tenant->provider;
        if (ops->find_patients(l->tenant->provider_instance, &l->env->prov, &q, on_found_any, l) == 0) return;
        status = PROV_UNAVAILABLE;
    }
    if (status == PROV_OK && n == 1) bk_events_remember_contact(l->env, l->tenant, &v[0]);
    l->found_cb(status, v, n > BK_PATIENT_MAX_IDS ? BK_PATIENT_MAX_IDS : n, l->data);
    lookup_free(l);
}

int bk_patients_find(bk_env_t *env, const bk_tenant_t *tenant, const char *phone, const char *email,
                     bk_patients_found_cb cb, void *data)
{
    const prov_ops_t *ops = tenant->provider;
    if (ops->find_patients == NULL || (phone == NULL && email == NULL)) return -1;
    bk_patient_t in = {.phone = (char *)phone, .email = (char *)email};
    lookup_t *l = lookup_new(env, tenant, &in);
    if (l == NULL) return -1;
    l->found_cb = cb;
    l->data = data;
    l->step = phone != NULL ? STEP_PHONE : STEP_EMAIL;
    prov_patient_query_t q = {.phone = l->in.phone, .email = phone == NULL ? l->in.email : NULL};
    if (ops->find_patients(tenant->provider_instance, &env->prov, &q, on_found_any, l) != 0) {
        lookup_free(l);
        return -1;
    }
    return 0;
}

int bk_patients_find_by_name(bk_env_t *env, const bk_tenant_t *tenant, const char *first_name, const char *last_name,
                             const char *phone, bk_patients_found_cb cb, void *data)
{
    const prov_ops_t *ops = tenant->provider;
    if (ops->find_patients == NULL || first_name == NULL || last_name == NULL) return -1;
    bk_patient_t in = {.first_name = (char *)first_name, .last_name = (char *)last_name, .phone = (char *)phone};
    lookup_t *l = lookup_new(env, tenant, &in);
    if (l == NULL) return -1;
    l->found_cb = cb;
    l->data = data;
    l->step = STEP_NAME;
    prov_patient_query_t q = {.first_name = l->in.first_name, .last_name = l->in.last_name, .phone = l->in.phone};
    if (ops->find_patients(tenant->provider_instance, &env->prov, &q, on_found_any, l) != 0) {
        lookup_free(l);
        return -1;
    }
    return 0;
}

/* ---- appointments of patients ------------------------------------------------------------------------------ */

typedef struct listing {
    bk_env_t *env;
    const bk_tenant_t *tenant;
    char *ids[BK_PATIENT_MAX_IDS];
    size_t n_ids, next;
    int64_t now;
    bk_appointment_t *v;
    size_t n, cap;
    bk_appointments_cb cb;
    void *data;
} listing_t;

static void listing_free(listing_t *l)
{
    for (size_t i = 0; i < l->n_ids; i++) free(l->ids[i]);
    bk_appointments_free(l->v, l->n);
    free(l);
}

static int cmp_start(const void *a, const void *b)
{
    const bk_appointment_t *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

size_t bk_appointments_order(bk_appointment_t *v, size_t n, int64_t now)
{
    if (n == 0) return 0; /* v may be NULL: qsort must not see it */
    qsort(v, n, sizeof(*v), cmp_start);
    size_t upcoming = 0;
    while (upcoming < n && v[n - 1 - upcoming].start >= now) upcoming++;
    size_t past = n - upcoming;
    /* [past ... | upcoming ...] -> [upcoming ... | past, latest first] */
    bk_appointment_t *tmp = malloc((n ? n : 1) * sizeof(*tmp));
    if (tmp == NULL) return 0;
    memcpy(tmp, v + past, upcoming * sizeof(*v));
    for (size_t i = 0; i < past; i++) tmp[upcoming + i] = v[past - 1 - i];
    memcpy(v, tmp, n * sizeof(*v));
    free(tmp);
    return upcoming + (past < BK_PAST_APPOINTMENTS ? past : BK_PAST_APPOINTMENTS);
}

static void list_next(listing_t *l);
static void on_requests_listed(bool ok, bk_appointment_t *list, size_t count, void *data);

static bk_appointment_t copy_appt(const bk_appointment_t *a)
{
    return (bk_appointment_t){.id = dup_or_null(a->id), .state = a->state, .start = a->start, .end = a->end,
                              .patient_id = dup_or_null(a->patient_id), .staff_id = dup_or_null(a->staff_id),
                              .treatment_id = dup_or_null(a->treatment_id), .location_id = dup_or_null(a->location_id)};
}

static void on_listed(prov_status_t status, const bk_appointment_t *v, size_t n, void *data)
{
    listing_t *l = data;
    if (status != PROV_OK) {
        l->cb(status, NULL, 0, l->data);
        listing_free(l);
        return;
    }
    if (l->n + n > l->cap) {
        size_t cap = l->n + n;
        bk_appointment_t *grown = realloc(l->v, cap * sizeof(*grown));
        if (grown == NULL) {
            l->cb(PROV_UNAVAILABLE, NULL, 0, l->data);
            listing_free(l);
            return;
        }
        l->v = grown;
        l->cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        l->v[l->n] = copy_appt(&v[i]);
        if (l->v[l->n].id == NULL || l->v[l->n].staff_id == NULL) bk_appointment_clear(&l->v[l->n]);
        else l->n++;
    }
    list_next(l);
}

static void list_next(listing_t *l)
{
    const prov_ops_t *ops = l->tenant->provider;
    if (l->next < l->n_ids) {
        const char *id = l->ids[l->next++];
        if (ops->list_appointments(l->tenant->provider_instance, &l->env->prov, id, l->now - BK_LIST_LOOKBACK_MS,
                                   on_listed, l) != 0) {
            l->cb(PROV_UNAVAILABLE, NULL, 0, l->data);
            listing_free(l);
        }
        return;
    }
    if (bk_requests_of_patients(l->env, l->tenant, (const char *const *)l->ids, l->n_ids, on_requests_listed, l) !=
        0)
        on_requests_listed(false, NULL, 0, l);
}

/* The EMR's appointments are in; the patients' open booking requests (booking/requests.h) join them. */
static void on_requests_listed(bool ok, bk_appointment_t *list, size_t count, void *data)
{
    listing_t *l = data;
    bk_appointment_t *grown = ok && count > 0 ? realloc(l->v, (l->n + count) * sizeof(*grown)) : NULL;
    if (!ok || (count > 0 && grown == NULL)) {
        bk_appointments_free(list, count);
        l->cb(PROV_UNAVAILABLE, NULL, 0, l->data);
        listing_free(l);
        return;
    }
    if (count > 0) {
        l->v = grown;
        l->cap = l->n + count;
        memcpy(l->v + l->n, list, count * sizeof(*list));
        l->n += count;
    }
    free(list);
    size_t keep = bk_appointments_order(l->v, l->n, l->now);
    l->cb(PROV_OK, l->v, keep, l->data);
    listing_free(l);
}

int bk_patient_appointments(bk_env_t *env, const bk_tenant_t *tenant, const char *const *patient_ids, size_t count,
                            int64_t now, bk_appointments_cb cb, void *data)
{
    /* An EMR without an appointment list (Jane) has only the booking requests Frontdesk keeps to show. */
    bool emr_lists = tenant->provider->list_appointments != NULL;
    if ((!emr_lists && !bk_requests_only(tenant)) || count == 0 || count > BK_PATIENT_MAX_IDS) return -1;
    listing_t *l = calloc(1, sizeof(*l));
    if (l == NULL) return -1;
    *l = (listing_t){.env = env, .tenant = tenant, .now = now, .cb = cb, .data = data};
    for (size_t i = 0; i < count; i++) {
        if ((l->ids[i] = strdup(patient_ids[i])) == NULL) {
            listing_free(l);
            return -1;
        }
        l->n_ids++;
    }
    if (!emr_lists) {
        if (bk_requests_of_patients(env, tenant, (const char *const *)l->ids, l->n_ids, on_requests_listed, l) != 0) {
            listing_free(l);
            return -1;
        }
        return 0;
    }
    const char *first = l->ids[l->next++];
    if (tenant->provider->list_appointments(tenant->provider_instance, &env->prov, first, now - BK_LIST_LOOKBACK_MS,
                                            on_listed, l) != 0) {
        listing_free(l);
        return -1;
    }
    return 0;
}

int bk_patients_find_caller(bk_env_t *env, const bk_tenant_t *tenant, const char *phone, const char *first_name,
                            const char *last_name, bk_patients_found_cb cb, void *data)
{
    if (prov_capabilities(tenant->provider, tenant->provider_instance) & PROV_CAP_PHONE_SEARCH)
        return bk_patients_find(env, tenant, phone, NULL, cb, data);
    if (last_name == NULL || last_name[0] == '\0') return -2;
    return bk_patients_find_by_name(env, tenant, first_name != NULL ? first_name : "", last_name, phone, cb, data);
}
