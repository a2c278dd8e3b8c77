/* booking/event_delivery.c: taking events from the endpoints' streams, sending them, and recording the outcome
 * (see event_delivery.h). */
#include "booking/event_delivery.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "booking/event_sign.h"
#include "metrics/metrics.h"
#include "providers/http_client.h"
#include "store/script.h"

#define GROUP              "fd"
#define DEFER_MS           250 /* an entry waiting behind an earlier one of its key looks again */
#define BACKOFF_FIRST_MS   1000
#define BACKOFF_MAX_MS     (3600LL * 1000)
#define DEAD_KEEP_MS       (30LL * 24 * 3600 * 1000)
#define MAX_RESPONSE_BYTES (64u << 10)


/* KEYS[1] stream, KEYS[2] retry set. ARGV group, consumer, count, lease ms, min idle ms, defer ms. Returns
 * {stream id, event id, body, attempts so far}* of at most `count` entries this consumer may send now: left by a
 * dead consumer, due again, or new; each heading its order list (others are put off by defer ms). */
static store_script_t take_script = STORE_SCRIPT(
    STORE_LUA_NOW_MS
    "local S, R, G, C = KEYS[1], KEYS[2], ARGV[1], ARGV[2] "
    "local n, lease, defer = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[6]) "
    "local out = {} "
    "if redis.call('EXISTS', S) == 0 then return out end "
    "local function fields(f) local h = {} if f then for i = 1, #f, 2 do h[f[i]] = f[i + 1] end end return h end "
    "local function consider(sid, h, pending) "
    "  if not h.key then if pending then redis.call('XACK', S, G, sid) end redis.call('ZREM', R, sid) return end "
    "  local head = redis.call('LINDEX', S .. ':order:' .. h.key, 0) "
    "  if head and head ~= sid then "
    "    if pending then redis.call('XACK', S, G, sid) end "
    "    redis.call('ZADD', R, now + defer, sid) return end "
    "  if not pending then redis.call('ZADD', R, now + lease, sid) end "
    "  local tries = redis.call('HGET', S .. ':try:' .. sid, 'attempts') or '0' "
    "  out[#out + 1] = sid out[#out + 1] = h.id out[#out + 1] = h.body out[#out + 1] = tries "
    "end "
    "local claimed = redis.pcall('XAUTOCLAIM', S, G, C, ARGV[5], '0-0', 'COUNT', n) "
    "if type(claimed) == 'table' and claimed.err then "
    "  redis.call('XGROUP', 'CREATE', S, G, '0') "
    "  claimed = redis.call('XAUTOCLAIM', S, G, C, ARGV[5], '0-0', 'COUNT', n) end "
    "for _, e in ipairs(claimed[2]) do if #out < 4 * n then consider(e[1], fields(e[2]), true) end end "
    "if #out < 4 * n then "
    "  for _, sid in ipairs(redis.call('ZRANGEBYSCORE', R, '-inf', now, 'LIMIT', 0, n - #out / 4)) do "
    "    local e = redis.call('XRANGE', S, sid, sid) "
    "    if #e == 0 then redis.call('ZREM', R, sid) else consider(sid, fields(e[1][2]), false) end "
    "  end end "
    "if #out < 4 * n then "
    "  local r = redis.call('XREADGROUP', 'GROUP', G, C, 'COUNT', n - #out / 4, 'STREAMS', S, '>') "
    "  if r then for _, e in ipairs(r[1][2]) do consider(e[1], fields(e[2]), true) end end "
    "end "
    "return out");

/* KEYS[1] stream, KEYS[2] retry set. ARGV group, stream id, outcome (ok, retry, stop), delay ms, window ms, error,
 * dead ms. A retry past the window is dead; ok and dead leave the stream and the order list. Returns the verdict. */
