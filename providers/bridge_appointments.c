/* providers/bridge_appointments.c: the appointment operations through the bridge: list and the conflict probe
 * (reads), and create, cancel, reschedule and delete (writes), which first need the bridge's capabilities: a
 * bridge that declared it cannot write appointments is never sent one, and the caller gets PROV_REJECTED
 * (booking turns that into a booking request). A create may carry the id of the bridge's hold on its time
 * (bridge_holds.c), which the booking consumes. A write whose answer was lost is PROV_TIMEOUT (bridge_call), and
 * booking looks the appointment up before any second write, as for every EMR. */
#include <stdlib.h>

#include "providers/bridge_internal.h"

typedef struct appt_job {
    bridge_t *b;
    prov_env_t *env;
    bridge_op_t op;
    json_object *body; /* a write waiting for the capabilities */
    prov_status_t status;
    prov_appointments_cb list_cb;
    prov_appointment_cb one_cb;
    prov_conflict_cb conflict_cb;
    prov_done_cb done_cb;
    void *data;
} appt_job_t;

static appt_job_t *job_new(bridge_t *b, prov_env_t *env, bridge_op_t op, void *data)
{
    appt_job_t *j = calloc(1, sizeof(*j));
    json_object *body = json_object_new_object();
    if (j == NULL || body == NULL) {
        free(j);
        json_object_put(body);
        return NULL;
    }
    *j = (appt_job_t){.b = b, .env = env, .op = op, .body = body, .data = data};
    return j;
}

static void job_free(appt_job_t *j)
{
    json_object_put(j->body);
    free(j);
}

/* ---- answers ---------------------------------------------------------------------------------------------- */

static void on_list(prov_status_t status, json_object *answer, void *data)
{
    appt_job_t *j = data;
    bk_appointment_t *list = NULL;
    size_t n = 0;
    const char *what = NULL;
    if (status == PROV_OK) {
        int rc = bridge_appointments_decode(answer, &list, &n, &what);
        if (rc != 0) status = rc == -2 ? PROV_UNAVAILABLE : bridge_bad_shape(j->b, j->op, what);
    }
    j->list_cb(status, list, n, j->data);
    bk_appointments_free(list, n);
    job_free(j);
}

static void on_conflicts(prov_status_t status, json_object *answer, void *data)
{
    appt_job_t *j = data;
    json_object *v = NULL;
    if (status == PROV_OK &&
        (!json_object_object_get_ex(answer, "conflict", &v) || !json_object_is_type(v, json_type_boolean)))
        status = bridge_bad_shape(j->b, j->op, "conflict: must be a boolean");
    j->conflict_cb(status, status == PROV_OK && json_object_get_boolean(v), j->data);
    job_free(j);
}

static void on_written(prov_status_t status, json_object *answer, void *data)
{
    appt_job_t *j = data;
    if (j->op == BRIDGE_APPOINTMENTS_DELETE) {
        j->done_cb(status, j->data);
        job_free(j);
        return;
    }
    bk_appointment_t a = {0};
    json_object *item = NULL;
    const char *what = "appointment: must be an object";
    if (status == PROV_OK &&
        (!json_object_object_get_ex(answer, "appointment", &item) || bridge_appointment_decode(item, &a, &what) != 0))
        status = bridge_bad_shape(j->b, j->op, what);
    j->one_cb(status, status == PROV_OK ? &a : NULL, j->data);
    bk_appointment_clear(&a);
    job_free(j);
}

/* ---- sending ---------------------------------------------------------------------------------------------- */

static int send_job(appt_job_t *j, bridge_cb on_answer)
{
    return bridge_call(j->b, j->env, j->op, j->body, on_answer, j);
}

/* Ends a write without sending it: its callback gets j->status. */
static void refuse(void *data)
{
    appt_job_t *j = data;
    on_written(j->status, NULL, j);
}

static void on_capabilities(prov_status_t status, void *data)
{
    appt_job_t *j = data;
    if (status == PROV_OK && (bridge_live_capabilities(j->b) & PROV_CAP_NO_WRITE)) status = PROV_REJECTED;
    if (status == PROV_OK && send_job(j, on_written) == 0) return;
    /* Never sent: not "unknown" (a timeout would make booking look for a write that cannot exist). */
    j->status = status == PROV_OK || status == PROV_TIMEOUT ? PROV_UNAVAILABLE : status;
    refuse(j);
}

