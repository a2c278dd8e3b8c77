/* server/worker.h: one worker thread: its own uv loop, h2o context, listener (SO_REUSEPORT) and Redis store. */
#ifndef FD_SERVER_WORKER_H
#define FD_SERVER_WORKER_H

#include <h2o.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdbool.h>
#include <uv.h>

#include "booking/catalog_cache.h"
#include "providers/provider.h"
#include "server/config.h"
#include "server/worker_view.h"

typedef struct srv_app {
    pthread_mutex_t config_lock; /* guards config: the main thread swaps it, workers take it (srv_app_config_take) */
    srv_config_t *config;        /* the current config; the process holds one use of it */
    srv_config_t *retired;       /* replaced configs still in use (main thread only) */
    uv_async_t retire_async;     /* on the main loop: a replaced config lost its last user */
    h2o_globalconf_t globalconf;
    struct srv_worker *workers; /* all of the process's workers, for /readyz (their redis_up flags) */
    int worker_count;
} srv_app_t;

typedef struct srv_worker {
    int index;
    srv_app_t *app;
    pthread_t thread;
    int listen_fd;
    uv_loop_t loop;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    uv_tcp_t listener;
    atomic_bool redis_up; /* this worker's Redis connection is up: written on its loop, read by any /readyz */
    srv_views_t views;                       /* the config new requests begin on, and those requests still use */
    uv_async_t reload_async;                 /* the main thread published a new config */
    struct srv_auth_throttle *auth_throttle; /* wrong API keys per client address (server/auth_throttle.h) */
    struct bk_answer_cache *answers;         /* recent /voice/bestSlot answers (booking/answer_cache.h) */
    bk_env_t booking; /* per-worker booking environment (store, providers, catalog memo) */
    struct bk_event_delivery *events; /* worker 0: delivery of the tenants' webhook events, else NULL */
    struct bk_request_sweep *sweep;   /* worker 0: expiry of unanswered booking requests, else NULL */
    h2o_timeout_t deadline; /* per-request deadline list */
    struct srv_deadline_list *voice_deadlines; /* one deadline list per voice_deadline_ms in use (worker.c) */
    struct tz_speaker *speaker; /* ICU formatters of this thread */
    struct bk_name_matcher *names; /* ICU transliterator of this thread, for spoken names */
    uv_async_t stop_async;
    uv_timer_t drain_timer;
    uint64_t stop_started_ms;
    unsigned in_flight;   /* requests begun and not yet disposed */
    unsigned connections; /* accepted sockets not yet closed */
    h2o_linklist_t conns; /* those sockets (srv_conn_t in worker.c), for the drain to see what they are receiving */
    bool stopping;
    bool disposed;          /* the context and loop were freed at stop */
    bool redis_lost;        /* worker 0: its Redis connection was lost and not regained yet */
    uint64_t redis_lost_ms; /* loop time it was lost at */
} srv_worker_t;

#define SRV_REQUEST_DEADLINE_MS 5000
#define SRV_DRAIN_LIMIT_MS 5000

/** A TCP socket bound to address:port (numeric IPv4) with SO_REUSEADDR; when shared also with SO_REUSEPORT and
 * listening (one per worker), else only bound (a probe: it fails with EADDRINUSE while anything listens there).
 * Returns the fd, or -1 with errno set. */
int srv_worker_bind(const char *address, int port, bool shared);

/** Starts the worker thread on an already bound listen_fd. Returns 0, or -1. */
int srv_worker_start(srv_worker_t *w);

/** Asks the worker to stop accepting, finish its in-flight requests (at most SRV_DRAIN_LIMIT_MS) and exit;
 * thread-safe. In flight includes a request whose headers or body are still arriving: it is read to its end and
 * answered. Join with pthread_join(w->thread). */
void srv_worker_stop(srv_worker_t *w);

/** The worker running a request's h2o context. */
srv_worker_t *srv_worker_of(h2o_req_t *req);

/** Tells the worker that the app has a new current config; it changes to it between requests. Thread-safe. */
void srv_worker_reload(srv_worker_t *w);

/** The worker's deadline list for ms (made on first use; lives as long as the worker). On the worker's thread. */
h2o_timeout_t *srv_worker_deadline_list(srv_worker_t *w, uint64_t ms);

/** The current config with one more use counted (give it back with srv_config_release). Thread-safe. */
srv_config_t *srv_app_config_take(srv_app_t *app);

#endif