static store_script_t finish_script = STORE_SCRIPT(
    STORE_LUA_NOW_MS
    "local S, R, sid = KEYS[1], KEYS[2], ARGV[2] "
    "local try = S .. ':try:' .. sid "
    "redis.call('XACK', S, ARGV[1], sid) "
    "local e = redis.call('XRANGE', S, sid, sid) "
    "if #e == 0 then redis.call('ZREM', R, sid) redis.call('DEL', try) return 'gone' end "
    "local h = {} local f = e[1][2] for i = 1, #f, 2 do h[f[i]] = f[i + 1] end "
    "local attempts = tonumber(redis.call('HGET', try, 'attempts') or '0') + 1 "
    "local first = tonumber(redis.call('HGET', try, 'first') or now) "
    "local outcome = ARGV[3] "
    "if outcome == 'retry' and now + tonumber(ARGV[4]) >= first + tonumber(ARGV[5]) then outcome = 'dead' end "
    "if outcome == 'stop' then outcome = 'dead' end "
    "if outcome == 'retry' then "
    "  redis.call('HSET', try, 'attempts', attempts, 'first', first, 'error', ARGV[6]) "
    "  redis.call('PEXPIRE', try, tonumber(ARGV[5]) + 86400000) "
    "  redis.call('ZADD', R, now + tonumber(ARGV[4]), sid) return outcome end "
    "redis.call('ZREM', R, sid) redis.call('DEL', try) "
    "redis.call('LREM', S .. ':order:' .. h.key, 1, sid) "
    "redis.call('XDEL', S, sid) "
    "if outcome == 'dead' then "
    "  local d = S .. ':dead:' .. h.id "
    "  redis.call('HSET', d, 'type', h.type, 'key', h.key, 'body', h.body, 'attempts', attempts, 'first', first, "
    "             'died', now, 'error', ARGV[6]) "
    "  redis.call('PEXPIRE', d, tonumber(ARGV[7])) "
    "  redis.call('ZADD', S .. ':dead', now, h.id) "
    "  redis.call('ZREMRANGEBYSCORE', S .. ':dead', '-inf', now - tonumber(ARGV[7])) "
    "end return outcome");

typedef struct endpoint_state {
    bk_event_delivery_t *d;
    const bk_tenant_t *tenant;
    const bk_webhook_endpoint_t *ep;
    char stream[160], retry[176], credential[160];
    int in_flight; /* attempts taken and not yet finished */
    bool taking;   /* a take script is under way */
    bool more;     /* the last take was full: take again as soon as there is room */
    int asked;     /* how many the take under way asked for */
} endpoint_state_t;

struct bk_event_delivery {
    bk_env_t *env;
    uv_timer_t timer;
    endpoint_state_t *eps;
    size_t count;
    char consumer[128];
    int pending; /* store and HTTP calls not yet answered */
    bool stopping, timer_open;
};

typedef struct attempt {
    endpoint_state_t *s;
    char sid[48], id[48];
    int tries; /* attempts made before this one */
} attempt_t;

static void maybe_free(bk_event_delivery_t *d)
{
    if (!d->stopping || d->pending > 0 || d->timer_open) return;
    for (size_t i = 0; i < d->count; i++) bk_tenant_release(d->eps[i].tenant);
    free(d->eps);
    free(d);
}

/* A random number for jitter and consumer names: retries are rare, so the kernel's generator is cheap enough. */
static uint64_t random_u64(void)
{
    uint64_t r;
    if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r)) r = uv_hrtime();
    return r;
}

static void take(endpoint_state_t *s);

/* ---- the outcome of one attempt ------------------------------------------------------------------------------- */

static void on_finished(const redisReply *reply, void *data)
{
    attempt_t *a = data;
    endpoint_state_t *s = a->s;
    bk_event_delivery_t *d = s->d;
    d->pending--;
    s->in_flight--;
    free(a);
    if (reply != NULL && reply->type == REDIS_REPLY_STRING) { /* the verdict of finish_script */
        if (strcmp(reply->str, "ok") == 0) fd_mx_event(FD_MX_EVENT_DELIVERED, 1);
        else if (strcmp(reply->str, "retry") == 0) fd_mx_event(FD_MX_EVENT_RETRIED, 1);
        else if (strcmp(reply->str, "dead") == 0) fd_mx_event(FD_MX_EVENT_DEAD, 1);
    }
    if (d->stopping) {
        maybe_free(d);
        return;
    }
    if (s->more) take(s);
}

static void finish(attempt_t *a, const char *outcome, int64_t delay_ms, const char *error)
{
    endpoint_state_t *s = a->s;
    char delay[24], window[24], dead[24];
    snprintf(delay, sizeof(delay), "%" PRId64, delay_ms);
    snprintf(window, sizeof(window), "%lld", (long long)s->ep->retry_window_seconds * 1000);
    snprintf(dead, sizeof(dead), "%lld", (long long)DEAD_KEEP_MS);
    const char *keys[] = {s->stream, s->retry};
    const char *args[] = {GROUP, a->sid, outcome, delay, window, error, dead};
    if (store_eval(s->d->env->store, &finish_script, on_finished, a, 2, keys, 7, args, NULL) == 0) {
        s->d->pending++;
        return;
    }
    /* Redis is away: the lease runs out and the entry is taken again. */
    s->in_flight--;
    free(a);
}

