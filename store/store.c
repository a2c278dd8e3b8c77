/* store/store.c: the reconnecting hiredis async connection on a uv loop (see store.h). */
#include "store/store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <async.h>
#include <sds.h>

#include "metrics/metrics.h"
#include "store/address.h"
#include "store/facts.h"
#include "store/sentinel.h"
#include "store/store_uv.h"

#define RECONNECT_MIN_MS   200
#define RECONNECT_MAX_MS   1000
#define CONNECT_TIMEOUT_MS 1000 /* TCP connect and the first PING's answer */
#define WATCHDOG_MS        200  /* how often an established connection is checked for a hang */
/* The read cache: how much a worker keeps, and for how long at most (keys that expire in Redis are reported
 * late, when Redis gets round to deleting them; a cached copy outlives its key by this much at worst). */
#define CACHE_MAX_ENTRIES 8192
/* 4 MiB: a cached read lives 2 s at most, so this is what a worker read in its last 2 s, well past one big search
 * (a 50-practitioner bestSlot reads under 1 MiB); at 64 MiB, a burst of a thousand tenants filled the entry
 * cap, ~14 MiB a worker, to keep copies that nobody asked for again before they expired. */
#define CACHE_MAX_BYTES   (4u << 20)
#define CACHE_MAX_AGE_MS  2000
/* Keys reported changed, remembered so a reply that was under way meanwhile is not kept. */
#define RECENT_CHANGES     256
#define INVALIDATE_CHANNEL "__redis__:invalidate"

/* A reply found in the cache, waiting for the loop to hand it over. */
typedef struct hit {
    struct hit *next;
    store_cached_t *entry;
    store_reply_cb cb;
    void *data;
} hit_t;

typedef struct read_tracking {
    store_read_cache_t *cache;
    store_t *watcher; /* the connection subscribed to INVALIDATE_CHANNEL */
    long long watcher_id;
    bool watcher_subscribed;
    bool ready; /* tracking confirmed on the current connection for the current watcher */
    char watcher_address[128]; /* where the watcher connects: the Redis the store itself is connected to */
    char **families; /* the cached key families: what follows a key's hash tag ("}:") */
    size_t *family_lens;
    size_t n_families;
    uint64_t epoch;    /* counts changes reported (one per key, one per flush) */
    uint64_t flush_at; /* epoch of the last flush or loss of tracking */
    struct {
        uint64_t key_hash, epoch;
    } recent[RECENT_CHANGES];
    hit_t *hits, *hits_tail;
    store_facts_t *facts; /* store_remember's, for facts_at (flush_at + 1) */
    uint64_t facts_at;
    uv_idle_t idle;    /* runs the hits on the next loop turn */
    uv_prepare_t turn; /* counts loop turns, for draining the watcher once per turn */
    uint64_t turns, drained_turn;
} read_tracking_t;

struct store {
    uv_loop_t *loop;
    redisAsyncContext *ac; /* NULL while disconnected */
    bool connected;        /* Redis answered on ac (see store.h) */
    bool was_established;  /* a connection was established before: the next one is a reconnect (metrics) */
    bool closing;
    bool keepalive; /* PING when idle (not on the watcher: a subscribed connection takes no PING) */
    int in_hiredis; /* > 0 while one of this store's callbacks runs inside hiredis (store.h) */
    char *host;     /* NULL for a unix socket */
    int port;
    char *path;
    store_sentinel_t *sentinel; /* Sentinel mode: asked for host:port before each connect; NULL otherwise */
    bool demoted;               /* the Redis refused a write as a replica (READONLY): the watchdog drops it */
    int min_replicas;           /* store_wait_replicas waits for this many replicas (0: never waits) */
    uv_timer_t timer; /* reconnect backoff and connect timeout */
    uint64_t backoff_ms;
    uv_timer_t watchdog;  /* hang check and keepalive; also runs a store_destroy asked for inside a callback */
    uint64_t watchdog_at; /* loop time of its last run */
    uint64_t outstanding; /* commands sent on ac whose reply has not come */
    uint64_t progress_ms; /* loop time of the last reply, or of the send that made outstanding non-zero */
    char why[64];         /* why the connection was lost, for on_lost */
    store_connected_cb on_connected;
    void *data;
    store_lost_cb on_lost;
    read_tracking_t *tracking; /* NULL unless store_enable_read_cache */
    const void **scripts;      /* scripts sent in full on this connection (store_script_sent) */
    size_t n_scripts, cap_scripts;
    int open_handles;
};

static void tracking_lost(store_t *s);
static void store_track(store_t *s);
static void ensure_watcher(store_t *s);

