/* booking/widget_limits.c: window counters and open-item sets in Redis, taken all or none (see widget_limits.h). */
#include "booking/widget_limits.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/script.h"

/* KEYS: the limits' keys. ARGV[1] a member naming this take (unique), then per key "<kind>:<max>:<period ms>" with
 * kind w, c or o. Returns {1, 0, 0}, or {0, index of the spent limit (1-based), milliseconds until it frees up}. */
static store_script_t take_script = STORE_SCRIPT(
    STORE_LUA_NOW_MS
    "local kinds, maxes, periods = {}, {}, {} "
    "for i = 1, #KEYS do "
    "  local kind, max, period = string.match(ARGV[i + 1], '^(%a):(%d+):(%d+)$') "
    "  kinds[i] = kind maxes[i] = tonumber(max) periods[i] = tonumber(period) "
    "  if kind == 'o' then "
    "    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now) "
    "    if redis.call('ZCARD', KEYS[i]) >= maxes[i] then "
    "      local first = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES') "
    "      return {0, i, tonumber(first[2]) - now} end "
    "  elseif tonumber(redis.call('GET', KEYS[i]) or '0') >= maxes[i] then "
    "    return {0, i, redis.call('PTTL', KEYS[i])} end "
    "end "
    "for i = 1, #KEYS do "
    "  if kinds[i] == 'o' then "
    "    redis.call('ZADD', KEYS[i], now + periods[i], ARGV[1]) redis.call('PEXPIRE', KEYS[i], periods[i]) "
    "  elseif kinds[i] == 'w' and redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], periods[i]) "
    "  end "
    "end "
    "return {1, 0, 0}");

/* KEYS[1] a window counter; ARGV[1] its period in ms. */
static store_script_t count_script =
    STORE_SCRIPT("if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return 1");

typedef struct take {
    bk_limits_cb cb;
    void *data;
} take_t;

static void limit_key(const bk_tenant_t *tenant, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "fd:{%s}:wl:%s", tenant->id, name);
}

static void on_take(const redisReply *reply, void *data)
{
    take_t *t = data;
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements != 3 ||
        reply->element[0]->type != REDIS_REPLY_INTEGER || reply->element[1]->type != REDIS_REPLY_INTEGER ||
        reply->element[2]->type != REDIS_REPLY_INTEGER) {
        t->cb(-1, 0, 0, t->data);
    } else if (reply->element[0]->integer == 1) {
        t->cb(1, 0, 0, t->data);
    } else {
        long long ms = reply->element[2]->integer, seconds = (ms + 999) / 1000;
        size_t which = reply->element[1]->integer > 0 ? (size_t)reply->element[1]->integer - 1 : 0;
        t->cb(0, which, seconds < 1 ? 1 : (int)seconds, t->data);
    }
    free(t);
}

int bk_limits_take(bk_env_t *env, const bk_tenant_t *tenant, const bk_limit_t *limits, size_t n, bk_limits_cb cb,
                   void *data)
{
    static atomic_uint_fast64_t takes;
    if (n == 0 || n > BK_LIMITS_MAX) return -1;
    char keys[BK_LIMITS_MAX][BK_LIMIT_NAME_CAP + 96], specs[BK_LIMITS_MAX][48], member[48];
    const char *key_v[BK_LIMITS_MAX], *arg_v[1 + BK_LIMITS_MAX];
    static const char kinds[] = {'w', 'c', 'o'};
    /* unique within the process; the pointer's bits tell processes apart well enough for a set member */
    snprintf(member, sizeof(member), "%" PRIxPTR "-%" PRIuFAST64, (uintptr_t)env, atomic_fetch_add(&takes, 1));
    arg_v[0] = member;
    for (size_t i = 0; i < n; i++) {
        if (limits[i].max < 1 || limits[i].period_ms < 1) return -1;
        limit_key(tenant, limits[i].name, keys[i], sizeof(keys[i]));
        snprintf(specs[i], sizeof(specs[i]), "%c:%d:%" PRId64, kinds[limits[i].kind], limits[i].max,
                 limits[i].period_ms);
        key_v[i] = keys[i];
        arg_v[1 + i] = specs[i];
    }
    take_t *t = malloc(sizeof(*t));
    if (t == NULL) return -1;
    *t = (take_t){.cb = cb, .data = data};
    if (store_eval(env->store, &take_script, on_take, t, (int)n, key_v, (int)(1 + n), arg_v, NULL) != 0) {
        free(t);
        return -1;
    }
    return 0;
}

void bk_limit_count(bk_env_t *env, const bk_tenant_t *tenant, const char *name, int64_t period_ms)
{
    char key[BK_LIMIT_NAME_CAP + 96], period[24];
    limit_key(tenant, name, key, sizeof(key));
    snprintf(period, sizeof(period), "%" PRId64, period_ms);
    const char *keys[] = {key};
    const char *args[] = {period};
    store_eval(env->store, &count_script, NULL, NULL, 1, keys, 1, args, NULL);
}
