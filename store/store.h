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
#include <hiredis.h>
#include <uv.h>

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

/** True while a connection is established. */
bool store_is_connected(const store_t *store);

/** Sends one command given as an argument vector. Returns 0 and calls `cb` exactly once later, or returns -1
 * (not connected) and never calls it. cb may be NULL for fire-and-forget writes. */
int store_command(store_t *store, store_reply_cb cb, void *data, int argc, const char **argv, const size_t *lens);

/** printf-style variant of store_command (hiredis format: %s, %b with pointer and length). Same contract. */
int store_commandf(store_t *store, store_reply_cb cb, void *data, const char *fmt, ...);

/** Checks that an address string is one store_create accepts; writes a reason on failure. */
bool store_address_valid(const char *address, char *why, size_t why_cap);

#endif
