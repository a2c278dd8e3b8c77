/* booking/widget_limits.h: the limits that bound what a publishable (browser) key invites, shared by every
 * frontdesk process through Redis.
 *
 * A limit is a fixed-window counter (requests a minute, patients created an hour) or a set of open items that
 * each count for a while (holds placed and not yet expired). bk_limits_take checks several at once and takes them
 * all or none, in one script on Redis' clock, so two processes cannot both take the last one. Keys are
 * fd:{tenant}:wl:<name>; names are the caller's (e.g. "ip:203.0.113.9:req"). */
#ifndef FD_BOOKING_WIDGET_LIMITS_H
#define FD_BOOKING_WIDGET_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#include "booking/catalog_cache.h"
#include "core/model.h"

#define BK_LIMIT_NAME_CAP 96
#define BK_LIMITS_MAX     7 /* keys and args of one script stay within store_eval's 16 */

typedef enum bk_limit_kind {
    BK_LIMIT_WINDOW, /* counts one per take; at most max in a window of period_ms from the window's first take */
    BK_LIMIT_CHECK,  /* a window counted elsewhere (bk_limit_count): checked, not counted, by a take */
    BK_LIMIT_OPEN,   /* at most max items that each count for period_ms after the take that added it */
} bk_limit_kind_t;

typedef struct bk_limit {
    bk_limit_kind_t kind;
    char name[BK_LIMIT_NAME_CAP];
    int max;           /* >= 1 */
    int64_t period_ms; /* >= 1 */
} bk_limit_t;

/** verdict 1: taken; 0: limits[which] is spent, retry after retry_after_s (>= 1); -1: Redis failed. */
typedef void (*bk_limits_cb)(int verdict, size_t which, int retry_after_s, void *data);

/** Takes limits[0..n) (n <= BK_LIMITS_MAX) of the tenant at once when none is spent, else none. Returns 0 and
 * calls cb exactly once later, or -1 (Redis not connected, bad arguments) and never calls it. */
int bk_limits_take(bk_env_t *env, const bk_tenant_t *tenant, const bk_limit_t *limits, size_t n, bk_limits_cb cb,
                   void *data);

/** Counts one in the window `name` (period_ms long from its first count), which a BK_LIMIT_CHECK limit of the
 * same name reads. Fire and forget. */
void bk_limit_count(bk_env_t *env, const bk_tenant_t *tenant, const char *name, int64_t period_ms);

#endif
