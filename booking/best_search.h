/* booking/best_search.h: the search behind /voice/bestSlot: the openings of every candidate practitioner x
 * location for one treatment (through the per-day availability cache, all candidates at once), turned into
 * slots and scored by the pure bestSlot core (core/best_slot.h), within a time budget.
 *
 * Bounded work, outwards from the target: pass 0 reads only the days around it (the local day before the
 * target's and the BK_SEARCH_NEAR_DAYS local days from it, in the tenant's default zone, cut to the horizon).
 * A pass's verdict is kept when it is provably the one the whole horizon would give: the best slot and K
 * alternatives were found and each costs less than the distance from the target to the edge of the window
 * less the last-seen bonus when a last-seen practitioner is given (every slot outside costs at least that much:
 * every term of the cost but last-seen only adds). Otherwise pass 1 reads the week (BK_SEARCH_FIRST_DAYS from the
 * target's day), and then pass 2 the whole horizon, in chunks of at most BK_SEARCH_CHUNK_DAYS local days per
 * candidate, at most BK_SEARCH_MAX_PARTS reads at once (a longer horizon is cut to what fits). A warm answer is
 * one read of about 3 days per candidate.
 *
 * The gap rule of the core needs idle working time around a slot. Openings do not carry working hours, so it is
 * measured from one practitioner's openings alone: overlapping openings form free blocks, and a slot's idle time
 * before and after is what it leaves free up to its block's edges (a booking, a hold, a break, the day's end).
 *
 * Budget: when it passes before every read has answered, the search answers with what has arrived (partial:
 * the candidates served from the cache are in, those waiting for a slow EMR are not); late reads are absorbed. */
#ifndef FD_BOOKING_BEST_SEARCH_H
#define FD_BOOKING_BEST_SEARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/best_slot.h"
#include "booking/catalog_cache.h"
#include "core/model.h"

#define BK_SEARCH_MAX_CANDIDATES 64
#define BK_SEARCH_CHUNK_DAYS 35  /* local days per availability read (availability.h allows 40) */
#define BK_SEARCH_MAX_PARTS 512  /* availability reads in flight for one search */
/* Local days from the target read by pass 0 (plus the day before). A week, as pass 1: with a narrower pass 0, a
 * slow EMR for one practitioner could leave the budget to run out before any other practitioner's cached slot
 * was found (a 504 where a stale answer was due: it_voice_bestslot's test_slow_emr on a Saturday). */
#define BK_SEARCH_NEAR_DAYS 7
#define BK_SEARCH_FIRST_DAYS 7   /* local days from the target read by pass 1 (plus the day before) */

/** One practitioner at one location; staff and location are the caller's own indices (into its catalog). The
 * strings are the caller's copies of that practitioner's and location's catalog ids and the location's zone,
 * borrowed: they must stay as they are until the search's callback has run (the search reads them until then,
 * and copies nothing). */
typedef struct bk_search_candidate {
    uint32_t staff, location;
    const char *staff_id, *location_id, *time_zone;
} bk_search_candidate_t;

typedef struct bk_search_request {
    const bk_tenant_t *tenant;   /* must outlive the search (tenants live as long as the process) */
    const bk_catalog_t *catalog; /* read only during bk_best_search */
    uint32_t treatment;          /* catalog index */
    const char *treatment_id;    /* its id, borrowed as the candidates' strings are */
    const bk_search_candidate_t *candidates;
    size_t n_candidates;
    int64_t now, requested;   /* UTC ms; requested 0 = as soon as possible */
    uint32_t staff, location; /* hard filters (catalog indices) or BK_ANY */
    bk_part_of_day_t part;
    uint32_t last_seen_staff; /* the practitioner the caller saw last (catalog index; a soft preference), or
                               * BK_ANY (0 is a practitioner: set BK_ANY when there is none) */
    int64_t budget_ms; /* > 0: answer with what has arrived after this long; <= 0: wait for every read */
} bk_search_request_t;

/** What the search found: the slots (one run per read, each sorted by start, no global order; staff/location/
 * treatment fields are catalog indices) and the verdict of bk_best_slot_runs over them (its indices point into
 * slots), borrowed during the callback. */
typedef struct bk_search_result {
    const bk_slot_t *slots;
    size_t n;
    const bk_best_result_t *best;
    bool partial; /* the budget ran out: some candidates' openings (or the wider pass) are missing */
    bool widened; /* the week around the target did not settle it: the whole horizon was read */
    bool past_horizon;     /* the requested time is at or past horizon_end: the search aimed at the same local time
                            * on the last bookable day instead (the tenant's default location's zone) */
    int64_t horizon_end;   /* UTC ms: nothing can be booked from here on (now + max_days_ahead local days) */
} bk_search_result_t;

/** Receives the result (PROV_OK), or a failure status with res NULL (PROV_TIMEOUT: the budget passed before
 * any read answered). */
typedef void (*bk_search_cb)(prov_status_t status, const bk_search_result_t *res, void *data);

/** Starts the search. Returns 0 and calls cb exactly once (later; or before returning when every read failed at
 * once), or -1 (no usable candidate, a bad request, Redis down, out of memory) and never calls it. */
int bk_best_search(bk_env_t *env, const bk_search_request_t *req, bk_search_cb cb, void *data);

#endif
