/* providers/bridge_own_patients.c: whose patient records a bridge tenant's callers get. A bridge that can write
 * (capabilities "write": true) keeps them: find, create and the appointment list go to it (bridge_patients.c,
 * bridge_appointments.c). A read-only bridge refuses patients.create, so, as for Jane, a caller the clinic does
 * not know yet is kept as Frontdesk's own patient record in the tenant's Redis (providers/sandbox_records.h, with
 * no clinic file), and the booking request carries their details to the clinic:
 *   find    asks the bridge first (its patients are the clinic's), then Frontdesk's own records when the bridge
 *           found nobody (or cannot search that way);
 *   create  is Frontdesk's own record, never sent to the bridge;
 *   list    of one of Frontdesk's own patients is their records' appointments (none: their bookings are
 *           requests), any other id the bridge's.
 * Which way is decided by the capabilities, learnt first when they are not known yet. This file is in
 * fd_providers with the ops table (bridge.c), next to the records it uses (sandbox_records.c). */
#include <stdlib.h>
#include <string.h>

#include "providers/bridge_internal.h"
#include "providers/sandbox_records.h"

typedef enum own_op { OWN_FIND, OWN_CREATE, OWN_LIST } own_op_t;

typedef struct own_job {
    bridge_t *b;
    prov_env_t *env;
    own_op_t op;
    bk_patient_t who; /* owned copies: the query (find: id unused), the new patient (create), the id (list) */
    int64_t from;
    prov_patients_cb found_cb;
    prov_patient_cb created_cb;
    prov_appointments_cb listed_cb;
    void *data;
} own_job_t;

static void job_free(own_job_t *j)
{
    bk_patient_clear(&j->who);
    free(j);
}

/* Copies the string fields of `in` into j->who; false when out of memory. */
static bool copy_patient(own_job_t *j, const bk_patient_t *in)
{
    const char *from[] = {in->id,  in->first_name, in->last_name, in->phone,  in->email,
                          in->dob, in->city,       in->state,     in->country};
    char **to[] = {&j->who.id,  &j->who.first_name, &j->who.last_name, &j->who.phone,  &j->who.email,
                   &j->who.dob, &j->who.city,       &j->who.state,     &j->who.country};
    for (size_t i = 0; i < sizeof(from) / sizeof(from[0]); i++)
        if (from[i] != NULL && (*to[i] = strdup(from[i])) == NULL) return false;
    return true;
}

static own_job_t *job_new(bridge_t *b, prov_env_t *env, own_op_t op, const bk_patient_t *who, void *data)
{
    own_job_t *j = calloc(1, sizeof(*j));
    if (j == NULL) return NULL;
    *j = (own_job_t){.b = b, .env = env, .op = op, .data = data};
    if (!copy_patient(j, who)) {
        job_free(j);
        return NULL;
    }
    return j;
}

static bool read_only(const bridge_t *b)
{
    return (bridge_live_capabilities((void *)b) & PROV_CAP_NO_WRITE) != 0;
}

static prov_patient_query_t query_of(const own_job_t *j)
{
    return (prov_patient_query_t){.phone = j->who.phone,
                                  .email = j->who.email,
                                  .first_name = j->who.first_name,
                                  .last_name = j->who.last_name,
                                  .dob = j->who.dob};
}

/* Ends a job with a failure, without an answer. */
static void fail(own_job_t *j, prov_status_t status)
{
    if (j->op == OWN_FIND)
        j->found_cb(status, NULL, 0, j->data);
    else if (j->op == OWN_CREATE)
        j->created_cb(status, NULL, j->data);
    else
        j->listed_cb(status, NULL, 0, j->data);
    job_free(j);
}

/* ---- find: the bridge's patients, then Frontdesk's own -------------------------------------------------------- */

static void answer_found(prov_status_t status, const bk_patient_t *patients, size_t count, void *data)
{
    own_job_t *j = data;
    j->found_cb(status, patients, count, j->data);
    job_free(j);
}

static void on_bridge_found(prov_status_t status, const bk_patient_t *patients, size_t count, void *data)
{
    own_job_t *j = data;
    /* A bridge that found nobody, or cannot search that way (422), leaves the question to Frontdesk's records. */
    if ((status == PROV_OK && count == 0) || status == PROV_REJECTED) {
        prov_patient_query_t q = query_of(j);
        if (sb_records_find_patients(j->b->tenant_id, sb_clinic_empty(), j->env, &q, answer_found, j) != 0)
            fail(j, PROV_UNAVAILABLE);
        return;
    }
    answer_found(status, patients, count, j);
}

