/* server/cors.h: CORS for widget keys: the preflight (OPTIONS) and the headers of an answer to an allowed origin.
 *
 * Only widget keys (server/widget_key.h) are meant for browsers, so only the origins some widget key lists get
 * CORS headers, and only on the routes widget keys may use; everything else gets none (a browser then refuses to
 * hand the answer to the page) and, for a preflight, a 403 JSON error. */
#ifndef FD_SERVER_CORS_H
#define FD_SERVER_CORS_H

#include <h2o.h>
#include <stdbool.h>

#include "server/config.h"
#include "server/request.h"

#define SRV_CORS_MAX_AGE "600"

/** True when req is a CORS preflight: OPTIONS with Origin and Access-Control-Request-Method. */
bool srv_cors_is_preflight(h2o_req_t *req);

/** Answers a preflight for the route `route_name` (its table name) whose method is `method` ("GET" or "POST"):
 * 204 with Access-Control-Allow-Origin (the request's origin), -Methods, -Headers (content-type, x-api-key,
 * idempotency-key), -Max-Age and Vary: Origin when some widget key of the config lists the origin, the route is
 * one widget keys may use and the requested method is the route's; else 403 origin_forbidden or
 * widget_route_forbidden without CORS headers. */
void srv_cors_preflight(srv_request_t *r, const srv_config_t *config, const char *route_name, const char *method);

/** Adds the CORS headers of an answer to `origin` (copied): Access-Control-Allow-Origin, Vary: Origin and
 * Access-Control-Expose-Headers (Retry-After, Idempotent-Replayed, Frontdesk-Now). */
void srv_cors_allow(srv_request_t *r, const char *origin, size_t len);

/** The request's Origin header (not NUL-terminated) and its length, or NULL. */
const char *srv_cors_origin(h2o_req_t *req, size_t *len);

#endif
