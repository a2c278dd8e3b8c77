/* booking/appointments.h: the write flows of appointments over any provider (provider.h): hold a slot after a
 * fresh availability check, book a hold into the EMR (with conflict probe and rollback where the EMR has one,
 * and recovery of writes whose outcome was unknown), cancel, and reschedule without losing the original.
 *
 * Booked appointments are remembered in fd:{t}:appt:<id> (practitioner, treatment, location, patient, times),
 * so a reschedule knows what it moves; an EMR write that timed out is recorded on its hold ("unknown") or in
 * fd:{t}:pending:<id> and looked up in the EMR before anything is written again. */
#ifndef FD_BOOKING_APPOINTMENTS_H
#define FD_BOOKING_APPOINTMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "booking/catalog_cache.h"
#include "booking/holds.h"
#include "booking/write_result.h"
#include "core/model.h"
#include "metrics/metrics.h"
#include "providers/provider.h"
#include "tz/tz.h"

#define BK_BOOK_LEASE_MS 30000 /* how long a bookAppt keeps its hold claimed while the EMR writes */


/** The provider's openings bk_appt_hold read to check the time (a copy), and the window [from, to) they cover:
 * the whole local days of the time asked for. */
typedef struct bk_openings_read {
    prov_opening_t *items; /* malloc'd; the caller frees it (NULL while nothing was read) */
    size_t count;
    int64_t from, to;
} bk_openings_read_t;

/** What createAppt asks for (strings borrowed for the call only). */
typedef struct bk_slot_request {
    const bk_tenant_t *tenant;
    const char *staff_id, *treatment_id, *location_id, *patient_id;
    const char *time_zone; /* the location's IANA zone */
    int duration_minutes;  /* the treatment's, for the provider's availability */
    int64_t start, end, now;
    const prov_opening_t *counts_as_free; /* may be NULL: time treated as free (the appointment being moved) */
    bool own_hold_only; /* no hold at the EMR even when it holds natively (a move writes at once: that hold,
                         * which the move cannot carry, would refuse it) */
    const bk_hold_record_t *record; /* may be NULL: written with the hold (bk_hold_place_with); it and what it
                                     * points to stay valid until the callback */
    bk_openings_read_t *read;       /* may be NULL: receives the openings read, whatever the outcome (valid until
                                     * the callback, like record) */
} bk_slot_request_t;

/** The end of the tenant's booking horizon seen from now: the start of the local day max_days_ahead after today
 * in zone (INT64_MAX when that cannot be known). Nothing at or after it is offered or held. */
int64_t bk_horizon_end(const bk_tenant_t *tenant, const tz_zone_t *zone, int64_t now);

/** Receives a placed hold (borrowed) or why none was placed. */
typedef void (*bk_hold_done_cb)(bk_write_result_t result, prov_status_t status, const bk_hold_t *hold, void *data);

/** Checks [start, end) against the provider's availability now (not the cache), the notice and the horizon,
 * then holds it (and, for an EMR that holds natively, holds it there too: booking/emr_holds.h; the EMR's 409 is
 * BK_W_SLOT_TAKEN, its failure BK_W_PROVIDER, and our hold is released then). Returns 0 and calls cb exactly once later, or -1 (Redis down, bad times) and never calls it. */
int bk_appt_hold(bk_env_t *env, const bk_slot_request_t *request, bk_hold_done_cb cb, void *data);


/** Books hold `id` (token must match) into the EMR. A hold already booked answers its appointment again. Same
 * contract as bk_appt_hold. */
int bk_appt_book(bk_env_t *env, const bk_tenant_t *tenant, const char *id, const char *token, bk_appt_done_cb cb,
                 void *data);

/** bk_appt_book for GET /voice/book: a booking it answers is also written into the retry record retry_key while
 * that lives (booking/voice_retry.h, bk_vretry_set_booked); when this call booked the hold, in the same script as
 * the hold's settle and the remembered appointment, so no crash leaves one without the other. retry_key NULL:
 * bk_appt_book. */
int bk_appt_book_retry(bk_env_t *env, const bk_tenant_t *tenant, const char *id, const char *token,
                       const char *retry_key, bk_appt_done_cb cb, void *data);

/** Releases a hold that was not booked (cancelling a provisional appointment); BK_W_HOLD_EXPIRED when it is gone
 * or booked. Same contract as bk_appt_hold. */
int bk_appt_release_hold(bk_env_t *env, const bk_tenant_t *tenant, const char *id, const char *token,
                         bk_appt_done_cb cb, void *data);

/** Cancels an appointment; cancelling a cancelled one is BK_W_ALREADY_CANCELLED, except when `recovering` (an
 * earlier cancel with the same Idempotency-Key ended unknown), which answers it as cancelled. */
int bk_appt_cancel(bk_env_t *env, const bk_tenant_t *tenant, const char *id, const char *reason, bool recovering,
                   bk_appt_done_cb cb, void *data);

/** What rescheduleAppt asks for. end 0: start plus the treatment's duration. staff_id/location_id NULL: same. */
typedef struct bk_move_request {
    const bk_tenant_t *tenant;
    const char *appointment_id, *staff_id, *location_id;
    int64_t start, end, now;
} bk_move_request_t;

/** Moves an appointment: holds the new time first (fresh availability, the old time counting as free), then
 * asks the EMR to move it (or creates the new one and only then cancels the old one, for EMRs without a native
 * reschedule), so the original is kept whenever the new time cannot be booked. */
int bk_appt_reschedule(bk_env_t *env, const bk_move_request_t *request, bk_appt_done_cb cb, void *data);

/** True when [start, end) is covered by the union of the openings plus `extra` (may be NULL): the time is free. */
bool bk_time_covered(const prov_opening_t *openings, size_t count, const prov_opening_t *extra, int64_t start,
                     int64_t end);

/** Receives a remembered appointment (borrowed; NULL when none is remembered; state booked or cancelled, or for a
 * booking request requested, booked once confirmed, cancelled once closed otherwise) and its location's zone, or
 * ok false when Redis failed. */
typedef void (*bk_appt_recall_cb)(bool ok, const bk_appointment_t *appointment, const char *time_zone, void *data);

/** Reads what bk_appt_remember kept about an appointment, or a booking request (id "req_..."). Same contract as
 * bk_appt_hold. */
int bk_appt_recall(bk_env_t *env, const bk_tenant_t *tenant, const char *id, bk_appt_recall_cb cb, void *data);

/** Deletes the cached availability of a practitioner on the local dates [start, end) touches in time_zone (NULL:
 * every date it could touch in any zone). */
void bk_appt_invalidate(bk_env_t *env, const bk_tenant_t *tenant, const char *staff_id, const char *time_zone,
                        int64_t start, int64_t end);

/** Remembers a booked appointment in fd:{t}:appt:<id> (kept until 30 days after it ends), with the hold that
 * still marks its time (hold_id). Fire and forget. */
void bk_appt_remember(bk_env_t *env, const bk_tenant_t *tenant, const bk_appointment_t *appointment,
                      const char *time_zone, const char *hold_id);

/** Drops the booked-hold marker of a remembered appointment (after a cancel or a move), so its time is free at
 * once. Fire and forget. */
void bk_appt_release_marker(bk_env_t *env, const bk_tenant_t *tenant, const char *appointment_id);

#endif
