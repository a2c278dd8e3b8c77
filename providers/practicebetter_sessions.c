/* providers/practicebetter_sessions.c: appointments are Practice Better sessions: a client's sessions (GET
 * /consultant/sessions?records=<id>&date_gte=<instant>, every page), create (POST /consultant/sessions), cancel
 * (POST /consultant/sessions/{id}/cancel: the session stays, marked cancelled) and reschedule (PUT
 * /consultant/sessions/{id}/date). Writes carry the start as a local wall time with no offset plus the location's
 * Windows zone name (practicebetter_decode.h: a time that cannot be written so is refused, never shifted), and
 * the duration in seconds. A taken time is refused by Practice Better itself (PROV_CONFLICT). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/practicebetter_internal.h"

#define MAX_APPOINTMENTS 500
#define MAX_PAGES        10

typedef struct op {
    pb_t *p;
    union {
        prov_appointments_cb list;
        prov_appointment_cb one;
    } cb;
    void *data;
    int64_t from;
    bk_appointment_t *v;
    size_t n, cap;
} op_t;

static void op_free(op_t *k)
{
    bk_appointments_free(k->v, k->n);
    free(k);
}

static op_t *op_new(pb_t *p, void *data)
{
    op_t *k = calloc(1, sizeof(*k));
    if (k != NULL) *k = (op_t){.p = p, .data = data};
    return k;
}

/* ---- list ------------------------------------------------------------------------------------------------- */

static prov_status_t sessions_page(json_object *items, void *data)
{
    op_t *k = data;
    for (size_t i = 0; i < json_object_array_length(items) && k->n < MAX_APPOINTMENTS; i++) {
        if (prov_grow((void **)&k->v, k->n, &k->cap, sizeof(*k->v)) != 0) return PROV_UNAVAILABLE;
        if (prov_pb_session_decode(json_object_array_get_idx(items, i), k->p->zone, k->p->location.id,
                                   &k->v[k->n]) != 0)
            return PROV_UPSTREAM;
        if (k->v[k->n].start >= k->from)
            k->n++;
        else
            bk_appointment_clear(&k->v[k->n]);
    }
    return PROV_OK;
}

static int cmp_start(const void *a, const void *b)
{
    const bk_appointment_t *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static void sessions_done(prov_status_t st, void *data)
{
    op_t *k = data;
    if (st == PROV_OK) qsort(k->v, k->n, sizeof(*k->v), cmp_start); /* Practice Better lists newest first */
    k->cb.list(st, st == PROV_OK ? k->v : NULL, st == PROV_OK ? k->n : 0, k->data);
    op_free(k);
}

int pb_list_appointments(void *instance, prov_env_t *env, const char *patient_id, int64_t from,
                         prov_appointments_cb cb, void *data)
{
    pb_t *p = instance;
    if (!prov_pb_valid_id(patient_id)) return -1;
    op_t *k = op_new(p, data);
    if (k == NULL) return -1;
    k->cb.list = cb;
    k->from = from;
    char iso[TZ_ISO_CAP], path[PB_URL_CAP];
    tz_format_utc(from, iso);
    snprintf(path, sizeof(path), "/consultant/sessions?records=%s&date_gte=%s", patient_id, iso);
    if (pb_list(p, env, path, NULL, MAX_PAGES, sessions_page, sessions_done, k) != 0) {
        op_free(k);
        return -1;
    }
    return 0;
}

/* ---- writes: each answers the session as Practice Better holds it afterwards ------------------------------- */

static void on_session(prov_status_t st, json_object *answer, const char *body, size_t len, void *data)
{
    (void)body, (void)len;
    op_t *k = data;
    bk_appointment_t a = {0};
    if (st == PROV_OK && prov_pb_session_decode(answer, k->p->zone, k->p->location.id, &a) != 0) st = PROV_UPSTREAM;
    k->cb.one(st, st == PROV_OK ? &a : NULL, k->data);
    bk_appointment_clear(&a);
    op_free(k);
}

static void rejected_later(void *data)
{
    op_t *k = data;
    k->cb.one(PROV_REJECTED, NULL, k->data);
    op_free(k);
}

/* Sends a write (taking root) whose body holds the start as local wall time, the Windows zone and the duration; a start that
 * cannot be written is PROV_REJECTED on the next turn. */
static int send_timed(op_t *k, prov_env_t *env, const char *method, const char *path, json_object *root,
                      int64_t start, int64_t end, unsigned flags)
{
    char wall[20];
    if (prov_pb_local_wall_time(k->p->zone, start, wall) != 0 || end <= start || (end - start) % 1000 != 0) {
        json_object_put(root);
        return pb_defer(env->loop, rejected_later, k);
    }
    json_object_object_add(root, "sessionDate", json_object_new_string(wall));
    json_object_object_add(root, "timeZone", json_object_new_string(k->p->windows_zone));
    json_object_object_add(root, "duration", json_object_new_int64((end - start) / 1000));
    int rc = pb_call(k->p, env, method, path, json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN), flags,
                     on_session, k);
    json_object_put(root);
    return rc;
}

