/* server/framing.h: HTTP/1.1 message framing h2o accepts but we must refuse. A request with both Content-Length
 * and Transfer-Encoding: chunked (RFC 9112 6.1) is the classic request-smuggling shape: h2o 2.2.5 silently
 * frames it by the chunked encoding, while a proxy in front may have framed it by Content-Length. */
#ifndef FD_SERVER_FRAMING_H
#define FD_SERVER_FRAMING_H

#include <h2o.h>
#include <stdbool.h>

/** True when r is an HTTP/1 request whose head carries both Content-Length and Transfer-Encoding. h2o 2.2.5
 * keeps neither header in req->headers, so this reads the head where h2o parsed it: the connection's input
 * buffer, which on HTTP/1 starts with the current request until its response is sent (lib/http1.c consumes it
 * in on_send_complete); the method at its start is checked before anything is read from it. */
bool srv_framing_has_both_lengths(h2o_req_t *req);

#endif
