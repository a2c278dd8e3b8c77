/* providers/nookal_decode.h: pure decoders of Nookal v2's RPC answers (and its local-time rules) into the
 * normalized model. No I/O, so each is unit-tested (tests/unit/nookal_decode_test.c).
 *
 * Nookal's answers are loose: IDs come as "1" or 1, counters as "1" or 1, booleans as "0"/"1" (or 0/1, or
 * JSON booleans), and every failure is an HTTP 200 whose envelope says {"status": "failure"}. Times are a
 * local date ("2027-03-15") plus a local time ("09:30", sometimes "09:30:00") with no offset, read in the
 * location's IANA zone. Every decoder treats its input as hostile (wrong types, missing fields, huge numbers).
 * IDs are kept as strings restricted to [A-Za-z0-9_-] (safe in a form body and a Redis key). */
#ifndef FD_PROVIDERS_NOOKAL_DECODE_H
#define FD_PROVIDERS_NOOKAL_DECODE_H

#include <json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "providers/provider.h"
#include "tz/tz.h"

#define PROV_NOOKAL_ID_CAP   64
#define PROV_NOOKAL_CODE_CAP 48

/* ---- the envelope ---------------------------------------------------------------------------------------- */

/** One decoded answer: {"status", "data": {"results": {...}}, "details": {...}, "settings": {"nextPage"}}. */
typedef struct prov_nookal_reply {
    json_object *root;                     /* owned */
    json_object *results;                  /* borrowed from root: data.results (an object), or NULL on failure */
    bool success;                          /* status == "success" */
    int next_page;                         /* settings.nextPage as a number (0: none, the last page) */
    prov_status_t failure;                 /* on failure: what it means for us (see prov_nookal_failure_status) */
    bool auth_failure;                     /* on failure: the API key was refused */
    char error_code[PROV_NOOKAL_CODE_CAP]; /* details.errorCode as sent ("" when absent), safe to log */
} prov_nookal_reply_t;

/** Parses a whole body. Returns 0 with the envelope decoded (success or failure; `record` says a "not found"
 * failure means the asked record does not exist, else it is PROV_UPSTREAM), or -1 for anything that is not
 * a Nookal envelope (garbage, HTML, no status, success without data.results). Clear it afterwards. */
int prov_nookal_reply_parse(const char *body, size_t len, bool record, prov_nookal_reply_t *out);

/** Frees what a reply holds and zeroes it. */
void prov_nookal_reply_clear(prov_nookal_reply_t *reply);

/** What a failure envelope means. Nookal documents no list of error codes (the one seen is "L000_1"), so
 * the reading is by details.errorMessage, case-insensitively, in this order (our safe reading; anything not
 * recognised is PROV_UPSTREAM, never a success):
 *   the API key refused ("api key", "api_key", "unauthori", "authenticat", "access denied", "permission")
 *       -> PROV_UPSTREAM with *auth = true (a 502: the caller can do nothing; operators are told);
 *   "too many", "rate limit", "throttl"                                   -> PROV_RATE_LIMITED;
 *   "overlap", "clash", "already booked", "double book", "not available", "conflict", "already cancelled"
 *                                                                          -> PROV_CONFLICT;
 *   "not found", "does not exist", "no such", "No ... found", "invalid ... id"
 *                                                                          -> PROV_NOT_FOUND when `record`,
 *                                                                             else PROV_UPSTREAM;
 *   anything else                                                          -> PROV_UPSTREAM. */
prov_status_t prov_nookal_failure_status(const char *message, bool record, bool *auth);

/** The array under results[key] (borrowed), or NULL when absent or not an array. An absent or null list is
 * how Nookal answers "none": callers treat NULL as empty only where documented. */
json_object *prov_nookal_results_array(const prov_nookal_reply_t *reply, const char *key);

/* ---- loose scalars --------------------------------------------------------------------------------------- */

/** Copies an ID sent as a string of [A-Za-z0-9_-]{1,63} or a non-negative integer ("1" and 1 are both "1").
 * Returns 0 or -1. */
int prov_nookal_id(json_object *value, char *out, size_t cap);

/** Reads a loose boolean: true/false, 1/0, "1"/"0", "true"/"false", "yes"/"no" (any case). Returns 0, or -1
 * (absent, null or anything else: *out untouched). */
int prov_nookal_bool(json_object *value, bool *out);

/** Reads a loose integer: a JSON integer or a decimal string ("30", " 30 "). Returns 0 or -1. */
int prov_nookal_int(json_object *value, int64_t *out);

/** A copy of a string field (NULL for absent, null, empty or non-string values, or when out of memory). */
char *prov_nookal_text(json_object *object, const char *field);

