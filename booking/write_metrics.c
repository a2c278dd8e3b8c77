/* booking/write_metrics.c: booking write outcomes counted for /metrics (bk_count_write, booking/write_result.h). */
#include "booking/appointments.h"

static fd_mx_booking_outcome_t outcome_of(bk_write_result_t result, prov_status_t status)
{
    switch (result) {
    case BK_W_OK:
        return FD_MX_BOOKING_OUTCOME_DONE;
    case BK_W_SLOT_TAKEN:
    case BK_W_SLOT_UNAVAILABLE:
    case BK_W_HOLD_EXPIRED:
    case BK_W_BUSY:
    case BK_W_REQUEST_CLOSED:
    case BK_W_ALREADY_CANCELLED:
        return FD_MX_BOOKING_OUTCOME_CONFLICT;
    case BK_W_UNKNOWN:
        return FD_MX_BOOKING_OUTCOME_UNKNOWN;
    case BK_W_PROVIDER:
        if (status == PROV_CONFLICT) return FD_MX_BOOKING_OUTCOME_CONFLICT;
        return status == PROV_REJECTED || status == PROV_NOT_FOUND ? FD_MX_BOOKING_OUTCOME_REJECTED
                                                                   : FD_MX_BOOKING_OUTCOME_FAILED;
    case BK_W_REDIS:
        return FD_MX_BOOKING_OUTCOME_FAILED;
    default:
        return FD_MX_BOOKING_OUTCOME_REJECTED; /* too soon or far, not found, unsupported, not offered */
    }
}

void bk_count_write(fd_mx_booking_op_t op, bk_write_result_t result, prov_status_t status)
{
    fd_mx_booking(op, outcome_of(result, status));
}
