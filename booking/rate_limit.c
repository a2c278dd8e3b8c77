/* booking/rate_limit.c: a token bucket evaluated atomically inside Redis, leased to workers in small batches
 * (see rate_limit.h). */
#include "booking/rate_limit.h"

#include "store/script.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* KEYS[1] bucket hash; ARGV rate per second, burst, tokens wanted. Uses Redis' own clock so that processes
 * agree. Returns {granted, 0} with 1 <= granted <= wanted, or {0, milliseconds until one token is there}. */
static store_script_t script =
    STORE_SCRIPT("local rate = tonumber(ARGV[1]) local burst = tonumber(ARGV[2]) local want = tonumber(ARGV[3]) "
                 STORE_LUA_NOW_MS
                 "local v = redis.call('HMGET', KEYS[1], 'tokens', 'at') "
                 "local tokens = tonumber(v[1]) or burst local at = tonumber(v[2]) or now "
                 "if now > at then tokens = math.min(burst, tokens + (now - at) * rate / 1000) end "
                 "if tokens < 1 then return {0, math.ceil((1 - tokens) * 1000 / rate)} end "
                 "local granted = math.min(want, math.floor(tokens)) "
                 "redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - granted), 'at', tostring(now)) "
                 "redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000) "
                 "return {granted, 0}");

typedef struct waiter {
    struct waiter *next;
    bk_rate_cb cb;
    void *data;
} waiter_t;

typedef struct lease {
    bk_rate_limiter_t *limiter;
    const bk_tenant_t *tenant;
    long tokens;           /* left in the current lease */
    uint64_t expires;      /* loop time the lease ends */
    long batch;            /* tokens asked for at a time */
    bool asking;           /* a lease request is under way */
    waiter_t *head, *tail; /* requests waiting for it */
} lease_t;

struct bk_rate_limiter {
    uv_loop_t *loop;
    store_t *store;
    const bk_tenant_t *tenants;
    size_t count;
    lease_t leases[];
};

bk_rate_limiter_t *bk_rate_limiter_create(const bk_env_t *env, const bk_tenant_t *tenants, size_t count)
{
    bk_rate_limiter_t *l = calloc(1, sizeof(*l) + count * sizeof(lease_t));
    if (l == NULL) return NULL;
    *l = (bk_rate_limiter_t){.loop = env->prov.loop, .store = env->store, .tenants = tenants, .count = count};
    for (size_t i = 0; i < count; i++) {
        double per_lease = floor(tenants[i].rate_per_second * BK_RATE_LEASE_MS / 1000.0);
        long quarter = tenants[i].rate_burst / 4;
        long batch = per_lease < 1 ? 1 : (long)per_lease;
        if (batch > quarter) batch = quarter;
        l->leases[i] = (lease_t){.limiter = l, .tenant = &tenants[i], .batch = batch < 1 ? 1 : batch};
    }
    return l;
}

static void answer_all(lease_t *lease, int ok, int retry_after)
{
    waiter_t *w = lease->head;
    lease->head = lease->tail = NULL;
    while (w != NULL) {
        waiter_t *next = w->next;
        w->cb(ok, retry_after, w->data);
        free(w);
        w = next;
    }
}

void bk_rate_limiter_destroy(bk_rate_limiter_t *l)
{
    if (l == NULL) return;
    for (size_t i = 0; i < l->count; i++) answer_all(&l->leases[i], -1, 0);
    free(l);
}

static int ask(lease_t *lease);

static void on_reply(const redisReply *reply, void *data)
{
    lease_t *lease = data;
    bk_rate_limiter_t *l = lease->limiter;
    lease->asking = false;
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
        reply->element[0]->type != REDIS_REPLY_INTEGER || reply->element[1]->type != REDIS_REPLY_INTEGER) {
        answer_all(lease, -1, 0);
        return;
    }
    long long granted = reply->element[0]->integer;
    if (granted < 1) {
        int seconds = (int)((reply->element[1]->integer + 999) / 1000);
        answer_all(lease, 0, seconds < 1 ? 1 : seconds);
        return;
    }
    lease->tokens = (long)granted;
    lease->expires = uv_now(l->loop) + BK_RATE_LEASE_LIFE_MS;
    while (lease->head != NULL && lease->tokens > 0) {
        waiter_t *w = lease->head;
        lease->head = w->next;
        if (lease->head == NULL) lease->tail = NULL;
        lease->tokens--;
        w->cb(1, 0, w->data);
        free(w);
    }
    if (lease->head == NULL) return;
    if (granted < lease->batch) { /* the bucket ran dry: the rest wait like any limited request */
        answer_all(lease, 0, 1);
        return;
    }
    if (ask(lease) != 0) answer_all(lease, -1, 0);
}

static int ask(lease_t *lease)
{
    const bk_tenant_t *t = lease->tenant;
    char key[128], rate[32], burst[32], want[32];
    snprintf(key, sizeof(key), "fd:{%s}:rl", t->id);
    snprintf(rate, sizeof(rate), "%g", t->rate_per_second);
    snprintf(burst, sizeof(burst), "%d", t->rate_burst);
    snprintf(want, sizeof(want), "%ld", lease->batch);
    const char *keys[] = {key};
    const char *args[] = {rate, burst, want};
    if (store_eval(lease->limiter->store, &script, on_reply, lease, 1, keys, 3, args, NULL) != 0) return -1;
    lease->asking = true;
    return 0;
}

int bk_rate_limit_take(bk_rate_limiter_t *l, const bk_tenant_t *tenant, bk_rate_cb cb, void *data)
{
    size_t i = (size_t)(tenant - l->tenants);
    if (tenant < l->tenants || i >= l->count) return -1;
    lease_t *lease = &l->leases[i];
    if (lease->tokens > 0 && uv_now(l->loop) < lease->expires && lease->head == NULL) {
        lease->tokens--;
        cb(1, 0, data);
        return 0;
    }
    lease->tokens = 0; /* an ended lease's rest is dropped */
    waiter_t *w = malloc(sizeof(*w));
    if (w == NULL) return -1;
    *w = (waiter_t){.cb = cb, .data = data};
    if (!lease->asking && ask(lease) != 0) {
        free(w);
        return -1;
    }
    if (lease->tail != NULL)
        lease->tail->next = w;
    else
        lease->head = w;
    lease->tail = w;
    return 0;
}
