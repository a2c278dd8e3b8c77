/* server/routes.h: the handlers behind the route table (one file per group of routes). */
#ifndef FD_SERVER_ROUTES_H
#define FD_SERVER_ROUTES_H

#include "server/request.h"

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

#endif
