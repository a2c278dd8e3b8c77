/* core/interval.h: half-open UTC time intervals [start, end) and their in-place, allocation-free sort. */
#ifndef FD_BOOKING_INTERVAL_H
#define FD_BOOKING_INTERVAL_H

#include <stddef.h>
#include "tz/tz.h"

/** A span of real time [start, end) in UTC milliseconds (tz_instant_t). Empty when end <= start. */
typedef struct bk_interval {
    tz_instant_t start, end;
} bk_interval_t;

/** Sorts v[0..n) by start, then end, in place (heap sort: O(n log n), no allocation, deterministic).
 * Overlapping intervals are kept as they are; slot generation copes with overlaps. */
void bk_intervals_sort(bk_interval_t *v, size_t n);

/** Returns 1 if v[0..n) is sorted by start (ties in any order), else 0. */
int bk_intervals_sorted(const bk_interval_t *v, size_t n);

#endif
