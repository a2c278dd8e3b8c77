/* providers/sandbox_clinic.h: the sandbox clinic file: parse + validate JSON into an immutable clinic, and the
 * day-level queries (working hours after overrides, synthetic busy intervals) the sandbox provider needs.
 *
 * Ownership: sb_clinic_parse()/sb_clinic_load_file() return a clinic the caller owns and frees with
 * sb_clinic_free(); every string and array it points to lives exactly as long as the clinic. A clinic is
 * immutable after parsing and may be read from any number of threads. sb_diag_new()/sb_diag_free() pair the
 * diagnostics list (errors refuse the file, warnings do not).
 *
 * Wall-clock times are minutes since local midnight, [start, end), 0..1440, in the location's zone, on every
 * date, DST change days included (the caller maps them to instants with tz_from_local). The format is
 * documented in providers/sandbox/README.md and openapi/sandbox_clinic.schema.json. */
#ifndef FD_SANDBOX_CLINIC_H
#define FD_SANDBOX_CLINIC_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "tz/tz.h"

/* ---- limits ------------------------------------------------------------------------------------------------ */

#define SB_FILE_MAX_BYTES    (16u << 20) /* bigger files are refused before parsing */
#define SB_ID_MAX            64          /* IDs: 1-64 of [A-Za-z0-9._-] */
#define SB_TEXT_MAX          200         /* names, titles, address lines ... (bytes of UTF-8) */
#define SB_MAX_LOCATIONS     200
#define SB_MAX_PRACTITIONERS 2000
#define SB_MAX_TREATMENTS    2000
#define SB_MAX_BOOKINGS      200000
#define SB_MAX_PATIENTS      200000
#define SB_MAX_OVERRIDES     1000 /* per practitioner, and closures per location */
#define SB_DAY_MAX_INTERVALS 24   /* working intervals of one practitioner on one weekday or date */
#define SB_DAY_MAX_BUSY      288  /* generated busy intervals of one day (1440 / 5) */
#define SB_DIAG_MAX_ERRORS   20   /* errors kept; more are only counted */
#define SB_DIAG_MAX_WARNINGS 50   /* warnings kept; more are only counted */
#define SB_PATH_CAP          256  /* the longest JSON path a diagnostic names */

/* ---- diagnostics ------------------------------------------------------------------------------------------- */

typedef enum sb_severity {
    SB_ERROR = 0, /* the file is refused */
    SB_WARNING,   /* the file loads; something looks wrong */
} sb_severity_t;

/** The errors and warnings of one parse. Messages read "<json path>: <what is wrong>", e.g.
 * "practitioners[2].schedules[0].weekly[0].intervals[1].end: 25:00 is not a time". */
typedef struct sb_diag sb_diag_t;

/** A new, empty diagnostics list (caller frees with sb_diag_free). NULL when out of memory. */
sb_diag_t *sb_diag_new(void);

/** Frees the list and its messages. NULL is a no-op. */
void sb_diag_free(sb_diag_t *diag);

/** Removes every entry so the list can serve another parse. */
void sb_diag_clear(sb_diag_t *diag);

/** The number of kept entries (errors first, then warnings); index them with sb_diag_message(). */
size_t sb_diag_count(const sb_diag_t *diag);

/** Errors found, including those beyond SB_DIAG_MAX_ERRORS that were counted but not kept. */
size_t sb_diag_error_count(const sb_diag_t *diag);

/** Warnings found, including those beyond SB_DIAG_MAX_WARNINGS that were counted but not kept. */
size_t sb_diag_warning_count(const sb_diag_t *diag);

/** The message of kept entry i ("path: text"), or NULL when i >= sb_diag_count(). Lives with the list. */
const char *sb_diag_message(const sb_diag_t *diag, size_t i);

/** The JSON path alone of kept entry i ("practitioners[2].email", "$" for the whole file), or NULL. */
const char *sb_diag_path(const sb_diag_t *diag, size_t i);

/** The severity of kept entry i (SB_ERROR for an index out of range). */
sb_severity_t sb_diag_severity(const sb_diag_t *diag, size_t i);

/** Adds an entry "path: <fmt formatted>" ("" reads "$") of severity sev. Every entry is counted; it is kept
 * while fewer than SB_DIAG_MAX_ERRORS errors (SB_DIAG_MAX_WARNINGS warnings) are. diag may be NULL (no-op). */
