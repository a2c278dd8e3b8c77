/* server/config.h: one frozen process configuration (listen address, workers, Redis, log level, tenants). A reload
 * (SIGHUP, server/reload.h) reads a new one; each stays alive while anything uses it (its keeper's users). */
#ifndef FD_SERVER_CONFIG_H
#define FD_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"
#include "server/config_metrics.h"

typedef enum srv_log_level { SRV_LOG_DEBUG, SRV_LOG_INFO, SRV_LOG_WARN, SRV_LOG_ERROR } srv_log_level_t;

typedef struct srv_config {
    char *listen_address;
    int port;
    int workers;
    char *redis_address;
    srv_log_level_t log_level;
    bk_tenant_t *tenants;
    size_t tenant_count;
    unsigned char slot_secret[64]; /* signs slot ids; from "slot_secret", else random per start */
    size_t slot_secret_len;
    struct srv_widget_key *widget_keys; /* every tenant's publishable widget keys (server/widget_key.h) */
    size_t widget_key_count;
    char **retell_keys; /* per tenant (config order): its "retell_api_key" (Retell signs calls with it), else NULL */
    bool slot_secret_random; /* true when generated: slot ids do not survive a restart or cross processes */
    char **tenant_sources;   /* each tenant's JSON as written, to tell which tenants a reload changed */
    bk_keeper_t keeper;      /* its users (the process while current, worker views, requests, booking's long work);
                              * every tenant's keeper points here. Starts at one user: the loader's. */
    struct srv_config *retired_next; /* in the process's list of replaced configs still in use */
    srv_metrics_config_t metrics;    /* "metrics": where /metrics is served (server/config_metrics.h) */
} srv_config_t;

/** Reads and validates the JSON config at `path` (tenants inline or in a file named relative to the config's
 * folder), creating each tenant's provider. Returns the config, or NULL with a message naming the offending
 * field (e.g. "tenants[0].api_key_sha256: must be 64 hex digits") in why. Free with srv_config_free. */
srv_config_t *srv_config_load(const char *path, char *why, size_t why_cap);

/** Frees a config and its tenants' providers (whatever its users count: for its last user, or at exit). */
void srv_config_free(srv_config_t *config);

/** Counts one more user of config (thread-safe). */
void srv_config_retain(srv_config_t *config);

/** Ends one use; the last one calls config->keeper.on_unused (which frees it, or has it freed), so config must not
 * be touched afterwards. Thread-safe. */
void srv_config_release(srv_config_t *config);

#endif
