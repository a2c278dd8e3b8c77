/* tz/tz_spoken.h: spoken date-times in the tenant's locale ("Tuesday, April 21 at 2:30 PM", "tomorrow at 9:00 AM",
 * "mardi 21 avril à 14 h 30") through ICU, with the local time always computed by our own zone rules. */
#ifndef FD_TZ_SPOKEN_H
#define FD_TZ_SPOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tz/tz.h"

/** A per-thread formatter cache: ICU date formatters are not thread-safe and cost ~14 us to open, ~2 us to
 * use, so each thread keeps one speaker and reuses it. Not thread-safe; one owner at a time. */
typedef struct tz_speaker tz_speaker_t;

/** Flags for tz_speak (bitwise or). */
enum {
    TZ_SPEAK_DEFAULT = 0,
    TZ_SPEAK_NO_RELATIVE = 1, /* always the weekday and date, never "today" / "tomorrow" */
    TZ_SPEAK_WITH_YEAR = 2,   /* add the year ("Tuesday, April 21, 2026 at 2:30 PM") */
    TZ_SPEAK_DATE_ONLY = 4,   /* "Tuesday, April 21" / "tomorrow" */
    TZ_SPEAK_TIME_ONLY = 8,   /* "2:30 PM" */
};

/** A new speaker with no formatters yet; NULL on allocation failure. */
tz_speaker_t *tz_speaker_create(void);

/** Closes the speaker's ICU formatters and frees it. NULL is fine. */
void tz_speaker_destroy(tz_speaker_t *sp);

/** Writes instant t as said in `locale` (BCP 47 or ICU form: "en-US", "en_AU", "fr-CA") for someone in `zone`,
 * as UTF-8 into buf (cap bytes, NUL-terminated). When t's local date is the local date of `now` (or the day
 * after), the weekday and date become the locale's "today" ("tomorrow"), unless TZ_SPEAK_NO_RELATIVE.
 * The wording and clock come from ICU's patterns for the locale (skeletons EEEEMMMMd and jmm joined by the
 * locale's date-time glue, e.g. "{1} 'at' {0}"); no-break spaces become plain spaces. An unknown locale gets
 * ICU's root patterns. A wall time that happens twice (the hour repeated when the clocks go back) gets
 * ", before the clocks go back" or ", after the clocks go back", so the two are never said alike (English words,
 * whatever the locale). Returns the length written, or -1 (bad locale text, ICU failure, buf too small). */
int tz_speak(tz_speaker_t *sp, const char *locale, const tz_zone_t *zone, tz_instant_t t, tz_instant_t now,
             int flags, char *buf, size_t cap);

/** What tz_speak works out once for many instants said by one speaker, in one locale and zone, against one now,
 * with the same flags: the locale check, now's local day and the zone's offset over the span the instants walk. */
typedef struct tz_speak_plan {
    tz_speaker_t *sp;
    const char *locale; /* the caller's text: it must outlive the plan */
    const tz_zone_t *zone;
    int flags;
    bool ok;       /* false: the arguments tz_speak would refuse */
    int64_t today; /* now's local day, days since 1970 */
    tz_offset_span_t offsets;
} tz_speak_plan_t;

/** Prepares p for tz_speak_planned (no ICU work here; the locale's formatters open on first use). */
void tz_speak_plan_init(tz_speak_plan_t *p, tz_speaker_t *sp, const char *locale, const tz_zone_t *zone,
                        tz_instant_t now, int flags);

/** Exactly tz_speak(sp, locale, zone, t, now, flags, buf, cap) for the plan's arguments, cheaper per call: an
 * instant more than 3 hours from any change of the zone's clocks is placed with the span the previous instants
 * found (in order is cheapest). Same return and buf contract as tz_speak. */
int tz_speak_planned(tz_speak_plan_t *p, tz_instant_t t, char *buf, size_t cap);

/** ICU's own tz data version ("2022e" on Debian 12): informational only, our rules never come from it. */
const char *tz_icu_tzdata_version(void);

#endif