static void schedule_reconnect(store_t *s);
static void on_timer(uv_timer_t *timer);

/* Keeps hiredis' error text as a plain phrase (letters, digits, spaces), safe to log as is. */
static void note_why(store_t *s, const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p != '\0' && n + 1 < sizeof(s->why); p++)
        s->why[n++] = ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) ? *p : ' ';
    s->why[n] = '\0';
}

/* The current connection is gone (or never came up): forget it, tell the owner if it had been established. */
static void connection_lost(store_t *s, const char *why)
{
    bool was_connected = s->connected;
    s->ac = NULL;
    s->connected = false;
    s->outstanding = 0;
    if (s->tracking != NULL) tracking_lost(s);
    if (was_connected) fd_mx_redis(FD_MX_REDIS_CONNECTION_LOST);
    if (was_connected && s->on_lost != NULL) {
        note_why(s, why);
        s->on_lost(s, s->why, s->data);
    }
    if (!s->closing) schedule_reconnect(s);
}

/* Drops the connection from one of the store's own timers (never from a hiredis callback): its pending
 * commands get NULL now. */
static void drop_connection(store_t *s, const char *why)
{
    redisAsyncContext *ac = s->ac;
    ac->data = NULL; /* its disconnect callback must not touch the store */
    connection_lost(s, why);
    redisAsyncFree(ac);
}

/* ROLE's answer names a master: ["master", offset, replicas]. */
static bool is_master_role(const redisReply *reply)
{
    return reply->type == REDIS_REPLY_ARRAY && reply->elements >= 1 && reply->element[0]->type == REDIS_REPLY_STRING &&
           strcmp(reply->element[0]->str, "master") == 0;
}

/* Redis answered the first PING (Sentinel mode: ROLE) of a new connection: it is established. */
static void on_handshake(redisAsyncContext *ac, void *r, void *privdata)
{
    store_t *s = privdata;
    const redisReply *reply = r;
    /* Not the current connection (timed out and freed), or not PONG (say LOADING): the connect timer retries. */
    if (ac->data == NULL || s->ac != ac || reply == NULL) return;
    if (s->sentinel != NULL && !is_master_role(reply)) { /* a replica (not promoted yet, or demoted): never */
        uv_timer_start(&s->timer, on_timer, 0, 0);        /* written to; dropped from the timer, asked again */
        return;
    }
    if (s->sentinel == NULL && reply->type != REDIS_REPLY_STATUS) return;
    s->in_hiredis++;
    uv_timer_stop(&s->timer);
    s->connected = true;
    if (s->was_established) fd_mx_redis(FD_MX_REDIS_RECONNECT);
    s->was_established = true;
    s->backoff_ms = RECONNECT_MIN_MS;
    s->n_scripts = 0; /* a new connection may be to a Redis that has none of them */
    s->outstanding = 0;
    s->progress_ms = uv_now(s->loop);
    s->demoted = false;
    if (s->tracking != NULL) {
        tracking_lost(s); /* a new connection is not tracked until Redis confirms it */
        ensure_watcher(s); /* after a failover, the watcher follows to the new master */
        store_track(s);
    }
    if (s->on_connected != NULL) s->on_connected(s, s->data);
    s->in_hiredis--;
}

static void on_connect(const redisAsyncContext *ac, int status)
{
    store_t *s = ac->data;
    if (s == NULL) return;
    s->in_hiredis++;
    if (status != REDIS_OK) /* hiredis frees the context after this callback returns */
        connection_lost(s, ac->errstr);
    else /* when it cannot be sent, the connect timer drops the connection and tries again */
        (void)redisAsyncCommand((redisAsyncContext *)ac, on_handshake, s, s->sentinel != NULL ? "ROLE" : "PING");
    s->in_hiredis--;
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    store_t *s = ac->data;
    if (s == NULL) return;
    s->in_hiredis++;
    connection_lost(s, ac->err ? ac->errstr : "connection closed");
    s->in_hiredis--;
}

/* Connects to s->host:s->port or s->path. */
static void connect_to(store_t *s)
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

/* The sentinels named the master (host NULL: none did). Runs from the sentinel query's timer. */
static void on_master_found(const char *host, int port, void *data)
{
    store_t *s = data;
    char *copy = host != NULL ? strdup(host) : NULL;
    if (copy == NULL) {
        schedule_reconnect(s);
        return;
    }
    free(s->host);
    s->host = copy;
    s->port = port;
    connect_to(s);
    if (s->ac != NULL) uv_timer_start(&s->timer, on_timer, CONNECT_TIMEOUT_MS, 0);
}

