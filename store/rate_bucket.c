/* store/rate_bucket.c: the Redis token bucket of rate_bucket.h, one Lua script per take. */
#include "store/rate_bucket.h"

#include <stdio.h>
#include <stdlib.h>

#include "store/script.h"

/* KEYS[1] the bucket {tokens, at}, KEYS[2] the block (epoch ms); ARGV rate per ms, burst, max wait ms.
 * Returns 0 (taken), a positive wait (reserved) or a negative wait (not taken). */
static store_script_t take_script = STORE_SCRIPT(
    STORE_LUA_NOW_MS
    "local rate, burst, max_wait = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]) "
    "local blocked = tonumber(redis.call('GET', KEYS[2]) or '0') "
    "if blocked > now then return -(blocked - now) end "
    "local b = redis.call('HMGET', KEYS[1], 'tokens', 'at') "
    "local tokens, at = tonumber(b[1]) or burst, tonumber(b[2]) or now "
    "if now > at then tokens = math.min(burst, tokens + (now - at) * rate) at = now end "
    "local wait = 0 "
    "if tokens < 1 then wait = math.ceil((1 - tokens) / rate) end "
    "if wait > max_wait then return -wait end "
    "tokens = tokens - 1 "
    "redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at)) "
    "redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 60000) "
    "return wait ");

static store_script_t block_script = STORE_SCRIPT(
    STORE_LUA_NOW_MS
    "local until_ms = now + tonumber(ARGV[1]) "
    "if until_ms > tonumber(redis.call('GET', KEYS[1]) or '0') then "
    "redis.call('SET', KEYS[1], tostring(until_ms), 'PX', tonumber(ARGV[1]) + 1000) end "
    "return 1 ");

typedef struct take {
    store_rate_cb cb;
    void *data;
} take_t;

static void on_taken(const redisReply *reply, void *data)
{
    take_t *t = data;
    bool ok = reply != NULL && reply->type == REDIS_REPLY_INTEGER;
    t->cb(ok, ok ? (int64_t)reply->integer : 0, t->data);
    free(t);
}

int store_rate_take(store_t *store, const char *key, const char *block_key, double per_second, int burst,
                    int64_t max_wait_ms, store_rate_cb cb, void *data)
{
    if (store == NULL || per_second <= 0 || burst < 1) return -1;
    take_t *t = malloc(sizeof(*t));
    if (t == NULL) return -1;
    *t = (take_t){cb, data};
    char rate[32], b[16], wait[24];
    snprintf(rate, sizeof(rate), "%.9f", per_second / 1000.0);
    snprintf(b, sizeof(b), "%d", burst);
    snprintf(wait, sizeof(wait), "%lld", (long long)(max_wait_ms < 0 ? 0 : max_wait_ms));
    const char *keys[] = {key, block_key}, *args[] = {rate, b, wait};
    if (store_eval(store, &take_script, on_taken, t, 2, keys, 3, args, NULL) != 0) {
        free(t);
        return -1;
    }
    return 0;
}

void store_rate_block(store_t *store, const char *block_key, int64_t ms)
{
    if (store == NULL || ms <= 0) return;
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)ms);
    const char *keys[] = {block_key}, *args[] = {text};
    (void)store_eval(store, &block_script, NULL, NULL, 1, keys, 1, args, NULL);
}
