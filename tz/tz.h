/* tz/tz.h: the one place where time is understood: instants, zones, local wall time, ISO text, spoken text.
 *
 * Instants are int64 milliseconds since 1970-01-01T00:00:00Z (tz_instant_t). Zone rules come from the system
 * tz database (/usr/share/zoneinfo, TZif), which Debian keeps current; ICU is used where it is strong (zone
 * names, Windows IDs, locale formatting). Nothing here depends on the rest of Frontdesk.
 *
 * Thread safety: tz_zone_t objects are immutable once loaded and shared by all threads; tz_speaker_t holds
 * ICU formatters and belongs to one thread. */
#ifndef FD_TZ_H
#define FD_TZ_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t tz_instant_t;

#define TZ_MS_PER_SECOND 1000LL
#define TZ_MS_PER_MINUTE 60000LL
#define TZ_MS_PER_HOUR 3600000LL
#define TZ_MS_PER_DAY 86400000LL

/** A civil (wall-clock) date and time, no zone attached. month 1-12, day 1-31, hour 0-23. */
typedef struct tz_civil {
    int year, month, day, hour, minute, second, millisecond;
} tz_civil_t;

/** The rules of one zone: an IANA zone from the tz database, or a fixed offset. Immutable, shared. */
typedef struct tz_zone tz_zone_t;

/** How a local wall time mapped to an instant. */
typedef enum tz_local_kind {
    TZ_LOCAL_EXACT = 0,      /* the wall time exists exactly once */
    TZ_LOCAL_GAP_SHIFTED,    /* it falls in a DST gap: moved forward by the gap's length */
    TZ_LOCAL_OVERLAP_FIRST,  /* it happens twice: the first (earlier) instant was taken */
    TZ_LOCAL_OVERLAP_SECOND, /* it happens twice: the second (later) instant was taken */
} tz_local_kind_t;

typedef enum tz_overlap_policy {
    TZ_OVERLAP_FIRST = 0, /* default: the earlier of the two instants */
    TZ_OVERLAP_SECOND,
} tz_overlap_policy_t;

/* ---- zones ---------------------------------------------------------------------------------------------- */

/** Loads (once per process, then cached) the zone with this exact IANA ID, e.g. "America/New_York".
 * Returns NULL for an unknown ID. Thread-safe; the result lives until tz_shutdown(). */
const tz_zone_t *tz_zone_load(const char *iana_id);

/** The zone's ID as loaded ("America/New_York", or "UTC+05:30" for a fixed offset). */
const char *tz_zone_id(const tz_zone_t *zone);

/** Offset from UTC in seconds in force at instant t (e.g. -14400 for New York in summer). */
int tz_offset_seconds(const tz_zone_t *zone, tz_instant_t t);

/** A zone's offset remembered over the span it holds: callers walking many instants in order (the openings of
 * a month, a list of slots) ask tz_offset_cached and pay for a lookup only when an instant leaves the span. */
typedef struct tz_offset_span {
    const tz_zone_t *zone;
    tz_instant_t from, until; /* the offset below is in force for every instant in [from, until) */
    int offset_seconds;
} tz_offset_span_t;

/** Forgets any span: the next tz_offset_cached looks up (zone may be NULL only if never used). */
void tz_offset_span_init(tz_offset_span_t *span, const tz_zone_t *zone);

/** Offset in seconds in force at t in span->zone (as tz_offset_seconds), reusing the span when t lies inside it
 * and otherwise looking it up and remembering [t, the zone's next change after t). */
int tz_offset_cached(tz_offset_span_t *span, tz_instant_t t);

/** Frees every cached zone and name resolution. Call once at exit, after all threads that use zones have stopped. */
void tz_shutdown(void);

/* ---- conversion ----------------------------------------------------------------------------------------- */

/** The local wall time at instant t; *offset_seconds (may be NULL) receives the offset in force. */
void tz_to_local(const tz_zone_t *zone, tz_instant_t t, tz_civil_t *out, int *offset_seconds);

/** The instant of a local wall time. A time in a DST gap moves forward by the gap; a time in an overlap takes
 * the instant `policy` names. *kind (may be NULL) says which happened. Returns 0, or -1 if `local` is not a
 * valid civil time (month 13, 24:00, February 30). */
int tz_from_local(const tz_zone_t *zone, const tz_civil_t *local, tz_overlap_policy_t policy, tz_instant_t *out,
                  tz_local_kind_t *kind);

/* ---- local days ----------------------------------------------------------------------------------------- */

/** The current instant (UTC ms): the system's real-time clock plus the offset of tz_clock_set_offset (0 unless a
 * test pinned the clock). Every "now" of the service comes from here. */
tz_instant_t tz_now(void);

/** Makes tz_now() run offset_ms ahead of (negative: behind) the system clock. For tests, which pin the service's
 * "now" to a chosen date; call once at start, before other threads run. Instants read from another clock (Redis
 * TIME) are moved onto ours with tz_clock_offset(). */
void tz_clock_set_offset(int64_t offset_ms);

