/* server/compat_answer.c: the answers of the drop-in ClinicSync routes (see compat_answer.h). */
#include "server/compat_answer.h"

#include <stdlib.h>
#include <string.h>

#include "booking/appointments.h"
#include "booking/catalog_cache.h"
#include "server/appt_answer.h"
#include "server/compat_payload.h"
#include "server/worker.h"
#include "tz/tz.h"

typedef struct answer {
    srv_request_t *r;
    srv_idem_t *idem;
    srv_compat_action_t action;
    bool replayed;
    bk_appointment_t a; /* owned copy */
} answer_t;

static const char *const done_message[] = {"Appointment booked successfully", "Appointment updated successfully",
                                           "Appointment cancelled successfully"};

static json_object *shaped(srv_compat_family_t family, srv_compat_action_t action, json_object *appt)
{
    json_object *body = json_object_new_object();
    json_object_object_add(body, "success", json_object_new_boolean(1));
    if (family == SRV_COMPAT_GHL) {
        json_object_object_add(body, "message", json_object_new_string(done_message[action]));
        json_object_object_foreach(appt, key, val)
        {
            json_object_object_add(body, strcmp(key, "id") == 0 ? "appointment_id" : key, json_object_get(val));
        }
        json_object_put(appt);
    } else if (family == SRV_COMPAT_NOOKAL) {
        static const char *const member[] = {"appointment", "updated", "canceled"};
        if (action == SRV_COMPAT_BOOK) {
            json_object *id = NULL;
            json_object_object_get_ex(appt, "id", &id);
            json_object_object_add(body, "apptID", json_object_get(id));
        }
        json_object_object_add(body, member[action], appt);
    } else {
        if (action == SRV_COMPAT_BOOK) {
            json_object_object_add(body, "message", json_object_new_string(done_message[action]));
            json_object_object_add(body, "bookedAppointment", json_object_get(appt));
        }
        json_object_object_add(body, "appointment", appt);
    }
    return body;
}

static void on_catalog(prov_status_t status, const bk_catalog_t *catalog, bk_catalog_source_t source, void *data)
{
    answer_t *c = data;
    (void)source;
    if (srv_request_release(c->r)) {
        bk_catalog_t empty = {0};
        json_object *appt =
            bk_appointment_to_json(srv_render(c->r), status == PROV_OK ? catalog : &empty, &c->a, tz_now());
        json_object *body = shaped(srv_compat_family(c->r), c->action, appt);
        if (c->replayed) json_object_object_add(body, "replayed", json_object_new_boolean(1));
        srv_idem_json(c->r, c->idem, 200, body);
        json_object_put(body);
    }
    srv_idem_end(c->idem);
    bk_appointment_clear(&c->a);
    free(c);
}

void srv_compat_answer(srv_request_t *r, srv_idem_t *idem, srv_compat_action_t action, const bk_appointment_t *a,
                       bool replayed)
{
    answer_t *c = calloc(1, sizeof(*c));
    if (c == NULL || !bk_appointment_copy(&c->a, a)) {
        free(c);
        srv_idem_error(r, idem, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL, false);
        srv_idem_end(idem);
        return;
    }
    c->r = r;
    c->idem = idem;
    c->action = action;
    c->replayed = replayed;
    srv_request_hold(r);
    if (bk_catalog_get(&r->worker->booking, r->tenant, on_catalog, c) != 0)
        on_catalog(PROV_UNAVAILABLE, NULL, BK_SOURCE_CACHE, c);
}

void srv_compat_failure(srv_request_t *r, srv_idem_t *idem, int result, prov_status_t status)
{
    switch ((bk_write_result_t)result) {
    case BK_W_SLOT_TAKEN:
    case BK_W_SLOT_UNAVAILABLE:
        srv_idem_error(r, idem, API_ERR_TIME_UNAVAILABLE, NULL, "calendar.startTime", false);
        return;
    case BK_W_TOO_SOON:
        srv_idem_error(r, idem, API_ERR_TIME_UNAVAILABLE, "That time is sooner than the clinic's minimum notice.",
                       "calendar.startTime", false);
        return;
    case BK_W_TOO_FAR:
        srv_idem_error(r, idem, API_ERR_TIME_UNAVAILABLE, "That time is beyond the clinic's booking horizon.",
                       "calendar.startTime", false);
        return;
    case BK_W_ALREADY_CANCELLED:
        srv_idem_error(r, idem, API_ERR_APPOINTMENT_CANCELLED, NULL, "appointmentId", false);
        return;
    case BK_W_NOT_FOUND:
        srv_idem_error(r, idem, API_ERR_NOT_FOUND, "There is no such appointment.", "appointmentId", false);
        return;
    default:
        srv_answer_write_failure(r, idem, result, status);
        return;
    }
}
