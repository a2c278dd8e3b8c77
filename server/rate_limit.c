/* server/rate_limit.c: a token bucket evaluated atomically inside Redis (see rate_limit.h). */
#include "server/rate_limit.h"

#include "store/script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* KEYS[1] bucket hash; ARGV rate per second, burst. Uses Redis' own clock so that processes agree.
 * Returns 0 when a token was taken, else the milliseconds until one is available. */
static store_script_t script = STORE_SCRIPT(
    "local rate = tonumber(ARGV[1]) local burst = tonumber(ARGV[2]) "
    "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
    "local v = redis.call('HMGET', KEYS[1], 'tokens', 'at') "
    "local tokens = tonumber(v[1]) or burst local at = tonumber(v[2]) or now "
    "if now > at then tokens = math.min(burst, tokens + (now - at) * rate / 1000) end "
    "if tokens < 1 then return math.ceil((1 - tokens) * 1000 / rate) end "
    "redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', tostring(now)) "
    "redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000) "
    "return 0");

typedef struct take {
    srv_rate_cb cb;
    void *data;
} take_t;

static void on_reply(const redisReply *reply, void *data)
{
    take_t *t = data;
    if (reply == NULL || reply->type != REDIS_REPLY_INTEGER) {
        t->cb(-1, 0, t->data);
    } else if (reply->integer == 0) {
        t->cb(1, 0, t->data);
    } else {
        int seconds = (int)((reply->integer + 999) / 1000);
        t->cb(0, seconds < 1 ? 1 : seconds, t->data);
    }
    free(t);
}

int srv_rate_limit_take(store_t *store, const bk_tenant_t *tenant, srv_rate_cb cb, void *data)
{
    take_t *t = malloc(sizeof(*t));
    if (t == NULL) return -1;
    t->cb = cb;
    t->data = data;
    char key[128], rate[32], burst[32];
    snprintf(key, sizeof(key), "fd:{%s}:rl", tenant->id);
    snprintf(rate, sizeof(rate), "%g", tenant->rate_per_second);
    snprintf(burst, sizeof(burst), "%d", tenant->rate_burst);
    const char *keys[] = {key};
    const char *args[] = {rate, burst};
    if (store_eval(store, &script, on_reply, t, 1, keys, 2, args, NULL) != 0) {
        free(t);
        return -1;
    }
    return 0;
}