int pb_create_appointment(void *instance, prov_env_t *env, const bk_appointment_t *a, prov_appointment_cb cb,
                          void *data)
{
    pb_t *p = instance;
    if (a == NULL || !prov_pb_valid_id(a->patient_id) || !prov_pb_valid_id(a->staff_id) ||
        !prov_pb_valid_id(a->treatment_id) || a->location_id == NULL || strcmp(a->location_id, p->location.id) != 0)
        return -1;
    op_t *k = op_new(p, data);
    json_object *root = json_object_new_object();
    if (k == NULL || root == NULL) goto fail;
    k->cb.one = cb;
    json_object_object_add(root, "clientRecordId", json_object_new_string(a->patient_id));
    json_object_object_add(root, "asConsultantId", json_object_new_string(a->staff_id));
    json_object_object_add(root, "serviceId", json_object_new_string(a->treatment_id));
    json_object_object_add(root, "notify", json_object_new_boolean(1));
    /* Confirmed at once: whether an unconfirmed session holds its time is unknown (research), and Frontdesk's
     * hold already kept the time until this write. */
    json_object_object_add(root, "markConfirmed", json_object_new_boolean(1));
    if (send_timed(k, env, "POST", "/consultant/sessions", root, a->start, a->end, 0) == 0) return 0;
    root = NULL;
fail:
    json_object_put(root);
    free(k);
    return -1;
}

/* The start of a write to an existing session: its id checked, the operation answering cb and an empty body in
 * *root. NULL when the id is not a Practice Better id or out of memory (nothing is held then). */
static op_t *session_write(pb_t *p, const char *appointment_id, prov_appointment_cb cb, void *data, json_object **root)
{
    *root = NULL;
    if (!prov_pb_valid_id(appointment_id)) return NULL;
    op_t *k = op_new(p, data);
    *root = json_object_new_object();
    if (k == NULL || *root == NULL) {
        json_object_put(*root);
        free(k);
        return NULL;
    }
    k->cb.one = cb;
    return k;
}

int pb_cancel_appointment(void *instance, prov_env_t *env, const char *appointment_id, const char *reason,
                          prov_appointment_cb cb, void *data)
{
    json_object *root;
    op_t *k = session_write(instance, appointment_id, cb, data, &root);
    if (k == NULL) return -1;
    /* cancelPendingBookings and cancelRecurringAutomations exist too: left out, they reach beyond this session. */
    json_object_object_add(root, "notify", json_object_new_boolean(1));
    if (reason != NULL && reason[0] != '\0') json_object_object_add(root, "notes", json_object_new_string(reason));
    char path[PB_URL_CAP];
    snprintf(path, sizeof(path), "/consultant/sessions/%s/cancel", appointment_id);
    int rc = pb_call(k->p, env, "POST", path, json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN),
                     PB_RECORD, on_session, k);
    json_object_put(root);
    if (rc == 0) return 0;
    free(k);
    return -1;
}

int pb_reschedule_appointment(void *instance, prov_env_t *env, const char *appointment_id, int64_t start,
                              int64_t end, const char *staff_id, prov_appointment_cb cb, void *data)
{
    json_object *root;
    op_t *k = session_write(instance, appointment_id, cb, data, &root);
    if (k == NULL) return -1;
    /* PUT .../date moves the time only: another practitioner cannot be given there (no call for it was seen), so
     * such a move is refused rather than made with the wrong person. */
    if (staff_id != NULL) {
        json_object_put(root);
        if (pb_defer(env->loop, rejected_later, k) == 0) return 0;
        free(k);
        return -1;
    }
    json_object_object_add(root, "ignoreConflict", json_object_new_boolean(0)); /* a taken time is refused */
    char path[PB_URL_CAP];
    snprintf(path, sizeof(path), "/consultant/sessions/%s/date", appointment_id);
    if (send_timed(k, env, "PUT", path, root, start, end, PB_RECORD) == 0) return 0;
    free(k);
    return -1;
}
