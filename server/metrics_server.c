/* server/metrics_server.c: the metrics listener and its thread (see metrics_server.h). */
#include "server/metrics_server.h"

#include <errno.h>
#include <h2o.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "booking/api_error.h"
#include "server/key_digest.h"
#include "server/metrics_text.h"
#include "server/worker.h"
#include "tz/tz.h"

#define STOP_LIMIT_MS 1000

struct srv_metrics_server {
    srv_metrics_config_t config; /* a copy: a reload may free the config it came from */
    pthread_t thread;
    int fd;
    uv_loop_t loop;
    h2o_globalconf_t globalconf;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    uv_tcp_t listener;
    uv_async_t stop_async;
    uv_timer_t stop_timer;
    uint64_t stop_started_ms;
    unsigned connections;
    bool disposed; /* the context was freed: a clean stop */
};

/* The server of a request: the handler is allocated right after its h2o_handler_t. */
typedef struct metrics_handler {
    h2o_handler_t super;
    srv_metrics_server_t *server;
} metrics_handler_t;

static void answer_error(h2o_req_t *req, api_error_t err, const char *field)
{
    char buf[512];
    size_t len = api_error_render(err, NULL, field, buf, sizeof(buf));
    req->res.status = api_error_status(err);
    static const char *const reasons[] = {"Not Found", "Unauthorized", "Method Not Allowed", "Service Unavailable"};
    req->res.reason = reasons[err == API_ERR_NOT_FOUND            ? 0
                              : err == API_ERR_UNAUTHORIZED       ? 1
                              : err == API_ERR_METHOD_NOT_ALLOWED ? 2
                                                                  : 3];
    if (err == API_ERR_METHOD_NOT_ALLOWED)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, H2O_STRLIT("GET, HEAD"));
    if (err == API_ERR_UNAUTHORIZED)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL, H2O_STRLIT("Bearer"));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("application/json"));
    req->res.content_length = len;
    h2o_send_inline(req, h2o_strdup(&req->pool, buf, len).base, len);
}

/* True when the request carries Authorization: Bearer <the configured token>. */
static bool authorized(const srv_metrics_config_t *config, h2o_req_t *req)
{
    if (!config->token) return true;
    ssize_t at = h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    if (at < 0) return false;
    h2o_iovec_t v = req->headers.entries[at].value;
    if (v.len <= 7 || strncasecmp(v.base, "Bearer ", 7) != 0) return false;
    unsigned char digest[32];
    srv_key_digest(v.base + 7, v.len - 7, digest);
    return CRYPTO_memcmp(digest, config->token_digest, 32) == 0;
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    srv_metrics_server_t *s = ((metrics_handler_t *)self)->server;
    if (!h2o_memis(req->path_normalized.base, req->path_normalized.len, H2O_STRLIT("/metrics"))) {
        answer_error(req, API_ERR_NOT_FOUND, NULL);
        return 0;
    }
    bool get = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) ||
               h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"));
    if (!get) {
        answer_error(req, API_ERR_METHOD_NOT_ALLOWED, NULL);
        return 0;
    }
    if (!authorized(&s->config, req)) {
        answer_error(req, API_ERR_UNAUTHORIZED, "authorization");
        return 0;
    }
    size_t len;
    char *text = srv_metrics_render(tz_now() / 1000, &len);
    if (text == NULL) {
        answer_error(req, API_ERR_SERVICE_UNAVAILABLE, NULL);
        return 0;
    }
    char *copy = h2o_mem_alloc_pool(&req->pool, len);
    memcpy(copy, text, len);
    free(text);
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT(SRV_METRICS_CONTENT_TYPE));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    req->res.content_length = len;
    h2o_send_inline(req, copy, len);
    return 0;
}

static void on_conn_closed(uv_handle_t *handle)
{
    srv_metrics_server_t *s = handle->loop->data;
    s->connections--;
    free(handle);
}

