/* booking/voice_retry.h: the 10-minute retry guard of GET /voice/book: the same caller booking the same
 * practitioner and start within 10 minutes gets the first booking back, with or without an Idempotency-Key.
 *
 * fd:{t}:vbook:<sha256 hex of contact "\n" staff "\n" start> is a hash {owner, lease, hold, appt, patient, staff,
 * treatment, location, start, end} living BK_VRETRY_TTL_MS from the first claim. The contact is the caller's E.164
 * phone (else lower-case e-mail): it is known before the patient is looked up, so two identical requests racing
 * for a new caller never create two patients. One Lua script decides, on Redis' clock: first (the key is new, or
 * its owner's lease ran out before it placed a hold: run the booking), running (the first is still before its
 * hold: wait and ask again), held (the first placed this hold: book that same hold, which answers its booking, is
 * BUSY while the first writes, and recovers an unknown EMR write), booked (answer the stored appointment). */
#ifndef FD_BOOKING_VOICE_RETRY_H
#define FD_BOOKING_VOICE_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "booking/catalog_cache.h"
#include "booking/holds.h"
#include "core/model.h"

#define BK_VRETRY_TTL_MS (10LL * 60 * 1000) /* how long a booking answers its retries */
#define BK_VRETRY_LEASE_MS 15000             /* a first run that placed no hold by then is presumed dead */
#define BK_VRETRY_KEY_CAP 160
#define BK_VRETRY_OWNER_CAP 33

typedef enum bk_vretry_verdict {
    BK_VRETRY_FIRST = 0, /* this request runs the booking (owner recorded) */
    BK_VRETRY_RUNNING,   /* another request is booking it and has no hold yet */
    BK_VRETRY_HELD,      /* the first run holds `hold` (public id): book that hold */
    BK_VRETRY_BOOKED,    /* booked: `appointment` */
    BK_VRETRY_FAILED,    /* Redis failed */
} bk_vretry_verdict_t;

/** Receives a verdict; hold (public id) only for HELD, appointment (borrowed) only for BOOKED. */
typedef void (*bk_vretry_cb)(bk_vretry_verdict_t verdict, const char *hold, const bk_appointment_t *appointment,
                             void *data);

/** Writes the record key of (contact, staff, start) into key (BK_VRETRY_KEY_CAP). */
void bk_vretry_key(const bk_tenant_t *tenant, const char *contact, const char *staff_id, int64_t start,
                   char key[BK_VRETRY_KEY_CAP]);

/** Writes a new random owner id (32 hex) into owner. Returns 0, or -1 when there is no randomness. */
int bk_vretry_owner(char owner[BK_VRETRY_OWNER_CAP]);

/** Claims key for owner, or reports what the first run has got to. takeover_hold (may be NULL): a public hold id
 * this caller found gone (expired unbooked): a record still naming it is taken over as FIRST. Returns 0 and calls
 * cb exactly once later, or -1 (Redis not connected) and never calls it. */
int bk_vretry_claim(bk_env_t *env, const char *key, const char *owner, const char *takeover_hold, bk_vretry_cb cb,
                    void *data);

/** The record write of bk_vretry_set_hold, for a caller that writes it in the script placing the hold
 * (booking/holds.h, bk_hold_place_with): rec (borrowing key, owner and fields) names the new hold while owner
 * still owns key. */
void bk_vretry_hold_record(const char *key, const char *owner, const char *fields[2], bk_hold_record_t *rec);

/** Records the hold the owner placed (public id). Fire and forget. */
void bk_vretry_set_hold(bk_env_t *env, const char *key, const char *owner, const char *hold);

#define BK_VRETRY_BOOKED_FIELDS 7 /* name-value pairs bk_vretry_booked_fields writes */

/** The record's fields for a booked appointment (names and values alternating, 2 * BK_VRETRY_BOOKED_FIELDS,
 * borrowing from a, start and end), as bk_vretry_set_booked writes them: for a caller that writes them in its own
 * script (booking/holds.h, bk_hold_settle_with, only while the record lives). */
void bk_vretry_booked_fields(const bk_appointment_t *a, char start[24], char end[24],
                             const char *fields[2 * BK_VRETRY_BOOKED_FIELDS]);

/** Records the booked appointment (whoever booked it: the first run or a retry that booked its hold). Fire and
 * forget. */
void bk_vretry_set_booked(bk_env_t *env, const char *key, const bk_appointment_t *appointment);

/** Gives a claim back when nothing was booked (the record is deleted if owner still owns it and it holds no
 * appointment), so a retry books afresh. Fire and forget. */
void bk_vretry_release(bk_env_t *env, const char *key, const char *owner);

#endif
