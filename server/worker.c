/* server/worker.c: worker threads: loop, listener, h2o context, store, graceful stop (see worker.h). */
#include "server/worker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "booking/answer_cache.h"
#include "booking/event_delivery.h"
#include "booking/last_seen.h"
#include "booking/request_sweep.h"
#include "booking/rate_limit.h"
#include "booking/worker_store.h"
#include "core/name_match.h"
#include "providers/http_client.h"
#include "server/auth_throttle.h"
#include "server/log.h"
#include "tz/tz_spoken.h"

#define SRV_ANSWER_SLOTS 512 /* bestSlot answers kept per worker (a few KB each) */

srv_worker_t *srv_worker_of(h2o_req_t *req)
{
    return H2O_STRUCT_FROM_MEMBER(srv_worker_t, ctx, req->conn->ctx);
}

srv_config_t *srv_app_config_take(srv_app_t *app)
{
    pthread_mutex_lock(&app->config_lock);
    srv_config_t *c = app->config;
    srv_config_retain(c);
    pthread_mutex_unlock(&app->config_lock);
    return c;
}

/* One deadline list: every request with the same deadline is in one, so each list is in start order. */
typedef struct srv_deadline_list {
    struct srv_deadline_list *next;
    uint64_t ms;
    h2o_timeout_t timeout;
} srv_deadline_list_t;

h2o_timeout_t *srv_worker_deadline_list(srv_worker_t *w, uint64_t ms)
{
    for (srv_deadline_list_t *d = w->voice_deadlines; d != NULL; d = d->next)
        if (d->ms == ms) return &d->timeout;
    srv_deadline_list_t *d = calloc(1, sizeof(*d));
    if (d == NULL) return NULL;
    d->ms = ms;
    h2o_timeout_init(&w->loop, &d->timeout, ms);
    d->next = w->voice_deadlines;
    w->voice_deadlines = d;
    return &d->timeout;
}

int srv_worker_bind(const char *address, int port, bool shared)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, address, &addr.sin_addr) != 1) {
        errno = EINVAL;
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        (shared && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0) ||
        bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || (shared && listen(fd, 1024) != 0)) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* One accepted connection. */
typedef struct srv_conn {
    uv_tcp_t tcp;       /* first: the close callback frees the connection through this handle */
    h2o_socket_t *sock; /* h2o's socket over tcp; NULL until created */
    h2o_linklist_t link; /* in the worker's conns */
} srv_conn_t;

static void on_tcp_closed(uv_handle_t *handle)
{
    srv_worker_t *w = handle->loop->data;
    srv_conn_t *conn = (srv_conn_t *)handle;
    w->connections--;
    h2o_linklist_unlink(&conn->link);
    free(conn);
}

static void on_accept(uv_stream_t *listener, int status)
{
    srv_worker_t *w = listener->data;
    if (status != 0 || w->stopping) return;
    srv_conn_t *conn = calloc(1, sizeof(*conn));
    if (conn == NULL) return;
    uv_tcp_init(listener->loop, &conn->tcp);
    w->connections++;
    h2o_linklist_insert(&w->conns, &conn->link);
    if (uv_accept(listener, (uv_stream_t *)&conn->tcp) != 0) {
        uv_close((uv_handle_t *)&conn->tcp, on_tcp_closed);
        return;
    }
    uv_tcp_nodelay(&conn->tcp, 1);
    conn->sock = h2o_uv_socket_create((uv_stream_t *)&conn->tcp, on_tcp_closed);
    h2o_accept(&w->accept_ctx, conn->sock);
}

/* True when a connection holds bytes of a request not answered yet: h2o keeps a request's headers and body in the
 * socket's input until the answer is sent, so a request still arriving is one with input and no handler yet. */
static bool receiving(srv_worker_t *w)
{
    for (h2o_linklist_t *at = w->conns.next; at != &w->conns; at = at->next) {
        srv_conn_t *conn = H2O_STRUCT_FROM_MEMBER(srv_conn_t, link, at);
        /* a closing socket's input is gone (h2o frees it before the handle closes) */
        if (conn->sock != NULL && !uv_is_closing((uv_handle_t *)&conn->tcp) && conn->sock->input != NULL &&
            conn->sock->input->size > 0)
            return true;
    }
    return false;
}

/* Tells each tenant's provider that the worker's store is connected. */
static void connect_providers(srv_worker_t *w, const srv_config_t *config)
{
    for (size_t i = 0; i < config->tenant_count; i++) {
        const bk_tenant_t *t = &config->tenants[i];
        if (t->provider->on_store_connected != NULL)
            t->provider->on_store_connected(t->provider_instance, &w->booking.prov);
    }
}

