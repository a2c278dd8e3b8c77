/* booking/write_failure.c: the one table of booking write failures (see write_failure.h). */
#include "booking/write_failure.h"

#include "booking/appointments.h"

bk_write_failure_t bk_write_failure_of(int result, prov_status_t status)
{
    switch ((bk_write_result_t)result) {
    case BK_W_SLOT_TAKEN:
        return (bk_write_failure_t){.error = API_ERR_SLOT_TAKEN, .field = "start_at"};
    case BK_W_SLOT_UNAVAILABLE:
        return (bk_write_failure_t){.error = API_ERR_SLOT_UNAVAILABLE, .field = "start_at"};
    case BK_W_TOO_SOON:
    case BK_W_TOO_FAR:
        return (bk_write_failure_t){.error = API_ERR_INVALID_RANGE, .field = "start_at"};
    case BK_W_HOLD_EXPIRED:
        return (bk_write_failure_t){.error = API_ERR_HOLD_EXPIRED, .field = "appointment_id"};
    case BK_W_BUSY:
        return (bk_write_failure_t){.error = API_ERR_IDEMPOTENCY_IN_PROGRESS, .field = "appointment_id",
                                    .retry_soon = true};
    case BK_W_NOT_FOUND:
        return (bk_write_failure_t){.error = API_ERR_NOT_FOUND, .field = "appointment_id"};
    case BK_W_ALREADY_CANCELLED:
        return (bk_write_failure_t){.error = API_ERR_ALREADY_CANCELLED, .field = "appointment_id"};
    case BK_W_UNSUPPORTED:
        return (bk_write_failure_t){.error = API_ERR_NOT_BOOKABLE_ONLINE};
    case BK_W_NOT_OFFERED:
        return (bk_write_failure_t){.error = API_ERR_NOT_OFFERED, .field = "staff_member_id"};
    case BK_W_PATIENT_NOT_FOUND:
        return (bk_write_failure_t){.error = API_ERR_NOT_FOUND, .field = "patient_id"};
    case BK_W_REQUEST_CLOSED:
        return (bk_write_failure_t){.error = API_ERR_REQUEST_CLOSED, .field = "request_id"};
    case BK_W_UNKNOWN:
        return (bk_write_failure_t){.error = API_ERR_EMR_TIMEOUT, .unknown = true};
    case BK_W_PROVIDER: {
        /* a write's record the EMR does not have is the appointment asked about (a patient's is
         * BK_W_PATIENT_NOT_FOUND); a conflict is the asked time taken in the EMR */
        const char *field = status == PROV_NOT_FOUND ? "appointment_id" : status == PROV_CONFLICT ? "start_at" : NULL;
        return (bk_write_failure_t){.error = api_error_of_provider(status), .field = field,
                                    .emr_retry_after = status == PROV_RATE_LIMITED};
    }
    default:
        return (bk_write_failure_t){.error = API_ERR_REDIS_UNAVAILABLE};
    }
}
