/* server/metrics_server.h: GET /metrics (Prometheus text) on the address of the config's "metrics", never on the
 * public port. Its own thread, loop and listener serve it, so a scrape never waits behind requests and never runs
 * on a worker's loop: it only reads the counters (metrics/metrics.h) with relaxed loads. Any other path is 404,
 * another method 405; with metrics.token_sha256 set, a scrape without Authorization: Bearer <that token> is 401. */
#ifndef FD_SERVER_METRICS_SERVER_H
#define FD_SERVER_METRICS_SERVER_H

#include <stddef.h>

#include "server/config_metrics.h"

typedef struct srv_metrics_server srv_metrics_server_t;

/** Listens on config's address (a plain bind: fails while anything listens there) and starts the thread. Returns
 * the server, or NULL with a sentence naming the address in why. config is copied. */
srv_metrics_server_t *srv_metrics_server_start(const srv_metrics_config_t *config, char *why, size_t why_cap);

/** Stops accepting, lets open scrapes finish (at most about a second), joins the thread and frees the server.
 * NULL is fine. */
void srv_metrics_server_stop(srv_metrics_server_t *server);

#endif
