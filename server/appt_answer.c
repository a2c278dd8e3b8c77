/* server/appt_answer.c: the JSON answers of the appointment routes (see appt_answer.h). */
#include "server/appt_answer.h"

#include <stdlib.h>

#include "booking/appointments.h"
#include "booking/write_failure.h"
#include "booking/catalog_cache.h"
#include "server/fields.h"
#include "server/worker.h"
#include "tz/tz.h"

/* The JSON routes' words for a failed write (NULL: the error's default sentence). */
static const char *write_failure_message(int result, prov_status_t status)
{
    switch ((bk_write_result_t)result) {
    case BK_W_TOO_SOON:
        return "start_at is sooner than the clinic's minimum notice.";
    case BK_W_TOO_FAR:
        return "start_at is beyond the clinic's booking horizon.";
    case BK_W_BUSY:
        return "Another request is changing this appointment right now; retry in a moment.";
    case BK_W_NOT_FOUND:
        return "There is no such appointment.";
    case BK_W_UNSUPPORTED:
        return "The clinic's system does not allow this change online.";
    case BK_W_PATIENT_NOT_FOUND:
        return "There is no such patient.";
    case BK_W_UNKNOWN:
        return "The clinic's system did not confirm in time; retry with the same request and we will check before "
               "booking again.";
    case BK_W_PROVIDER:
        return status == PROV_NOT_FOUND ? "There is no such record." : NULL;
    default:
        return NULL;
    }
}

void srv_answer_write_failure(srv_request_t *r, srv_idem_t *idem, int result, prov_status_t status)
{
    bk_write_failure_t f = bk_write_failure_of(result, status);
    if (f.retry_soon) srv_add_header(r, "retry-after", "1");
    if (f.emr_retry_after) srv_add_emr_retry_after(r);
    srv_idem_error(r, idem, f.error, write_failure_message(result, status), f.field, f.unknown);
}

/* ---- rendering ------------------------------------------------------------------------------------------------ */

/* An answer waiting for the catalog (names) before it is rendered. Owns copies of the appointments. */
typedef struct answer {
    srv_request_t *r;
    srv_idem_t *idem;
    int status;
    bool single;
    bk_appointment_t *v;
    size_t n;
    bool has_hold;
    bk_hold_t hold;
    int64_t now;
} answer_t;

static void answer_free(answer_t *a)
{
    bk_appointments_free(a->v, a->n);
    srv_idem_end(a->idem);
    free(a);
}

static void on_render_catalog(prov_status_t status, const bk_catalog_t *catalog, bk_catalog_source_t source, void *data)
{
    answer_t *a = data;
    srv_request_t *r = a->r;
    if (!srv_request_release(r)) {
        answer_free(a);
        return;
    }
    /* The write is done: an answer without names is better than none, so a failed catalog read still answers. */
    bk_catalog_t empty = {0};
    const bk_catalog_t *c = status == PROV_OK ? catalog : &empty;
    json_object *body = json_object_new_object();
    if (a->single) {
        json_object *o = bk_appointment_to_json(srv_render(r), c, &a->v[0], a->now);
        if (a->has_hold) {
            char expires[TZ_ISO_CAP];
            tz_format_utc(a->hold.expires, expires);
            json_object_object_add(o, "hold_expires_at", json_object_new_string(expires));
            json_object_object_add(o, "hold_token", json_object_new_string(a->hold.token));
        }
        json_object_object_add(body, "appointment", o);
    } else {
        json_object *list = json_object_new_array_ext((int)a->n);
        for (size_t i = 0; i < a->n; i++)
            json_object_array_add(list, bk_appointment_to_json(srv_render(r), c, &a->v[i], a->now));
        json_object_object_add(body, "appointments", list);
    }
    srv_idem_json(r, a->idem, a->status, body);
    json_object_put(body);
    answer_free(a);
}

void srv_answer_appointments(srv_request_t *r, srv_idem_t *idem, int status, const bk_appointment_t *v, size_t n,
                             bool single, const bk_hold_t *hold)
{
    answer_t *a = calloc(1, sizeof(*a));
    if (a == NULL) goto oom;
    *a = (answer_t){.r = r, .status = status, .single = single, .now = tz_now()};
    if ((a->v = calloc(n ? n : 1, sizeof(*a->v))) == NULL) goto oom_a;
    for (size_t i = 0; i < n; i++) {
        if (!bk_appointment_copy(&a->v[a->n], &v[i])) goto oom_a;
        a->n++;
    }
    if (hold != NULL) {
        a->has_hold = true;
        a->hold = *hold;
    }
    a->idem = idem;
    srv_request_hold(r);
    if (bk_catalog_get(&r->worker->booking, r->tenant, on_render_catalog, a) != 0)
        on_render_catalog(PROV_UNAVAILABLE, NULL, BK_SOURCE_CACHE, a);
    return;
oom_a:
    answer_free(a);
oom:
    srv_idem_error(r, idem, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL, false);
    srv_idem_end(idem);
}
