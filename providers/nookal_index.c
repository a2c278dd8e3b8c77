/* providers/nookal_index.c: what Frontdesk remembers of the Nookal appointments it wrote or listed, in the
 * tenant's Redis (fd:{tenant}:nookal:appt:<id> = "<patient> <practitioner> <location> <start ms> <end ms>", kept
 * REF_TTL_SECONDS). cancelAppointment needs the patient with the appointment's id, and the conflict probe the
 * practitioner, location and times; our interface passes only the id, and Nookal documents no call that reads
 * one appointment by id. Redis (not memory) so every process and restart sees the same. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/nookal_internal.h"

#define REF_TTL_SECONDS (400 * 24 * 3600)
#define KEY_CAP         256

static bool key_of(const nookal_t *n, const char *appointment_id, char key[KEY_CAP])
{
    int len = snprintf(key, KEY_CAP, "fd:{%s}:nookal:appt:%s", n->tenant_id, appointment_id);
    return len > 0 && len < KEY_CAP && nookal_valid_id(appointment_id);
}

void nookal_index_put(nookal_t *n, prov_env_t *env, const bk_appointment_t *a)
{
    char key[KEY_CAP], value[4 * PROV_NOOKAL_ID_CAP];
    if (env->store == NULL || a->id == NULL || !key_of(n, a->id, key) || !nookal_valid_id(a->patient_id) ||
        !nookal_valid_id(a->staff_id) || !nookal_valid_id(a->location_id))
        return;
    snprintf(value, sizeof(value), "%s %s %s %" PRId64 " %" PRId64, a->patient_id, a->staff_id, a->location_id,
             a->start, a->end);
    /* Fire and forget: a lost write only means a later cancel of this appointment must be refused. */
    (void)store_commandf(env->store, NULL, NULL, "SET %s %s EX %d", key, value, REF_TTL_SECONDS);
}

typedef struct index_get {
    nookal_index_cb cb;
    void *data;
} index_get_t;

static void on_got(const redisReply *reply, void *data)
{
    index_get_t *g = data;
    nookal_appt_ref_t ref = {0};
    bool ok = reply != NULL && reply->type != REDIS_REPLY_ERROR, found = false;
    if (ok && reply->type == REDIS_REPLY_STRING && reply->len < 4 * PROV_NOOKAL_ID_CAP) {
        char text[4 * PROV_NOOKAL_ID_CAP];
        memcpy(text, reply->str, reply->len);
        text[reply->len] = '\0';
        found = sscanf(text, "%63s %63s %63s %" SCNd64 " %" SCNd64, ref.patient_id, ref.staff_id, ref.location_id,
                       &ref.start, &ref.end) == 5 &&
                ref.end > ref.start;
    }
    g->cb(ok, found, found ? &ref : NULL, g->data);
    free(g);
}

static void on_unanswered(void *data)
{
    index_get_t *g = data;
    g->cb(false, false, NULL, g->data);
    free(g);
}

int nookal_index_get(nookal_t *n, prov_env_t *env, const char *appointment_id, nookal_index_cb cb, void *data)
{
    char key[KEY_CAP];
    if (!key_of(n, appointment_id, key)) return -1;
    index_get_t *g = malloc(sizeof(*g));
    if (g == NULL) return -1;
    *g = (index_get_t){cb, data};
    if (env->store != NULL && store_commandf(env->store, on_got, g, "GET %s", key) == 0) return 0;
    if (nookal_defer(env->loop, on_unanswered, g) == 0) return 0; /* Redis is down: answered on the next turn */
    free(g);
    return -1;
}
