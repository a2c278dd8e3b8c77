/* server/routes_requests.c: POST /ai_brain/confirmRequest and /ai_brain/declineRequest, which close a booking
 * request (booking/requests.h) once the clinic entered it in its EMR or cannot take it. */
#include "server/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking/requests.h"
#include "server/appt_answer.h"
#include "server/fields.h"
#include "server/idempotent.h"
#include "server/worker.h"
#include "tz/tz.h"

typedef struct close_call {
    srv_request_t *r;
    srv_idem_t *idem;
} close_call_t;

/* {"request": {...}}: the request as it is now. */
static json_object *request_json(const bk_request_view_t *v)
{
    char start[TZ_ISO_CAP], end[TZ_ISO_CAP], expires[TZ_ISO_CAP];
    tz_format_utc(v->appointment.start, start);
    tz_format_utc(v->appointment.end, end);
    tz_format_utc(v->expires, expires);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(v->id));
    json_object_object_add(o, "state", json_object_new_string(v->state));
    json_object_object_add(o, "appointment_id",
                           v->emr_appointment_id[0] != '\0' ? json_object_new_string(v->emr_appointment_id) : NULL);
    json_object_object_add(o, "reason", v->reason[0] != '\0' ? json_object_new_string(v->reason) : NULL);
    json_object_object_add(o, "start_at", json_object_new_string(start));
    json_object_object_add(o, "end_at", json_object_new_string(end));
    json_object_object_add(o, "time_zone", json_object_new_string(v->time_zone));
    json_object_object_add(o, "staff_member_id", json_object_new_string(v->appointment.staff_id));
    json_object_object_add(o, "treatment_id", json_object_new_string(v->appointment.treatment_id));
    json_object_object_add(o, "location_id", json_object_new_string(v->appointment.location_id));
    json_object_object_add(o, "patient_id", json_object_new_string(v->appointment.patient_id));
    json_object_object_add(o, "expires_at", json_object_new_string(expires));
    json_object *body = json_object_new_object();
    json_object_object_add(body, "request", o);
    return body;
}

static void on_closed(bk_write_result_t result, const bk_request_view_t *view, void *data)
{
    close_call_t *c = data;
    srv_request_t *r = c->r;
    srv_idem_t *idem = c->idem;
    free(c);
    if (!srv_request_release(r)) {
        srv_idem_end(idem);
        return;
    }
    if (result == BK_W_OK && view != NULL) {
        json_object *body = request_json(view);
        srv_idem_json(r, idem, 200, body);
        json_object_put(body);
    } else if (result == BK_W_REQUEST_CLOSED && view != NULL) {
        char message[160];
        snprintf(message, sizeof(message), "That booking request is %s already.", view->state);
        srv_idem_error(r, idem, API_ERR_REQUEST_CLOSED, message, "request_id", false);
    } else if (result == BK_W_NOT_FOUND) {
        srv_idem_error(r, idem, API_ERR_NOT_FOUND, "There is no such booking request.", "request_id", false);
    } else {
        srv_answer_write_failure(r, idem, result, PROV_UNAVAILABLE);
    }
    srv_idem_end(idem);
}

/* Reads request_id and the optional text field, then closes the request with `outcome`. */
static void close_go(srv_request_t *r, srv_idem_t *idem, bk_request_outcome_t outcome, const char *text_field,
                     size_t text_max)
{
    char id[BK_REQUEST_ID_CAP];
    const char *text = NULL;
    if (!srv_field_id(r, "request_id", true, id, sizeof(id)) || !srv_field_string(r, text_field, &text)) {
        srv_idem_end(idem);
        return;
    }
    if (text != NULL && strlen(text) > text_max) {
        char message[96];
        snprintf(message, sizeof(message), "%s may be at most %zu characters.", text_field, text_max);
        srv_idem_error(r, idem, API_ERR_INVALID_FIELD, message, text_field, false);
        srv_idem_end(idem);
        return;
    }
    if (!bk_request_is_id(id)) {
        srv_idem_error(r, idem, API_ERR_NOT_FOUND, "There is no such booking request.", "request_id", false);
        srv_idem_end(idem);
        return;
    }
    close_call_t *c = malloc(sizeof(*c));
    if (c == NULL) {
        srv_idem_error(r, idem, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL, false);
        srv_idem_end(idem);
        return;
    }
    *c = (close_call_t){r, idem};
    srv_request_hold(r);
    if (bk_request_close(&r->worker->booking, r->tenant, id, outcome, text, on_closed, c) != 0) {
        free(c);
        srv_request_release(r);
        srv_idem_error(r, idem, API_ERR_REDIS_UNAVAILABLE, NULL, NULL, false);
        srv_idem_end(idem);
    }
}

static void confirm_go(srv_request_t *r, srv_idem_t *idem, bool recovering)
{
    close_go(r, idem, BK_REQUEST_CONFIRM, "appointment_id", BK_HOLD_FIELD_CAP - 1);
}

static void decline_go(srv_request_t *r, srv_idem_t *idem, bool recovering)
{
    close_go(r, idem, BK_REQUEST_DECLINE, "reason", 500);
}

void srv_route_confirm_request(srv_request_t *r)
{
    srv_idem_run(r, confirm_go);
}

void srv_route_decline_request(srv_request_t *r)
{
    srv_idem_run(r, decline_go);
}
