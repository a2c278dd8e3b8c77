/* server/h2o_errors.h: the error answers libh2o writes itself (before or instead of our handler: a body over
 * max_request_entity_size, broken chunked encoding or Content-Length, an unknown Transfer-Encoding or Expect)
 * are text/plain; a response filter turns each into the contract's JSON error with the same status.
 *
 * Request heads libh2o cannot parse at all never reach a filter; server/head_guard.h answers those.
 */
#ifndef FD_SERVER_H2O_ERRORS_H
#define FD_SERVER_H2O_ERRORS_H

#include <h2o.h>

/** Adds the filter to every path of `host` and to its fallback path (where h2o binds requests it rejects before
 * routing). Call after the router registered its paths. */
void srv_h2o_errors_register(h2o_hostconf_t *host);

#endif
