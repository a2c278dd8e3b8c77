/* providers/bridge_catalog.c: fetch_catalog and fetch_availability through the bridge (POST .../catalog and
 * .../availability), each answer checked against the contract before anything of it is used. */
#include <stdio.h>
#include <stdlib.h>

#include "providers/bridge_internal.h"

typedef struct read_job {
    bridge_t *b;
    int minutes; /* availability: the treatment's duration */
    union {
        prov_catalog_cb catalog;
        prov_availability_cb availability;
    } cb;
    void *data;
} read_job_t;

static read_job_t *job_new(bridge_t *b, void *data)
{
    read_job_t *j = calloc(1, sizeof(*j));
    if (j != NULL) {
        j->b = b;
        j->data = data;
    }
    return j;
}

/* Sends body (consumed) for job j (freed when the call could not start). */
static int send_job(read_job_t *j, prov_env_t *env, bridge_op_t op, json_object *body, bridge_cb on_answer)
{
    int rc = body != NULL ? bridge_call(j->b, env, op, body, on_answer, j) : -1;
    json_object_put(body);
    if (rc != 0) free(j);
    return rc;
}

static void on_catalog(prov_status_t status, json_object *answer, void *data)
{
    read_job_t *j = data;
    bk_catalog_t *catalog = NULL;
    const char *what = NULL;
    if (status == PROV_OK && bridge_catalog_decode(answer, &catalog, &what) != 0)
        status = bridge_bad_shape(j->b, BRIDGE_CATALOG, what);
    j->cb.catalog(status, catalog, j->data);
    free(j);
}

int bridge_fetch_catalog(void *instance, prov_env_t *env, prov_catalog_cb cb, void *data)
{
    read_job_t *j = job_new(instance, data);
    if (j == NULL) return -1;
    j->cb.catalog = cb;
    return send_job(j, env, BRIDGE_CATALOG, json_object_new_object(), on_catalog);
}

static void on_availability(prov_status_t status, json_object *answer, void *data)
{
    read_job_t *j = data;
    prov_opening_t *openings = NULL;
    size_t count = 0;
    const char *what = NULL;
    if (status == PROV_OK && bridge_openings_decode(answer, j->minutes, &openings, &count, &what) != 0)
        status = bridge_bad_shape(j->b, BRIDGE_AVAILABILITY, what);
    j->cb.availability(status, openings, count, j->data);
    free(openings);
    free(j);
}

int bridge_fetch_availability(void *instance, prov_env_t *env, const prov_availability_query_t *q,
                              prov_availability_cb cb, void *data)
{
    read_job_t *j = job_new(instance, data);
    json_object *body = json_object_new_object();
    if (j == NULL || body == NULL) {
        free(j);
        json_object_put(body);
        return -1;
    }
    j->cb.availability = cb;
    j->minutes = q->duration_minutes;
    char from[16];
    snprintf(from, sizeof(from), "%04d-%02d-%02d", q->year, q->month, q->day);
    json_object_object_add(body, "staff_id", json_object_new_string(q->staff_id));
    json_object_object_add(body, "treatment_id", json_object_new_string(q->treatment_id));
    json_object_object_add(body, "location_id", json_object_new_string(q->location_id));
    json_object_object_add(body, "from", json_object_new_string(from));
    json_object_object_add(body, "days", json_object_new_int(q->days));
    json_object_object_add(body, "duration_minutes", json_object_new_int(q->duration_minutes));
    json_object_object_add(body, "time_zone", json_object_new_string(q->time_zone));
    return send_job(j, env, BRIDGE_AVAILABILITY, body, on_availability);
}
