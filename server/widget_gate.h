/* server/widget_gate.h: what a request made with a widget key passes instead of the API key's checks: its origin,
 * its route, and the key's limits per client address, per key and per tenant (README "Booking widget"). The client
 * address is the TCP peer's (a proxy in front of frontdesk makes every visitor one address). */
#ifndef FD_SERVER_WIDGET_GATE_H
#define FD_SERVER_WIDGET_GATE_H

#include <stdbool.h>

#include "server/request.h"
#include "server/widget_key.h"

/** Checks a request that came with widget key `key`: its Origin must be one the key lists (else 403
 * origin_forbidden, field "origin", without CORS headers) and its route one widget keys may use (else 403
 * widget_route_forbidden, with them). Sets r->widget and r->tenant, and adds the CORS headers and Frontdesk-Now
 * (the service's clock, epoch ms, for the widget's hold countdown). Returns false when it answered. */
bool srv_widget_admit(srv_request_t *r, const srv_widget_key_t *key);

/** Takes r->widget's limits for r (requests per address and per key; createAppt also open holds per address and
 * per tenant; lookup-create-patient also checks patients created per address), then runs handler(r); a spent
 * limit is 429 rate_limited with Retry-After and a message naming it, Redis failing 503 redis_unavailable.
 * Takes a hold on r while it waits. Returns 0, or -1 when it could not start (nothing answered, no hold kept). */
int srv_widget_take_limits(srv_request_t *r, void (*handler)(srv_request_t *r));

/** Counts one patient created for the widget request r against its address's hourly limit. */
void srv_widget_count_patient(srv_request_t *r);

#endif
