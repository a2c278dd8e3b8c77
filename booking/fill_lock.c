/* booking/fill_lock.c: the refill lock with a short wait-and-recheck (see fill_lock.h). */
#include "booking/fill_lock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/once_timer.h"
#include "store/script.h"

#define RECHECK_MIN_MS 2  /* a fill that has only just begun: look again very soon */
#define RECHECK_MAX_MS 50 /* a slow EMR: look again no more often than this */
#define TAKEN (-10)       /* the script's answer when the lock is ours */

typedef struct attempt {
    uv_loop_t *loop;
    uint64_t give_up_at_ms;
    bk_fill_turn_cb turn;
    void *ctx;
    prov_once_timer_t *timer; /* while waiting */
    struct attempt *next;     /* in this thread's waiting list */
    char key[];
} attempt_t;

/* This thread's attempts waiting on a lock: a release made on this thread (its loop, its Redis connection, so the
 * filler's writes are ahead of the waiter's re-read) wakes them at once instead of at their timer. */
static _Thread_local attempt_t *waiting;

/* KEYS[1] lock. ARGV lock ms. TAKEN when the lock is now ours, else how many ms it has left (PTTL). */
static store_script_t take_script = STORE_SCRIPT(
    "if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return -10 end "
    "return redis.call('PTTL', KEYS[1])");

static void unlist(attempt_t *a)
{
    for (attempt_t **at = &waiting; *at != NULL; at = &(*at)->next)
        if (*at == a) {
            *at = a->next;
            return;
        }
}

static void on_wait_over(void *data)
{
    attempt_t *a = data;
    unlist(a);
    a->turn(a->ctx, BK_FILL_RECHECK);
    free(a);
}

/* How long to wait before reading again: about as long as the fill has run so far (it is likely to end as soon
 * again), within [RECHECK_MIN_MS, RECHECK_MAX_MS]. */
static uint64_t recheck_ms(int lock_ms, long long left_ms)
{
    long long held = left_ms >= 0 && left_ms <= lock_ms ? lock_ms - left_ms : 0;
    if (held < RECHECK_MIN_MS) return RECHECK_MIN_MS;
    return held > RECHECK_MAX_MS ? RECHECK_MAX_MS : (uint64_t)held;
}

typedef struct take {
    attempt_t *a;
    int lock_ms;
} take_t;

static void on_take(const redisReply *reply, void *data)
{
    take_t t = *(take_t *)data;
    free(data);
    attempt_t *a = t.a;
    bool answered = reply != NULL && reply->type == REDIS_REPLY_INTEGER;
    bool taken = answered && reply->integer == TAKEN;
    if (taken || !answered || uv_now(a->loop) >= a->give_up_at_ms) {
        a->turn(a->ctx, taken ? BK_FILL_FETCH_LOCKED : BK_FILL_FETCH_UNLOCKED);
        free(a);
        return;
    }
    a->timer = prov_once_timer_start(a->loop, recheck_ms(t.lock_ms, reply->integer), on_wait_over, a);
    if (a->timer == NULL) { /* no timer: fetch now */
        a->turn(a->ctx, BK_FILL_FETCH_UNLOCKED);
        free(a);
        return;
    }
    a->next = waiting;
    waiting = a;
}

int bk_fill_acquire(store_t *store, uv_loop_t *loop, const char *lock_key, int lock_ms, uint64_t give_up_at_ms,
                    bk_fill_turn_cb turn, void *ctx)
{
    size_t key_len = strlen(lock_key);
    attempt_t *a = calloc(1, sizeof(*a) + key_len + 1);
    take_t *t = malloc(sizeof(*t));
    if (a == NULL || t == NULL) {
        free(a);
        free(t);
        return -1;
    }
    *a = (attempt_t){.loop = loop, .give_up_at_ms = give_up_at_ms, .turn = turn, .ctx = ctx};
    memcpy(a->key, lock_key, key_len + 1);
    *t = (take_t){.a = a, .lock_ms = lock_ms};
    char ms[16];
    snprintf(ms, sizeof(ms), "%d", lock_ms);
    const char *keys[] = {lock_key};
    const char *args[] = {ms};
    if (store_eval(store, &take_script, on_take, t, 1, keys, 1, args, NULL) != 0) {
        free(a);
        free(t);
        return -1;
    }
    return 0;
}

void bk_fill_release(store_t *store, const char *lock_key)
{
    store_commandf(store, NULL, NULL, "DEL %s", lock_key);
    for (attempt_t *a = waiting; a != NULL; a = a->next) {
        if (strcmp(a->key, lock_key) != 0) continue;
        prov_once_timer_t *now = prov_once_timer_start(a->loop, 0, on_wait_over, a);
        if (now == NULL) continue; /* its own timer still comes */
        prov_once_timer_cancel(a->timer);
        a->timer = now;
    }
}
