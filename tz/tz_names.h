/* tz/tz_names.h: resolves the zone names people and systems give (IANA IDs and aliases, Windows IDs, Rails
 * names, abbreviations, spoken forms, fixed offsets) to a canonical IANA ID and a loaded zone. */
#ifndef FD_TZ_NAMES_H
#define FD_TZ_NAMES_H

#include <stddef.h>

#include "tz/tz.h"

#define TZ_NAME_ID_CAP 64
#define TZ_NAME_MAX_LEN 128 /* longer inputs are refused */

/** Which kind of name matched. */
typedef enum tz_name_kind {
    TZ_NAME_IANA = 0,     /* a canonical IANA ID, any letter case: "america/new_york" */
    TZ_NAME_ALIAS,        /* a legacy IANA link: "US/Eastern", "Asia/Calcutta", "Europe/Kiev" */
    TZ_NAME_WINDOWS,      /* a Windows ID: "AUS Eastern Standard Time" */
    TZ_NAME_RAILS,        /* a Rails/ActiveSupport name: "Eastern Time (US & Canada)" */
    TZ_NAME_ABBREVIATION, /* "EST", "AEDT", "IST" */
    TZ_NAME_SPOKEN,       /* "eastern", "pacific time", "central standard", "British summer time" */
    TZ_NAME_CITY,         /* a zone's city: "Sydney time", "new york" */
    TZ_NAME_OFFSET,       /* a fixed offset: "UTC+10", "GMT-5", "+05:30" */
} tz_name_kind_t;

/** The outcome of a successful resolution. */
typedef struct tz_resolution {
    char id[TZ_NAME_ID_CAP]; /* canonical IANA ID ("Asia/Kolkata", "Etc/UTC") or "UTC+05:30" for an offset */
    const tz_zone_t *zone;   /* loaded from the system tz database; lives until tz_shutdown() */
    tz_name_kind_t kind;
    int ambiguous; /* 1 when the name means different zones in different countries (CST, IST, BST, ...) */
    int hint_used; /* 1 when the country hint chose the zone (else the documented default did) */
} tz_resolution_t;

/** Resolves `name` (len bytes, need not be NUL-terminated; surrounding spaces ignored, letter case ignored).
 * `country_hint` is an ISO 3166 alpha-2 code ("AU", "in") or NULL/""; it decides ambiguous abbreviations and
 * spoken forms (CST: US Central, CN China, ...). Defaults without a hint: CST US Central, IST India, BST
 * British Summer Time, AST Atlantic, PST US Pacific, EST US Eastern. Results are cached process-wide.
 * Thread-safe. Returns 0 and fills *out, or -1 with a reason in why (may be NULL). */
int tz_resolve(const char *name, size_t len, const char *country_hint, tz_resolution_t *out, char *why,
               size_t why_cap);

/** tz_resolve without the name cache (the zones themselves stay cached): for benchmarks and tests. */
int tz_resolve_uncached(const char *name, size_t len, const char *country_hint, tz_resolution_t *out, char *why,
                        size_t why_cap);

/** A short English word for a kind ("iana", "alias", "windows", ...). */
const char *tz_name_kind_str(tz_name_kind_t kind);

#endif
