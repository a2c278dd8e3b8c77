/* store/store.h: one asynchronous Redis connection per event loop, reconnecting by itself.
 *
 * Frontdesk's only shared state is Redis. Each worker thread owns one store_t on its uv loop; every request
 * of that thread is pipelined on it. The connection never blocks the loop (hiredis' libuv adapter), and when
 * Redis goes away the store keeps trying to reconnect (200 ms, doubling to 1 s) and tells its owner each time
 * it is connected again, so data that lives only in Redis (the sandbox clinic) can be seeded anew.
 *
 * Connected means Redis answered: a new connection counts once Redis answered its PING (in Sentinel mode its ROLE,
 * naming a master; a stopped Redis still completes TCP handshakes from its listen backlog), and a connection on which a command has waited
 * STORE_HUNG_MS with no reply at all (Redis hung, or a socket error hiredis' adapter never reports) is dropped
 * as lost: its commands get NULL, and the store reconnects. An idle connection is PINGed every
 * STORE_KEEPALIVE_MS so that a hang is found without traffic. Losing an established connection is reported
 * once (store_set_lost_cb), failed reconnect attempts are not.
 *
 * Re-entry invariant: nothing re-enters a hiredis connection from inside one of its own callbacks. hiredis
 * calls into this module only through on_connect, on_handshake, on_disconnect, on_reply (reply callbacks and
 * the NULL replies it hands out while tearing a connection down) and the watcher's channel callback; each
 * of them counts itself in the store's in_hiredis while it runs, so every store_* call made from a callback
 * (by the owner's code, however deep) can tell. While in_hiredis > 0:
 * - store_flush does not call redisAsyncHandleWrite (which tears the connection down, and frees it, on a
 *   write error, under the caller's feet): it moves the queued bytes to the socket with redisBufferWrite,
 *   which runs no callback and frees nothing, and only on a healthy connection (no error, not being freed or
 *   disconnected); a failed write is only recorded on the context, and the watchdog timer drops it next;
 * - store_destroy only marks the store closed and does the freeing from a zero timer, after hiredis returned;
 * - the read cache's watcher is read (drain_watcher) only when that connection is not in a callback itself.
 * Queuing commands from a callback (store_command and friends) is what hiredis supports and stays allowed.
 * Everything that frees or drops a connection (connect timeout, hang) runs from the store's own timers. */
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

/** Called on the loop once when an established connection is lost (closed, failed, or found hung), not for
 * failed reconnect attempts. `why` is a short phrase of letters, digits and spaces (no address, no secret). */
typedef void (*store_lost_cb)(store_t *store, const char *why, void *data);

/* A command that waited this long with no reply from Redis at all marks its connection hung (see above). */
#define STORE_HUNG_MS 1000
/* An established connection with nothing outstanding is PINGed after this long without a reply. */
#define STORE_KEEPALIVE_MS 1000
/* store_is_answering: a command waiting this long with no reply at all means Redis is not answering now. */
#define STORE_SLOW_MS 250

/* store_wait_replicas: how long Redis may wait for replicas to acknowledge (WAIT's timeout), kept below
 * STORE_SLOW_MS so that waiting alone never makes the connection look slow, and well inside the shortest voice
 * deadline (500 ms). */
#define STORE_REPLICA_WAIT_MS 200
#define STORE_MAX_REPLICAS    16

/** Creates the store on `loop` for `address` and starts connecting. The address is one Redis ("host:port" with a
 * numeric host, "/path/redis.sock" or "unix:/path"), or a Sentinel set "sentinel:MASTER@host:port,host:port,..."
 * (store/sentinel.h): then every connect asks the sentinels where MASTER is, checks with ROLE that it is a master
 * (a replica is never written to; a connection whose writes are refused as READONLY is dropped and the sentinels
 * asked again), and the read cache's watcher follows it. Either may end with "?min_replicas=N" (0 to
 * STORE_MAX_REPLICAS), the replicas store_wait_replicas waits for: by default 1 for a Sentinel set, 0 for one
 * Redis. Returns NULL only when out of memory or the address is malformed. on_connected may be NULL. The store
 * belongs to the loop's thread; destroy it with store_destroy. */
store_t *store_create(uv_loop_t *loop, const char *address, store_connected_cb on_connected, void *data);

/** Also calls on_lost (with the data given to store_create) when an established connection is lost. */
void store_set_lost_cb(store_t *store, store_lost_cb on_lost);

/** Closes the connection (pending callbacks receive NULL) and frees the store once libuv has released its
 * handles; the loop must run at least once more afterwards. Called from one of the store's own callbacks, it
 * only stops the store there (nothing new starts on it) and closes it on the next loop turn. */
void store_destroy(store_t *store);