/* Starts a connection: in Sentinel mode by asking the sentinels where the master is now, else at once. */
static void start_connect(store_t *s)
{
    if (s->sentinel == NULL) {
        connect_to(s);
    } else if (store_sentinel_ask(s->sentinel, on_master_found, s) != 0) {
        schedule_reconnect(s); /* a question is under way already (not expected) */
    }
}

static void on_timer(uv_timer_t *timer)
{
    store_t *s = timer->data;
    if (s->closing) return;
    if (s->ac != NULL && !s->connected) { /* the connect, or the answer to its PING, did not come in time */
        drop_connection(s, "connect timeout");
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

/* Splits "ADDRESS?min_replicas=N" into ADDRESS (a copy) and N (-1 when not given). */
static char *split_options(const char *address, int *min_replicas)
{
    *min_replicas = -1;
    const char *q = strrchr(address, '?');
    if (q == NULL) return strdup(address);
    const char *key = "?min_replicas=";
    char *end = NULL;
    long n = strncmp(q, key, strlen(key)) == 0 ? strtol(q + strlen(key), &end, 10) : -1;
    if (end == NULL || end == q + strlen(key) || *end != '\0' || n < 0 || n > STORE_MAX_REPLICAS) return NULL;
    *min_replicas = (int)n;
    return strndup(address, (size_t)(q - address));
}

bool store_address_valid(const char *address, char *why, size_t why_cap)
{
    int min_replicas;
    char *base = split_options(address, &min_replicas);
    if (base == NULL) {
        if (why != NULL) snprintf(why, why_cap, "min_replicas must be 0 to %d", STORE_MAX_REPLICAS);
        return false;
    }
    bool ok;
    if (store_sentinel_named(base)) {
        ok = store_sentinel_valid(base, why, why_cap);
    } else {
        char *host, *path;
        int port;
        ok = store_address_parse(base, strlen(base), &host, &port, &path);
        free(host);
        free(path);
        if (!ok && why != NULL)
            snprintf(why, why_cap, "must be host:port (numeric port 1-65535) or a unix socket path starting with /");
    }
    free(base);
    return ok;
}

/* Drops an established connection on which a command waited STORE_HUNG_MS with no reply at all, and PINGs
 * an idle one. A run that comes late (the loop itself was held up) only notes the time: replies that arrived
 * meanwhile are read in the poll phase before the next run judges. */
static void on_watchdog(uv_timer_t *timer)
{
    store_t *s = timer->data;
    uint64_t now = uv_now(s->loop);
    bool late = now - s->watchdog_at > 2 * WATCHDOG_MS;
    s->watchdog_at = now;
    if (late || s->closing || !s->connected || s->ac == NULL) return;
    if (s->ac->c.err) { /* a write made inside a callback failed (store_flush): hiredis has not acted on it yet */
        drop_connection(s, s->ac->c.errstr);
    } else if (s->demoted) {
        drop_connection(s, "master became a replica");
    } else if (s->outstanding > 0 && now - s->progress_ms >= STORE_HUNG_MS) {
        char why[64];
        snprintf(why, sizeof(why), "no answer for %u ms", (unsigned)STORE_HUNG_MS);
        drop_connection(s, why);
    } else if (s->keepalive && s->outstanding == 0 && now - s->progress_ms >= STORE_KEEPALIVE_MS) {
        store_commandf(s, NULL, NULL, "PING");
    }
}

store_t *store_create(uv_loop_t *loop, const char *address, store_connected_cb on_connected, void *data)
{
    store_t *s = calloc(1, sizeof(*s));
    char *base = s != NULL ? split_options(address, &s->min_replicas) : NULL;
    bool ok = base != NULL && (store_sentinel_named(base)
                                   ? (s->sentinel = store_sentinel_create(loop, base)) != NULL
                                   : store_address_parse(base, strlen(base), &s->host, &s->port, &s->path));
    free(base);
    if (!ok) {
        free(s);
        return NULL;
    }
    if (s->min_replicas < 0) s->min_replicas = s->sentinel != NULL ? 1 : 0; /* Sentinel: a replica acknowledges */
    s->loop = loop;
    s->on_connected = on_connected;
    s->data = data;
    s->backoff_ms = RECONNECT_MIN_MS;
    s->keepalive = true;
    uv_timer_init(loop, &s->timer);
    s->timer.data = s;
    uv_timer_init(loop, &s->watchdog);
    s->watchdog.data = s;
    s->watchdog_at = uv_now(loop);
    uv_timer_start(&s->watchdog, on_watchdog, WATCHDOG_MS, WATCHDOG_MS);
    uv_unref((uv_handle_t *)&s->watchdog);
    s->open_handles = s->sentinel != NULL ? 3 : 2;
    start_connect(s);
    if (s->ac != NULL) uv_timer_start(&s->timer, on_timer, CONNECT_TIMEOUT_MS, 0);
    return s;
}

static void tracking_free(read_tracking_t *t)
{
    for (size_t i = 0; i < t->n_families; i++) free(t->families[i]);
    free(t->families);
    free(t->family_lens);
    store_read_cache_destroy(t->cache);
    store_facts_destroy(t->facts);
    free(t);
}

static void release_handle(store_t *s)
{
    if (--s->open_handles > 0) return;
    if (s->tracking != NULL) {
        tracking_free(s->tracking);
    }
    free(s->scripts);
    free(s->host);
    free(s->path);
    free(s);
}

static void on_handle_closed(uv_handle_t *handle)
{
    release_handle(handle->data);
}

static void on_sentinel_closed(void *data)
{
    release_handle(data);
}

static void run_hits(store_t *s, bool deliver);

static void on_deferred_destroy(uv_timer_t *timer)
{
    store_destroy(timer->data);
}

void store_set_lost_cb(store_t *s, store_lost_cb on_lost)
{
    s->on_lost = on_lost;
}

void store_destroy(store_t *s)
{
    if (s == NULL) return;
    if (s->in_hiredis > 0) { /* inside one of its callbacks: stop it here, free it once hiredis returned */
        s->closing = true;
        s->connected = false;
        uv_timer_start(&s->watchdog, on_deferred_destroy, 0, 0);
        uv_ref((uv_handle_t *)&s->watchdog);
        return;
    }
    s->closing = true;
    s->connected = false; /* callbacks run below cannot start anything new on it */
    if (s->tracking != NULL) {
        s->tracking->ready = false;
        run_hits(s, false); /* pending callbacks receive NULL, as those of commands under way do */
        store_destroy(s->tracking->watcher);
        s->tracking->watcher = NULL;
        uv_close((uv_handle_t *)&s->tracking->idle, on_handle_closed);
        uv_close((uv_handle_t *)&s->tracking->turn, on_handle_closed);
    }
    if (s->ac != NULL) {
        redisAsyncContext *ac = s->ac;
        s->ac = NULL;
        ac->data = NULL;    /* its connect and disconnect callbacks must not touch the closing store */
        redisAsyncFree(ac); /* pending callbacks get NULL replies now */
    }
    uv_timer_stop(&s->timer);
    uv_close((uv_handle_t *)&s->timer, on_handle_closed);
    uv_timer_stop(&s->watchdog);
    uv_close((uv_handle_t *)&s->watchdog, on_handle_closed);
    if (s->sentinel != NULL) store_sentinel_close(s->sentinel, on_sentinel_closed, s);
}

void store_flush(store_t *s)
{
    if (s == NULL || !s->connected || s->ac == NULL) return;
    redisContext *c = &s->ac->c;
    if (c->obuf == NULL || sdslen(c->obuf) == 0) return;
    if (c->err != 0 || (c->flags & (REDIS_DISCONNECTING | REDIS_FREEING))) return; /* going: the watchdog drops it */
    if (s->in_hiredis == 0 && !(c->flags & REDIS_IN_CALLBACK)) {
        redisAsyncHandleWrite(s->ac);
        return;
    }
    /* Inside one of this store's callbacks (store.h): the bytes only. */
    if ((c->flags & REDIS_CONNECTED) && redisBufferWrite(c, NULL) != REDIS_OK)
        uv_timer_start(&s->watchdog, on_watchdog, 0, WATCHDOG_MS); /* drops it from the loop, right after */
}

bool store_script_sent(store_t *s, const void *script)
{
    for (size_t i = 0; i < s->n_scripts; i++)
        if (s->scripts[i] == script) return true;
    if (s->n_scripts == s->cap_scripts) {
        size_t cap = s->cap_scripts ? s->cap_scripts * 2 : 32;
        const void **v = realloc(s->scripts, cap * sizeof(*v));
        if (v == NULL) return false; /* not remembered: the next call sends the body again */
        s->scripts = v, s->cap_scripts = cap;
    }
    s->scripts[s->n_scripts++] = script;
    return false;
}

bool store_is_connected(const store_t *s)
{
    return s->connected;
}

bool store_is_answering(const store_t *s)
{
    return s->connected && (s->outstanding == 0 || uv_now(s->loop) - s->progress_ms < STORE_SLOW_MS);
}

typedef struct command_ctx {
    store_t *store;
    store_reply_cb cb;
    void *data;
} command_ctx_t;

static void on_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
    command_ctx_t *c = privdata;
    store_t *s = c->store;
    if (reply != NULL && ac == s->ac && s->outstanding > 0) {
        s->outstanding--;
        s->progress_ms = uv_now(s->loop);
    }
    const redisReply *r = reply;
    if (r == NULL && !s->closing) fd_mx_redis(FD_MX_REDIS_NO_REPLY);
    else if (r != NULL && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOSCRIPT", 8) != 0) /* script.c resends */
        fd_mx_redis(FD_MX_REDIS_ERROR_REPLY);
    if (r != NULL && ac == s->ac && s->sentinel != NULL && r->type == REDIS_REPLY_ERROR &&
        strncmp(r->str, "READONLY", 8) == 0 && !s->demoted) { /* a failover demoted it under us */
        s->demoted = true;
        uv_timer_start(&s->watchdog, on_watchdog, 0, WATCHDOG_MS);
    }
    s->in_hiredis++;
    if (c->cb != NULL) c->cb(reply, c->data);
    s->in_hiredis--;
    free(c);
}

/* A command was queued on the current connection. */
static void sent(store_t *s)
{
    if (s->outstanding++ == 0) s->progress_ms = uv_now(s->loop);
}

int store_command(store_t *s, store_reply_cb cb, void *data, int argc, const char **argv, const size_t *lens)
{
    if (!s->connected || s->ac == NULL) return -1;
    command_ctx_t *c = malloc(sizeof(*c));
    if (c == NULL) return -1;
    *c = (command_ctx_t){.store = s, .cb = cb, .data = data};
    if (redisAsyncCommandArgv(s->ac, on_reply, c, argc, argv, lens) != REDIS_OK) {
        free(c);
        return -1;
    }
    sent(s);
    return 0;
}

int store_commandf(store_t *s, store_reply_cb cb, void *data, const char *fmt, ...)
{
    if (!s->connected || s->ac == NULL) return -1;
    command_ctx_t *c = malloc(sizeof(*c));
    if (c == NULL) return -1;
    *c = (command_ctx_t){.store = s, .cb = cb, .data = data};
    va_list ap;
    va_start(ap, fmt);
    int rc = redisvAsyncCommand(s->ac, on_reply, c, fmt, ap);
    va_end(ap);
    if (rc != REDIS_OK) {
        free(c);
        return -1;
    }
    sent(s);
    return 0;
}

typedef struct replica_wait {
    store_replicated_cb cb;
    void *data;
    int wanted;
} replica_wait_t;

static void on_waited(const redisReply *reply, void *data)
{
    replica_wait_t *w = data;
    w->cb(reply != NULL && reply->type == REDIS_REPLY_INTEGER && reply->integer >= w->wanted, w->data);
    free(w);
}

int store_wait_replicas(store_t *s, store_replicated_cb cb, void *data)
{
    if (s->min_replicas == 0) return 1;
    replica_wait_t *w = malloc(sizeof(*w));
    if (w == NULL) return -1;
    *w = (replica_wait_t){.cb = cb, .data = data, .wanted = s->min_replicas};
    if (store_commandf(s, on_waited, w, "WAIT %d %d", s->min_replicas, STORE_REPLICA_WAIT_MS) != 0) {
        free(w);
        return -1;
    }
    return 0;
}

/* ---- the read cache: tracking, hits and misses ---- */

static uint64_t loop_now(const store_t *s)
{
    return uv_now(s->loop);
}

static void remember_change(read_tracking_t *t, uint64_t key_hash)
{
    t->epoch++;
    t->recent[t->epoch % RECENT_CHANGES].key_hash = key_hash;
    t->recent[t->epoch % RECENT_CHANGES].epoch = t->epoch;
}

static void flush_all(read_tracking_t *t)
{
    t->flush_at = ++t->epoch;
    store_read_cache_clear(t->cache);
}

/* Tracking no longer holds (either connection dropped, or a new one is not confirmed yet). */
static void tracking_lost(store_t *s)
{
    s->tracking->ready = false;
    flush_all(s->tracking);
}

static void on_tracking_reply(const redisReply *reply, void *data)
{
    store_t *s = data;
    read_tracking_t *t = s->tracking;
    if (reply != NULL && reply->type == REDIS_REPLY_STATUS && t->watcher_subscribed) t->ready = true;
}

/* Asks Redis to report every change to any key to the watcher (BCAST without a prefix), once both connections
 * stand; the watcher keeps the changes to cached families only. One registration costs Redis one comparison per
 * written key, whatever the number of tenants (one PREFIX per tenant and family made it compare every written key
 * with thousands of prefixes); broadcasts are sent before the write's acknowledgement, so a read that follows a
 * write acknowledged to anyone finds the change on the watcher's socket (drain_watcher). */
static void store_track(store_t *s)
{
    read_tracking_t *t = s->tracking;
    if (!s->connected || !t->watcher_subscribed) return;
    char id[24];
    snprintf(id, sizeof(id), "%lld", t->watcher_id);
    store_commandf(s, NULL, NULL, "CLIENT TRACKING OFF"); /* Redis refuses to change a BCAST registration in place */
    if (store_commandf(s, on_tracking_reply, s, "CLIENT TRACKING ON REDIRECT %s BCAST", id) != 0) tracking_lost(s);
}

static bool in_cached_family(const read_tracking_t *t, const char *key, size_t len);

static void handle_invalidation(store_t *s, const redisReply *reply);

/* The watcher's channel callback (privdata: the store whose cache it feeds). */
static void on_invalidation(redisAsyncContext *ac, void *r, void *privdata)
{
    store_t *w = ac->data; /* NULL once the watcher dropped this connection */
    if (w != NULL) w->in_hiredis++;
    handle_invalidation(privdata, r);
    if (w != NULL) w->in_hiredis--;
}

static void handle_invalidation(store_t *s, const redisReply *reply)
{
    read_tracking_t *t = s->tracking;
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3 ||
        reply->element[0]->type != REDIS_REPLY_STRING)
        return;
    const char *kind = reply->element[0]->str;
    if (strcmp(kind, "subscribe") == 0) {
        t->watcher_subscribed = true;
        store_track(s);
        return;
    }
    if (strcmp(kind, "message") != 0) return;
    const redisReply *keys = reply->element[2];
    if (keys->type != REDIS_REPLY_ARRAY) { /* nil: the whole database was flushed */
        flush_all(t);
        return;
    }
    bool facts = store_facts_count(t->facts) > 0;
    for (size_t i = 0; i < keys->elements; i++) {
        const redisReply *k = keys->element[i];
        if (k->type != REDIS_REPLY_STRING) continue;
        if (facts) store_facts_forget(t->facts, k->str); /* a remembered key that changed is checked again */
        if (!in_cached_family(t, k->str, k->len)) continue;
        remember_change(t, store_key_hash(k->str, k->len));
        store_read_cache_invalidate(t->cache, k->str, k->len);
    }
}

static void on_watcher_id(const redisReply *reply, void *data)
{
    store_t *s = data;
    store_t *w = s->tracking->watcher;
    if (reply == NULL || reply->type != REDIS_REPLY_INTEGER || w == NULL || w->ac == NULL) return;
    s->tracking->watcher_id = reply->integer;
    /* The channel's callback stays registered for every message; it needs no context of its own. */
    redisAsyncCommand(w->ac, on_invalidation, s, "SUBSCRIBE %s", INVALIDATE_CHANNEL);
}

static void on_watcher_connected(store_t *w, void *data)
{
    store_t *s = data;
    store_commandf(w, on_watcher_id, s, "CLIENT ID");
}

static void on_watcher_lost(store_t *w, const char *why, void *data)
{
    (void)w, (void)why;
    store_t *s = data;
    s->tracking->watcher_subscribed = false;
    tracking_lost(s);
}

/* Points the watcher at the Redis this store is connected to (a new one after a failover; the first one in
 * Sentinel mode). A watcher left on another Redis would confirm tracking for a client id that means nothing
 * there, or something else. */
static void ensure_watcher(store_t *s)
{
    read_tracking_t *t = s->tracking;
    char address[sizeof(t->watcher_address)];
    if (s->host != NULL)
        snprintf(address, sizeof(address), "%s:%d", s->host, s->port);
    else
        snprintf(address, sizeof(address), "%s", s->path);
    if (t->watcher != NULL && strcmp(address, t->watcher_address) == 0) return;
    store_destroy(t->watcher); /* a different connection: never the one whose callback runs */
    t->watcher_subscribed = false;
    if ((t->watcher = store_create(s->loop, address, on_watcher_connected, s)) == NULL) return;
    snprintf(t->watcher_address, sizeof(t->watcher_address), "%s", address);
    t->watcher->on_lost = on_watcher_lost;
    t->watcher->keepalive = false;
}

static void on_turn(uv_prepare_t *turn)
{
    store_t *s = turn->data;
    s->tracking->turns++;
}

/* Reads what the watcher has received and not yet handled, once per loop turn. Redis sends a write's
 * invalidations before its reply to the writer, so anything written before this turn's requests arrived (say
 * a hold placed through another worker, whose client now asks us) is dropped from the cache before we answer
 * from it. */
static void drain_watcher(store_t *s)
{
    read_tracking_t *t = s->tracking;
    if (t->drained_turn == t->turns) return;
    t->drained_turn = t->turns;
    store_t *w = t->watcher;
    if (w != NULL && w->connected && w->ac != NULL && w->in_hiredis == 0) redisAsyncHandleRead(w->ac);
}

int store_enable_read_cache(store_t *s, const char *const *families, size_t n)
{
    if (s->tracking != NULL || n == 0) return -1;
    read_tracking_t *t = calloc(1, sizeof(*t));
    if (t == NULL) return -1;
    t->cache = store_read_cache_create(CACHE_MAX_ENTRIES, CACHE_MAX_BYTES, CACHE_MAX_AGE_MS);
    if (t->cache == NULL || (t->families = calloc(n, sizeof(*t->families))) == NULL ||
        (t->family_lens = calloc(n, sizeof(*t->family_lens))) == NULL)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        t->family_lens[i] = strlen(families[i]);
        if ((t->families[t->n_families++] = strdup(families[i])) == NULL) goto fail;
    }
    s->tracking = t;
    if (s->sentinel == NULL) ensure_watcher(s); /* Sentinel mode: once the master is known (on_handshake) */
    if (s->sentinel == NULL && t->watcher == NULL) {
        s->tracking = NULL;
        goto fail;
    }
    uv_idle_init(s->loop, &t->idle);
    t->idle.data = s;
    uv_prepare_init(s->loop, &t->turn);
    t->turn.data = s;
    uv_prepare_start(&t->turn, on_turn);
    uv_unref((uv_handle_t *)&t->turn);
    s->open_handles += 2;
    return 0;
fail:
    tracking_free(t);
    return -1;
}

