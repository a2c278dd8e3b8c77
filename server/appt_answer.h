/* server/appt_answer.h: what the JSON appointment routes (booking, patients) answer: an appointment or a list of
 * them with the catalog's names, and the error of a failed booking write. */
#ifndef FD_SERVER_APPT_ANSWER_H
#define FD_SERVER_APPT_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

#include "booking/holds.h"
#include "core/model.h"
#include "providers/provider.h"
#include "server/idempotent.h"
#include "server/request.h"

/** Answers {"appointment": v[0]} (single; with hold_expires_at and hold_token when hold is given) or
 * {"appointments": v} with status after reading the catalog for the names; records the answer under idem and
 * ends it (idem may be NULL). v is copied. */
void srv_answer_appointments(srv_request_t *r, srv_idem_t *idem, int status, const bk_appointment_t *v, size_t n,
                             bool single, const bk_hold_t *hold);

/** Answers the error of a failed booking write (result: a bk_write_result_t) through idem (not ended). */
void srv_answer_write_failure(srv_request_t *r, srv_idem_t *idem, int result, prov_status_t status);

#endif