/* Starts a write once the capabilities are known. 0, or -1 (j freed, no callback). */
static int start_write(appt_job_t *j)
{
    int known = bridge_with_capabilities(j->b, j->env, on_capabilities, j);
    if (known == 0) return 0;
    int rc = -1;
    if (known == 1 && (bridge_live_capabilities(j->b) & PROV_CAP_NO_WRITE)) {
        j->status = PROV_REJECTED;
        rc = bridge_defer(j->env->loop, refuse, j);
    } else if (known == 1) {
        rc = send_job(j, on_written);
    }
    if (rc != 0) job_free(j);
    return rc;
}

static int start_read(appt_job_t *j, bridge_cb on_answer)
{
    if (send_job(j, on_answer) == 0) return 0;
    job_free(j);
    return -1;
}

/* ---- the operations --------------------------------------------------------------------------------------- */

int bridge_list_appointments(void *instance, prov_env_t *env, const char *patient_id, int64_t from,
                             prov_appointments_cb cb, void *data)
{
    appt_job_t *j = job_new(instance, env, BRIDGE_APPOINTMENTS_LIST, data);
    if (j == NULL) return -1;
    j->list_cb = cb;
    json_object_object_add(j->body, "patient_id", json_object_new_string(patient_id));
    json_object_object_add(j->body, "from", bridge_instant_json(from));
    return start_read(j, on_list);
}

int bridge_probe_conflicts(void *instance, prov_env_t *env, const char *appointment_id, prov_conflict_cb cb, void *data)
{
    appt_job_t *j = job_new(instance, env, BRIDGE_APPOINTMENTS_CONFLICTS, data);
    if (j == NULL) return -1;
    j->conflict_cb = cb;
    json_object_object_add(j->body, "appointment_id", json_object_new_string(appointment_id));
    return start_read(j, on_conflicts);
}

int bridge_create_appointment(void *instance, prov_env_t *env, const bk_appointment_t *a, prov_appointment_cb cb,
                              void *data)
{
    return bridge_create_held_appointment(instance, env, a, NULL, cb, data);
}

int bridge_create_held_appointment(void *instance, prov_env_t *env, const bk_appointment_t *a, const char *hold_id,
                                   prov_appointment_cb cb, void *data)
{
    appt_job_t *j = job_new(instance, env, BRIDGE_APPOINTMENTS_CREATE, data);
    json_object *appt = j != NULL ? bridge_appointment_to_json(a) : NULL;
    if (appt == NULL) {
        if (j != NULL) job_free(j);
        return -1;
    }
    j->one_cb = cb;
    json_object_object_add(j->body, "appointment", appt);
    if (hold_id != NULL) json_object_object_add(j->body, "hold_id", json_object_new_string(hold_id));
    return start_write(j);
}

int bridge_cancel_appointment(void *instance, prov_env_t *env, const char *appointment_id, const char *reason,
                              prov_appointment_cb cb, void *data)
{
    appt_job_t *j = job_new(instance, env, BRIDGE_APPOINTMENTS_CANCEL, data);
    if (j == NULL) return -1;
    j->one_cb = cb;
    json_object_object_add(j->body, "appointment_id", json_object_new_string(appointment_id));
    if (reason != NULL && reason[0] != '\0') json_object_object_add(j->body, "reason", json_object_new_string(reason));
    return start_write(j);
}

int bridge_reschedule_appointment(void *instance, prov_env_t *env, const char *appointment_id, int64_t start,
                                  int64_t end, const char *staff_id, prov_appointment_cb cb, void *data)
{
    appt_job_t *j = job_new(instance, env, BRIDGE_APPOINTMENTS_RESCHEDULE, data);
    if (j == NULL) return -1;
    j->one_cb = cb;
    json_object_object_add(j->body, "appointment_id", json_object_new_string(appointment_id));
    json_object_object_add(j->body, "start", bridge_instant_json(start));
    json_object_object_add(j->body, "end", bridge_instant_json(end));
    if (staff_id != NULL) json_object_object_add(j->body, "staff_id", json_object_new_string(staff_id));
    return start_write(j);
}

int bridge_delete_appointment(void *instance, prov_env_t *env, const char *appointment_id, prov_done_cb cb, void *data)
{
    appt_job_t *j = job_new(instance, env, BRIDGE_APPOINTMENTS_DELETE, data);
    if (j == NULL) return -1;
    j->done_cb = cb;
    json_object_object_add(j->body, "appointment_id", json_object_new_string(appointment_id));
    return start_write(j);
}
