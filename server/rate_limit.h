/* server/rate_limit.h: the per-key token bucket (rate per second, burst), kept in Redis so that every
 * frontdesk process behind a load balancer shares it (key fd:{t}:rl). */
#ifndef FD_SERVER_RATE_LIMIT_H
#define FD_SERVER_RATE_LIMIT_H

#include "booking/model.h"
#include "store/store.h"

/** Receives the verdict: ok (1 allowed, 0 limited, -1 Redis failed) and, when limited, the seconds to wait. */
typedef void (*srv_rate_cb)(int ok, int retry_after_seconds, void *data);

/** Takes one token from the tenant's bucket. Returns 0 and calls cb exactly once later, or -1 (Redis not
 * connected) and never calls it. */
int srv_rate_limit_take(store_t *store, const bk_tenant_t *tenant, srv_rate_cb cb, void *data);

#endif
