/* server/worker_view.h: a worker's view of one config: the config (one use of it held) and the worker's state
 * built for its tenants (the rate limiter's leases). A request begins on the worker's current view and keeps it
 * to its end, so a reload never changes the config under a request in flight; a replaced view is freed when its
 * last request ends. All on the worker's thread. */
#ifndef FD_SERVER_WORKER_VIEW_H
#define FD_SERVER_WORKER_VIEW_H

#include "booking/catalog_cache.h"
#include "server/config.h"

typedef struct srv_view {
    srv_config_t *config;          /* one use held */
    struct bk_rate_limiter *rate;  /* this worker's leases of each of config's tenants' rate limits */
    unsigned requests;             /* requests begun on it and not yet freed */
    struct srv_view *next_retired; /* in the worker's retired list */
} srv_view_t;

/** A worker's views: the one new requests begin on, and those a reload replaced that requests still use. */
typedef struct srv_views {
    srv_view_t *current;
    srv_view_t *retired;
} srv_views_t;

/** A view of config (its use is taken over) on the worker's booking environment env, whose store is open. NULL
 * when out of memory (config's use then given back). */
srv_view_t *srv_view_create(const bk_env_t *env, srv_config_t *config);

/** Counts a request begun on the current view; returns that view. */
srv_view_t *srv_view_enter(srv_views_t *views);

/** Counts a request begun on view (a tool call on the view of the request that carries it); returns view. */
srv_view_t *srv_view_join(srv_view_t *view);

/** Ends a request begun on view; a replaced view is freed with its last request. */
void srv_view_leave(srv_views_t *views, srv_view_t *view);

/** Makes view the current one; the old one is retired (freed now when no request uses it). */
void srv_view_switch(srv_views_t *views, srv_view_t *view);

/** At the worker's stop, once its store is closed: answers every request waiting on a rate limit lease. */
void srv_view_stop_all(srv_views_t *views);

/** After the worker's loop ended and its requests were disposed: frees every view. */
void srv_view_free_all(srv_views_t *views);

#endif
