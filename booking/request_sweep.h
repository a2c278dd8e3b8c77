/* booking/request_sweep.h: expires the booking requests nobody answered by their deadline (booking/requests.h).
 *
 * A libuv timer on one worker of each process looks, every second, at each requests-only tenant: one process at a
 * time holds the tenant's sweep lease in Redis and reads the requests past their deadline; each is then closed as
 * expired through the same claim as a confirm, so its appointment.request_expired is recorded exactly once whatever
 * the number of processes, and its time is released. Nothing here blocks: every Redis call is asynchronous. */
#ifndef FD_BOOKING_REQUEST_SWEEP_H
#define FD_BOOKING_REQUEST_SWEEP_H

#include <stddef.h>

#include "booking/catalog_cache.h"
#include "core/model.h"

typedef struct bk_request_sweep bk_request_sweep_t;

/** Starts sweeping the tenants (retained until stopped) on env's loop. NULL when out of memory or no tenant takes
 * requests. */
bk_request_sweep_t *bk_request_sweep_start(bk_env_t *env, const bk_tenant_t *tenants, size_t count);

/** Stops the timer; expiries under way finish on their own. NULL is fine. */
void bk_request_sweep_stop(bk_request_sweep_t *sweep);

#endif
