/* server/rate_limit.h: the per-key token bucket (rate per second, burst), kept in Redis so that every
 * frontdesk process behind a load balancer shares it (key fd:{t}:rl).
 *
 * A worker does not ask Redis for every request: it takes a lease of up to SRV_RATE_LEASE_MS worth of the
 * tenant's rate at once (at least one token, at most a quarter of the burst) and spends it locally; what is
 * left when the lease ends (after SRV_RATE_LEASE_LIFE_MS) is dropped, never carried over. A tenant at 20 per
 * second leases one token at a time, exactly as before; one at 100,000 per second asks Redis once per 2,000
 * requests. Requests that arrive while a lease is being asked for wait for it rather than asking again. */
#ifndef FD_SERVER_RATE_LIMIT_H
#define FD_SERVER_RATE_LIMIT_H

#include <uv.h>

#include "core/model.h"
#include "store/store.h"

#define SRV_RATE_LEASE_MS 20
#define SRV_RATE_LEASE_LIFE_MS 100

typedef struct srv_rate_limiter srv_rate_limiter_t;

/** Receives the verdict: ok (1 allowed, 0 limited, -1 Redis failed) and, when limited, the seconds to wait. */
typedef void (*srv_rate_cb)(int ok, int retry_after_seconds, void *data);

/** A worker's limiter for the tenants[0..count) of its config, on its loop and store. NULL when out of memory. */
srv_rate_limiter_t *srv_rate_limiter_create(uv_loop_t *loop, store_t *store, const bk_tenant_t *tenants,
                                            size_t count);

/** Frees the limiter; requests still waiting for a lease are answered -1 first. Destroy the store first, so
 * that no lease reply can arrive afterwards. */
void srv_rate_limiter_destroy(srv_rate_limiter_t *limiter);

/** Takes one token of `tenant` (one of the limiter's). Returns 0 and calls cb exactly once (possibly before
 * returning, when the worker's lease still has a token), or -1 (Redis not connected) and never calls it. */
int srv_rate_limit_take(srv_rate_limiter_t *limiter, const bk_tenant_t *tenant, srv_rate_cb cb, void *data);

#endif
