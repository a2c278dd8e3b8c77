/* booking/durable.h: the last step of every write flow before it reports success: the writes it made are on a
 * replica, so a Redis failover loses none that a caller was told about.
 *
 * Redis' WAIT covers every write sent earlier on the same connection, so one wait at the end of a flow covers its
 * hold, booking, idempotency claim and event (recorded in the same transaction as the change). The store decides
 * whether there is anything to wait for (store_wait_replicas: Sentinel mode or redis_min_replicas > 0) and bounds
 * the wait (STORE_REPLICA_WAIT_MS). When the replicas do not acknowledge in time, the flow reports BK_W_REDIS
 * (the caller gets 503 redis_unavailable with Retry-After, nothing claimed done; a retry finds what survived:
 * a hold already booked answers its appointment again). */
#ifndef FD_BOOKING_DURABLE_H
#define FD_BOOKING_DURABLE_H

#include <stdbool.h>

#include "booking/catalog_cache.h"

/** Receives durable true when the flow's writes are on enough replicas (or none are asked for). */
typedef void (*bk_durable_cb)(bool durable, void *data);

/** Calls then exactly once: at once when nothing is to be waited for (or the store is not connected: then with
 * false), else from the store's reply callback when the replicas answered. */
void bk_durable(bk_env_t *env, bk_durable_cb then, void *data);

#endif
