/* server/h2o_errors.h: the error answers libh2o writes itself (before or instead of our handler: a body over
 * max_request_entity_size, broken chunked encoding or Content-Length, an unknown Transfer-Encoding or Expect)
 * are text/plain; a response filter turns each into the contract's JSON error with the same status.
 *
 * What no filter can reach (libh2o 2.2.5, lib/http1.c): when picohttpparser cannot parse the request head (a
 * malformed request line, a NUL or other control byte in a header, more than H2O_MAX_HEADERS = 100 headers) or
 * the head is still incomplete at H2O_MAX_REQLEN = 417,792 bytes (a 1 MiB URI), handle_incoming_request calls
 * send_bad_request, which writes a static "400 Bad Request" text/plain answer straight to the socket and closes
 * it. No h2o_req_t is set up, no handler, filter, logger or configurable hook runs, and both limits are
 * compile-time constants of the shared library; so those four cases stay plain text (README: Limits). */
#ifndef FD_SERVER_H2O_ERRORS_H
#define FD_SERVER_H2O_ERRORS_H

#include <h2o.h>

/** Adds the filter to every path of `host` and to its fallback path (where h2o binds requests it rejects before
 * routing). Call after the router registered its paths. */
void srv_h2o_errors_register(h2o_hostconf_t *host);

#endif