bool store_cache_epoch(store_t *s, uint64_t *epoch)
{
    read_tracking_t *t = s->tracking;
    if (t == NULL || !t->ready) return false;
    drain_watcher(s);
    *epoch = t->epoch;
    return t->ready;
}

uint64_t store_facts_epoch(store_t *s)
{
    read_tracking_t *t = s->tracking;
    if (t == NULL || !t->ready || !s->connected) return 0;
    drain_watcher(s); /* a flush already on the watcher's socket counts */
    return t->ready ? t->flush_at + 1 : 0;
}

/* The facts map for the current epoch (emptied when the epoch moved on), or NULL when none can be kept. */
static store_facts_t *facts_now(store_t *s, uint64_t epoch)
{
    read_tracking_t *t = s->tracking;
    if (epoch == 0) return NULL;
    if (t->facts == NULL && (t->facts = store_facts_create()) == NULL) return NULL;
    if (t->facts_at != epoch) {
        store_facts_clear(t->facts);
        t->facts_at = epoch;
    }
    return t->facts;
}

void store_remember(store_t *s, const char *name, const char *value, uint64_t checked_at)
{
    uint64_t epoch = store_facts_epoch(s);
    store_facts_t *facts = checked_at == epoch ? facts_now(s, epoch) : NULL;
    if (facts != NULL) store_facts_put(facts, name, value);
}

