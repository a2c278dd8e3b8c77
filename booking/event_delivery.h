/* booking/event_delivery.h: delivers the events of booking/events.h to the tenants' webhook endpoints, signed as
 * the Standard Webhooks specification says, at least once, in order per patient (so per appointment), with
 * retries for each endpoint's retry window (24 h by default), after which an event is kept as dead.
 *
 * Every process runs one delivery (on its first worker's loop); all of them share each endpoint's stream through
 * one consumer group ("fd"), polled every 200 ms with scripts that never block Redis:
 * - new entries are read with XREADGROUP (no BLOCK); an entry is in its reader's pending list while its first
 *   attempt runs, and XAUTOCLAIM hands it to another process when its reader died (idle > 15 s);
 * - an entry to try again later is acknowledged and scheduled in fd:{t}:wh:<endpoint>:retry (a sorted set by due
 *   time); taking a due entry moves its time 15 s on, a lease nobody else takes it under;
 * - an entry goes out only when it heads its order list (fd:{t}:wh:<endpoint>:order:<key>), else it waits;
 * - a delivered entry is deleted; a dead one is kept 30 days in fd:{t}:wh:<endpoint>:dead:<event id>.
 * Attempts: 5 s each, at most max_connections at once per endpoint and process, off every request's path. A 2xx
 * is delivered; a 4xx other than 408 and 429, or an address that is not public (unless allowed), ends the event
 * at once as dead; anything else (network error, timeout, 408, 429, 5xx) is retried after an exponential backoff
 * with jitter (1 s doubling to 1 h), or after the Retry-After the endpoint gave when longer. */
#ifndef FD_BOOKING_EVENT_DELIVERY_H
#define FD_BOOKING_EVENT_DELIVERY_H

#include <stddef.h>

#include "booking/catalog_cache.h"
#include "booking/events.h"

#define BK_DELIVERY_POLL_MS    200
#define BK_DELIVERY_TIMEOUT_MS 5000
#define BK_DELIVERY_LEASE_MS   15000 /* longer than an attempt: a live deliverer always finishes first */

typedef struct bk_event_delivery bk_event_delivery_t;

/** Starts delivering the events of every tenant with webhooks on env's loop, with env's store and HTTP client
 * (env->prov.http). Returns NULL when no tenant has webhooks, or when out of memory. */
bk_event_delivery_t *bk_event_delivery_start(bk_env_t *env, const bk_tenant_t *tenants, size_t count);

/** Stops taking new events; attempts under way are abandoned (their leases let another process or the next start
 * deliver them). Frees the delivery once the store and the HTTP client have answered or cancelled every call: call
 * it before destroying them. NULL is fine. */
void bk_event_delivery_stop(bk_event_delivery_t *delivery);

#endif
