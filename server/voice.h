/* server/voice.h: what every GET /voice route shares: names as a caller says them resolved against the catalog
 * (422 ambiguous_name listing the candidates, so the agent can ask), a spoken time zone, and answers that carry
 * one sentence (`message`) an agent can read aloud. */
#ifndef FD_SERVER_VOICE_H
#define FD_SERVER_VOICE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"
#include "server/request.h"
#include "tz/tz.h"

/** Resolves the staff member named by query parameter `param` (e.g. "staff_member_name") among the catalog's
 * AI-enabled staff at an allowed location (and at `location_id` when not NULL). Returns the index; -1 when the
 * parameter is absent (nothing answered); -2 after answering 422 unknown_staff / ambiguous_name (candidates
 * listed in the error's "candidates" with id and name) or 400. */
long srv_voice_staff(srv_request_t *r, const bk_catalog_t *catalog, const char *param, const char *location_id);

/** Same for treatments (`param` e.g. "treatment_name"), offered at an allowed location. */
long srv_voice_treatment(srv_request_t *r, const bk_catalog_t *catalog, const char *param);

/** Same for locations the tenant may book (`param` e.g. "clinic_location_name"). */
long srv_voice_location(srv_request_t *r, const bk_catalog_t *catalog, const char *param);

/** Resolves query parameter `param` (e.g. "time_zone") with tz/ and the tenant's country. Returns the zone;
 * `fallback` when absent (may be NULL: then absent answers 400 missing_field and returns NULL); NULL after
 * answering 400 invalid_time_zone. */
const tz_zone_t *srv_voice_zone(srv_request_t *r, const char *param, const tz_zone_t *fallback);

/** Adds "message" to body and answers it with `status` (body is not consumed). */
void srv_voice_respond(srv_request_t *r, int status, json_object *body, const char *message);

#endif