bool store_recalls(store_t *s, const char *name, const char *value)
{
    store_facts_t *facts = facts_now(s, store_facts_epoch(s));
    return facts != NULL && store_facts_hold(facts, name, value);
}

bool store_cache_ready(const store_t *s)
{
    return s->tracking != NULL && s->tracking->ready;
}

store_read_cache_stats_t store_cache_stats(const store_t *s)
{
    store_read_cache_stats_t none = {0};
    return s->tracking != NULL ? store_read_cache_stats(s->tracking->cache) : none;
}

static void run_hits(store_t *s, bool deliver)
{
    read_tracking_t *t = s->tracking;
    hit_t *h = t->hits;
    t->hits = t->hits_tail = NULL;
    uv_idle_stop(&t->idle);
    while (h != NULL) {
        hit_t *next = h->next;
        if (h->cb != NULL) h->cb(deliver ? store_cached_reply(h->entry) : NULL, h->data);
        store_cached_release(h->entry);
        free(h);
        h = next;
    }
}

static void on_idle(uv_idle_t *idle)
{
    run_hits(idle->data, true);
}

/* True when key (len bytes) has a hash tag followed by ':' and one of the cached families. */
static bool in_cached_family(const read_tracking_t *t, const char *key, size_t len)
{
    const char *open = memchr(key, '{', len);
    const char *close = open != NULL ? memchr(open, '}', len - (size_t)(open - key)) : NULL;
    if (close == NULL || (size_t)(close - key) + 2 > len || close[1] != ':') return false;
    const char *rest = close + 2;
    size_t rest_len = len - (size_t)(rest - key);
    for (size_t i = 0; i < t->n_families; i++)
        if (rest_len >= t->family_lens[i] && memcmp(rest, t->families[i], t->family_lens[i]) == 0) return true;
    return false;
}

