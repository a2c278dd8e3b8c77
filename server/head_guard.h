/* server/head_guard.h: request heads libh2o cannot parse, answered in JSON like every other error.
 *
 * libh2o 2.2.5 (lib/http1.c, handle_incoming_request) parses each request head with picohttpparser's
 * phr_parse_request; when that fails (a malformed request line, a control byte such as NUL in a header, more than
 * H2O_MAX_HEADERS = 100 headers) or the head is still incomplete at H2O_MAX_REQLEN = 417,792 bytes (a 1 MiB URI),
 * h2o writes a static text/plain "400 Bad Request" straight to the socket, before any handler or filter exists.
 *
 * The shared libh2o calls phr_parse_request through its procedure linkage table, so the definition in
 * head_guard.c, linked into the frontdesk executable, is the one h2o calls. It calls libh2o's own parser and,
 * for exactly the heads h2o would refuse, reports instead a head of its own making: no headers, a path of "/",
 * and a method that is a pointer to one of head_guard.c's constants (no parse of bytes from the wire can yield
 * that pointer). h2o then runs our handler for it as for any request, and the router answers the refusal with
 * the contract's JSON error and closes the connection. The heads h2o treats specially keep their treatment:
 * an HTTP/2 preface and a few bare CR/LF bytes (closed without an answer). */
#ifndef FD_SERVER_HEAD_GUARD_H
#define FD_SERVER_HEAD_GUARD_H

#include <h2o.h>
#include <stdbool.h>

#include "booking/api_error.h"

/** A refused head, as the router answers it. */
typedef struct srv_head_refusal {
    api_error_t error;
    const char *message, *field; /* static strings */
} srv_head_refusal_t;

/** True when req stands for a request head libh2o could not parse (see above); fills *refusal. */
bool srv_head_guard_refused(const h2o_req_t *req, srv_head_refusal_t *refusal);

/** True when libh2o calls this file's parser, i.e. the executable's definition took precedence (checked at start:
 * if it ever did not, those heads would get h2o's plain-text 400 again). */
bool srv_head_guard_active(void);

#endif