/* Exponential backoff with jitter: [b/2, b] with b = 1 s doubling per attempt up to 1 h; never before the wait the
 * endpoint asked for. */
static int64_t backoff_ms(int attempts, int64_t asked_ms)
{
    int64_t b = BACKOFF_FIRST_MS;
    for (int i = 1; i < attempts && b < BACKOFF_MAX_MS; i++) b *= 2;
    if (b > BACKOFF_MAX_MS) b = BACKOFF_MAX_MS;
    int64_t wait = b / 2 + (int64_t)(random_u64() % (uint64_t)(b / 2 + 1));
    return asked_ms > wait ? asked_ms : wait;
}

static void on_delivered(const prov_http_response_t *r, void *data)
{
    attempt_t *a = data;
    bk_event_delivery_t *d = a->s->d;
    d->pending--;
    if (r->status == PROV_HTTP_CANCELLED || d->stopping) { /* shutting down: the lease hands it on */
        a->s->in_flight--;
        free(a);
        maybe_free(d);
        return;
    }
    char error[64];
    int attempts = a->tries + 1;
    if (r->status == PROV_HTTP_OK && r->code >= 200 && r->code < 300) {
        finish(a, "ok", 0, "");
        return;
    }
    if (r->status == PROV_HTTP_OK) {
        snprintf(error, sizeof(error), "http_%ld", r->code);
        bool stop = r->code >= 400 && r->code < 500 && r->code != 408 && r->code != 429;
        finish(a, stop ? "stop" : "retry", backoff_ms(attempts, r->retry_after_ms), error);
        return;
    }
    if (r->address_refused) {
        finish(a, "stop", 0, "address_not_public");
        return;
    }
    static const char *const names[] = {
        "ok", "timeout", "unreachable", "rate_limited", "response_too_large", "cancelled", "network_error"};
    snprintf(error, sizeof(error), "%s", names[r->status]);
    finish(a, "retry", backoff_ms(attempts, r->retry_after_ms), error);
}

/* ---- sending ---------------------------------------------------------------------------------------------------- */

static void send_attempt(endpoint_state_t *s, const redisReply *sid, const redisReply *id, const redisReply *body,
                         const redisReply *tries)
{
    bk_event_delivery_t *d = s->d;
    attempt_t *a = calloc(1, sizeof(*a));
    if (a == NULL) return; /* the lease hands it on */
    a->s = s;
    snprintf(a->sid, sizeof(a->sid), "%.*s", (int)sid->len, sid->str);
    snprintf(a->id, sizeof(a->id), "%.*s", (int)id->len, id->str);
    a->tries = (int)strtol(tries->str, NULL, 10);
    s->in_flight++;

    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now); /* the receiver checks it against its own clock */
    char signature[BK_WEBHOOK_SIGNATURE_CAP];
    if (!bk_webhook_sign(s->ep, a->id, (int64_t)now.tv_sec, body->str, body->len, signature)) {
        finish(a, "retry", backoff_ms(a->tries + 1, -1), "signing_failed");
        return;
    }
    char h_id[80], h_ts[48], h_sig[BK_WEBHOOK_SIGNATURE_CAP + 24];
    snprintf(h_id, sizeof(h_id), "webhook-id: %s", a->id);
    snprintf(h_ts, sizeof(h_ts), "webhook-timestamp: %lld", (long long)now.tv_sec);
    snprintf(h_sig, sizeof(h_sig), "webhook-signature: %s", signature);
    const char *headers[] = {
        "Content-Type: application/json", "User-Agent: frontdesk-webhooks/1", h_id, h_ts, h_sig, NULL};
    prov_http_request_t rq = {.method = "POST",
                              .url = s->ep->url,
                              .headers = headers,
                              .body = body->str,
                              .body_len = body->len,
                              .credential = s->credential,
                              .connect_timeout_ms = BK_DELIVERY_TIMEOUT_MS,
                              .timeout_ms = BK_DELIVERY_TIMEOUT_MS,
                              .max_response_bytes = MAX_RESPONSE_BYTES,
                              .max_in_flight = s->ep->max_connections,
                              .public_only = !s->ep->allow_private};
    if (prov_http_request(d->env->prov.http, &rq, on_delivered, a, NULL) == 0) {
        d->pending++;
        return;
    }
    finish(a, "retry", backoff_ms(a->tries + 1, -1), "client_error");
}

