/* server/ghl_gate.h: the door of the GoHighLevel webhook routes (/ghl/<token>/...): the tenant is the one whose
 * webhook token is the path's secret segment (server/config_ghl.h), since GoHighLevel workflow webhooks send no
 * headers. A wrong token answers 404 exactly like a path that does not exist, and counts as a wrong key for the
 * client's address (server/auth_throttle.h), so tokens cannot be guessed at line rate. */
#ifndef FD_SERVER_GHL_GATE_H
#define FD_SERVER_GHL_GATE_H

#include <stdbool.h>
#include <stddef.h>

#include "server/request.h"

/** True when a route pattern is a GHL webhook route ("/ghl/..."). */
bool srv_ghl_path(const char *route_path);

/** Finds the tenant of the token in path[0..len) ("/ghl/<token>/<action>"). Returns true with *tenant set; false
 * after answering 404 not_found (no tenant has that token) or 429 (too many wrong keys or tokens from the
 * client's address). */
bool srv_ghl_admit(srv_request_t *r, const char *path, size_t len, const bk_tenant_t **tenant);

#endif
