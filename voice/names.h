/* voice/names.h: names as a caller says them resolved against the catalog among what voice/bookable.h allows
 * (422 ambiguous_name listing the candidates, so the agent can ask), and a spoken time zone. */
#ifndef FD_VOICE_NAMES_H
#define FD_VOICE_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"
#include "voice/host.h"
#include "tz/tz.h"

/** Resolves the staff member named by query parameter `param` (e.g. "staff_member_name") among the catalog's
 * AI-enabled staff at an allowed location (and at `location_id` when not NULL). Returns the index; -1 when the
 * parameter is absent (nothing answered); -2 after answering 422 unknown_staff / ambiguous_name (candidates
 * listed in the error's "candidates" with id and name), 422 not_bookable_online when the name is a practitioner
 * of the clinic who cannot be booked by phone (saying so and offering, as "candidates", up to three who can),
 * or 400. */
long vc_staff(const vc_call_t *v, const bk_catalog_t *catalog, const char *param, const char *location_id);

/** Same for treatments (`param` e.g. "treatment_name"), offered at an allowed location. */
long vc_treatment(const vc_call_t *v, const bk_catalog_t *catalog, const char *param);

/** Same for locations the tenant may book (`param` e.g. "clinic_location_name"). */
long vc_location(const vc_call_t *v, const bk_catalog_t *catalog, const char *param);

/** The location a caller who named none most likely means, from their time zone: among the catalog's locations
 * with usable[i] true (the tenant may book them and they offer what is asked), those in the caller's IANA zone,
 * else those whose zone keeps the same UTC offsets over the coming year (Melbourne for a Sydney caller). Returns
 * the index when exactly one fits; -1 when none does or every usable one does (the zone tells none apart; nothing
 * answered); -2 after answering 422 ambiguous_name
 * (field `param`, the fitting locations as "candidates") when several fit equally: the agent asks which one. */
long vc_location_for_zone(const vc_call_t *v, const bk_catalog_t *catalog, const tz_zone_t *caller_zone,
                          const bool *usable, const char *param);

/** Resolves query parameter `param` (e.g. "time_zone") with tz/ and the tenant's country. Returns the zone;
 * `fallback` when absent (may be NULL: then absent answers 400 missing_field and returns NULL); NULL after
 * answering 400 invalid_time_zone. */
const tz_zone_t *vc_zone(const vc_call_t *v, const char *param, const tz_zone_t *fallback);

#endif