void sb_diag_addv(sb_diag_t *diag, sb_severity_t sev, const char *path, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/** Renders all kept entries as lines ("error: path: text" / "warning: path: text", '\n'-separated, plus a
 * "... and N more" line when some were not kept) into buf, always NUL-terminated when cap > 0, truncated to
 * fit. Returns the length the full text needs (like snprintf). diag may be NULL (renders ""). */
size_t sb_diag_render(const sb_diag_t *diag, char *buf, size_t cap);

/* ---- the clinic -------------------------------------------------------------------------------------------- */

/** A wall-clock interval of one local date: minutes since local midnight, [start, end), 0 <= start < end <= 1440. */
typedef struct sb_interval {
    int start, end;
} sb_interval_t;

typedef struct sb_address {
    const char *line1, *line2, *city, *region, *postal_code, *country; /* line2/region/postal_code may be NULL */
} sb_address_t;

/** A closed date of a whole location (public holiday): nobody works there that day. */
typedef struct sb_closure {
    int year, month, day;
    const char *reason; /* may be NULL */
} sb_closure_t;

typedef struct sb_location {
    const char *id, *name, *phone, *time_zone, *booking_url; /* phone and booking_url may be NULL */
    sb_address_t address;
    const tz_zone_t *zone;        /* resolved time_zone, never NULL */
    const sb_closure_t *closures; /* sorted by date */
    size_t closure_count;
} sb_location_t;

/** The working intervals of one weekday: sorted by start, non-overlapping. */
typedef struct sb_day {
    const sb_interval_t *intervals;
    size_t count;
} sb_day_t;

/** A practitioner's weekly hours at one location. */
typedef struct sb_schedule {
    size_t location;  /* index into clinic->locations */
    sb_day_t days[7]; /* [0] = Monday ... [6] = Sunday (ISO weekday - 1) */
} sb_schedule_t;

/** Other hours (or none) on one date. */
typedef struct sb_override {
    int year, month, day;
    long location; /* index into clinic->locations, or -1: every location of the practitioner (closed only) */
    int closed;    /* 1: not working; else `intervals` replace the weekly hours that date */
    const sb_interval_t *intervals;
    size_t interval_count;
} sb_override_t;

typedef struct sb_practitioner {
    const char *id, *first_name, *last_name;
    const char *title, *email; /* may be NULL */
    int ai_enabled;            /* default 1 */
    const char *const *disciplines;
    size_t discipline_count;
    /* Treatments offered: the union of this practitioner's treatment_ids and every treatment listing them in
     * practitioner_ids, in treatment order. treatments[i] is the index of treatment_ids[i]. */
    const char *const *treatment_ids;
    const size_t *treatments;
    size_t treatment_count;
    const sb_schedule_t *schedules; /* at most one per location */
    size_t schedule_count;
    const sb_override_t *overrides; /* sorted by date */
    size_t override_count;
} sb_practitioner_t;

typedef struct sb_treatment {
    const char *id, *name;
    const char *description; /* may be NULL */
    int duration_minutes;    /* 5..480 */
    double price_amount;     /* as written in the file */
    int64_t price_minor;     /* in minor units of the currency (cents for AUD; yen for JPY) */
    char currency[4];        /* ISO 4217, e.g. "AUD" */
    /* Practitioners offering it (the union of both directions, in practitioner order). */
    const char *const *practitioner_ids;
    const size_t *practitioners;
    size_t practitioner_count;
    /* Locations where it is offered: as written, or by default every location where one of its practitioners
     * has a schedule (in location order). */
    const char *const *location_ids;
    const size_t *locations;
    size_t location_count;
} sb_treatment_t;

typedef struct sb_booking {
    const char *id;                           /* as written, or "booking-<n>" (n = 1-based position in the file) */
    size_t practitioner, treatment, location; /* indices into the clinic's arrays */
    long patient;                             /* index into clinic->patients, or -1 */
    tz_instant_t start, end;                  /* end defaults to start + the treatment's duration */
} sb_booking_t;

typedef struct sb_patient {
    const char *id, *first_name, *last_name;
    const char *phone, *email, *dob; /* may be NULL; phone is E.164, dob "YYYY-MM-DD" */
} sb_patient_t;

typedef enum sb_start_rule {
    SB_START_EVERY_STEP = 0, /* a slot may start at every slot_step_minutes inside working hours */
    SB_START_BACK_TO_BACK,   /* slots follow each other from the start of each interval (step = duration) */
} sb_start_rule_t;

/** The booking policy the tenant would otherwise set; every field has a default. */
typedef struct sb_policy {
    int min_notice_minutes;     /* default 120 */
    int max_days_ahead;         /* default 30 */
    int slot_step_minutes;      /* default 15 */
    sb_start_rule_t start_rule; /* default every_step */
    int buffer_before_minutes;  /* default 0 */
    int buffer_after_minutes;   /* default 0 */
    int hold_seconds;           /* default 300 */
} sb_policy_t;

/** Synthetic existing bookings, so a demo looks busy on any date. */
typedef struct sb_generated {
    int enabled;       /* 0 when the file has no generated_bookings */
    double fill_ratio; /* 0..0.9: about this share of working time is booked */
    int64_t seed;
} sb_generated_t;

typedef struct sb_clinic {
    const char *name, *country, *locale; /* country ISO 3166-1 alpha-2; locale may be NULL */
    const sb_location_t *locations;
    size_t location_count;
    const sb_practitioner_t *practitioners;
    size_t practitioner_count;
    const sb_treatment_t *treatments;
    size_t treatment_count;
    const sb_booking_t *bookings; /* in file order */
    size_t booking_count;
    const sb_patient_t *patients;
    size_t patient_count;
    sb_policy_t policy;
    sb_generated_t generated;
} sb_clinic_t; /* allocated inside a private owner (providers/sandbox_clinic_impl.h): free with sb_clinic_free */

/** Parses and validates a clinic file held in memory (need not be NUL-terminated). Returns the clinic (caller
 * frees with sb_clinic_free), or NULL when the file has errors or memory ran out. Errors and warnings are
 * appended to diag (may be NULL); a successful parse may still have warnings. */
sb_clinic_t *sb_clinic_parse(const char *json, size_t len, sb_diag_t *diag);

/** Reads the file at path (refusing one over SB_FILE_MAX_BYTES) and parses it as sb_clinic_parse() does. */
sb_clinic_t *sb_clinic_load_file(const char *path, sb_diag_t *diag);

/** Frees a clinic and everything it points to. NULL is a no-op. */
void sb_clinic_free(sb_clinic_t *clinic);

/** Index of the location with this ID, or -1. */
long sb_clinic_find_location(const sb_clinic_t *clinic, const char *id);

/** Index of the practitioner with this ID, or -1. */
long sb_clinic_find_practitioner(const sb_clinic_t *clinic, const char *id);

/** Index of the treatment with this ID, or -1. */
long sb_clinic_find_treatment(const sb_clinic_t *clinic, const char *id);

/** Index of the patient with this ID, or -1. */
long sb_clinic_find_patient(const sb_clinic_t *clinic, const char *id);

/** A clinic with nothing in it, for the record store of a provider that has no clinic file (its patients are all
 * Frontdesk's own records): every query of it answers "none". Static; never freed. */
const sb_clinic_t *sb_clinic_empty(void);

/** Index into practitioners[p].schedules of their schedule at location l, or -1 when they do not work there. */
long sb_clinic_schedule_of(const sb_clinic_t *clinic, size_t practitioner, size_t location);

/** The working hours of a practitioner at a location on a local date (y-m-d in the location's zone), after the
 * location's closures and the practitioner's overrides: up to cap wall-clock intervals, sorted, written to
 * out. Returns their number (0: not working that date), or -1 for an index out of range, an invalid date,
 * or cap too small (SB_DAY_MAX_INTERVALS is always enough). */
int sb_clinic_day_hours(const sb_clinic_t *clinic, size_t practitioner, size_t location, int year, int month, int day,
                        sb_interval_t *out, size_t cap);

/** The synthetic busy intervals of a practitioner at a location on a local date when generated_bookings is
 * on: a pure function of (seed, practitioner ID, location ID, date, working hours, treatments): the same
 * answer on every call and every machine. Each lies inside one of that day's working intervals, lasts one of
 * the durations of the practitioner's treatments offered there, starts on the slot-step grid of its interval,
 * and none overlap. Returns their number (0 when generation is off or the practitioner is not working), or
 * -1 as sb_clinic_day_hours() (SB_DAY_MAX_BUSY is always enough). */
int sb_clinic_generated_busy(const sb_clinic_t *clinic, size_t practitioner, size_t location, int year, int month,
                             int day, sb_interval_t *out, size_t cap);

#endif