static bool cacheable(const read_tracking_t *t, const store_read_cmd_t *cmd)
{
    if (cmd->key_count < 1 || cmd->first_key < 0 || cmd->first_key + cmd->key_count > cmd->argc) return false;
    for (int k = cmd->first_key; k < cmd->first_key + cmd->key_count; k++)
        if (!in_cached_family(t, cmd->argv[k], cmd->lens[k])) return false;
    return true;
}

/* A read sent to Redis that the cache may keep: the command (copied) and the epoch it left at. */
typedef struct miss {
    store_t *store;
    store_reply_cb cb;
    void *data;
    uint64_t sent_epoch;
    store_read_cmd_t cmd;
    const char **argv;
    size_t *lens;
} miss_t;

/* True when nothing the command read was reported changed since it was sent. */
static bool unchanged_since(const read_tracking_t *t, const store_read_cmd_t *cmd, uint64_t sent)
{
    if (!t->ready || t->flush_at > sent || t->epoch - sent >= RECENT_CHANGES) return false;
    for (uint64_t e = sent + 1; e <= t->epoch; e++) {
        uint64_t h = t->recent[e % RECENT_CHANGES].key_hash;
        for (int k = cmd->first_key; k < cmd->first_key + cmd->key_count; k++)
            if (store_key_hash(cmd->argv[k], cmd->lens[k]) == h) return false;
    }
    return true;
}

