/* server/compat_answer.h: what the drop-in ClinicSync routes answer, in the shape each family of callers
 * documents (server/compat_payload.h):
 *   ClinicSync  book   {"success": true, "message": "Appointment booked successfully", "appointment": A,
 *                       "bookedAppointment": A}; update and cancel {"success": true, "appointment": A}
 *   Nookal      book   {"success": true, "apptID": id, "appointment": A}; update {"success": true, "updated": A};
 *               cancel {"success": true, "canceled": A}
 *   GHL         {"success": true, "message": ..., "appointment_id": id, and every other member of A at the top
 *               level} (flat, so a workflow can map each one into a custom value)
 * where A is the appointment object of the JSON API (booking/api_json.h). "replayed": true is added when the
 * answer is an earlier identical request's booking. Failures are the API's errors, with the statuses the ClinicSync
 * documentation gives (a time that cannot be booked and an already cancelled appointment are 422). */
#ifndef FD_SERVER_COMPAT_ANSWER_H
#define FD_SERVER_COMPAT_ANSWER_H

#include <stdbool.h>

#include "core/model.h"
#include "providers/provider.h"
#include "server/idempotent.h"
#include "server/request.h"

typedef enum srv_compat_action { SRV_COMPAT_BOOK = 0, SRV_COMPAT_UPDATE, SRV_COMPAT_CANCEL } srv_compat_action_t;

/** Answers 200 with the appointment a (copied) in r's family's shape for `action`, after reading the catalog for
 * the names; records the answer under idem and ends it (idem may be NULL). */
void srv_compat_answer(srv_request_t *r, srv_idem_t *idem, srv_compat_action_t action, const bk_appointment_t *a,
                       bool replayed);

/** Answers the error of a failed write (result: a bk_write_result_t) through idem (not ended). */
void srv_compat_failure(srv_request_t *r, srv_idem_t *idem, int result, prov_status_t status);

#endif
