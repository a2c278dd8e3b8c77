/* server/config_metrics.h: the "metrics" config: where GET /metrics is served (docs/metrics.md). */
#ifndef FD_SERVER_CONFIG_METRICS_H
#define FD_SERVER_CONFIG_METRICS_H

#include <json.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct srv_metrics_config {
    bool enabled;     /* "metrics" was given: /metrics is served on address:port, and only there */
    char address[16]; /* numeric IPv4 */
    int port;
    bool token; /* "token_sha256" was given: /metrics wants Authorization: Bearer <token> */
    unsigned char token_digest[32];
} srv_metrics_config_t;

/** Reads {"listen": "IPv4:port", "token_sha256": "<64 hex digits>"?} at "metrics" into out. The address must not
 * be the public one (public_address:public_port, nor that port on 0.0.0.0 on either side). Returns false with
 * "<json path>: <problem>" in why (e.g. "metrics.listen: must be IPv4:port, e.g. 127.0.0.1:9464"). */
bool srv_config_read_metrics(json_object *value, const char *public_address, int public_port, srv_metrics_config_t *out,
                             char *why, size_t why_cap);

#endif
