/* booking/worker_store.h: a worker's one Redis connection (store/store.h) as booking/ opens, watches and closes it,
 * so that the process above (server/) never handles the store itself. */
#ifndef FD_BOOKING_WORKER_STORE_H
#define FD_BOOKING_WORKER_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "booking/catalog_cache.h"

/** True when address is a Redis address bk_env_open accepts; otherwise writes the reason into why. */
bool bk_redis_address_valid(const char *address, char *why, size_t why_cap);

/** Prepares env (bk_env_init) on loop with a new store connecting to address. on_up(data) runs each time the
 * connection answers, on_lost(why, data) once per lost established connection (either may be NULL). Returns 0, or
 * -1 when the store cannot be created (env is then initialised without a store: dispose it as usual). */
int bk_env_open(bk_env_t *env, uv_loop_t *loop, const char *address, void (*on_up)(void *data),
                void (*on_lost)(const char *why, void *data), void *data);

/** Closes env's store (its pending calls are answered with failures); from then on bk_env_flush does nothing and
 * the store counts as not answering. bk_env_dispose still follows. */
void bk_env_close_store(bk_env_t *env);

/** Sends what env's store has queued (writes made for an answer leave before the client can retry). */
void bk_env_flush(bk_env_t *env);

/** True while env's Redis connection is up and answering (its last known state; never waits). */
bool bk_env_redis_answering(const bk_env_t *env);

/** The read cache's epoch into *epoch (any tracked change moves it on); false while the cache is off. */
bool bk_env_cache_epoch(bk_env_t *env, uint64_t *epoch);

#endif
