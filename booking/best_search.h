/* booking/best_search.h: the search behind /voice/bestSlot: the openings of every candidate practitioner x
 * location for one treatment over the booking horizon (through the per-day availability cache, all candidates
 * at once), turned into slots and scored by the pure bestSlot core. */
#ifndef FD_BOOKING_BEST_SEARCH_H
#define FD_BOOKING_BEST_SEARCH_H

#include <stdint.h>

#include "booking/best_slot.h"
#include "booking/catalog_cache.h"
#include "booking/model.h"

#define BK_SEARCH_MAX_CANDIDATES 64

/** One practitioner at one location; staff and location are the caller's own indices (into its catalog). */
typedef struct bk_search_candidate {
    uint32_t staff, location;
} bk_search_candidate_t;

typedef struct bk_search_request {
    const bk_tenant_t *tenant;
    const bk_catalog_t *catalog; /* read only during bk_best_search; the search copies what it needs */
    uint32_t treatment;          /* catalog index */
    const bk_search_candidate_t *candidates;
    size_t n_candidates;
    int64_t now, requested; /* UTC ms; requested 0 = as soon as possible */
    uint32_t staff, location; /* hard filters (catalog indices) or BK_ANY */
    bk_part_of_day_t part;
} bk_search_request_t;

/** Receives the slots found (sorted; staff/location/treatment fields are catalog indices) and the verdict of
 * bk_best_slot over them, both borrowed during the callback; or a failure status with slots NULL. */
typedef void (*bk_search_cb)(prov_status_t status, const bk_slot_t *slots, size_t n, const bk_best_result_t *best,
                             void *data);

/** Starts the search. Returns 0 and calls cb exactly once later, or -1 (no usable candidate, a bad request,
 * Redis down) and never calls it. */
int bk_best_search(bk_env_t *env, const bk_search_request_t *req, bk_search_cb cb, void *data);

#endif
