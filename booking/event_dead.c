/* booking/event_dead.c: listing and replaying dead events (see event_dead.h). */
#include "booking/event_dead.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/script.h"
#include "tz/tz.h"

/* ARGV stream prefix "fd:{t}:wh:", limit, then endpoint ids. Returns {endpoint, id, type, attempts, first, died,
 * error, body}* latest first per endpoint; entries whose record expired leave the index. */
static store_script_t list_script = STORE_SCRIPT(
    "local out = {} "
    "for i = 3, #ARGV do "
    "  local dead = ARGV[1] .. ARGV[i] .. ':dead' "
    "  for _, id in ipairs(redis.call('ZREVRANGE', dead, 0, tonumber(ARGV[2]) - 1)) do "
    "    local h = redis.call('HMGET', dead .. ':' .. id, 'type', 'attempts', 'first', 'died', 'error', 'body') "
    "    if h[1] then "
    "      out[#out + 1] = ARGV[i] out[#out + 1] = id "
    "      for k = 1, 6 do out[#out + 1] = h[k] or '' end "
    "    else redis.call('ZREM', dead, id) end "
    "  end "
    "end return out");

/* ARGV stream prefix, event id, then endpoint ids. Puts the event back in each stream where it is dead. Returns the
 * number of endpoints. */
static store_script_t replay_script =
    STORE_SCRIPT("local n = 0 "
                 "for i = 3, #ARGV do "
                 "  local st = ARGV[1] .. ARGV[i] "
                 "  local d = st .. ':dead:' .. ARGV[2] "
                 "  local h = redis.call('HMGET', d, 'type', 'key', 'body') "
                 "  if h[1] then "
                 "    local sid = redis.call('XADD', st, '*', 'id', ARGV[2], 'type', h[1], 'key', h[2], 'body', h[3]) "
                 "    redis.call('RPUSH', st .. ':order:' .. h[2], sid) "
                 "    redis.call('DEL', d) redis.call('ZREM', st .. ':dead', ARGV[2]) n = n + 1 "
                 "  end "
                 "end return n");

typedef struct call {
    bk_dead_events_cb list_cb;
    bk_replay_cb replay_cb;
    void *data;
} call_t;

static int64_t ms_of(const redisReply *r)
{
    /* Redis' clock, moved onto the service's (tz_now), which tests may run ahead. */
    return r->type == REDIS_REPLY_STRING && r->len > 0 ? strtoll(r->str, NULL, 10) + tz_clock_offset() : 0;
}

static void on_list(const redisReply *reply, void *data)
{
    call_t *c = data;
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements % 8 != 0) {
        c->list_cb(false, NULL, 0, c->data);
        free(c);
        return;
    }
    size_t n = reply->elements / 8;
    bk_dead_event_t *v = calloc(n ? n : 1, sizeof(*v));
    if (v == NULL) {
        c->list_cb(false, NULL, 0, c->data);
        free(c);
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        redisReply *const *e = reply->element + 8 * i;
        bool strings = true;
        for (int j = 0; j < 8; j++) strings = strings && e[j]->type == REDIS_REPLY_STRING;
        if (!strings) continue;
        v[k++] = (bk_dead_event_t){.endpoint_id = e[0]->str,
                                   .id = e[1]->str,
                                   .type = e[2]->str,
                                   .attempts = (int)strtol(e[3]->str, NULL, 10),
                                   .first_attempt_at = ms_of(e[4]),
                                   .died_at = ms_of(e[5]),
                                   .last_error = e[6]->str,
                                   .payload = e[7]->str,
                                   .payload_len = e[7]->len};
    }
    c->list_cb(true, v, k, c->data);
    free(v);
    free(c);
}

static void on_replay(const redisReply *reply, void *data)
{
    call_t *c = data;
    c->replay_cb(reply != NULL && reply->type == REDIS_REPLY_INTEGER ? (int)reply->integer : -1, c->data);
    free(c);
}

/* Runs one of the scripts with ARGV prefix, `second`, then the tenant's endpoint ids. */
static int run(bk_env_t *env, const bk_tenant_t *tenant, store_script_t *script, const char *second, store_reply_cb cb,
               call_t *c)
{
    char prefix[128];
    snprintf(prefix, sizeof(prefix), "fd:{%s}:wh:", tenant->id);
    const char *args[2 + BK_WEBHOOK_MAX_ENDPOINTS] = {prefix, second};
    int nargs = 2;
    const bk_webhooks_t *w = tenant->webhooks;
    for (size_t i = 0; w != NULL && i < w->count; i++) args[nargs++] = w->endpoints[i].id;
    if (store_eval(env->store, script, cb, c, 0, NULL, nargs, args, NULL) != 0) {
        free(c);
        return -1;
    }
    return 0;
}

int bk_events_list_dead(bk_env_t *env, const bk_tenant_t *tenant, bk_dead_events_cb cb, void *data)
{
    call_t *c = calloc(1, sizeof(*c));
    if (c == NULL) return -1;
    c->list_cb = cb;
    c->data = data;
    char limit[16];
    snprintf(limit, sizeof(limit), "%d", BK_DEAD_LIST_MAX);
    return run(env, tenant, &list_script, limit, on_list, c);
}

int bk_events_replay(bk_env_t *env, const bk_tenant_t *tenant, const char *id, bk_replay_cb cb, void *data)
{
    call_t *c = calloc(1, sizeof(*c));
    if (c == NULL) return -1;
    c->replay_cb = cb;
    c->data = data;
    return run(env, tenant, &replay_script, id, on_replay, c);
}
