/* server/worker_view.h: a worker's view of one config: the config (one use of it held) and the worker's state
 * built for its tenants (the rate limiter's leases). A request begins on the worker's current view and keeps it
 * to its end, so a reload never changes the config under a request in flight; a replaced view is freed when its
 * last request ends. All on the worker's thread. */
#ifndef FD_SERVER_WORKER_VIEW_H
#define FD_SERVER_WORKER_VIEW_H

#include "server/config.h"

struct srv_worker;

typedef struct srv_view {
    srv_config_t *config;          /* one use held */
    struct bk_rate_limiter *rate;  /* this worker's leases of each of config's tenants' rate limits */
    unsigned requests;             /* requests begun on it and not yet freed */
    struct srv_view *next_retired; /* in the worker's retired_views */
} srv_view_t;

/** A view of config (its use is taken over) for worker w, whose store is open. NULL when out of memory (config's
 * use then given back). */
srv_view_t *srv_view_create(struct srv_worker *w, srv_config_t *config);

/** Counts a request begun on the worker's current view; returns that view. */
srv_view_t *srv_view_enter(struct srv_worker *w);

/** Ends a request begun on view; a replaced view is freed with its last request. */
void srv_view_leave(struct srv_worker *w, srv_view_t *view);

/** Makes view the worker's current one; the old one is retired (freed now when no request uses it). */
void srv_view_switch(struct srv_worker *w, srv_view_t *view);

/** At the worker's stop, once its store is closed: answers every request waiting on a rate limit lease. */
void srv_view_stop_all(struct srv_worker *w);

/** After the worker's loop ended and its requests were disposed: frees every view. */
void srv_view_free_all(struct srv_worker *w);

#endif