/** Writes the commands queued so far to Redis' socket now instead of on the next loop turn. The server calls it
 * before each answer, so a write made for a request (an idempotency record, a settled hold) has left before
 * the client can act on the answer, say by retrying through another worker. Safe from any callback, including
 * the NULL replies of a connection being torn down (see the re-entry invariant above). */
void store_flush(store_t *store);

/** True once `script` (any stable pointer naming a Lua script) was sent in full on the current connection, and
 * marks it so; a new connection forgets them all. script.c sends a script's body with its first call on each
 * connection (EVAL), so a call never waits on a NOSCRIPT round trip that would land its write after the answer. */
bool store_script_sent(store_t *store, const void *script);

/** True while a connection is established (Redis answered on it and it was not found hung). */
bool store_is_connected(const store_t *store);

/** True while connected and no command has waited STORE_SLOW_MS or more without Redis answering anything:
 * the connection's last known state, found without a round trip. */
bool store_is_answering(const store_t *store);

/** Called with replicated true when enough replicas acknowledged the writes (store_wait_replicas). */
typedef void (*store_replicated_cb)(bool replicated, void *data);

/** Makes the writes queued on this connection so far durable across a failover: queues WAIT min_replicas
 * STORE_REPLICA_WAIT_MS, and calls cb later with true once that many replicas have them, false when fewer did in
 * time or the connection was lost (the writes may or may not survive: answer the caller 503, claim nothing done).
 * Returns 0 (cb will run), 1 when min_replicas is 0 (nothing to wait for; cb never runs), or -1 (not connected;
 * cb never runs). */
int store_wait_replicas(store_t *store, store_replicated_cb cb, void *data);

/** Sends one command given as an argument vector. Returns 0 and calls `cb` exactly once later, or returns -1
 * (not connected) and never calls it. cb may be NULL for fire-and-forget writes. */
int store_command(store_t *store, store_reply_cb cb, void *data, int argc, const char **argv, const size_t *lens);

/** printf-style variant of store_command (hiredis format: %s, %b with pointer and length). Same contract. */
int store_commandf(store_t *store, store_reply_cb cb, void *data, const char *fmt, ...);

/** Turns on the worker's read cache (store/read_cache.h) for the keys of `families`: a key belongs to a family
 * when what follows its hash tag and a colon starts with it ("catalog" takes "fd:{t1}:catalog"; "" takes every
 * tagged key). The families name kinds of keys, not tenants, so the cost does not grow with tenants. A second
 * connection subscribes to Redis' invalidation channel and this one asks Redis to report every change to any key
 * (CLIENT TRACKING ON REDIRECT .. BCAST with no prefix: one comparison per written key in Redis) on every
 * (re)connect; the watcher drops the changes outside the families unread. Until both connections stand, and after
 * either drops, nothing is answered from the cache and it is emptied. Call once, right after store_create.
 * Returns 0, or -1 (bad arguments, no memory). */
int store_enable_read_cache(store_t *store, const char *const *families, size_t n);

/** store_command for a read (its keys at cmd->first_key ..): answered from the read cache when it holds a live
 * copy (cb still runs later on the loop, never inside this call), else by Redis, and the reply kept when the
 * cache is on, every key is in a cached family and no key changed while the command was under way. Same contract
 * as store_command. */
int store_command_cached(store_t *store, store_reply_cb cb, void *data, const store_read_cmd_t *cmd);

/** The read cache's epoch: a number that moves on with every change Redis reports to a tracked key (and with
 * every loss of tracking), after reading what the watcher has received. Something computed from cached reads
 * that began at epoch E is still exact while the epoch is E. Returns false (no epoch) while the cache is off. */
bool store_cache_epoch(store_t *store, uint64_t *epoch);

/** Facts a caller checked in Redis once and need not check again while Redis keeps them: "the key `name` holds
 * `value`" (say, a sandbox tenant's seed digest), kept per store. They hold only with the read cache ready (its
 * watcher hears of every change) and are forgotten when Redis reports that key changed (written, deleted,
 * expired, evicted), and all at once when Redis may have lost data: a new connection, a flushed database, a loss
 * of tracking. store_facts_epoch gives the point at which a check is sent (0: nothing can be remembered now);
 * store_remember, called with the check's answer, keeps the fact only when nothing may have been lost since that
 * point; store_recalls is true while it is kept. The map grows with the keys remembered, never with requests. */
uint64_t store_facts_epoch(store_t *store);
void store_remember(store_t *store, const char *name, const char *value, uint64_t checked_at);
bool store_recalls(store_t *store, const char *name, const char *value);

/** True while the read cache may answer (tracking confirmed on both connections). */
bool store_cache_ready(const store_t *store);

/** The read cache's counters (all zero while it is off). */
store_read_cache_stats_t store_cache_stats(const store_t *store);

/** Checks that an address string is one store_create accepts; writes a reason on failure. */
bool store_address_valid(const char *address, char *why, size_t why_cap);

#endif
