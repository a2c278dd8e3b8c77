/* booking/direct_book.h: booking in one call, for callers that name the patient and the time together (the
 * drop-in ClinicSync routes): find or create the patient, hold the time after a fresh availability check, and
 * book the hold, through the same flows as lookup-create-patient, createAppt and bookAppt
 * (booking/patients.h, booking/appointments.h).
 *
 * Retry-safe like GET /voice/book: the same contact booking the same practitioner and start within
 * BK_VRETRY_TTL_MS gets the first booking back (booking/voice_retry.h), whether the first run is still writing,
 * holds its time, or has booked. The flow owns its state: once started it runs to its end even when the caller
 * has stopped waiting, so a booking the EMR made is always recorded for the retry. */
#ifndef FD_BOOKING_DIRECT_BOOK_H
#define FD_BOOKING_DIRECT_BOOK_H

#include <stdbool.h>
#include <stdint.h>

#include "booking/appointments.h"
#include "booking/catalog_cache.h"
#include "core/model.h"

/** What to book (strings borrowed for the call only). */
typedef struct bk_direct_book {
    const bk_tenant_t *tenant;
    const bk_patient_t *patient; /* first and last name, phone (E.164) or e-mail; dob, city, state, country optional */
    const char *staff_id, *treatment_id, *location_id;
    const char *time_zone; /* the location's IANA zone */
    int duration_minutes;  /* the treatment's */
    int64_t start, end;
} bk_direct_book_t;

/** How a direct booking ended. */
typedef struct bk_direct_outcome {
    bk_write_result_t result; /* BK_W_OK, or why nothing was booked (BK_W_UNSUPPORTED / BK_W_PROVIDER also when the
                                 patient could not be found or created) */
    prov_status_t status;     /* the provider's, for BK_W_PROVIDER */
    bool ambiguous_patient;   /* several patient records match the details equally (result BK_W_PROVIDER) */
    bool replayed;            /* the appointment is an earlier run's booking */
} bk_direct_outcome_t;

/** Receives the outcome and, for BK_W_OK, the booked appointment (borrowed). */
typedef void (*bk_direct_book_cb)(const bk_direct_outcome_t *outcome, const bk_appointment_t *appointment, void *data);

/** Books `request`. Returns 0 and calls cb exactly once later, or -1 (out of memory, Redis not connected, no phone
 * nor e-mail) and never calls it. */
int bk_direct_book(bk_env_t *env, const bk_direct_book_t *request, bk_direct_book_cb cb, void *data);

#endif