static void on_miss_reply(const redisReply *reply, void *data)
{
    miss_t *m = data;
    store_t *s = m->store;
    if (reply != NULL && !s->closing && unchanged_since(s->tracking, &m->cmd, m->sent_epoch))
        store_read_cache_put(s->tracking->cache, &m->cmd, reply, loop_now(s));
    if (m->cb != NULL) m->cb(reply, m->data);
    free(m);
}

int store_command_cached(store_t *s, store_reply_cb cb, void *data, const store_read_cmd_t *cmd)
{
    read_tracking_t *t = s->tracking;
    if (t != NULL && t->ready) drain_watcher(s);
    if (t == NULL || !t->ready || !cacheable(t, cmd))
        return store_command(s, cb, data, cmd->argc, (const char **)cmd->argv, cmd->lens);
    if (!s->connected) return -1;
    store_cached_t *e = store_read_cache_get(t->cache, cmd, loop_now(s));
    fd_mx_cache_lookup(FD_MX_CACHE_READ, e != NULL);
    if (e != NULL) {
        hit_t *h = malloc(sizeof(*h));
        if (h == NULL) {
            store_cached_release(e);
            return -1;
        }
        *h = (hit_t){.entry = e, .cb = cb, .data = data};
        if (t->hits_tail != NULL)
            t->hits_tail->next = h;
        else
            t->hits = h;
        t->hits_tail = h;
        uv_idle_start(&t->idle, on_idle);
        return 0;
    }
    size_t bytes = 0;
    for (int i = 0; i < cmd->argc; i++) bytes += cmd->lens[i];
    miss_t *m = malloc(sizeof(*m) + (size_t)cmd->argc * (sizeof(char *) + sizeof(size_t)) + bytes);
    if (m == NULL) return -1;
    *m = (miss_t){.store = s, .cb = cb, .data = data, .sent_epoch = t->epoch, .cmd = *cmd};
    m->argv = (const char **)(m + 1);
    m->lens = (size_t *)(m->argv + cmd->argc);
    char *at = (char *)(m->lens + cmd->argc);
    for (int i = 0; i < cmd->argc; i++) {
        memcpy(at, cmd->argv[i], cmd->lens[i]);
        m->argv[i] = at;
        m->lens[i] = cmd->lens[i];
        at += cmd->lens[i];
    }
    m->cmd.argv = m->argv;
    m->cmd.lens = m->lens;
    if (store_command(s, on_miss_reply, m, cmd->argc, m->argv, m->lens) != 0) {
        free(m);
        return -1;
    }
    return 0;
}