static void on_redis_up(void *data)
{
    srv_worker_t *w = data;
    atomic_store(&w->redis_up, true);
    connect_providers(w, w->views.current->config);
    if (w->index != 0) return; /* one line per process: worker 0 speaks for all */
    if (!w->redis_lost) {
        srv_log(SRV_LOG_INFO, "redis connected", NULL);
        return;
    }
    char extra[48];
    snprintf(extra, sizeof(extra), "\"down_ms\":%llu", (unsigned long long)(uv_now(&w->loop) - w->redis_lost_ms));
    srv_log(SRV_LOG_WARN, "redis connection regained", extra);
    w->redis_lost = false;
}

/* Once per outage (the store reports an established connection lost, not each failed retry). */
static void on_redis_lost(const char *why, void *data)
{
    srv_worker_t *w = data;
    atomic_store(&w->redis_up, false);
    if (w->index != 0 || w->redis_lost || w->stopping) return;
    w->redis_lost = true;
    w->redis_lost_ms = uv_now(&w->loop);
    char extra[96];
    snprintf(extra, sizeof(extra), "\"reason\":\"%s\"", why); /* letters, digits and spaces (store.h) */
    srv_log(SRV_LOG_WARN, "redis connection lost", extra);
}

static void finish(srv_worker_t *w)
{
    uv_timer_stop(&w->drain_timer);
    uv_close((uv_handle_t *)&w->drain_timer, NULL);
    uv_close((uv_handle_t *)&w->stop_async, NULL);
    uv_close((uv_handle_t *)&w->reload_async, NULL);
    bk_event_delivery_stop(w->events); /* freed once the store and the HTTP client below answered its calls */
    w->events = NULL;
    bk_request_sweep_stop(w->sweep);
    w->sweep = NULL;
    bk_env_close_store(&w->booking); /* first: pending lease replies are answered while the limiter stands */
    srv_view_stop_all(&w->views);
    bk_answer_cache_destroy(w->answers);
    w->answers = NULL;
    srv_auth_throttle_destroy(w->auth_throttle);
    w->auth_throttle = NULL;
    prov_http_destroy(w->booking.prov.http);
    w->booking.prov.http = NULL;
    uv_stop(&w->loop);
}

/* Stops once every request (those still arriving too) is answered and every connection closed, or when the drain
 * limit is reached. */
static void on_drain_tick(uv_timer_t *timer)
{
    srv_worker_t *w = timer->data;
    bool idle = w->in_flight == 0 && w->connections == 0;
    bool answered = w->in_flight == 0 && !receiving(w);
    uint64_t waited = uv_now(&w->loop) - w->stop_started_ms;
    /* Idle keep-alive connections get a short grace (h2o closes them on shutdown), then are left to exit. */
    if (idle || (answered && waited >= 500) || waited >= SRV_DRAIN_LIMIT_MS) finish(w);
}

/* Remembers the tenants whose keys the read cache was turned on for. False when out of memory. */
/* The main thread published a new config: new requests begin on it from now on; requests in flight finish on the
 * view they began on. What this worker keeps across requests about tenants starts again: recent answers, the
 * tenants each address was accepted for, the providers' store setup, and (worker 0) event delivery. */
static void on_reload(uv_async_t *async)
{
    srv_worker_t *w = async->data;
    if (w->stopping) return;
    srv_config_t *config = srv_app_config_take(w->app);
    if (config == w->views.current->config) {
        srv_config_release(config);
        return;
    }
    struct bk_answer_cache *answers = bk_answer_cache_create(SRV_ANSWER_SLOTS);
    struct srv_auth_throttle *throttle = srv_auth_throttle_create();
    srv_view_t *view = answers != NULL && throttle != NULL ? srv_view_create(&w->booking, config) : NULL;
    if (view == NULL) {
        if (answers == NULL || throttle == NULL) srv_config_release(config);
        bk_answer_cache_destroy(answers);
        srv_auth_throttle_destroy(throttle);
        srv_log(SRV_LOG_ERROR, "worker out of memory: it keeps the previous config", NULL);
        return;
    }
    srv_view_switch(&w->views, view);
    bk_answer_cache_destroy(w->answers);
    w->answers = answers;
    srv_auth_throttle_destroy(w->auth_throttle);
    w->auth_throttle = throttle;
    if (atomic_load(&w->redis_up)) connect_providers(w, config);
    if (w->index == 0) {
        bk_event_delivery_stop(w->events); /* abandoned attempts are taken again by the new delivery's claim */
        w->events = bk_event_delivery_start(&w->booking, config->tenants, config->tenant_count);
        bk_request_sweep_stop(w->sweep);
        w->sweep = bk_request_sweep_start(&w->booking, config->tenants, config->tenant_count);
    }
}

static void close_handle(uv_handle_t *handle, void *arg)
{
    if (!uv_is_closing(handle)) uv_close(handle, NULL);
}

static void on_stop(uv_async_t *async)
{
    srv_worker_t *w = async->data;
    if (w->stopping) return;
    w->stopping = true;
    w->stop_started_ms = uv_now(&w->loop);
    uv_close((uv_handle_t *)&w->listener, NULL);
    h2o_context_request_shutdown(&w->ctx);
    uv_timer_start(&w->drain_timer, on_drain_tick, 0, 20);
}