static bool is_string(const redisReply *r)
{
    return r->type == REDIS_REPLY_STRING;
}

static void on_taken(const redisReply *reply, void *data)
{
    endpoint_state_t *s = data;
    bk_event_delivery_t *d = s->d;
    d->pending--;
    s->taking = false;
    if (d->stopping) {
        maybe_free(d);
        return;
    }
    s->more = false;
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements % 4 != 0) return;
    for (size_t i = 0; i + 3 < reply->elements; i += 4) {
        redisReply *const *e = reply->element + i;
        if (is_string(e[0]) && is_string(e[1]) && is_string(e[2]) && is_string(e[3]))
            send_attempt(s, e[0], e[1], e[2], e[3]);
    }
    s->more = (int)(reply->elements / 4) >= s->asked;
    if (s->more) take(s); /* there is room again when some finished while this take ran */
}

static void take(endpoint_state_t *s)
{
    int room = s->ep->max_connections - s->in_flight;
    if (s->taking || room <= 0 || s->d->stopping) return;
    char count[16], lease[24], idle[24], defer[16];
    snprintf(count, sizeof(count), "%d", room);
    snprintf(lease, sizeof(lease), "%d", BK_DELIVERY_LEASE_MS);
    snprintf(idle, sizeof(idle), "%d", BK_DELIVERY_LEASE_MS);
    snprintf(defer, sizeof(defer), "%d", DEFER_MS);
    const char *keys[] = {s->stream, s->retry};
    const char *args[] = {GROUP, s->d->consumer, count, lease, idle, defer};
    if (store_eval(s->d->env->store, &take_script, on_taken, s, 2, keys, 6, args, NULL) == 0) {
        s->taking = true;
        s->asked = room;
        s->d->pending++;
    }
}

static void on_tick(uv_timer_t *timer)
{
    bk_event_delivery_t *d = timer->data;
    for (size_t i = 0; i < d->count; i++) take(&d->eps[i]);
}

/* ---- life ------------------------------------------------------------------------------------------------------- */

bk_event_delivery_t *bk_event_delivery_start(bk_env_t *env, const bk_tenant_t *tenants, size_t count)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++) n += tenants[i].webhooks != NULL ? tenants[i].webhooks->count : 0;
    if (n == 0 || env->prov.http == NULL) return NULL;
    bk_event_delivery_t *d = calloc(1, sizeof(*d));
    if (d == NULL || (d->eps = calloc(n, sizeof(*d->eps))) == NULL) {
        free(d);
        return NULL;
    }
    d->env = env;
    d->count = n;
    char host[64] = "host";
    gethostname(host, sizeof(host) - 1);
    /* A new name per start: what a killed process left pending is claimed from its old name. */
    snprintf(d->consumer, sizeof(d->consumer), "%s-%ld-%08" PRIx64, host, (long)getpid(), random_u64() & 0xffffffffu);
    size_t k = 0;
    for (size_t i = 0; i < count; i++) {
        const bk_webhooks_t *w = tenants[i].webhooks;
        for (size_t j = 0; w != NULL && j < w->count; j++, k++) {
            endpoint_state_t *s = &d->eps[k];
            *s = (endpoint_state_t){.d = d, .tenant = &tenants[i], .ep = &w->endpoints[j]};
            bk_tenant_retain(s->tenant); /* its record and endpoints stay until the delivery is freed */
            snprintf(s->stream, sizeof(s->stream), "fd:{%s}:wh:%s", tenants[i].id, w->endpoints[j].id);
            snprintf(s->retry, sizeof(s->retry), "%s:retry", s->stream);
            snprintf(s->credential, sizeof(s->credential), "webhook:%s:%s", tenants[i].id, w->endpoints[j].id);
        }
    }
    uv_timer_init(env->prov.loop, &d->timer);
    d->timer.data = d;
    d->timer_open = true;
    uv_timer_start(&d->timer, on_tick, BK_DELIVERY_POLL_MS, BK_DELIVERY_POLL_MS);
    return d;
}

static void on_timer_closed(uv_handle_t *h)
{
    bk_event_delivery_t *d = h->data;
    d->timer_open = false;
    maybe_free(d);
}

void bk_event_delivery_stop(bk_event_delivery_t *d)
{
    if (d == NULL || d->stopping) return;
    d->stopping = true;
    uv_timer_stop(&d->timer);
    uv_close((uv_handle_t *)&d->timer, on_timer_closed);
}
