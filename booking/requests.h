/* booking/requests.h: booking requests, for a tenant whose EMR cannot write appointments (PROV_CAP_NO_WRITE).
 *
 * bookAppt (and /voice/book) on such a tenant records a request instead of writing into the EMR: the claimed hold
 * becomes state "requested" and keeps the practitioner's time until the request's deadline (policy
 * request_ttl_minutes), so no other caller of ours can take it, and appointment.requested tells the clinic at once.
 * The clinic then confirms it (it entered it in its EMR) or declines it; the caller may withdraw it (cancel) or
 * move it (reschedule); nobody answering lets it expire at the deadline, which a sweep finds (request_sweep.h).
 *
 * Redis, all under the tenant's hash tag: fd:{t}:req:<id> the request's hash {state, hold, staff, treatment,
 * location, patient, start, end, zone, expires, lease, emr, reason}; fd:{t}:reqs:due the open requests scored by
 * their deadline; fd:{t}:reqs:patient:<patient> the open requests of one patient. Deadlines are on Redis' clock
 * (like holds). Ids come from prov_record_id ("req_" + 14 base-36 digits), never reused. A state change first
 * claims the request (state "changing" under a lease), so of two closers racing exactly one wins, then records
 * the change and its event in one transaction. A closed request (confirmed, declined, withdrawn, expired) is kept
 * 30 days, so closing it again answers the same. */
#ifndef FD_BOOKING_REQUESTS_H
#define FD_BOOKING_REQUESTS_H

#include <stdbool.h>
#include <stdint.h>

#include "booking/holds.h"
#include "booking/write_result.h"

#define BK_REQUEST_ID_CAP 32

/** True when the tenant's EMR cannot write appointments: bookings become requests. */
bool bk_requests_only(const bk_tenant_t *tenant);

/** True when id looks like a booking request's id ("req_..."). */
bool bk_request_is_id(const char *id);

/** A request as its routes answer it. Strings borrowed for the callback. */
typedef struct bk_request_view {
    const char *id;
    const char *state;              /* requested, confirmed, declined, withdrawn, expired */
    const char *hold_id;            /* the hold that keeps its time */
    bk_appointment_t appointment;   /* its time and who; state requested, booked (confirmed) or cancelled */
    const char *time_zone;          /* the location's zone */
    const char *emr_appointment_id; /* confirmed: the EMR's id when the clinic gave it, else "" */
    const char *reason;             /* declined or withdrawn: the reason given, else "" */
    int64_t expires;                /* its deadline (UTC ms, the service's clock) */
    bool again;                     /* it was closed this way before this call */
} bk_request_view_t;

/** Receives the end of a request operation: BK_W_OK with the request as it is now; BK_W_NOT_FOUND; BK_W_BUSY (being
 * changed right now); BK_W_REQUEST_CLOSED with the request (closed otherwise than asked, view->state says how);
 * BK_W_REDIS. view is NULL unless said. */
typedef void (*bk_request_done_cb)(bk_write_result_t result, const bk_request_view_t *view, void *data);

/** Turns a hold claimed by bookAppt (state "booking", hold borrowed) into a request with a new id, emitting
 * appointment.requested in the same transaction; answers the request (state requested). Same contract as
 * bk_appt_hold. */
int bk_request_record(bk_env_t *env, const bk_tenant_t *tenant, const bk_hold_t *hold, bk_request_done_cb cb,
                      void *data);

typedef enum bk_request_outcome {
    BK_REQUEST_CONFIRM,  /* the clinic entered it in its EMR: appointment.created; the time stays marked */
    BK_REQUEST_DECLINE,  /* the clinic cannot take it: appointment.request_declined; the time is released */
    BK_REQUEST_WITHDRAW, /* the caller cancelled it: appointment.cancelled; the time is released */
    BK_REQUEST_EXPIRE,   /* its deadline passed unanswered: appointment.request_expired; the time is released */
} bk_request_outcome_t;

/** Closes request `id` (text: the EMR's appointment id for CONFIRM, else the reason; may be NULL). Closing it again
 * the same way answers it again (no second event); a request closed another way, or past its deadline (which only
 * EXPIRE closes), is BK_W_REQUEST_CLOSED. EXPIRE closes only a request past its deadline. Same contract as
 * bk_appt_hold. */
int bk_request_close(bk_env_t *env, const bk_tenant_t *tenant, const char *id, bk_request_outcome_t outcome,
                     const char *text, bk_request_done_cb cb, void *data);

/** Claims open request `id` for a move (rescheduleAppt, booking/appt_changes.c): BK_W_OK with the request as it is
 * (then exactly one of bk_request_finish_move or bk_request_unclaim must follow), or why not as bk_request_close.
 * Same contract as bk_appt_hold. */
int bk_request_claim_move(bk_env_t *env, const bk_tenant_t *tenant, const char *id, bk_request_done_cb cb, void *data);

/** Ends a claimed move: the request takes the new hold (placed by bk_appt_hold, borrowed) until its deadline, the
 * old hold goes, and appointment.rescheduled is recorded, in one transaction; answers the moved request. old is the
 * view bk_request_claim_move answered (borrowed; its strings must live until this returns). */
void bk_request_finish_move(bk_env_t *env, const bk_tenant_t *tenant, const bk_request_view_t *old,
                            const bk_hold_t *hold, bk_request_done_cb cb, void *data);

/** Gives a claimed request back unchanged (the move failed). Fire and forget. */
void bk_request_unclaim(bk_env_t *env, const bk_tenant_t *tenant, const char *id);

/** Receives the open requests of some patients as appointments in state requested (owned by the callee: clear each
 * and free the array), or ok false when Redis failed. */
typedef void (*bk_requests_listed_cb)(bool ok, bk_appointment_t *list, size_t count, void *data);

/** Lists the open requests of up to 8 patients. Same contract as bk_appt_hold. */
int bk_requests_of_patients(bk_env_t *env, const bk_tenant_t *tenant, const char *const *patient_ids, size_t count,
                            bk_requests_listed_cb cb, void *data);

/** cancelAppt of a request: withdraws it, answered as an appointment (bk_appt_done_cb): a request closed already
 * is BK_W_ALREADY_CANCELLED, except a withdrawn one when `recovering` (bk_appt_cancel), answered again. Same
 * contract as bk_appt_hold. */
int bk_request_withdraw_as_appt(bk_env_t *env, const bk_tenant_t *tenant, const char *id, const char *reason,
                                bool recovering, bk_appt_done_cb cb, void *data);

/** bookAppt on a requests-only tenant: records the claimed hold as a request, answered as an appointment in state
 * requested whose id is the request's. Same contract as bk_appt_hold. */
int bk_request_record_as_appt(bk_env_t *env, const bk_tenant_t *tenant, const bk_hold_t *hold, bk_appt_done_cb cb,
                              void *data);

/** The appointment a view describes, its id the request's (borrowed from view). */
bk_appointment_t bk_request_as_appt(const bk_request_view_t *view);

/** Receives the ids of a tenant's requests past their deadline (borrowed), or none when another process sweeps. */
typedef void (*bk_requests_due_cb)(const char *const *ids, size_t count, void *data);

/** Takes the tenant's sweep lease for lease_ms (one process sweeps at a time) and, when it got it, reads up to 64
 * requests past their deadline. Same contract as bk_appt_hold. */
int bk_requests_due(bk_env_t *env, const bk_tenant_t *tenant, const char *owner, int lease_ms, bk_requests_due_cb cb,
                    void *data);

#endif
