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

static void on_redis_up(void *data)
{
    srv_worker_t *w = data;
    atomic_store(&w->redis_up, true);
    const srv_config_t *config = w->app->config;
    for (size_t i = 0; i < config->tenant_count; i++) {
        const bk_tenant_t *t = &config->tenants[i];
        if (t->provider->on_store_connected != NULL)
            t->provider->on_store_connected(t->provider_instance, &w->booking.prov);
    }
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
    bk_event_delivery_stop(w->events); /* freed once the store and the HTTP client below answered its calls */
    w->events = NULL;
    bk_env_close_store(&w->booking); /* first: pending lease replies are answered while the limiter stands */
    bk_rate_limiter_destroy(w->rate);
    w->rate = NULL;
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
    const srv_config_t *config = w->app->config;
    w->voice_deadlines = calloc(config->tenant_count ? config->tenant_count : 1, sizeof(*w->voice_deadlines));
    if (w->voice_deadlines == NULL) {
        srv_log(SRV_LOG_ERROR, "worker cannot allocate its deadline lists", NULL);
        exit(1);
    }
    for (size_t i = 0; i < config->tenant_count; i++)
        h2o_timeout_init(&w->loop, &w->voice_deadlines[i], (uint64_t)config->tenants[i].policy.voice_deadline_ms);
    uv_async_init(&w->loop, &w->stop_async, on_stop);
    w->stop_async.data = w;
    uv_timer_init(&w->loop, &w->drain_timer);
    w->drain_timer.data = w;

    w->speaker = tz_speaker_create();
    w->names = bk_name_matcher_new();
    int opened = bk_env_open(&w->booking, &w->loop, w->app->config->redis_address, on_redis_up, on_redis_lost, w);
    w->booking.speaker = w->speaker;
    if (opened != 0 ||
        bk_env_enable_read_cache(&w->booking) != 0) {
        srv_log(SRV_LOG_ERROR, "worker cannot create its Redis connections", NULL);
        exit(1);
    }
    w->rate = bk_rate_limiter_create(&w->booking, w->app->config->tenants, w->app->config->tenant_count);
    w->answers = bk_answer_cache_create(SRV_ANSWER_SLOTS);
    w->auth_throttle = srv_auth_throttle_create();
    if (w->rate == NULL || w->answers == NULL || w->auth_throttle == NULL) {
        srv_log(SRV_LOG_ERROR, "worker cannot create its rate limiter, answer cache or key throttle", NULL);
        exit(1);
    }
    w->booking.prov.http = prov_http_create(&w->loop);
    if (w->booking.prov.http == NULL) {
        srv_log(SRV_LOG_ERROR, "worker cannot create its HTTP client", NULL);
        exit(1);
    }
    if (w->index == 0) w->events = bk_event_delivery_start(&w->booking, config->tenants, config->tenant_count);

    uv_tcp_init(&w->loop, &w->listener);
    w->listener.data = w;
    if (uv_tcp_open(&w->listener, w->listen_fd) != 0 || uv_listen((uv_stream_t *)&w->listener, 1024, on_accept) != 0) {
        srv_log(SRV_LOG_ERROR, "worker cannot listen", NULL);
        exit(1);
    }
    uv_run(&w->loop, UV_RUN_DEFAULT);
    /* Let closed handles (store, timers) run their close callbacks. */
    uv_run(&w->loop, UV_RUN_NOWAIT);
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
        for (size_t i = 0; i < w->app->config->tenant_count; i++) h2o_timeout_dispose(&w->loop, &w->voice_deadlines[i]);
        h2o_context_dispose(&w->ctx);
        uv_walk(&w->loop, close_handle, NULL);
        while (uv_run(&w->loop, UV_RUN_NOWAIT) != 0) {
        }
        free(w->voice_deadlines); /* only now: each deadline list's timer handle lives in it until closed */
        w->voice_deadlines = NULL;
        uv_loop_close(&w->loop);
        w->disposed = true;
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
