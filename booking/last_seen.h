/* booking/last_seen.h: the practitioner a caller saw last, found by their phone, for bestSlot's continuity term
 * (core/best_slot.h: last_seen_staff).
 *
 * The caller's patients are found by phone where the EMR searches phones (an EMR that cannot, Cliniko, gives no
 * answer: asking for a name would cost the caller a question); their appointments are listed, and the practitioner
 * of the latest one that started before now and was booked or attended (not cancelled, not a no-show, not a
 * request) is the answer. Each worker keeps answers (a practitioner, or "nobody") for BK_LAST_SEEN_TTL_MS, keyed by
 * the tenant and a SHA-256 of the phone, so the phone itself is neither kept nor logged.
 *
 * Bounded: the caller waits at most wait_ms; a lookup still running then goes on and fills the cache for the
 * caller's next question. A failed lookup is not kept. */
#ifndef FD_BOOKING_LAST_SEEN_H
#define FD_BOOKING_LAST_SEEN_H

#include <stdbool.h>
#include <stdint.h>

#include "booking/catalog_cache.h"

#define BK_LAST_SEEN_TTL_MS (10 * 60 * 1000)
#define BK_LAST_SEEN_SLOTS  256 /* answers a worker keeps (direct-mapped: a newer caller may replace an older one) */
#define BK_LAST_SEEN_ID_CAP 160

/** How a lookup ended, for the caller's choice of what to say and keep. */
typedef enum bk_last_seen_outcome {
    BK_LAST_SEEN_KNOWN = 0, /* staff_id is the practitioner seen last */
    BK_LAST_SEEN_NOBODY,    /* no patient with that phone, or none of their appointments counts */
    BK_LAST_SEEN_UNKNOWN,   /* the EMR cannot search phones, failed, or did not answer within wait_ms */
} bk_last_seen_outcome_t;

/** Receives the outcome and, when KNOWN, the practitioner's id (borrowed for the callback). */
typedef void (*bk_last_seen_cb)(bk_last_seen_outcome_t outcome, const char *staff_id, void *data);

/** Called once a lookup no longer uses the tenant or its provider (after its bk_last_seen_cb). */
typedef void (*bk_last_seen_done_cb)(void *done_data);

/** Finds the practitioner the caller with phone (E.164) saw last before now (UTC ms). Calls cb exactly once: before
 * returning when the worker knows the answer (or when no lookup can start: UNKNOWN), else later, within wait_ms.
 * Calls done exactly once, after cb: at once when no lookup runs, else when the EMR's last answer is in, which may
 * be after the caller's wait; until then the caller keeps tenant (and the config it belongs to) alive. */
void bk_last_seen(bk_env_t *env, const bk_tenant_t *tenant, const char *phone, int64_t now, uint64_t wait_ms,
                  bk_last_seen_cb cb, void *data, bk_last_seen_done_cb done, void *done_data);

/** Frees the worker's kept answers, after bk_env_close_store (lookups still running then keep nothing more). */
void bk_last_seen_dispose(bk_env_t *env);

#endif