static void on_accept(uv_stream_t *listener, int status)
{
    srv_metrics_server_t *s = listener->data;
    if (status != 0) return;
    uv_tcp_t *conn = calloc(1, sizeof(*conn));
    if (conn == NULL) return;
    uv_tcp_init(listener->loop, conn);
    s->connections++;
    if (uv_accept(listener, (uv_stream_t *)conn) != 0) {
        uv_close((uv_handle_t *)conn, on_conn_closed);
        return;
    }
    h2o_accept(&s->accept_ctx, h2o_uv_socket_create((uv_stream_t *)conn, on_conn_closed));
}

static void close_handle(uv_handle_t *handle, void *arg)
{
    if (!uv_is_closing(handle)) uv_close(handle, NULL);
}

/* Once every connection closed (or the limit passed), the loop ends. */
static void on_stop_tick(uv_timer_t *timer)
{
    srv_metrics_server_t *s = timer->data;
    if (s->connections > 0 && uv_now(&s->loop) - s->stop_started_ms < STOP_LIMIT_MS) return;
    uv_timer_stop(timer);
    uv_stop(&s->loop);
}

static void on_stop(uv_async_t *async)
{
    srv_metrics_server_t *s = async->data;
    s->stop_started_ms = uv_now(&s->loop);
    uv_close((uv_handle_t *)&s->listener, NULL);
    h2o_context_request_shutdown(&s->ctx);
    uv_timer_start(&s->stop_timer, on_stop_tick, 0, 20);
}

static void *run(void *arg)
{
    srv_metrics_server_t *s = arg;
    uv_run(&s->loop, UV_RUN_DEFAULT);
    if (s->connections == 0) { /* a clean stop frees everything (as a worker's does, server/worker.c) */
        if (h2o_timeout_is_linked(&s->ctx.http2._graceful_shutdown_timeout))
            h2o_timeout_unlink(&s->ctx.http2._graceful_shutdown_timeout);
        h2o_context_dispose(&s->ctx);
        uv_walk(&s->loop, close_handle, NULL);
        while (uv_run(&s->loop, UV_RUN_NOWAIT) != 0) {
        }
        uv_loop_close(&s->loop);
        s->disposed = true;
    }
    return NULL;
}

srv_metrics_server_t *srv_metrics_server_start(const srv_metrics_config_t *config, char *why, size_t why_cap)
{
    srv_metrics_server_t *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(why, why_cap, "out of memory");
        return NULL;
    }
    s->config = *config;
    s->fd = srv_worker_bind(config->address, config->port, false);
    if (s->fd < 0) {
        snprintf(why, why_cap, "cannot listen on %s:%d for metrics: %s", config->address, config->port,
                 strerror(errno));
        free(s);
        return NULL;
    }
    uv_loop_init(&s->loop);
    s->loop.data = s;
    h2o_config_init(&s->globalconf);
    s->globalconf.server_name = h2o_iovec_init(H2O_STRLIT("frontdesk"));
    h2o_hostconf_t *host = h2o_config_register_host(&s->globalconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    metrics_handler_t *handler = (metrics_handler_t *)h2o_create_handler(path, sizeof(*handler));
    handler->super.on_req = on_req;
    handler->server = s;
    h2o_context_init(&s->ctx, &s->loop, &s->globalconf);
    s->accept_ctx.ctx = &s->ctx;
    s->accept_ctx.hosts = s->globalconf.hosts;
    uv_async_init(&s->loop, &s->stop_async, on_stop);
    s->stop_async.data = s;
    uv_timer_init(&s->loop, &s->stop_timer);
    s->stop_timer.data = s;
    uv_tcp_init(&s->loop, &s->listener);
    s->listener.data = s;
    if (uv_tcp_open(&s->listener, s->fd) != 0 || uv_listen((uv_stream_t *)&s->listener, 128, on_accept) != 0 ||
        pthread_create(&s->thread, NULL, run, s) != 0) {
        snprintf(why, why_cap, "cannot listen on %s:%d for metrics", config->address, config->port);
        return NULL; /* the process exits: nothing to free */
    }
    return s;
}

void srv_metrics_server_stop(srv_metrics_server_t *s)
{
    if (s == NULL) return;
    uv_async_send(&s->stop_async);
    pthread_join(s->thread, NULL);
    if (!s->disposed) return; /* a scrape held its connection past the limit: the process exit frees it */
    h2o_config_dispose(&s->globalconf);
    free(s);
}
