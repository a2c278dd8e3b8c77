/* server/router.h: the route table and the request pipeline in front of every handler: route and method
 * (404/405), query length (414), API key (401), AI booking switch (403), JSON body (413/415/400; no NUL in any
 * string), query text (400: UTF-8, no NUL) and the tenant's rate limit (429), then the route's handler. */
#ifndef FD_SERVER_ROUTER_H
#define FD_SERVER_ROUTER_H

#include <h2o.h>
#include <stdbool.h>

#include "server/request.h"

typedef enum srv_method { SRV_GET = 1, SRV_POST = 2 } srv_method_t;

typedef void (*srv_handler_fn)(srv_request_t *r);

typedef struct srv_route {
    const char *path; /* exact path, e.g. "/ai_brain/fetchAllStaff"; a "*" stands for one segment */
    srv_method_t method;
    bool authenticated; /* needs x-api-key (and a tenant with AI booking on) */
    srv_handler_fn handler;
    const char *name; /* route name used in logs and metrics (== path, "{id}" for a "*") */
} srv_route_t;

/** The route label of a metrics index: the route's name (its template, e.g. "/ai_brain/events/{id}/replay"),
 * "unmatched" for 0, NULL past the table. */
const char *srv_router_route_label(unsigned index);

/** Registers the router as the only handler of `host` (every path goes through it). */
void srv_router_register(h2o_hostconf_t *host);

#endif
