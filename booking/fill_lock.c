/* booking/fill_lock.c: the refill lock with a short wait-and-recheck (see fill_lock.h). */
#include "booking/fill_lock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/once_timer.h"

#define RECHECK_MS 50

typedef struct attempt {
    uv_loop_t *loop;
    uint64_t give_up_at_ms;
    bk_fill_turn_cb turn;
    void *ctx;
} attempt_t;

static void on_wait_over(void *data)
{
    attempt_t *a = data;
    a->turn(a->ctx, BK_FILL_RECHECK);
    free(a);
}

static void on_set(const redisReply *reply, void *data)
{
    attempt_t *a = data;
    bool taken = reply != NULL && reply->type == REDIS_REPLY_STATUS;
    bool held_elsewhere = reply != NULL && reply->type == REDIS_REPLY_NIL;
    if (taken || !held_elsewhere || uv_now(a->loop) >= a->give_up_at_ms) {
        a->turn(a->ctx, taken ? BK_FILL_FETCH_LOCKED : BK_FILL_FETCH_UNLOCKED);
        free(a);
        return;
    }
    if (prov_once_timer_start(a->loop, RECHECK_MS, on_wait_over, a) == NULL) { /* no timer: fetch now */
        a->turn(a->ctx, BK_FILL_FETCH_UNLOCKED);
        free(a);
    }
}

int bk_fill_acquire(store_t *store, uv_loop_t *loop, const char *lock_key, int lock_ms, uint64_t give_up_at_ms,
                    bk_fill_turn_cb turn, void *ctx)
{
    attempt_t *a = calloc(1, sizeof(*a));
    if (a == NULL) return -1;
    *a = (attempt_t){.loop = loop, .give_up_at_ms = give_up_at_ms, .turn = turn, .ctx = ctx};
    char ms[16];
    snprintf(ms, sizeof(ms), "%d", lock_ms);
    if (store_commandf(store, on_set, a, "SET %s 1 NX PX %s", lock_key, ms) != 0) {
        free(a);
        return -1;
    }
    return 0;
}

void bk_fill_release(store_t *store, const char *lock_key)
{
    store_commandf(store, NULL, NULL, "DEL %s", lock_key);
}