/** The offset set by tz_clock_set_offset (0 by default). */
int64_t tz_clock_offset(void);

/** Days since 1970-01-01 of a civil date (proleptic Gregorian); negative before 1970. */
int64_t tz_days_from_civil(int year, int month, int day);

/** The civil date of a day number from tz_days_from_civil. */
void tz_civil_from_days(int64_t days, int *year, int *month, int *day);

/** ISO weekday of a civil date: 1 = Monday ... 7 = Sunday. */
int tz_weekday(int year, int month, int day);

/** The first instant of a local date in the zone (its midnight, or the first existing time where midnight is
 * skipped by DST). Returns 0, or -1 for an invalid date. The day ends where the next date's start begins,
 * so a local day lasts 23, 23.5, 24, 24.5 or 25 hours. */
int tz_day_start(const tz_zone_t *zone, int year, int month, int day, tz_instant_t *out);

/** The local date containing instant t. */
void tz_local_date(const tz_zone_t *zone, tz_instant_t t, int *year, int *month, int *day);

/* ---- ISO 8601 ------------------------------------------------------------------------------------------- */

/** Parses a strict ISO 8601 date-time: YYYY-MM-DDTHH:MM[:SS[.fff]] followed by Z, ±hh:mm or nothing
 * (lower-case t/z accepted as RFC 3339 allows; 1-9 fraction digits, truncated to milliseconds; the result must
 * lie in years 0001-9999 UTC).
 * Without an offset the time is read in `zone_if_local` (DST gap/overlap policy as tz_from_local with
 * TZ_OVERLAP_FIRST); if that is NULL a missing offset is an error. Returns 0, or -1 with a short reason
 * (e.g. "month 13 is not a month") written to why (may be NULL). */
int tz_parse_iso(const char *s, size_t len, const tz_zone_t *zone_if_local, tz_instant_t *out, char *why,
                 size_t why_cap);

#define TZ_ISO_CAP 40

/** Writes "2026-04-18T13:59:59.999Z" (UTC, milliseconds, Z). Returns the length. buf holds TZ_ISO_CAP. */
size_t tz_format_utc(tz_instant_t t, char *buf);

/** Writes "2026-04-18T09:59:59-04:00" (local time with the offset in force; ".fff" is added only when the
 * milliseconds are not zero; local mean time before ~1900 shows offset seconds, "-04:56:02"). Returns the
 * length. buf holds TZ_ISO_CAP. */
size_t tz_format_local(const tz_zone_t *zone, tz_instant_t t, char *buf);

/* ---- additions (issue 3): everything below extends the frozen contract above ------------------------- */

/** The zone of a fixed UTC offset in seconds (|offset| <= 18 h), ID "UTC+05:30" / "UTC-05:00" ("UTC+00:00"
 * for zero). tz_zone_load() also accepts these IDs. Returns NULL when out of range. Cached like any zone. */
const tz_zone_t *tz_zone_fixed(int offset_seconds);

/** The abbreviation in force at t as the tz database spells it ("EDT", "AEST", "+0545"); "" for fixed
 * offsets. The pointer lives as long as the zone. */
const char *tz_zone_abbrev(const tz_zone_t *zone, tz_instant_t t);

/** The version of the system tz database the rules come from ("2026f"), or "unknown". */
const char *tz_db_version(void);

/** True (1) when `c` is a valid civil time: month 1-12, day within the month, 00:00:00.000-23:59:59.999. */
int tz_civil_valid(const tz_civil_t *c);

/** Days in a month of a year (proleptic Gregorian), 0 for a month outside 1-12. */
int tz_days_in_month(int year, int month);

/** The first instant of the local date after (year, month, day): the end (exclusive) of that day.
 * Returns 0, or -1 for an invalid date. */
int tz_day_end(const tz_zone_t *zone, int year, int month, int day, tz_instant_t *out);

/** The same local wall time `days` local days after (or before, if negative) instant t: 9:00 on Saturday
 * plus one day is 9:00 on Sunday even across a DST change. A result in a gap or overlap follows
 * tz_from_local with `policy`; *kind (may be NULL) says which happened. Returns 0, or -1 if out of range. */
int tz_add_local_days(const tz_zone_t *zone, tz_instant_t t, int days, tz_overlap_policy_t policy,
                      tz_instant_t *out, tz_local_kind_t *kind);

/** ISO weekday (1 = Monday ... 7 = Sunday) of the local date containing t. */
int tz_local_weekday(const tz_zone_t *zone, tz_instant_t t);

/** One local day: its date, ISO weekday and [start, end) instants. */
typedef struct tz_day_range {
    int year, month, day, weekday;
    tz_instant_t start, end; /* end - start is 23, 23.5, 24, 24.5 or 25 hours */
} tz_day_range_t;

/** The `count` consecutive local days starting with the one containing t ("the next 7 local days" is
 * count 7: today and the six after). Returns 0, or -1 if count < 0 or out of range. */
int tz_local_days(const tz_zone_t *zone, tz_instant_t t, int count, tz_day_range_t *out);

#endif
