/* booking/write_result.h: how a booking write ended (createAppt's hold, bookAppt, cancel, reschedule, and the
 * booking requests of booking/requests.h), the answer of a write that yields an appointment, and its counting for
 * /metrics. */
#ifndef FD_BOOKING_WRITE_RESULT_H
#define FD_BOOKING_WRITE_RESULT_H

#include "core/model.h"
#include "metrics/metrics.h"
#include "providers/provider.h"

typedef enum bk_write_result {
    BK_W_OK = 0,
    BK_W_SLOT_TAKEN,        /* a live hold or a booking of that practitioner overlaps (409 slot_taken) */
    BK_W_SLOT_UNAVAILABLE,  /* fresh availability does not offer that time (409 slot_unavailable) */
    BK_W_TOO_SOON,          /* earlier than the minimum notice (422) */
    BK_W_TOO_FAR,           /* beyond the booking horizon (422) */
    BK_W_HOLD_EXPIRED,      /* the hold expired, never existed or has another token (409 hold_expired) */
    BK_W_BUSY,              /* another request is writing the same thing right now (409) */
    BK_W_NOT_FOUND,         /* no such appointment (404) */
    BK_W_ALREADY_CANCELLED, /* 409 already_cancelled */
    BK_W_UNSUPPORTED,       /* the provider cannot do it (422) */
    BK_W_PROVIDER,          /* the provider failed before writing anything: see status */
    BK_W_UNKNOWN,           /* the EMR did not answer a write in time: recorded; a retry looks before writing */
    BK_W_REDIS,             /* Redis failed (503) */
    BK_W_NOT_OFFERED,       /* reschedule: that practitioner, treatment and location do not go together (422) */
    BK_W_PATIENT_NOT_FOUND, /* bookAppt: the EMR has no such patient (e.g. an id from before a data loss) (404) */
    BK_W_REQUEST_CLOSED,    /* a booking request was closed otherwise than asked (409 request_closed) */
} bk_write_result_t;

/** Receives an appointment (borrowed) or why there is none. */
typedef void (*bk_appt_done_cb)(bk_write_result_t result, prov_status_t status, const bk_appointment_t *appointment,
                                void *data);

/** Counts a finished write of kind `op` for /metrics (booking/write_metrics.c) by its result: done (BK_W_OK);
 * conflict (the time or the record was taken, held, busy or already cancelled, or the EMR said 409); rejected (it
 * cannot be done as asked: notice, horizon, unknown record, unsupported, not offered); unknown (the EMR did not
 * answer a write in time); failed (Redis, or the EMR failed before writing). */
void bk_count_write(fd_mx_booking_op_t op, bk_write_result_t result, prov_status_t status);

#endif
