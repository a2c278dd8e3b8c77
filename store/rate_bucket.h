/* store/rate_bucket.h: a token bucket kept in Redis, so that every worker of every process sharing that Redis
 * draws from one budget (an EMR's per-credential rate limit). One Lua script refills and takes atomically on
 * Redis' own clock; a caller that would have to wait longer than it may is told how long, and takes nothing. */
#ifndef FD_STORE_RATE_BUCKET_H
#define FD_STORE_RATE_BUCKET_H

#include <stdint.h>

#include "store/store.h"

/** The verdict on one token: wait_ms 0 = taken, send now; > 0 = taken as a reservation, send after wait_ms (on
 * a timer, never blocking); < 0 = not taken, the budget frees up in -wait_ms (more than max_wait_ms, or the
 * server said 429 and blocked the bucket until then). ok false: Redis could not answer (nothing is known). */
typedef void (*store_rate_cb)(bool ok, int64_t wait_ms, void *data);

/** Takes one token from the bucket at `key` (a hash), refilled at per_second up to burst, unless `block_key`
 * (a string holding an epoch ms, see store_rate_block) says the server refused everything until later. A
 * token that needs waiting up to max_wait_ms is reserved (the bucket goes into debt, so reservations keep
 * their order and the rate holds). Same contract as store_command: 0 and cb exactly once later, or -1. */
int store_rate_take(store_t *store, const char *key, const char *block_key, double per_second, int burst,
                    int64_t max_wait_ms, store_rate_cb cb, void *data);

/** Blocks the bucket for every process until `ms` from now on Redis' clock (after the server's 429 with its
 * Retry-After); never shortens a longer block. Fire and forget. */
void store_rate_block(store_t *store, const char *block_key, int64_t ms);

#endif
