/* core/catalog_json.h: the catalog as JSON, in the shapes of API.md; the same shapes are what the Redis
 * cache holds, so a cached catalog is rendered without translation. */
#ifndef FD_BOOKING_CATALOG_JSON_H
#define FD_BOOKING_CATALOG_JSON_H

#include <json.h>

#include "core/model.h"

/** API.md location object. Returns a new object (caller owns). */
json_object *bk_location_to_json(const bk_location_t *location);

/** API.md staff object (plus "title"). Returns a new object (caller owns). */
json_object *bk_staff_to_json(const bk_staff_t *staff);

/** API.md treatment object. Returns a new object (caller owns). */
json_object *bk_treatment_to_json(const bk_catalog_treatment_t *treatment);

/** The whole catalog {"locations":[...],"staff":[...],"treatments":[...]} (caller owns). */
json_object *bk_catalog_to_json(const bk_catalog_t *catalog);

/** Reads a catalog written by bk_catalog_to_json. Returns NULL when the JSON does not have that shape. */
bk_catalog_t *bk_catalog_from_json(json_object *root);

#endif