/* ---- list: Frontdesk's own patient's records, else the bridge's ----------------------------------------------- */

static void answer_listed(prov_status_t status, const bk_appointment_t *list, size_t count, void *data)
{
    own_job_t *j = data;
    j->listed_cb(status, list, count, j->data);
    job_free(j);
}

static void on_own_listed(prov_status_t status, const bk_appointment_t *list, size_t count, void *data)
{
    own_job_t *j = data;
    if (status == PROV_NOT_FOUND) { /* not one of ours: the bridge's patient */
        if (bridge_list_appointments(j->b, j->env, j->who.id, j->from, answer_listed, j) != 0)
            fail(j, PROV_UNAVAILABLE);
        return;
    }
    answer_listed(status, list, count, j);
}

/* ---- the way, once the capabilities are known ------------------------------------------------------------- */

/* Starts the job the way the capabilities say: 0 (its callback is called later), or -1 (j untouched). */
static int go(own_job_t *j)
{
    bool own = read_only(j->b);
    prov_patient_query_t q = query_of(j);
    switch (j->op) {
    case OWN_FIND:
        return bridge_find_patients(j->b, j->env, &q, own ? on_bridge_found : answer_found, j);
    case OWN_CREATE:
        return own ? sb_records_create_patient(j->b->tenant_id, sb_clinic_empty(), j->env, &j->who, j->created_cb,
                                               j->data)
                   : bridge_create_patient(j->b, j->env, &j->who, j->created_cb, j->data);
    case OWN_LIST:
        return own ? sb_records_list_appointments(j->b->tenant_id, sb_clinic_empty(), j->env, j->who.id, j->from,
                                                  on_own_listed, j)
                   : bridge_list_appointments(j->b, j->env, j->who.id, j->from, answer_listed, j);
    }
    return -1;
}

/* A create hands its callback straight to the store or the bridge: the job is done once started. */
static int go_and_release(own_job_t *j)
{
    int rc = go(j);
    if (rc == 0 && j->op == OWN_CREATE) job_free(j);
    return rc;
}

static void on_capabilities(prov_status_t status, void *data)
{
    own_job_t *j = data;
    if (status != PROV_OK)
        fail(j, status == PROV_TIMEOUT ? PROV_UNAVAILABLE : status);
    else if (go_and_release(j) != 0)
        fail(j, PROV_UNAVAILABLE);
}

/* Runs j now when the capabilities are known, else once they are. 0, or -1 (j freed, no callback). */
static int start(own_job_t *j)
{
    if (j == NULL) return -1;
    int known = bridge_with_capabilities(j->b, j->env, on_capabilities, j);
    if (known == 0) return 0;
    if (known == 1 && go_and_release(j) == 0) return 0;
    job_free(j);
    return -1;
}

int bridge_own_find_patients(void *instance, prov_env_t *env, const prov_patient_query_t *q, prov_patients_cb cb,
                             void *data)
{
    bk_patient_t who = {.phone = (char *)q->phone,
                        .email = (char *)q->email,
                        .first_name = (char *)q->first_name,
                        .last_name = (char *)q->last_name,
                        .dob = (char *)q->dob};
    own_job_t *j = job_new(instance, env, OWN_FIND, &who, data);
    if (j != NULL) j->found_cb = cb;
    return start(j);
}

int bridge_own_create_patient(void *instance, prov_env_t *env, const bk_patient_t *patient, prov_patient_cb cb,
                              void *data)
{
    own_job_t *j = job_new(instance, env, OWN_CREATE, patient, data);
    if (j != NULL) j->created_cb = cb;
    return start(j);
}

int bridge_own_list_appointments(void *instance, prov_env_t *env, const char *patient_id, int64_t from,
                                 prov_appointments_cb cb, void *data)
{
    own_job_t *j = job_new(instance, env, OWN_LIST, &(bk_patient_t){.id = (char *)patient_id}, data);
    if (j != NULL) {
        j->listed_cb = cb;
        j->from = from;
    }
    return start(j);
}
