/* store/sentinel.h: finding the current Redis master through Redis Sentinel, asynchronously.
 *
 * A store whose address names a Sentinel set ("sentinel:MASTER@host:port,host:port,...", store.h) asks the
 * sentinels for MASTER's address (SENTINEL get-master-addr-by-name) before every connect, one sentinel after
 * another until one answers, so a reconnect after a failover reaches the promoted replica. The sentinels'
 * answer is only a hint: store.c then checks with ROLE that the address really is a master before writing.
 *
 * Re-entry: the query's own hiredis context is only freed from the query's timer, and the answer is handed to
 * the caller from that timer too (never inside a hiredis callback), so the caller may connect, free or destroy
 * whatever it likes from there. */
#ifndef FD_STORE_SENTINEL_H
#define FD_STORE_SENTINEL_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#define STORE_SENTINEL_PREFIX "sentinel:"
#define STORE_SENTINELS_MAX   16
/* A sentinel that has not answered this long is given up for the next one. */
#define STORE_SENTINEL_TIMEOUT_MS 500

typedef struct store_sentinel store_sentinel_t;

/** Receives the master's address (host borrowed for the call), or host == NULL when no sentinel named one. */
typedef void (*store_sentinel_cb)(const char *host, int port, void *data);

/** True when `address` starts with STORE_SENTINEL_PREFIX (a Sentinel set rather than one Redis). */
bool store_sentinel_named(const char *address);

/** Checks a Sentinel address "sentinel:MASTER@host:port,host:port,..." (1 to STORE_SENTINELS_MAX sentinels,
 * numeric ports, a master name of letters, digits, '-', '_' and '.'); writes a reason on failure. */
bool store_sentinel_valid(const char *address, char *why, size_t why_cap);

/** Creates a query object for a valid Sentinel address on `loop`; NULL when malformed or out of memory. */
store_sentinel_t *store_sentinel_create(uv_loop_t *loop, const char *address);

/** Asks the sentinels, starting after the one that answered last (or failed), each at most
 * STORE_SENTINEL_TIMEOUT_MS, until one names the master; then calls cb once, from a timer. One question at a
 * time: returns -1 (and never calls cb) while one is under way, else 0. */
int store_sentinel_ask(store_sentinel_t *sentinel, store_sentinel_cb cb, void *data);

/** Stops any question (its cb is not called) and frees the object once libuv released its timer; then calls
 * closed(data) (may be NULL). The loop must run at least once more. */
void store_sentinel_close(store_sentinel_t *sentinel, void (*closed)(void *data), void *data);

#endif
