/* core/best_slot.h: bestSlot: hard rules, then one documented weighted cost, over generated free slots.
 *
 * Hard rules (a slot failing one is not a candidate):
 *   treatment, staff, location equal to the query's when it names one (BK_ANY: any);
 *   start >= policy.earliest (now + minimum notice) and start < policy.horizon_end.
 * Cost of a candidate, in milliseconds, lower is better (weights: bk_weights_t, defaults in brackets):
 *   target   = max(requested, policy.earliest)            the requested instant, never before minimum notice
 *   cost     = |start - target|                           closeness: one minute away costs one minute
 *            + part_miss   [2 days]  if a part of day is asked and the slot's local start is outside it
 *                                    (morning < 12:00 <= afternoon < 17:00 <= evening, local wall time)
 *            - last_seen   [4 h]     if the slot is with the practitioner the patient saw last
 *            + gap         [20 min]  per unusable gap the slot leaves in its practitioner's day: free working
 *                                    time before or after it (outside its buffers) longer than 0 and shorter
 *                                    than the clinic's shortest treatment (0, 1 or 2 gaps)
 *            + load * share [10 min] share = the practitioner's booked share (per mille / 1000), if given
 * So part of day and continuity outweigh hours of distance, while gaps and load only decide between
 * near-equals (slots within 20 or 10 minutes of each other). Ties: earlier start, then lower staff, location,
 * treatment index, earlier end, then lower slot index: the same input always gives the same answer.
 * Alternatives: walking the candidates in cost order, a slot is taken when it is genuinely different from
 * every slot taken so far: another local day, another practitioner, or at least one hour apart.
 * Nothing fits: the outcome says why (see bk_outcome_t), with a slot to offer instead where one exists.
 *
 * Slots must be sorted by start (bk_slots_sort), or come as runs each sorted by start (bk_best_slot_runs: one run
 * per practitioner read, no global order needed): the search starts at the target and walks each run outwards,
 * stopping when no further slot can beat the candidates kept, so a typical call reads a few hundred slots, and a
 * call that must look at everything (a named practitioner who is fully booked) reads each slot once or twice.
 * No allocation; reentrant. */
#ifndef FD_BOOKING_BEST_SLOT_H
#define FD_BOOKING_BEST_SLOT_H

#include <stddef.h>
#include <stdint.h>
#include "core/slots.h"

#define BK_ANY              UINT32_MAX /* no constraint on staff, location, treatment or last-seen practitioner */
#define BK_NO_SLOT          SIZE_MAX   /* "no slot" in an index field */
#define BK_MAX_ALTERNATIVES 8

typedef enum bk_part_of_day {
    BK_PART_ANY = 0,
    BK_PART_MORNING,   /* local start before 12:00 */
    BK_PART_AFTERNOON, /* 12:00 to before 17:00 */
    BK_PART_EVENING,   /* 17:00 and later */
} bk_part_of_day_t;

/** Weights of the soft rules, in milliseconds of closeness (see the header comment). */
typedef struct bk_weights {
    int64_t part_miss_ms;
    int64_t last_seen_bonus_ms;
    int64_t gap_ms;
    int64_t load_ms;
} bk_weights_t;

/** The defaults: 2 days, 4 hours, 20 minutes, 10 minutes. */
extern const bk_weights_t bk_default_weights;

typedef struct bk_best_query {
    const bk_policy_t *policy;           /* now, earliest (now + notice), horizon end */
    tz_instant_t requested;              /* what the caller asked for; anything before policy->earliest means "asap" */
    uint32_t staff;                      /* hard, or BK_ANY */
    uint32_t location;                   /* hard, or BK_ANY */
    uint32_t treatment;                  /* hard, or BK_ANY */
    uint32_t last_seen_staff;            /* soft, or BK_ANY */
    bk_part_of_day_t part;               /* soft */
    int shortest_treatment_min;          /* the clinic's shortest treatment (gap rule); 0 turns the gap rule off */
    const uint16_t *staff_load_permille; /* optional, indexed by staff: booked share 0..1000 */
    size_t n_staff_load;
    size_t max_alternatives;     /* K, at most BK_MAX_ALTERNATIVES */
    const bk_weights_t *weights; /* NULL: bk_default_weights */
} bk_best_query_t;

/** Why there is no best slot. */
typedef enum bk_outcome {
    BK_BEST_FOUND = 0,
    BK_NONE_NO_OPENINGS,         /* nothing in the horizon; `other` = first matching slot after it, if any */
    BK_NONE_NEEDS_NOTICE,        /* matching slots exist only inside the notice period; see notice_hours */
    BK_NONE_NAMED_STAFF_FULL,    /* the named practitioner has nothing; `other` = best slot with another one */
    BK_NONE_NAMED_LOCATION_FULL, /* the named location has nothing; `other` = best slot at another one */
} bk_outcome_t;

/** One chosen slot and why: its cost and the parts of it. */
typedef struct bk_pick {
    size_t index;        /* into the slots array */
    int64_t cost;        /* ms, lower is better */
    int64_t distance_ms; /* |start - target| */
    uint8_t part_ok;     /* 1 when no part of day was asked or the slot is in it */
    uint8_t last_seen;   /* 1 when with the last-seen practitioner */
    uint8_t gaps;        /* unusable gaps left: 0..2 */
} bk_pick_t;

typedef struct bk_best_result {
    bk_outcome_t outcome;
    bk_pick_t best;                     /* valid when outcome == BK_BEST_FOUND */
    bk_pick_t alt[BK_MAX_ALTERNATIVES]; /* best first */
    size_t n_alt;
    int notice_hours;                     /* BK_NONE_NEEDS_NOTICE: the minimum notice in hours, rounded up */
    size_t other;                         /* see bk_outcome_t; BK_NO_SLOT when there is none */
    uint32_t other_staff, other_location; /* of `other`, when there is one */
} bk_best_result_t;

/** Picks the best of slots[0..n) (sorted by start) for `q`, plus up to q->max_alternatives genuinely
 * different alternatives, or says why nothing fits. Returns BK_OK (then read out->outcome) or BK_EINVAL. */
int bk_best_slot(const bk_slot_t *slots, size_t n, const bk_best_query_t *q, bk_best_result_t *out);

/** As bk_best_slot over slots made of n_runs runs, run r being slots[r ? run_ends[r - 1] : 0 .. run_ends[r]),
 * each sorted by start (run_ends non-decreasing, else BK_EINVAL). The verdict picks the same slots, costs and
 * reasons as bk_best_slot over the one list bk_slots_sort makes of them (ties: start, staff, location, treatment,
 * end, then the earlier index), without that sort; the indices point into slots as given. */
int bk_best_slot_runs(const bk_slot_t *slots, const size_t *run_ends, size_t n_runs, const bk_best_query_t *q,
                      bk_best_result_t *out);

/** The part of day of a local minute (0..1439): morning, afternoon or evening. */
bk_part_of_day_t bk_part_of_minute(int local_minute);

#endif
