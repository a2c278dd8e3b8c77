/* server/request_id.h: the id of each request, for the X-Request-Id header, error bodies and log lines.
 *
 * A caller may send its own id in X-Request-Id (a voice platform's call id, a load balancer's trace id); it is
 * kept when it is 1 to 64 characters of [A-Za-z0-9._:-], which are safe in a header, a JSON string and a log line
 * as they are. Anything else (empty, longer, any other character) is replaced by an id made here. */
#ifndef FD_SERVER_REQUEST_ID_H
#define FD_SERVER_REQUEST_ID_H

#include <h2o.h>
#include <stdbool.h>
#include <stddef.h>

#define SRV_REQUEST_ID_MAX 64
#define SRV_REQUEST_ID_CAP (SRV_REQUEST_ID_MAX + 1)

/** True when text[0..len) may be kept as a request id. */
bool srv_request_id_sane(const char *text, size_t len);

/** Writes the id of `req` into out: its X-Request-Id when sane, else a new one: "<12 hex digits drawn at the
 * process's start>-<thread>-<count>", never made twice by one process and unlikely to repeat across processes.
 * Any thread. */
void srv_request_id_of(h2o_req_t *req, char out[SRV_REQUEST_ID_CAP]);

/** Adds the x-request-id response header (the value is copied into req's pool). */
void srv_request_id_header(h2o_req_t *req, const char *id);

/** Copies the JSON error body into out (cap bytes) with "request_id":"<id>" added to its error object, right after
 * its code, and the code into code (code_cap bytes, "" when none). Only a body that starts {"error":{"code":"...",
 * as every error body of ours does, is changed. Returns the length written (the body as is, truncated to fit,
 * when it is not one). */
size_t srv_request_id_in_error(const char *body, size_t len, const char *id, char *out, size_t cap, char *code,
                               size_t code_cap);

#endif
