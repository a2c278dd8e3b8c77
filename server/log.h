/* server/log.h: one-line JSON logs on stderr. Never pass PHI, keys or raw URLs to these functions. */
#ifndef FD_SERVER_LOG_H
#define FD_SERVER_LOG_H

#include "server/config.h"

/** Sets the lowest level written (default info). Call before threads start. */
void srv_log_set_level(srv_log_level_t level);

/** True when lines of `level` are written. */
int srv_log_enabled(srv_log_level_t level);

/** Writes {"ts":<epoch ms>,"level":"...","msg":"..."} plus `extra_json` (already-escaped members such as
 * "\"port\":8080", may be NULL) as one line with a single write(2). */
void srv_log(srv_log_level_t level, const char *msg, const char *extra_json);

/** Writes the access line of one request: route, method, status, duration in ms, tenant id, request id
 * (server/request_id.h: safe as is) and the error code of its answer (tenant and error may be NULL: null). */
void srv_log_request(const char *route, const char *method, int status, double duration_ms, const char *tenant,
                     const char *request_id, const char *error);

#endif
