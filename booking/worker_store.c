/* booking/worker_store.c: a worker's Redis connection, opened and watched for the process (see worker_store.h). */
#include "booking/worker_store.h"

#include "store/store.h"

bool bk_redis_address_valid(const char *address, char *why, size_t why_cap)
{
    return store_address_valid(address, why, why_cap);
}

static void on_connected(store_t *store, void *data)
{
    (void)store;
    bk_env_t *env = data;
    if (env->on_redis_up != NULL) env->on_redis_up(env->redis_data);
}

static void on_lost(store_t *store, const char *why, void *data)
{
    (void)store;
    bk_env_t *env = data;
    if (env->on_redis_lost != NULL) env->on_redis_lost(why, env->redis_data);
}

int bk_env_open(bk_env_t *env, uv_loop_t *loop, const char *address, void (*on_up)(void *data),
                void (*on_lost_cb)(const char *why, void *data), void *data)
{
    bk_env_init(env, loop, NULL);
    env->on_redis_up = on_up;
    env->on_redis_lost = on_lost_cb;
    env->redis_data = data;
    store_t *store = store_create(loop, address, on_connected, env);
    if (store == NULL) return -1;
    store_set_lost_cb(store, on_lost);
    env->store = env->prov.store = store;
    return 0;
}

void bk_env_close_store(bk_env_t *env)
{
    /* env->store stays set, as the calls in flight that answer while the store closes expect. */
    store_destroy(env->store);
    env->store_closed = true;
}

void bk_env_flush(bk_env_t *env)
{
    if (!env->store_closed) store_flush(env->store);
}

bool bk_env_redis_answering(const bk_env_t *env)
{
    return env->store != NULL && !env->store_closed && store_is_answering(env->store);
}

bool bk_env_cache_epoch(bk_env_t *env, uint64_t *epoch)
{
    return env->store != NULL && !env->store_closed && store_cache_epoch(env->store, epoch);
}
