/* store/script.h: Lua scripts run by their SHA-1 (EVALSHA) after their first call on a connection, which sends
 * the body (EVAL); EVALSHA falls back to EVAL when Redis lost them (SCRIPT FLUSH), so a script body crosses the
 * wire once per connection, not per call, and in the usual case no call waits on a NOSCRIPT round trip. */
#ifndef FD_STORE_SCRIPT_H
#define FD_STORE_SCRIPT_H

#include <stddef.h>

#include "store/store.h"

typedef struct store_script {
    const char *body;
    char sha[41]; /* filled on first use, under a lock, then published through `ready` */
    int ready;
} store_script_t;

/** Lua that sets `now` to Redis' clock in milliseconds since the epoch, for scripts that compare against stored
 * expiries: every process that shares a Redis then agrees on "now", whatever its own clock says. */
#define STORE_LUA_NOW_MS                                                                                         \
    "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "

/** A script constant: static store_script_t s = STORE_SCRIPT("return 1"); */
#define STORE_SCRIPT(text) {.body = (text), .sha = "", .ready = 0}

/** Runs the script with keys[0..nkeys) and args[0..nargs). Same contract as store_command: 0 and cb exactly once
 * later (with the script's reply, or NULL when the connection was lost), or -1 and never. */
int store_eval(store_t *store, store_script_t *script, store_reply_cb cb, void *data, int nkeys,
               const char *const *keys, int nargs, const char *const *args, const size_t *arg_lens);

/** store_eval for a script that only reads its keys: answered through the read cache (store_command_cached), so
 * a repeated call with the same keys and args costs no round trip while none of the keys changed. */
int store_eval_cached(store_t *store, store_script_t *script, store_reply_cb cb, void *data, int nkeys,
                      const char *const *keys, int nargs, const char *const *args, const size_t *arg_lens);

#endif
