/* booking/write_failure.h: what a failed booking write (booking/appointments.h) means to whoever called it: one
 * table for the JSON routes and the voice routes alike, so both answer the same error, name the same field and
 * ask for the same retry. Only the words differ: the JSON routes explain, the voice routes give a sentence to say. */
#ifndef FD_BOOKING_WRITE_FAILURE_H
#define FD_BOOKING_WRITE_FAILURE_H

#include <stdbool.h>

#include "booking/api_error.h"
#include "providers/provider.h"

typedef struct bk_write_failure {
    api_error_t error;
    const char *field;    /* the request field at fault (static), or NULL */
    bool retry_soon;      /* answer Retry-After: 1 (another request is changing the same appointment) */
    bool emr_retry_after; /* answer the EMR's own Retry-After (its rate limit) */
    bool unknown;         /* the EMR may have written: record it so a retry looks before writing again */
} bk_write_failure_t;

/** The failure of result (a bk_write_result_t other than BK_W_OK); status is the provider's, read for
 * BK_W_PROVIDER only. A result outside the enum is Redis' failure (503 redis_unavailable). */
bk_write_failure_t bk_write_failure_of(int result, prov_status_t status);

#endif