/* ---- local time ------------------------------------------------------------------------------------------ */

/** Parses "YYYY-MM-DD" (a valid date). Returns 0 or -1. */
int prov_nookal_parse_date(const char *s, int *year, int *month, int *day);

/** Parses "HH:MM" or "HH:MM:SS" (00:00 to 24:00; seconds must be 00) into minutes of the day (0..1440).
 * Returns 0 or -1. */
int prov_nookal_parse_time(const char *s, int *minute_of_day);

/** The instant of a local date and minute (0..1439) in `zone`, as Nookal means it. A local time that does not
 * exist (in a DST gap) returns -1: nothing can be booked at it. A local time that happens twice (in a DST
 * overlap) is read as its FIRST occurrence, deliberately and the same way on every read and write (see
 * prov_nookal_to_local). Returns 0 or -1. */
int prov_nookal_from_local(const tz_zone_t *zone, int year, int month, int day, int minute_of_day, int64_t *out);

/** The local date and minute of instant t in `zone` for a write. Returns 0, or -1 when t cannot be written
 * unambiguously: not on a whole minute, or the second occurrence of a repeated local time (Nookal would read
 * that wall time as its first occurrence, an hour earlier). */
int prov_nookal_to_local(const tz_zone_t *zone, int64_t t, int *year, int *month, int *day, int *minute_of_day);

/** Writes "YYYY-MM-DD" and "HH:MM" of the local date and minute. */
void prov_nookal_format_local(int year, int month, int day, int minute_of_day, char date[11], char time[6]);

/* ---- records --------------------------------------------------------------------------------------------- */

/** A location of getLocations: id, name, address, phone, and its Timezone resolved to an IANA ID in
 * loc->time_zone (NULL when the zone is missing or unknown). Returns 0, or -1 without a valid ID. */
int prov_nookal_location_decode(json_object *item, bk_location_t *loc);

/** A practitioner of getPractitioners: staff id, names, title, disciplines = [Speciality], location_ids from
 * `locations` (ints or strings); ai_enabled unless ShowInDiary is false. *active is false when `status` says
 * inactive ("0", false, "inactive"). Returns 0 or -1. */
int prov_nookal_practitioner_decode(json_object *item, bk_staff_t *staff, bool *active);

/** A service of getAppointmentTypes: treatment id, name, duration (Duration, minutes 1..1440), price (Price,
 * a loose decimal), and location_ids from Locations (a list or a comma-separated string; empty: every
 * location). Returns 0 or -1 (no valid ID or duration). */
int prov_nookal_service_decode(json_object *item, bk_catalog_treatment_t *t);

/** A patient of searchPatients: id, names, email, dob (DOB, only when YYYY-MM-DD); phones receives Mobile,
 * Home and Work as stored. *active is false when `active` says so (or `deceased` is true). Returns 0 or -1. */
int prov_nookal_patient_decode(json_object *item, bk_patient_t *p, bk_strings_t *phones, bool *active);

/** An appointment of getAppointments: id, patient, practitioner, type and location IDs, its local date and
 * times read in `zone` (the location's), and state (cancelled -> cancelled, DNA -> no_show, arrived -> arrived,
 * else booked). Returns 0, or -1 (no ID, bad date or times, or a start in a DST gap). */
int prov_nookal_appointment_decode(json_object *item, const tz_zone_t *zone, bk_appointment_t *a);

/** The locationID of an appointment item (to pick its zone before decoding). Returns 0 or -1. */
int prov_nookal_appointment_location(json_object *item, char *out, size_t cap);

/** One free period of getAppointmentAvailabilities: a local date and [start, end) minutes. */
typedef struct prov_nookal_free {
    int year, month, day;
    int start_minute, end_minute;
} prov_nookal_free_t;

/** Reads results.availabilities into at most cap free periods. The inner shape is not documented anywhere
 * (research gap); our reading accepts the two plausible forms: an array of {"date", "start_time"|"start",
 * "end_time"|"end"} items, or an object keyed by date whose values are arrays of {"start_time"|"start",
 * "end_time"|"end"}; absent or null means no free time. Returns the count, or -1 when an item is malformed. */
long prov_nookal_free_decode(const prov_nookal_reply_t *reply, prov_nookal_free_t *out, size_t cap);

/** Splits one free period into openings of duration_minutes, one after another from its start (in real
 * time, so a period across a DST change yields what the clock allows), keeping only openings that start at a
 * local time that can be written back (prov_nookal_to_local) and end by the period's end. Writes at most cap
 * and returns how many. */
size_t prov_nookal_split_free(const tz_zone_t *zone, const prov_nookal_free_t *free_period, int duration_minutes,
                              prov_opening_t *out, size_t cap);

#endif
