/* booking/last_seen.c: the practitioner a caller saw last, by phone, kept per worker (see last_seen.h). */
#include "booking/last_seen.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking/patients.h"
#include "providers/once_timer.h"

#define KEY_LEN 32

typedef struct kept {
    unsigned char key[KEY_LEN]; /* SHA-256 of tenant id, NUL, phone */
    uint64_t expires;           /* loop ms; 0 = empty */
    bool known;
    char staff_id[BK_LAST_SEEN_ID_CAP];
} kept_t;

struct bk_last_seen_cache {
    kept_t slots[BK_LAST_SEEN_SLOTS];
};

/* One lookup: the caller's wait (timer) and the EMR's answer (looking) end in either order. */
typedef struct lookup {
    bk_env_t *env;
    unsigned char key[KEY_LEN];
    const bk_tenant_t *tenant;
    int64_t now;
    prov_once_timer_t *timer;
    bool answered, looking;
    bk_last_seen_cb cb;
    void *data;
    bk_last_seen_done_cb done;
    void *done_data;
} lookup_t;

static bool key_of(const bk_tenant_t *tenant, const char *phone, unsigned char key[KEY_LEN])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned len = 0;
    bool ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
              EVP_DigestUpdate(ctx, tenant->id, strlen(tenant->id) + 1) == 1 &&
              EVP_DigestUpdate(ctx, phone, strlen(phone)) == 1 && EVP_DigestFinal_ex(ctx, key, &len) == 1 &&
              len == KEY_LEN;
    EVP_MD_CTX_free(ctx);
    return ok;
}

static kept_t *slot_of(struct bk_last_seen_cache *cache, const unsigned char key[KEY_LEN])
{
    return &cache->slots[(key[0] | (size_t)key[1] << 8) % BK_LAST_SEEN_SLOTS];
}

static void keep(bk_env_t *env, const unsigned char key[KEY_LEN], const char *staff_id)
{
    if (env->last_seen == NULL && (env->last_seen = calloc(1, sizeof(*env->last_seen))) == NULL) return;
    kept_t *k = slot_of(env->last_seen, key);
    memcpy(k->key, key, KEY_LEN);
    k->expires = uv_now(env->prov.loop) + BK_LAST_SEEN_TTL_MS;
    k->known = staff_id != NULL;
    snprintf(k->staff_id, sizeof(k->staff_id), "%s", staff_id != NULL ? staff_id : "");
}

static const kept_t *kept_for(bk_env_t *env, const unsigned char key[KEY_LEN])
{
    if (env->last_seen == NULL) return NULL;
    const kept_t *k = slot_of(env->last_seen, key);
    return k->expires > uv_now(env->prov.loop) && memcmp(k->key, key, KEY_LEN) == 0 ? k : NULL;
}

static void maybe_free(lookup_t *l)
{
    if (!l->answered || l->looking) return;
    l->done(l->done_data);
    free(l);
}

static void answer(lookup_t *l, bk_last_seen_outcome_t outcome, const char *staff_id)
{
    if (l->answered) return;
    l->answered = true;
    if (l->timer != NULL) prov_once_timer_cancel(l->timer);
    l->timer = NULL;
    l->cb(outcome, staff_id, l->data);
}

static void on_wait_over(void *data)
{
    lookup_t *l = data;
    l->timer = NULL; /* fired: gone */
    answer(l, BK_LAST_SEEN_UNKNOWN, NULL);
    maybe_free(l);
}

/* The lookup's end: kept (unless it failed) and answered when the caller still waits. */
static void finish(lookup_t *l, bool failed, const char *staff_id)
{
    l->looking = false;
    if (!failed && !l->env->store_closed) keep(l->env, l->key, staff_id); /* not after the worker's end */
    if (failed)
        answer(l, BK_LAST_SEEN_UNKNOWN, NULL);
    else
        answer(l, staff_id != NULL ? BK_LAST_SEEN_KNOWN : BK_LAST_SEEN_NOBODY, staff_id);
    maybe_free(l);
}

static void on_appointments(prov_status_t status, const bk_appointment_t *found, size_t n, void *data)
{
    lookup_t *l = data;
    const bk_appointment_t *latest = NULL;
    for (size_t i = 0; status == PROV_OK && i < n; i++) {
        const bk_appointment_t *a = &found[i];
        bool seen = a->state == BK_APPT_BOOKED || a->state == BK_APPT_ARRIVED;
        if (seen && a->start < l->now && a->staff_id != NULL && a->staff_id[0] != '\0' &&
            (latest == NULL || a->start > latest->start))
            latest = a;
    }
    finish(l, status != PROV_OK, latest != NULL ? latest->staff_id : NULL);
}

static void on_patients(prov_status_t status, const bk_patient_t *found, size_t n, void *data)
{
    lookup_t *l = data;
    if (status != PROV_OK || n == 0) {
        finish(l, status != PROV_OK, NULL);
        return;
    }
    const char *ids[BK_PATIENT_MAX_IDS];
    size_t k = n < BK_PATIENT_MAX_IDS ? n : BK_PATIENT_MAX_IDS;
    for (size_t i = 0; i < k; i++) ids[i] = found[i].id;
    if (bk_patient_appointments(l->env, l->tenant, ids, k, l->now, on_appointments, l) != 0) finish(l, true, NULL);
}

void bk_last_seen(bk_env_t *env, const bk_tenant_t *tenant, const char *phone, int64_t now, uint64_t wait_ms,
                  bk_last_seen_cb cb, void *data, bk_last_seen_done_cb done, void *done_data)
{
    unsigned char key[KEY_LEN];
    bool keyed = key_of(tenant, phone, key);
    const kept_t *k = keyed ? kept_for(env, key) : NULL;
    lookup_t *l = NULL;
    /* Only an EMR that searches phones: a name the caller has not said yet cannot narrow it (patients.h). */
    bool searchable = prov_capabilities(tenant->provider, tenant->provider_instance) & PROV_CAP_PHONE_SEARCH;
    if (keyed && k == NULL && searchable && (l = calloc(1, sizeof(*l))) != NULL) {
        *l = (lookup_t){.env = env,
                        .tenant = tenant,
                        .now = now,
                        .cb = cb,
                        .data = data,
                        .done = done,
                        .done_data = done_data,
                        .looking = true};
        memcpy(l->key, key, KEY_LEN);
        l->timer = prov_once_timer_start(env->prov.loop, wait_ms, on_wait_over, l);
    }
    if (l == NULL || l->timer == NULL) {
        free(l);
        if (k != NULL)
            cb(k->known ? BK_LAST_SEEN_KNOWN : BK_LAST_SEEN_NOBODY, k->known ? k->staff_id : NULL, data);
        else
            cb(BK_LAST_SEEN_UNKNOWN, NULL, data);
        done(done_data);
        return;
    }
    if (bk_patients_find(env, tenant, phone, NULL, on_patients, l) != 0) {
        l->looking = false;
        answer(l, BK_LAST_SEEN_UNKNOWN, NULL);
        maybe_free(l);
    }
}

void bk_last_seen_dispose(bk_env_t *env)
{
    free(env->last_seen);
    env->last_seen = NULL;
}
