/* booking/fill_lock.h: who refills a missing cache entry when many requests, in many frontdesk processes, miss
 * it at once: one takes a short Redis lock and asks the EMR; the others wait a little and read the cache again,
 * so a burst of misses costs the EMR one call. A waiter on the releasing thread reads again as soon as the lock
 * is released; one elsewhere waits about as long as the fill has run so far (2 to 50 ms) before it looks again. */
#ifndef FD_BOOKING_FILL_LOCK_H
#define FD_BOOKING_FILL_LOCK_H

#include <stdint.h>
#include <uv.h>

#include "store/store.h"

typedef enum bk_fill_turn {
    BK_FILL_FETCH_LOCKED,   /* the lock is ours: ask upstream, fill the cache, then bk_fill_release */
    BK_FILL_FETCH_UNLOCKED, /* Redis failed or the wait ran out: ask upstream without the lock */
    BK_FILL_RECHECK,        /* another process is filling: read the cache again; on a miss, acquire again */
} bk_fill_turn_t;

typedef void (*bk_fill_turn_cb)(void *ctx, bk_fill_turn_t turn);

/** Tries to take lock_key (SET NX PX lock_ms). Calls turn exactly once later: BK_FILL_FETCH_LOCKED when the lock
 * was taken; BK_FILL_FETCH_UNLOCKED when Redis failed or the loop time passed give_up_at_ms; BK_FILL_RECHECK when
 * another process holds it: at once when this thread releases it, else after 2 to 50 ms (about as long as it
 * has been held). Returns 0, or -1 (out of memory or Redis not connected: fetch
 * without the lock). */
int bk_fill_acquire(store_t *store, uv_loop_t *loop, const char *lock_key, int lock_ms, uint64_t give_up_at_ms,
                    bk_fill_turn_cb turn, void *ctx);

/** Releases a lock taken with BK_FILL_FETCH_LOCKED (fire and forget) and wakes this thread's waiters on it (their
 * BK_FILL_RECHECK comes on the next loop turn, never from inside this call). */
void bk_fill_release(store_t *store, const char *lock_key);

#endif