static void *run(void *arg)
{
    srv_worker_t *w = arg;
    uv_loop_init(&w->loop);
    w->loop.data = w;
    h2o_linklist_init_anchor(&w->conns);
    h2o_context_init(&w->ctx, &w->loop, (h2o_globalconf_t *)&w->app->globalconf);
    w->accept_ctx.ctx = &w->ctx;
    w->accept_ctx.hosts = w->app->globalconf.hosts;
    h2o_timeout_init(&w->loop, &w->deadline, SRV_REQUEST_DEADLINE_MS);
    srv_config_t *config = srv_app_config_take(w->app);
    uv_async_init(&w->loop, &w->stop_async, on_stop);
    w->stop_async.data = w;
    uv_async_init(&w->loop, &w->reload_async, on_reload);
    w->reload_async.data = w;
    uv_timer_init(&w->loop, &w->drain_timer);
    w->drain_timer.data = w;

    w->speaker = tz_speaker_create();
    w->names = bk_name_matcher_new();
    int opened = bk_env_open(&w->booking, &w->loop, config->redis_address, on_redis_up, on_redis_lost, w);
    w->booking.speaker = w->speaker;
    if (opened != 0 || bk_env_enable_read_cache(&w->booking) != 0) {
        srv_log(SRV_LOG_ERROR, "worker cannot create its Redis connections", NULL);
        exit(1);
    }
    w->views.current = srv_view_create(&w->booking, config);
    w->answers = bk_answer_cache_create(SRV_ANSWER_SLOTS);
    w->auth_throttle = srv_auth_throttle_create();
    if (w->views.current == NULL || w->answers == NULL || w->auth_throttle == NULL) {
        srv_log(SRV_LOG_ERROR, "worker cannot create its rate limiter, answer cache or key throttle", NULL);
        exit(1);
    }
    w->booking.prov.http = prov_http_create(&w->loop);
    if (w->booking.prov.http == NULL) {
        srv_log(SRV_LOG_ERROR, "worker cannot create its HTTP client", NULL);
        exit(1);
    }
    if (w->index == 0) {
        w->events = bk_event_delivery_start(&w->booking, config->tenants, config->tenant_count);
        w->sweep = bk_request_sweep_start(&w->booking, config->tenants, config->tenant_count);
    }

    uv_tcp_init(&w->loop, &w->listener);
    w->listener.data = w;
    if (uv_tcp_open(&w->listener, w->listen_fd) != 0 || uv_listen((uv_stream_t *)&w->listener, 1024, on_accept) != 0) {
        srv_log(SRV_LOG_ERROR, "worker cannot listen", NULL);
        exit(1);
    }
    uv_run(&w->loop, UV_RUN_DEFAULT);
    /* Let closed handles (store, timers) run their close callbacks. */
    uv_run(&w->loop, UV_RUN_NOWAIT);
    bk_last_seen_dispose(&w->booking);
    bk_env_dispose(&w->booking);
    tz_speaker_destroy(w->speaker);
    bk_name_matcher_free(w->names);
    if (w->connections == 0 && w->in_flight == 0) {
        /* A clean stop frees everything, so leak checkers see no noise; with connections still open (a client
         * holding one past the drain limit) h2o cannot dispose of its context, and the process exit frees it. */
        /* h2o_context_request_shutdown links a graceful-shutdown entry that h2o_context_dispose expects gone. */
        if (h2o_timeout_is_linked(&w->ctx.http2._graceful_shutdown_timeout))
            h2o_timeout_unlink(&w->ctx.http2._graceful_shutdown_timeout);
        h2o_timeout_dispose(&w->loop, &w->deadline);
        for (srv_deadline_list_t *d = w->voice_deadlines; d != NULL; d = d->next)
            h2o_timeout_dispose(&w->loop, &d->timeout);
        h2o_context_dispose(&w->ctx);
        uv_walk(&w->loop, close_handle, NULL);
        while (uv_run(&w->loop, UV_RUN_NOWAIT) != 0) {
        }
        while (w->voice_deadlines != NULL) { /* only now: each list's timer handle lives in it until closed */
            srv_deadline_list_t *d = w->voice_deadlines;
            w->voice_deadlines = d->next;
            free(d);
        }
        uv_loop_close(&w->loop);
        srv_view_free_all(&w->views); /* every request was disposed with the context */
        w->disposed = true;
    } else if (w->in_flight == 0) {
        srv_view_free_all(&w->views); /* open idle connections hold no view: only requests do */
    }
    return NULL;
}

int srv_worker_start(srv_worker_t *w)
{
    return pthread_create(&w->thread, NULL, run, w) == 0 ? 0 : -1;
}

void srv_worker_stop(srv_worker_t *w)
{
    uv_async_send(&w->stop_async);
}

void srv_worker_reload(srv_worker_t *w)
{
    uv_async_send(&w->reload_async);
}
