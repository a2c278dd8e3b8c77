/* providers/provider.h: the one interface every EMR fits behind. An EMR is one ops table in one file, plus one
 * line in providers/registry.c. Providers speak the normalized model (booking/model.h) and never include
 * server or booking flow headers. */
#ifndef FD_PROVIDERS_PROVIDER_H
#define FD_PROVIDERS_PROVIDER_H

#include <json.h>
#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "booking/model.h"
#include "store/store.h"

/** Per-worker resources a provider may use: the worker's loop and its Redis store. */
typedef struct prov_env {
    uv_loop_t *loop;
    store_t *store;
} prov_env_t;

/** How a provider call ended. */
typedef enum prov_status {
    PROV_OK = 0,
    PROV_UNAVAILABLE, /* a dependency (Redis, the EMR) cannot be reached now: 503 */
    PROV_UPSTREAM,    /* the EMR answered with an error or garbage: 502 */
    PROV_TIMEOUT,     /* the EMR did not answer in time: 504 */
} prov_status_t;

/** Capability bits: what an EMR can do natively. */
enum {
    PROV_CAP_NATIVE_HOLD = 1u << 0,
    PROV_CAP_PHONE_SEARCH = 1u << 1,
    PROV_CAP_NATIVE_RESCHEDULE = 1u << 2,
    PROV_CAP_CANCEL_REASON_REQUIRED = 1u << 3,
    PROV_CAP_CONFLICT_PROBE = 1u << 4,
};

/** Receives a catalog (ownership passes to the callee; NULL unless status is PROV_OK). */
typedef void (*prov_catalog_cb)(prov_status_t status, bk_catalog_t *catalog, void *data);

typedef struct prov_ops {
    const char *name;
    unsigned capabilities;

    /** Creates the provider state of one tenant from its "provider_settings" (may be NULL), synchronously at
     * start, before any thread runs. config_dir resolves relative paths. Returns NULL with a reason in why
     * (naming the field under provider_settings) when the settings are unusable. */
    void *(*create)(const char *tenant_id, json_object *settings, const char *config_dir, char *why, size_t why_cap);

    /** Frees the state made by create. */
    void (*destroy)(void *instance);

    /** 1 when the clinic has a location with this id, 0 when it has not, -1 when that cannot be known before
     * the EMR is asked. Called at start to check the tenant's location settings. */
    int (*knows_location)(void *instance, const char *location_id);

    /** Called on a worker's loop each time its Redis connection is (re)established. May be NULL. */
    void (*on_store_connected)(void *instance, prov_env_t *env);

    /** Fetches the catalog. Returns 0 and calls cb exactly once later, or returns -1 and never calls it. */
    int (*fetch_catalog)(void *instance, prov_env_t *env, prov_catalog_cb cb, void *data);
} prov_ops_t;

/** The provider registered under `name` ("sandbox", ...), or NULL. */
const prov_ops_t *prov_find(const char *name);

/** A comma-separated list of the registered provider names, for error messages. */
const char *prov_names(void);

#endif
