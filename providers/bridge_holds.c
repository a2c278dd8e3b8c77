/* providers/bridge_holds.c: the bridge's own holds (capability native_hold): holds.create reserves a time in the
 * EMR behind the bridge until Frontdesk's hold of it expires (the bridge drops it by itself then), holds.release
 * gives it back early. Both are writes (never retried: a lost answer is PROV_TIMEOUT, and the bridge's expiry
 * cleans up a hold whose id we never learnt). Booking asks only when the capabilities say native_hold. */
#include <stdio.h>
#include <stdlib.h>

#include "providers/bridge_internal.h"
#include "tz/tz.h"

typedef struct hold_job {
    bridge_t *b;
    prov_hold_cb hold_cb;
    prov_done_cb done_cb;
    void *data;
} hold_job_t;

static void on_held(prov_status_t status, json_object *answer, void *data)
{
    hold_job_t *j = data;
    char id[BRIDGE_ID_CAP];
    const char *what = NULL;
    if (status == PROV_OK && bridge_hold_id_decode(answer, id, &what) != 0)
        status = bridge_bad_shape(j->b, BRIDGE_HOLDS_CREATE, what);
    j->hold_cb(status, status == PROV_OK ? id : NULL, j->data);
    free(j);
}

/* The operator's line when a release failed: tenant and outcome only (a hold id or time could identify a
 * caller's booking in the EMR); the bridge drops the hold itself at its expires_at. */
static void log_release_failed(bridge_t *b, prov_status_t status)
{
    json_object *line = json_object_new_object();
    if (line == NULL) return;
    json_object_object_add(line, "ts", json_object_new_int64(tz_now()));
    json_object_object_add(line, "level", json_object_new_string("warn"));
    json_object_object_add(line, "msg", json_object_new_string("EMR bridge hold not released"));
    json_object_object_add(line, "tenant", json_object_new_string(b->tenant_id));
    json_object_object_add(line, "provider", json_object_new_string("bridge"));
    json_object_object_add(line, "status", json_object_new_int(status));
    json_object_object_add(line, "action", json_object_new_string("none: the bridge drops it at its expires_at"));
    fprintf(stderr, "%s\n", json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN));
    json_object_put(line);
}

static void on_released(prov_status_t status, json_object *answer, void *data)
{
    (void)answer;
    hold_job_t *j = data;
    if (status != PROV_OK && status != PROV_NOT_FOUND) log_release_failed(j->b, status);
    j->done_cb(status, j->data);
    free(j);
}

/* Sends body (consumed) for j: 0, or -1 (j freed, no callback). */
static int send_hold_call(hold_job_t *j, prov_env_t *env, bridge_op_t op, json_object *body, bridge_cb on_answer)
{
    int rc = body != NULL ? bridge_call(j->b, env, op, body, on_answer, j) : -1;
    json_object_put(body);
    if (rc != 0) free(j);
    return rc;
}

int bridge_hold_time(void *instance, prov_env_t *env, const prov_hold_request_t *q, prov_hold_cb cb, void *data)
{
    hold_job_t *j = malloc(sizeof(*j));
    if (j == NULL) return -1;
    *j = (hold_job_t){.b = instance, .hold_cb = cb, .data = data};
    json_object *body = json_object_new_object();
    if (body != NULL) {
        json_object_object_add(body, "staff_id", json_object_new_string(q->staff_id));
        json_object_object_add(body, "treatment_id", json_object_new_string(q->treatment_id));
        json_object_object_add(body, "location_id", json_object_new_string(q->location_id));
        json_object_object_add(body, "start", bridge_instant_json(q->start));
        json_object_object_add(body, "end", bridge_instant_json(q->end));
        json_object_object_add(body, "expires_at", bridge_instant_json(q->expires));
        json_object_object_add(body, "idempotency_key", json_object_new_string(q->key));
    }
    return send_hold_call(j, env, BRIDGE_HOLDS_CREATE, body, on_held);
}

int bridge_release_hold(void *instance, prov_env_t *env, const char *hold_id, prov_done_cb cb, void *data)
{
    hold_job_t *j = malloc(sizeof(*j));
    if (j == NULL) return -1;
    *j = (hold_job_t){.b = instance, .done_cb = cb, .data = data};
    json_object *body = json_object_new_object();
    if (body != NULL) json_object_object_add(body, "hold_id", json_object_new_string(hold_id));
    return send_hold_call(j, env, BRIDGE_HOLDS_RELEASE, body, on_released);
}
