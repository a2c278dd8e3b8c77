/* tz/tz_internal.h: helpers shared by the files of tz/ and not part of the public contract. */
#ifndef FD_TZ_INTERNAL_H
#define FD_TZ_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tz/tz.h"

/** Writes a printf-style reason into why (may be NULL) and returns -1, for "return tz_fail(...)". */
int tz_fail(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define TZ_ID_CAP 64 /* longest zone ID we accept, NUL included */

/* Floor division and modulo for int64 (the C operators truncate toward zero). */
static inline int64_t tz_floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

static inline int64_t tz_floormod(int64_t a, int64_t b)
{
    return a - tz_floordiv(a, b) * b;
}

/* The tz database directory: $FD_ZONEINFO_DIR or /usr/share/zoneinfo. */
const char *tz_db_dir(void);

/* True when `id` is safe to join to the database directory: [A-Za-z0-9_+-./], no "..", no leading "/",
 * no empty path components, shorter than TZ_ID_CAP. */
bool tz_id_is_safe(const char *id);

/* True when the zone uses abbreviation `abbr` (exact case) since 2000 or in its footer rule. */
bool tz_zone_uses_abbrev(const tz_zone_t *zone, const char *abbr);

/* Milliseconds since the epoch of a civil time read as UTC (no validation). */
int64_t tz_civil_to_ms(const tz_civil_t *c);

/* The civil time of milliseconds since the epoch read as UTC. */
void tz_ms_to_civil(int64_t ms, tz_civil_t *out);

/* Frees every cached zone (tz_zone.c); called by tz_shutdown() (tz_names.c) once nothing points to them. */
void tz_zone_cache_free(void);

#endif
