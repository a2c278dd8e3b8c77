/* server/routes.h: the handlers behind the route table (one file per group of routes). */
#ifndef FD_SERVER_ROUTES_H
#define FD_SERVER_ROUTES_H

#include "server/request.h"
#include "tz/tz.h"

/** GET /healthz: the process is up. */
void srv_route_healthz(srv_request_t *r);
/** GET /readyz: Redis answers a PING (503 otherwise). */
void srv_route_readyz(srv_request_t *r);

/** POST /ai_brain/fetchAllStaff: staff working at the request's location. */
void srv_route_fetch_all_staff(srv_request_t *r);
/** POST /ai_brain/fetchAllTreatments: treatments offered at the request's location. */
void srv_route_fetch_all_treatments(srv_request_t *r);
/** POST /ai_brain/fetchAllLocations: the tenant's bookable locations. */
void srv_route_fetch_all_locations(srv_request_t *r);

/** POST /ai_brain/fetchAvailabilityForRange: slots of one practitioner and treatment in a window (<= 31 days). */
void srv_route_fetch_availability_for_range(srv_request_t *r);
/** POST /ai_brain/fetchAvailabilityNext7Days: slots of the 7 local days from now. */
void srv_route_fetch_availability_next_7_days(srv_request_t *r);

/** The API.md slot object of one opening, with its signed slot_id, local time and spoken time (caller owns). */
json_object *srv_slot_to_json(srv_request_t *r, const char *staff_id, const char *treatment_id,
                              const char *location_id, const tz_zone_t *zone, int64_t start, int64_t end,
                              int64_t now);

#endif
