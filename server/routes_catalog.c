/* server/routes_catalog.c: POST /ai_brain/fetchAllStaff, fetchAllTreatments and fetchAllLocations. */
#include "server/routes.h"

#include <stdlib.h>
#include <string.h>

#include "booking/catalog_cache.h"
#include "core/catalog_json.h"
#include "server/fields.h"
#include "server/worker.h"

typedef enum catalog_part { PART_STAFF, PART_TREATMENTS, PART_LOCATIONS } catalog_part_t;

typedef struct catalog_call {
    srv_request_t *r;
    catalog_part_t part;
} catalog_call_t;

static json_object *render(const bk_tenant_t *tenant, const bk_catalog_t *c, catalog_part_t part,
                           const char *location_id)
{
    json_object *list = json_object_new_array();
    const char *key = "locations";
    if (part == PART_LOCATIONS) {
        for (size_t i = 0; i < c->location_count; i++)
            if (bk_tenant_allows_location(tenant, c, c->locations[i].id))
                json_object_array_add(list, bk_location_to_json(&c->locations[i]));
    } else if (part == PART_STAFF) {
        key = "staff";
        for (size_t i = 0; i < c->staff_count; i++)
            if (bk_strings_contains(&c->staff[i].location_ids, location_id))
                json_object_array_add(list, bk_staff_to_json(&c->staff[i]));
    } else {
        key = "treatments";
        for (size_t i = 0; i < c->treatment_count; i++)
            if (bk_strings_contains(&c->treatments[i].location_ids, location_id))
                json_object_array_add(list, bk_treatment_to_json(&c->treatments[i]));
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, key, list);
    return body;
}

static void on_catalog(prov_status_t status, const bk_catalog_t *catalog, bk_catalog_source_t source, void *data)
{
    catalog_call_t *call = data;
    srv_request_t *r = call->r;
    catalog_part_t part = call->part;
    free(call);
    if (!srv_provider_answer_usable(r, status)) return;
    const bk_location_t *location = srv_field_location(r, catalog);
    if (location == NULL) return;
    json_object *body = render(r->tenant, catalog, part, location->id);
    if (source == BK_SOURCE_STALE) json_object_object_add(body, "stale", json_object_new_boolean(1));
    srv_respond_json(r, 200, body);
    json_object_put(body);
}

static void fetch(srv_request_t *r, catalog_part_t part)
{
    catalog_call_t *call = malloc(sizeof(*call));
    if (call == NULL) {
        srv_respond_error(r, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        return;
    }
    call->r = r;
    call->part = part;
    if (!srv_start_catalog(r, on_catalog, call)) free(call);
}

void srv_route_fetch_all_staff(srv_request_t *r)
{
    fetch(r, PART_STAFF);
}

void srv_route_fetch_all_treatments(srv_request_t *r)
{
    fetch(r, PART_TREATMENTS);
}

void srv_route_fetch_all_locations(srv_request_t *r)
{
    fetch(r, PART_LOCATIONS);
}
