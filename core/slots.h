/* core/slots.h: slot generation: working time, busy time and a treatment in, bookable UTC slots out.
 *
 * One call covers one practitioner on one local day (bk_day_t). Working time comes from one of three sources:
 *   - local wall-clock hours ([start, end) minutes of the day, e.g. 540-1020 for 09:00-17:00), converted with
 *     tz_from_local, so a 09:00-17:00 shift stays 09:00-17:00 local on the day the clocks change (a boundary
 *     in a DST gap moves forward per tz; in an overlap a start takes the first instant, an end the second);
 *   - ready-made UTC openings from an EMR (treated like shifts);
 *   - ready-made UTC start times from an EMR (each one a candidate; no working-time check).
 * A slot is [start, start + duration) and must lie inside working time; with its buffers it becomes
 * [start - before, end + after), which must overlap nothing busy (appointments, holds, breaks) but may reach
 * outside working time. Start times follow the rule: BK_START_EVERY_N puts them every step minutes from the
 * shift (or opening) start; BK_START_BACK_TO_BACK also restarts that grid where each busy stretch ends (plus
 * the buffer before), so the next patient can follow the previous one directly. Slots earlier than
 * policy.earliest (now + minimum notice) or at/after policy.horizon_end are left out; the grid never moves.
 *
 * Identities are small integers chosen by the caller (indices into its own staff, location and treatment
 * tables) and copied into every slot. Memory: the caller owns bk_slots_t; it is either a fixed buffer or
 * grows with realloc (amortized; bk_slots_reserve beforehand makes generation allocation-free). */
#ifndef FD_BOOKING_SLOTS_H
#define FD_BOOKING_SLOTS_H

#include <stddef.h>
#include <stdint.h>
#include "tz/tz.h"
#include "core/interval.h"

/** Result codes of the booking core. */
typedef enum bk_status {
    BK_OK = 0,
    BK_EINVAL = -1, /* an input breaks its contract (negative duration, unsorted busy list, bad date) */
    BK_EFULL = -2,  /* a fixed output buffer was full: the slots that fit are kept, the rest counted */
    BK_ENOMEM = -3, /* a growable buffer could not grow */
} bk_status_t;

/** Local wall-clock working time of one day: [start_min, end_min) minutes after local midnight, 0..1440. */
typedef struct bk_local_range {
    int start_min, end_min;
} bk_local_range_t;

/** How start times are placed inside free time. */
typedef enum bk_start_kind {
    BK_START_EVERY_N = 0,      /* every step minutes from the shift start */
    BK_START_BACK_TO_BACK = 1, /* as EVERY_N, and the grid restarts where each busy stretch ends */
} bk_start_kind_t;

typedef struct bk_start_rule {
    bk_start_kind_t kind;
    int step_min; /* 1..1440; 0 means "the treatment's duration" */
} bk_start_rule_t;

/** The treatment being placed. Minutes; duration 1..1440, buffers 0..1440. */
typedef struct bk_treatment {
    uint32_t id; /* caller's treatment index, copied to slots */
    int duration_min;
    int buffer_before_min, buffer_after_min;
} bk_treatment_t;

/** Booking policy resolved to instants once per request (bk_policy_init). */
typedef struct bk_policy {
    tz_instant_t now;
    tz_instant_t earliest;    /* now + minimum notice: nothing starts before it */
    tz_instant_t horizon_end; /* nothing starts at or after it (INT64_MAX: no horizon) */
    int min_notice_min;
    int max_days_ahead;
} bk_policy_t;

/** One practitioner's local day. Set exactly one source: starts, else openings, else hours. */
typedef struct bk_day {
    const tz_zone_t *zone; /* the location's zone */
    int year, month, day;  /* the local date (used by the hours source) */
    uint32_t staff, location;
    const bk_local_range_t *hours; /* sorted, non-overlapping */
    size_t n_hours;
    const bk_interval_t *openings; /* UTC, sorted by start, non-overlapping */
    size_t n_openings;
    const tz_instant_t *starts; /* UTC, ascending */
    size_t n_starts;
    const bk_interval_t *busy; /* UTC, sorted by start (bk_intervals_sort); may overlap; may reach other days */
    size_t n_busy;
} bk_day_t;

/** A bookable slot. 48 bytes; idle_* feed the bestSlot gap rule. */
typedef struct bk_slot {
    tz_instant_t start, end; /* the treatment itself, UTC ms */
    int32_t local_day;       /* tz_days_from_civil of the local date of start */
    int16_t local_minute;    /* minute of the local day at start, 0..1439 */
    int16_t reserved;
    int32_t idle_before_min; /* free working minutes left between the previous busy time/shift start and the */
    int32_t idle_after_min;  /* slot's buffers, and after them up to the next busy time/shift end (>= 0) */
    uint32_t staff, location, treatment;
} bk_slot_t;

/** A caller-owned list of slots: a fixed buffer, or growable (buf NULL at init). */
typedef struct bk_slots {
    bk_slot_t *v;
    size_t len, cap;
    size_t dropped; /* slots lost to a full fixed buffer */
    int growable;
} bk_slots_t;

/** Sets up `s` over the caller's buffer buf[0..cap) (never grows), or, when buf is NULL, as an empty
 * growable list (realloc; release with bk_slots_free). */
void bk_slots_init(bk_slots_t *s, bk_slot_t *buf, size_t cap);

/** Makes room for at least `cap` slots in a growable list. Returns BK_OK, BK_ENOMEM, or BK_EFULL for a fixed
 * buffer smaller than cap. */
int bk_slots_reserve(bk_slots_t *s, size_t cap);

/** Frees a growable list's memory and empties it (a fixed buffer is only emptied). */
void bk_slots_free(bk_slots_t *s);

/** Sorts s->v[from..len) by start, then staff, location, treatment, end. No allocation: a merge of the ascending
 * runs (one per practitioner-day) in the list's spare capacity when it has len - from free slots, else an
 * in-place heap sort. */
void bk_slots_sort(bk_slots_t *s, size_t from);

/** Fills `p` for a request at `now` in `zone`: earliest = now + min_notice_min; horizon_end = the start of the
 * local date today + max_days_ahead (so max_days_ahead local dates are bookable, today included), or
 * INT64_MAX when max_days_ahead <= 0. Returns BK_OK or BK_EINVAL (negative notice, NULL zone). */
int bk_policy_init(bk_policy_t *p, const tz_zone_t *zone, tz_instant_t now, int min_notice_min, int max_days_ahead);

/** Appends the slots of one practitioner-day to `out`, ascending by start (the day's slots only: call
 * bk_slots_sort over several practitioners' output to order them by start, then staff). Returns BK_OK,
 * BK_EINVAL (nothing appended), BK_EFULL (fixed buffer full; the rest counted in out->dropped) or BK_ENOMEM. */
int bk_slots_generate(const bk_day_t *day, const bk_treatment_t *treatment, const bk_start_rule_t *rule,
                      const bk_policy_t *policy, bk_slots_t *out);

#endif
