/* store/store.h: one asynchronous Redis connection per event loop, reconnecting by itself.
 *
 * Frontdesk's only shared state is Redis. Each worker thread owns one store_t on its uv loop; every request
 * of that thread is pipelined on it. The connection never blocks the loop (hiredis' libuv adapter), and when
 * Redis goes away the store keeps trying to reconnect (200 ms, doubling to 1 s) and tells its owner each time
 * it is connected again, so data that lives only in Redis (the sandbox clinic) can be seeded anew. */
#ifndef FD_STORE_H
#define FD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hiredis.h>
#include <uv.h>

#include "store/read_cache.h"

typedef struct store store_t;

/** Called with the reply, or reply == NULL when the command failed because the connection was lost.
 * The reply is owned by hiredis and freed when the callback returns: copy what you keep. */
typedef void (*store_reply_cb)(const redisReply *reply, void *data);

/** Called on the loop each time a connection to Redis is established (first connect and every reconnect). */
typedef void (*store_connected_cb)(store_t *store, void *data);

/** Creates the store on `loop` for `address` ("host:port" with a numeric host, "/path/redis.sock" or
 * "unix:/path"), and starts connecting. Returns NULL only when out of memory or the address is malformed.
 * on_connected may be NULL. The store belongs to the loop's thread; destroy it with store_destroy. */
store_t *store_create(uv_loop_t *loop, const char *address, store_connected_cb on_connected, void *data);

/** Closes the connection (pending callbacks receive NULL) and frees the store once libuv has released its
 * handles; the loop must run at least once more afterwards. */
void store_destroy(store_t *store);

/** Writes the commands queued so far to Redis' socket now instead of on the next loop turn. The server calls it
 * before each answer, so a write made for a request (an idempotency record, a settled hold) has left before
 * the client can act on the answer, say by retrying through another worker. */
void store_flush(store_t *store);

/** True once `script` (any stable pointer naming a Lua script) was sent in full on the current connection, and
 * marks it so; a new connection forgets them all. script.c sends a script's body with its first call on each
 * connection (EVAL), so a call never waits on a NOSCRIPT round trip that would land its write after the answer. */
bool store_script_sent(store_t *store, const void *script);

/** True while a connection is established. */
bool store_is_connected(const store_t *store);

/** Sends one command given as an argument vector. Returns 0 and calls `cb` exactly once later, or returns -1
 * (not connected) and never calls it. cb may be NULL for fire-and-forget writes. */
int store_command(store_t *store, store_reply_cb cb, void *data, int argc, const char **argv, const size_t *lens);

/** printf-style variant of store_command (hiredis format: %s, %b with pointer and length). Same contract. */
int store_commandf(store_t *store, store_reply_cb cb, void *data, const char *fmt, ...);

/** Turns on the worker's read cache (store/read_cache.h) for keys starting with one of `prefixes` (none a
 * prefix of another): a second connection subscribes to Redis' invalidation
 * channel and this one asks Redis to report every change to such keys (CLIENT TRACKING ON REDIRECT .. BCAST),
 * on every (re)connect. Until both connections stand, and after either drops, nothing is answered from the
 * cache and it is emptied. Call once, right after store_create. Returns 0, or -1 (bad arguments, no memory). */
int store_enable_read_cache(store_t *store, const char *const *prefixes, size_t n);

/** store_command for a read (its keys at cmd->first_key ..): answered from the read cache when it holds a live
 * copy (cb still runs later on the loop, never inside this call), else by Redis, and the reply kept when the
 * cache is on, every key has a tracked prefix and no key changed while the command was under way. Same contract
 * as store_command. */
int store_command_cached(store_t *store, store_reply_cb cb, void *data, const store_read_cmd_t *cmd);

/** The read cache's epoch: a number that moves on with every change Redis reports to a tracked key (and with
 * every loss of tracking), after reading what the watcher has received. Something computed from cached reads
 * that began at epoch E is still exact while the epoch is E. Returns false (no epoch) while the cache is off. */
bool store_cache_epoch(store_t *store, uint64_t *epoch);

/** True while the read cache may answer (tracking confirmed on both connections). */
bool store_cache_ready(const store_t *store);

/** The read cache's counters (all zero while it is off). */
store_read_cache_stats_t store_cache_stats(const store_t *store);

/** Checks that an address string is one store_create accepts; writes a reason on failure. */
bool store_address_valid(const char *address, char *why, size_t why_cap);

#endif
