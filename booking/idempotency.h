/* booking/idempotency.h: Idempotency-Key records in Redis (fd:{t}:idem:<sha256 of the key>): claim, replay,
 * finish, and the request fingerprint (route + SHA-256 of the canonical body) they are compared by.
 *
 * A record is a hash {state, fp, owner, lease, prev, status, body}. state "running" while the first request
 * works (its lease runs out after BK_IDEM_LEASE_MS, e.g. when the process died), "done" with the stored answer
 * (replayed for 24 h), "unknown" when an EMR write may or may not have happened (the next claim recovers). */
#ifndef FD_BOOKING_IDEMPOTENCY_H
#define FD_BOOKING_IDEMPOTENCY_H

#include <json.h>
#include <stddef.h>

#include "store/store.h"

#define BK_IDEM_TTL_MS (24LL * 3600 * 1000)
#define BK_IDEM_LEASE_MS 30000
#define BK_IDEM_KEY_MAX 255   /* longest Idempotency-Key accepted */
#define BK_IDEM_BODY_MAX 65536 /* longest answer stored for replay */

typedef enum bk_idem_verdict {
    BK_IDEM_CLAIMED = 0, /* first use: run the request, then bk_idem_finish or bk_idem_release */
    BK_IDEM_RECOVER,     /* an earlier run ended unknown (or died): run again, checking the EMR before writing */
    BK_IDEM_REPLAY,      /* done before: answer status/body */
    BK_IDEM_IN_PROGRESS, /* the first request still runs: 409 */
    BK_IDEM_REUSED,      /* the key came with another request: 422 */
    BK_IDEM_FAILED,      /* Redis failed: 503 */
} bk_idem_verdict_t;

/** Receives a claim's verdict; status and body (borrowed) only for BK_IDEM_REPLAY. */
typedef void (*bk_idem_cb)(bk_idem_verdict_t verdict, int status, const char *body, size_t len, void *data);

/** Writes the SHA-256 (hex) of route + "\n" + the canonical form of body (objects with sorted keys, no
 * whitespace), so the same request written in another key order has the same fingerprint. Returns 0, or -1
 * when out of memory. */
int bk_idem_fingerprint(const char *route, json_object *body, char out[65]);

/** Writes the canonical JSON of v into a new string (caller frees), or NULL when out of memory. */
char *bk_idem_canonical_json(json_object *v);

/** Writes the record key "fd:{<tenant>}:idem:<sha256 hex of key>" into buf. */
void bk_idem_record_key(const char *tenant, const char *key, size_t key_len, char *buf, size_t cap);

/** Claims record_key for this request (fingerprint fp, owner: a random id of this claim). Returns 0 and calls cb
 * exactly once later, or -1 (Redis not connected) and never calls it. */
int bk_idem_claim(store_t *store, const char *record_key, const char *fp, const char *owner, bk_idem_cb cb,
                  void *data);

/** Stores the answer of a claim it still owns: state "done" (replayed for 24 h) or, when unknown is non-zero,
 * "unknown" (the next claim recovers). Fire and forget. */
void bk_idem_finish(store_t *store, const char *record_key, const char *owner, int unknown, int status,
                    const char *body, size_t len);

/** Gives a claim back without an answer (nothing was done): the record is deleted, or returns to "unknown"
 * when this claim was a recovery. Fire and forget. */
void bk_idem_release(store_t *store, const char *record_key, const char *owner);

#endif
