/* store/sentinel.c: asking a Sentinel set for the master's address (see sentinel.h). */
#include "store/sentinel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <async.h>

#include "store/address.h"
#include "store/store_uv.h"

struct store_sentinel {
    uv_loop_t *loop;
    char *master;
    char *hosts[STORE_SENTINELS_MAX];
    int ports[STORE_SENTINELS_MAX];
    size_t n, next; /* next: the sentinel asked first (the last that answered, or the one after a failure) */
    size_t tries;   /* sentinels asked for the current question */
    redisAsyncContext *ac; /* the connection to the sentinel being asked, NULL between sentinels */
    uv_timer_t timer;      /* the sentinel's deadline; at 0 ms, the step to the next one or to the answer */
    bool asking;
    char *found_host;
    int found_port;
    store_sentinel_cb cb;
    void *data;
    void (*closed)(void *data);
    void *closed_data;
};

bool store_sentinel_named(const char *address)
{
    return strncmp(address, STORE_SENTINEL_PREFIX, strlen(STORE_SENTINEL_PREFIX)) == 0;
}

static bool master_name_valid(const char *name, size_t len)
{
    if (len == 0 || len > 64) return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.'))
            return false;
    }
    return true;
}

/* Parses the address into q (q NULL: only checks). */
static bool parse(const char *address, store_sentinel_t *q, char *why, size_t why_cap)
{
    const char *name = address + strlen(STORE_SENTINEL_PREFIX);
    const char *at = strchr(name, '@');
    if (!store_sentinel_named(address) || at == NULL || !master_name_valid(name, (size_t)(at - name))) {
        if (why != NULL) snprintf(why, why_cap, "master must be 1-64 letters, digits, '-', '_' or '.'");
        return false;
    }
    if (q != NULL && (q->master = strndup(name, (size_t)(at - name))) == NULL) return false;
    size_t n = 0;
    for (const char *p = at + 1;; n++) {
        const char *end = strchr(p, ',');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        char *host, *path;
        int port;
        if (n == STORE_SENTINELS_MAX || !store_address_parse(p, len, &host, &port, &path) || host == NULL) {
            free(path);
            if (why != NULL)
                snprintf(why, why_cap, "sentinels must be 1 to %d addresses host:port (numeric port 1-65535)",
                         STORE_SENTINELS_MAX);
            return false;
        }
        if (q != NULL) q->hosts[n] = host, q->ports[n] = port, q->n = n + 1;
        else free(host);
        if (end == NULL) break;
        p = end + 1;
    }
    return true;
}

bool store_sentinel_valid(const char *address, char *why, size_t why_cap)
{
    return parse(address, NULL, why, why_cap);
}

static void free_query(store_sentinel_t *q)
{
    for (size_t i = 0; i < q->n; i++) free(q->hosts[i]);
    free(q->master);
    free(q->found_host);
    free(q);
}

store_sentinel_t *store_sentinel_create(uv_loop_t *loop, const char *address)
{
    store_sentinel_t *q = calloc(1, sizeof(*q));
    if (q == NULL) return NULL;
    if (!parse(address, q, NULL, 0)) {
        free_query(q);
        return NULL;
    }
    q->loop = loop;
    uv_timer_init(loop, &q->timer);
    q->timer.data = q;
    return q;
}

/* Forgets the connection to the sentinel being asked (from the timer only: never inside its callbacks). */
static void drop_probe(store_sentinel_t *q)
{
    if (q->ac == NULL) return;
    redisAsyncContext *ac = q->ac;
    q->ac = NULL;
    ac->data = NULL; /* its callbacks, run with NULL replies now, must not touch the query */
    redisAsyncFree(ac);
}

static void step(uv_timer_t *timer);

static void step_soon(store_sentinel_t *q)
{
    uv_timer_start(&q->timer, step, 0, 0);
}

static void on_master(redisAsyncContext *ac, void *r, void *privdata)
{
    store_sentinel_t *q = privdata;
    const redisReply *reply = r;
    if (ac->data == NULL) return;
    if (reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 &&
        reply->element[0]->type == REDIS_REPLY_STRING && reply->element[1]->type == REDIS_REPLY_STRING) {
        long port = strtol(reply->element[1]->str, NULL, 10);
        if (port > 0 && port <= 65535 && q->found_host == NULL) {
            q->found_host = strdup(reply->element[0]->str);
            q->found_port = (int)port;
        }
    }
    step_soon(q); /* a nil (unknown master) or an error: the next sentinel */
}

static void on_connect(const redisAsyncContext *ac, int status)
{
    store_sentinel_t *q = ac->data;
    if (q == NULL) return;
    if (status != REDIS_OK) { /* hiredis frees the context after this callback returns */
        q->ac = NULL;
        step_soon(q);
        return;
    }
    if (redisAsyncCommand((redisAsyncContext *)ac, on_master, q, "SENTINEL get-master-addr-by-name %s", q->master) !=
        REDIS_OK)
        step_soon(q);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    (void)status;
    store_sentinel_t *q = ac->data;
    if (q == NULL) return;
    q->ac = NULL; /* hiredis frees it */
    step_soon(q);
}

/* Asks the sentinel at q->next, or the ones after it that can be connected to; when none is left, the step
 * ends the question. */
static void ask_next(store_sentinel_t *q)
{
    while (q->tries < q->n) {
        q->tries++;
        redisAsyncContext *ac = redisAsyncConnect(q->hosts[q->next], q->ports[q->next]);
        if (ac != NULL && !ac->err && store_uv_attach(ac, q->loop) == 0) {
            ac->data = q;
            redisAsyncSetConnectCallback(ac, on_connect);
            redisAsyncSetDisconnectCallback(ac, on_disconnect);
            q->ac = ac;
            uv_timer_start(&q->timer, step, STORE_SENTINEL_TIMEOUT_MS, 0);
            return;
        }
        if (ac != NULL) redisAsyncFree(ac);
        q->next = (q->next + 1) % q->n;
    }
    step_soon(q);
}

/* The timer: a sentinel answered, failed or ran out of time. Hands over the answer, or asks the next one. */
static void step(uv_timer_t *timer)
{
    store_sentinel_t *q = timer->data;
    if (!q->asking) return;
    drop_probe(q);
    if (q->found_host != NULL) {
        char *host = q->found_host;
        q->found_host = NULL;
        q->asking = false;
        q->cb(host, q->found_port, q->data);
        free(host);
    } else if (q->tries < q->n) {
        q->next = (q->next + 1) % q->n;
        ask_next(q);
    } else {
        q->asking = false;
        q->cb(NULL, 0, q->data);
    }
}

int store_sentinel_ask(store_sentinel_t *q, store_sentinel_cb cb, void *data)
{
    if (q->asking) return -1;
    q->asking = true;
    q->cb = cb;
    q->data = data;
    q->tries = 0;
    free(q->found_host);
    q->found_host = NULL;
    ask_next(q);
    return 0;
}

static void on_timer_closed(uv_handle_t *handle)
{
    store_sentinel_t *q = handle->data;
    void (*closed)(void *) = q->closed;
    void *closed_data = q->closed_data;
    free_query(q);
    if (closed != NULL) closed(closed_data);
}

void store_sentinel_close(store_sentinel_t *q, void (*closed)(void *data), void *data)
{
    q->asking = false;
    drop_probe(q);
    q->closed = closed;
    q->closed_data = data;
    uv_timer_stop(&q->timer);
    uv_close((uv_handle_t *)&q->timer, on_timer_closed);
}
