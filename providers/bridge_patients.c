/* providers/bridge_patients.c: find_patients and create_patient through the bridge (POST .../patients/find and
 * .../patients/create). The bridge matches every field it is given; a bridge that cannot search by phone says so
 * in its capabilities, and booking then asks by name and compares phones itself. */
#include <stdlib.h>

#include "providers/bridge_internal.h"

typedef struct patient_job {
    bridge_t *b;
    prov_patients_cb list_cb;
    prov_patient_cb one_cb;
    void *data;
} patient_job_t;

static void put_query(json_object *body, const char *key, const char *value)
{
    if (value != NULL && value[0] != '\0') json_object_object_add(body, key, json_object_new_string(value));
}

static void on_found(prov_status_t status, json_object *answer, void *data)
{
    patient_job_t *j = data;
    bk_patient_t *list = NULL;
    size_t n = 0;
    const char *what = NULL;
    if (status == PROV_OK) {
        int rc = bridge_patients_decode(answer, &list, &n, &what);
        if (rc != 0) status = rc == -2 ? PROV_UNAVAILABLE : bridge_bad_shape(j->b, BRIDGE_PATIENTS_FIND, what);
    }
    j->list_cb(status, list, n, j->data);
    bk_patients_free(list, n);
    free(j);
}

static void on_created(prov_status_t status, json_object *answer, void *data)
{
    patient_job_t *j = data;
    bk_patient_t p = {0};
    json_object *item = NULL;
    const char *what = "patient: must be an object";
    if (status == PROV_OK &&
        (!json_object_object_get_ex(answer, "patient", &item) || bridge_patient_decode(item, &p, &what) != 0))
        status = bridge_bad_shape(j->b, BRIDGE_PATIENTS_CREATE, what);
    j->one_cb(status, status == PROV_OK ? &p : NULL, j->data);
    bk_patient_clear(&p);
    free(j);
}

static int start(bridge_t *b, prov_env_t *env, bridge_op_t op, json_object *body, patient_job_t *j, bridge_cb on_answer)
{
    int rc = j != NULL && body != NULL ? bridge_call(b, env, op, body, on_answer, j) : -1;
    json_object_put(body);
    if (rc != 0) free(j);
    return rc;
}

int bridge_find_patients(void *instance, prov_env_t *env, const prov_patient_query_t *q, prov_patients_cb cb,
                         void *data)
{
    patient_job_t *j = calloc(1, sizeof(*j));
    json_object *body = json_object_new_object();
    if (j != NULL) *j = (patient_job_t){.b = instance, .list_cb = cb, .data = data};
    if (body != NULL) {
        put_query(body, "phone", q->phone);
        put_query(body, "email", q->email);
        put_query(body, "first_name", q->first_name);
        put_query(body, "last_name", q->last_name);
        put_query(body, "dob", q->dob);
    }
    return start(instance, env, BRIDGE_PATIENTS_FIND, body, j, on_found);
}

int bridge_create_patient(void *instance, prov_env_t *env, const bk_patient_t *patient, prov_patient_cb cb, void *data)
{
    patient_job_t *j = calloc(1, sizeof(*j));
    json_object *body = json_object_new_object();
    json_object *p = bridge_patient_to_json(patient);
    if (j != NULL) *j = (patient_job_t){.b = instance, .one_cb = cb, .data = data};
    if (body != NULL && p != NULL) {
        json_object_object_add(body, "patient", p);
        p = NULL;
    }
    json_object_put(p);
    return start(instance, env, BRIDGE_PATIENTS_CREATE, body, j, on_created);
}
