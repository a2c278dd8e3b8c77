/* booking/rate_limit.h: the per-key token bucket (rate per second, burst), kept in Redis so that every
 * frontdesk process behind a load balancer shares it (key fd:{t}:rl).
 *
 * A worker does not ask Redis for every request: it takes a lease of up to BK_RATE_LEASE_MS worth of the
 * tenant's rate at once (at least one token, at most a quarter of the burst) and spends it locally; what is
 * left when the lease ends (after BK_RATE_LEASE_LIFE_MS) is dropped, never carried over. A tenant at 20 per
 * second leases one token at a time, exactly as before; one at 100,000 per second asks Redis once per 2,000
 * requests. Requests that arrive while a lease is being asked for wait for it rather than asking again. */
#ifndef FD_BOOKING_RATE_LIMIT_H
#define FD_BOOKING_RATE_LIMIT_H

#include <uv.h>

#include "booking/catalog_cache.h"
#include "core/model.h"

#define BK_RATE_LEASE_MS      20
#define BK_RATE_LEASE_LIFE_MS 100

typedef struct bk_rate_limiter bk_rate_limiter_t;

/** Receives the verdict: ok (1 allowed, 0 limited, -1 Redis failed) and, when limited, the seconds to wait. */
typedef void (*bk_rate_cb)(int ok, int retry_after_seconds, void *data);

/** A worker's limiter for the tenants[0..count) of its config, on the loop and store of its booking environment
 * (which outlives it). NULL when out of memory. */
bk_rate_limiter_t *bk_rate_limiter_create(const bk_env_t *env, const bk_tenant_t *tenants, size_t count);

/** Frees the limiter; requests still waiting for a lease are answered -1 first. Close the store first
 * (bk_env_close_store), so that no lease reply can arrive afterwards. */
void bk_rate_limiter_destroy(bk_rate_limiter_t *limiter);

/** Takes one token of `tenant` (one of the limiter's). Returns 0 and calls cb exactly once (possibly before
 * returning, when the worker's lease still has a token), or -1 (Redis not connected) and never calls it. */
int bk_rate_limit_take(bk_rate_limiter_t *limiter, const bk_tenant_t *tenant, bk_rate_cb cb, void *data);

#endif
