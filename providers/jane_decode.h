/* providers/jane_decode.h: pure decoders of the JSON a Jane clinic's public online-booking site answers: its
 * locations, disciplines, staff members and treatments turned into the normalized catalog, and its openings
 * (ISO 8601 times with an offset, "duration" in seconds) turned into provider openings. No I/O, no state. */
#ifndef FD_PROVIDERS_JANE_DECODE_H
#define FD_PROVIDERS_JANE_DECODE_H

#include <json.h>
#include <stddef.h>

#include "core/model.h"
#include "providers/provider.h"
#include "tz/tz.h"

#define PROV_JANE_ID_CAP 64

/** The list of an answer: the answer itself when it is an array, else the array under `key` of an object (Jane
 * answers both shapes depending on the version). Borrowed from doc; NULL when there is none. */
json_object *prov_jane_list(json_object *doc, const char *key);

/** The site's four lists, as read (each a JSON array, borrowed). */
typedef struct prov_jane_lists {
    json_object *locations, *disciplines, *staff, *treatments;
} prov_jane_lists_t;

/** Builds the catalog (caller owns) of the locations in `only` (all when empty): each location needs an id and
 * a valid IANA time_zone; staff work where their location_ids say (everywhere when absent); a treatment is given
 * by its staff_member_ids, lasts treatment_duration seconds (rounded up to whole minutes) and is priced in
 * `currency`. NULL when a record is malformed (an id that is not one, a location without a zone). */
bk_catalog_t *prov_jane_catalog(const prov_jane_lists_t *lists, const bk_strings_t *only, const char *currency,
                                const char *booking_url);

/** What openings are kept: the asked practitioner, treatment and location, starting on local dates first_day ..
 * last_day (day numbers of tz_days_from_civil) in zone. */
typedef struct prov_jane_filter {
    const char *staff_id, *treatment_id, *location_id;
    const tz_zone_t *zone;
    int64_t first_day, last_day;
} prov_jane_filter_t;

/** Appends to out[*n..cap) the openings of an openings answer (an array of staff entries, each with an
 * "openings" array of {staff_member_id, location_id, treatment_id, duration, start_at, ...}) that pass the
 * filter: [start_at, start_at + duration seconds). Returns 0, or -1 when the answer is malformed (a start
 * without an offset, a duration that is not a positive number of seconds). */
int prov_jane_openings(json_object *answer, const prov_jane_filter_t *filter, prov_opening_t *out, size_t *n,
                       size_t cap);

#endif
