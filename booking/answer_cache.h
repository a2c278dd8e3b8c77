/* booking/answer_cache.h: a worker's recent /voice/bestSlot answers, for the same question asked again within a
 * second while nothing it read has changed.
 *
 * An answer is kept with the read cache's epoch (worker_store.h: bk_env_cache_epoch) of the moment its reads
 * began; any reported change to any tracked key (a hold, a booking, a refill, a catalog change) moves the epoch on
 * and so retires every kept answer. What remains is time: an answer is at most BK_ANSWER_MAX_AGE_MS old, so a slot
 * that just crossed the notice boundary, or "today" at midnight, is wrong for at most that long (booking checks
 * both again). Only complete answers are kept (no stale catalog, no partial search). */
#ifndef FD_BOOKING_ANSWER_CACHE_H
#define FD_BOOKING_ANSWER_CACHE_H

#include <stddef.h>
#include <stdint.h>

#define BK_ANSWER_MAX_AGE_MS 1000

typedef struct bk_answer_cache bk_answer_cache_t;

/** An empty cache of `slots` answers (direct-mapped: a newer question may replace an older one). NULL when out
 * of memory. */
bk_answer_cache_t *bk_answer_cache_create(size_t slots);

/** Frees the cache. NULL is fine. */
void bk_answer_cache_destroy(bk_answer_cache_t *cache);

/** The kept answer to `question` (tenant id, then the raw query string) for this epoch, no older than
 * BK_ANSWER_MAX_AGE_MS at now_ms: its body (borrowed until the next put) and status; NULL when there is none. */
const char *bk_answer_cache_get(bk_answer_cache_t *cache, const char *tenant, const char *question, size_t question_len,
                                uint64_t epoch, uint64_t now_ms, size_t *len, int *status);

/** Keeps an answer computed from reads that began at `epoch` and at `now_ms`. Silently keeps nothing when out
 * of memory. */
void bk_answer_cache_put(bk_answer_cache_t *cache, const char *tenant, const char *question, size_t question_len,
                         uint64_t epoch, uint64_t now_ms, int status, const char *body, size_t len);

#endif
