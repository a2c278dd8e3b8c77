/* booking/availability.h: the openings of one practitioner x treatment x location over a time window, through
 * the per-day Redis cache (fd:{t}:avail:<staff>:<treatment>:<location>:<local date>, TTL from policy), asking
 * the provider for the missing days (one fetch across processes for a burst of identical misses), then
 * cut to the window, the minimum notice and the booking horizon. */
#ifndef FD_BOOKING_AVAILABILITY_H
#define FD_BOOKING_AVAILABILITY_H

#include <stdbool.h>
#include <stdint.h>

#include "booking/catalog_cache.h"
#include "core/model.h"
#include "providers/provider.h"

#define BK_AVAIL_MAX_DAYS 40 /* local dates one query may cover */

typedef struct bk_avail_query {
    const bk_tenant_t *tenant;
    const char *staff_id, *treatment_id, *location_id;
    int duration_minutes;
    const char *time_zone; /* the location's IANA zone */
    int64_t from, to;      /* the window [from, to), UTC ms */
    int64_t now;           /* UTC ms; minimum notice and horizon count from here */
} bk_avail_query_t;

/** Receives the bookable openings (sorted by start; borrowed during the callback) or a failure status. */
typedef void (*bk_avail_cb)(prov_status_t status, const prov_opening_t *openings, size_t count, void *data);

/** Gets availability. The query's strings are copied. Returns 0 and calls cb exactly once later, or -1 (Redis
 * not connected, window empty or longer than BK_AVAIL_MAX_DAYS local dates, unknown zone) and never calls it. */
int bk_availability_get(bk_env_t *env, const bk_avail_query_t *query, bk_avail_cb cb, void *data);

/** Deletes the cached availability of one practitioner on one local date ("YYYY-MM-DD"), for every treatment
 * and location (after a booking touched that day). Fire and forget. */
void bk_availability_invalidate(bk_env_t *env, const bk_tenant_t *tenant, const char *staff_id, const char *date);

#endif
