/* booking/external_appt.c: the links from a caller's appointment ids to the EMR's (see external_appt.h). */
#include "booking/external_appt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

#define KEY_CAP (64 + BK_EXTERNAL_ID_CAP)

static bool key_of(const bk_tenant_t *tenant, const char *external_id, char key[KEY_CAP])
{
    int n = snprintf(key, KEY_CAP, "fd:{%s}:extappt:%s", tenant->id, external_id);
    return n > 0 && n < KEY_CAP;
}

void bk_external_link(bk_env_t *env, const bk_tenant_t *tenant, const char *external_id, const char *appointment_id)
{
    char key[KEY_CAP], ttl[24];
    if (!key_of(tenant, external_id, key)) return;
    snprintf(ttl, sizeof(ttl), "%" PRId64, (int64_t)BK_EXTERNAL_TTL_MS);
    const char *argv[] = {"SET", key, appointment_id, "PX", ttl};
    size_t lens[5];
    for (int i = 0; i < 5; i++) lens[i] = strlen(argv[i]);
    store_command(env->store, NULL, NULL, 5, argv, lens);
}

typedef struct resolve {
    bk_external_cb cb;
    void *data;
} resolve_t;

static void on_get(const redisReply *reply, void *data)
{
    resolve_t *q = data;
    if (reply == NULL || (reply->type != REDIS_REPLY_STRING && reply->type != REDIS_REPLY_NIL))
        q->cb(false, NULL, q->data);
    else
        q->cb(true, reply->type == REDIS_REPLY_STRING ? reply->str : NULL, q->data);
    free(q);
}

int bk_external_resolve(bk_env_t *env, const bk_tenant_t *tenant, const char *external_id, bk_external_cb cb,
                        void *data)
{
    char key[KEY_CAP];
    if (!key_of(tenant, external_id, key)) return -1;
    resolve_t *q = malloc(sizeof(*q));
    if (q == NULL) return -1;
    *q = (resolve_t){cb, data};
    const char *argv[] = {"GET", key};
    size_t lens[] = {3, strlen(key)};
    if (store_command(env->store, on_get, q, 2, argv, lens) != 0) {
        free(q);
        return -1;
    }
    return 0;
}
