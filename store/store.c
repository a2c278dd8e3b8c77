/* store/store.c: the reconnecting hiredis async connection on a uv loop (see store.h). */
#include "store/store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <async.h>

#include "store/store_uv.h"

#define RECONNECT_MIN_MS 200
#define RECONNECT_MAX_MS 1000
#define CONNECT_TIMEOUT_MS 1000

struct store {
    uv_loop_t *loop;
    redisAsyncContext *ac; /* NULL while disconnected */
    bool connected;
    bool closing;
    char *host; /* NULL for a unix socket */
    int port;
    char *path;
    uv_timer_t timer; /* reconnect backoff and connect timeout */
    uint64_t backoff_ms;
    store_connected_cb on_connected;
    void *data;
};

static void schedule_reconnect(store_t *s);

static void on_connect(const redisAsyncContext *ac, int status)
{
    store_t *s = ac->data;
    if (s == NULL) return;
    if (status != REDIS_OK) {
        /* hiredis frees the context after this callback returns. */
        s->ac = NULL;
        s->connected = false;
        if (!s->closing) schedule_reconnect(s);
        return;
    }
    uv_timer_stop(&s->timer);
    s->connected = true;
    s->backoff_ms = RECONNECT_MIN_MS;
    if (s->on_connected != NULL) s->on_connected(s, s->data);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    store_t *s = ac->data;
    if (s == NULL) return;
    s->ac = NULL;
    s->connected = false;
    if (!s->closing) schedule_reconnect(s);
}

static void start_connect(store_t *s)
{
    redisAsyncContext *ac = s->host != NULL ? redisAsyncConnect(s->host, s->port) : redisAsyncConnectUnix(s->path);
    if (ac == NULL) goto retry;
    if (ac->err) {
        redisAsyncFree(ac);
        goto retry;
    }
    ac->data = s;
    if (store_uv_attach(ac, s->loop) != 0) {
        redisAsyncFree(ac);
        goto retry;
    }
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    s->ac = ac;
    return;

retry:
    schedule_reconnect(s);
}

static void on_timer(uv_timer_t *timer)
{
    store_t *s = timer->data;
    if (s->closing) return;
    if (s->ac != NULL && !s->connected) {
        /* Connect did not complete in time: drop it; on_connect is not called for a freed context. */
        redisAsyncContext *ac = s->ac;
        ac->data = NULL;
        s->ac = NULL;
        redisAsyncFree(ac);
        schedule_reconnect(s);
        return;
    }
    if (s->ac == NULL) {
        start_connect(s);
        if (s->ac != NULL) uv_timer_start(&s->timer, on_timer, CONNECT_TIMEOUT_MS, 0);
    }
}

static void schedule_reconnect(store_t *s)
{
    uv_timer_start(&s->timer, on_timer, s->backoff_ms, 0);
    s->backoff_ms *= 2;
    if (s->backoff_ms > RECONNECT_MAX_MS) s->backoff_ms = RECONNECT_MAX_MS;
}

static bool parse_address(const char *address, char **host, int *port, char **path)
{
    *host = NULL;
    *path = NULL;
    if (strncmp(address, "unix:", 5) == 0) address += 5;
    if (address[0] == '/') {
        if (strlen(address) >= 100) return false; /* sun_path limit */
        *path = strdup(address);
        return *path != NULL;
    }
    const char *colon = strrchr(address, ':');
    if (colon == NULL || colon == address) return false;
    char *end = NULL;
    long p = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end != '\0' || p < 1 || p > 65535) return false;
    size_t hlen = (size_t)(colon - address);
    for (size_t i = 0; i < hlen; i++) {
        char c = address[i];
        /* Numeric IPv4 or a simple host name; hiredis resolves names with a blocking call, so the caller
         * should prefer numeric addresses (documented in the README). */
        if (!((c >= '0' && c <= '9') || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'))
            return false;
    }
    *host = strndup(address, hlen);
    *port = (int)p;
    return *host != NULL;
}

bool store_address_valid(const char *address, char *why, size_t why_cap)
{
    char *host, *path;
    int port;
    bool ok = parse_address(address, &host, &port, &path);
    free(host);
    free(path);
    if (!ok && why != NULL)
        snprintf(why, why_cap, "must be host:port (numeric port 1-65535) or a unix socket path starting with /");
    return ok;
}

store_t *store_create(uv_loop_t *loop, const char *address, store_connected_cb on_connected, void *data)
{
    store_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return NULL;
    if (!parse_address(address, &s->host, &s->port, &s->path)) {
        free(s);
        return NULL;
    }
    s->loop = loop;
    s->on_connected = on_connected;
    s->data = data;
    s->backoff_ms = RECONNECT_MIN_MS;
    uv_timer_init(loop, &s->timer);
    s->timer.data = s;
    start_connect(s);
    if (s->ac != NULL) uv_timer_start(&s->timer, on_timer, CONNECT_TIMEOUT_MS, 0);
    return s;
}

static void on_timer_closed(uv_handle_t *handle)
{
    store_t *s = handle->data;
    free(s->host);
    free(s->path);
    free(s);
}

void store_destroy(store_t *s)
{
    if (s == NULL) return;
    s->closing = true;
    if (s->ac != NULL) {
        redisAsyncContext *ac = s->ac;
        s->ac = NULL;
        if (!s->connected) ac->data = NULL;
        s->connected = false;
        redisAsyncFree(ac); /* pending callbacks get NULL replies now */
    }
    uv_timer_stop(&s->timer);
    uv_close((uv_handle_t *)&s->timer, on_timer_closed);
}

bool store_is_connected(const store_t *s)
{
    return s->connected;
}

typedef struct command_ctx {
    store_reply_cb cb;
    void *data;
} command_ctx_t;

static void on_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
    command_ctx_t *c = privdata;
    if (c->cb != NULL) c->cb(reply, c->data);
    free(c);
}

int store_command(store_t *s, store_reply_cb cb, void *data, int argc, const char **argv, const size_t *lens)
{
    if (!s->connected || s->ac == NULL) return -1;
    command_ctx_t *c = malloc(sizeof(*c));
    if (c == NULL) return -1;
    c->cb = cb;
    c->data = data;
    if (redisAsyncCommandArgv(s->ac, on_reply, c, argc, argv, lens) != REDIS_OK) {
        free(c);
        return -1;
    }
    return 0;
}

int store_commandf(store_t *s, store_reply_cb cb, void *data, const char *fmt, ...)
{
    if (!s->connected || s->ac == NULL) return -1;
    command_ctx_t *c = malloc(sizeof(*c));
    if (c == NULL) return -1;
    c->cb = cb;
    c->data = data;
    va_list ap;
    va_start(ap, fmt);
    int rc = redisvAsyncCommand(s->ac, on_reply, c, fmt, ap);
    va_end(ap);
    if (rc != REDIS_OK) {
        free(c);
        return -1;
    }
    return 0;
}
