/* booking/catalog_cache.h: a tenant's catalog through the Redis cache (fd:{t}:catalog, TTL from policy),
 * asking the provider on a miss. Concurrent misses of one worker share one provider fetch, and misses across
 * processes take turns through a short Redis lock (booking/fill_lock.h), so a burst costs the EMR one call. An
 * unchanged cached value is not parsed twice. When the EMR fails, the last good copy answers, marked stale. */
#ifndef FD_BOOKING_CATALOG_CACHE_H
#define FD_BOOKING_CATALOG_CACHE_H

#include "core/model.h"
#include "providers/provider.h"
#include "store/store.h"

struct bk_catalog_memo;
struct bk_catalog_fetch;
struct bk_catalog_text;

/** Per-worker booking environment. Owned by the worker; bk_env_init / bk_env_dispose. */
typedef struct bk_env {
    store_t *store;
    prov_env_t prov;
    struct bk_catalog_memo *memos; /* last parsed catalog per tenant */
    struct bk_catalog_fetch *fetches; /* provider fetches in flight */
    struct bk_catalog_text *last_text;  /* the catalog this worker last wrote to the cache, with its JSON */
    struct bk_last_seen_cache *last_seen; /* booking/last_seen.h (freed by bk_last_seen_dispose) */
    struct tz_speaker *speaker;       /* the worker's ICU speaker, for the spoken times of events; may be NULL */
    void (*on_redis_up)(void *data);  /* bk_env_open: the store's connection answers */
    void (*on_redis_lost)(const char *why, void *data); /* bk_env_open: an established connection was lost */
    void *redis_data;
    bool store_closed; /* bk_env_close_store ran: the store frees itself; only booking's own calls still reach it */
} bk_env_t;

/** Prepares env for a worker whose loop and store are given. */
void bk_env_init(bk_env_t *env, uv_loop_t *loop, store_t *store);

/** Turns on the store's read cache for what every request reads and rarely changes, for every tenant at once
 * (present and future: nothing is registered per tenant): the catalog, the cached availability days and the
 * holds sets. Returns 0, or -1 (out of memory). */
int bk_env_enable_read_cache(bk_env_t *env);

/** Frees what env holds (memoized catalogs). Fetches still in flight are abandoned safely. */
void bk_env_dispose(bk_env_t *env);

/** Where a catalog came from. */
typedef enum bk_catalog_source {
    BK_SOURCE_CACHE, /* from the Redis cache */
    BK_SOURCE_LIVE,  /* fetched from the EMR just now */
    BK_SOURCE_STALE, /* the EMR failed: the last good copy (fd:{t}:catalog:last), possibly old */
} bk_catalog_source_t;

/** Receives the catalog (borrowed: valid only during the callback) or a failure status with NULL. */
typedef void (*bk_catalog_cb)(prov_status_t status, const bk_catalog_t *catalog, bk_catalog_source_t source,
                              void *data);

/** Gets the tenant's catalog. Returns 0 and calls cb exactly once later, or returns -1 (Redis is not
 * connected) and never calls it. */
int bk_catalog_get(bk_env_t *env, const bk_tenant_t *tenant, bk_catalog_cb cb, void *data);

/** The catalog this worker last parsed from the tenant's cache (borrowed until the worker's next catalog read),
 * or NULL when it has parsed none: names at no cost, possibly as old as the catalog TTL. */
const bk_catalog_t *bk_catalog_peek(bk_env_t *env, const bk_tenant_t *tenant);

/** Key of the tenant's cached catalog: "fd:{<tenant>}:catalog". */
void bk_catalog_key(const bk_tenant_t *tenant, char *buf, size_t cap);

#endif
