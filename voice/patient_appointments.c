/* voice/patient_appointments.c: a caller's upcoming appointments, found by phone or by first and last name, with one
 * sentence that reads them out (see conversations.h). */
#include "voice/conversations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "booking/patients.h"
#include "core/phone.h"
#include "tz/tz.h"

#define NAME_CAP 128
#define SAY_MAX 3 /* appointments read out in the message; all are listed in the body */

typedef struct appts_call {
    const vc_call_t *v;
    int64_t now;
    bk_appointment_t *list; /* upcoming, booked or provisional, soonest first (owned copies) */
    size_t n;
    bool by_phone;
} appts_call_t;

static void call_free(appts_call_t *c)
{
    bk_appointments_free(c->list, c->n);
    free(c);
}

/* First thing in a callback: true when the call may still be answered and the lookup worked; answers the failure
 * when it did not. */
static bool resumed(const vc_call_t *v, prov_status_t status)
{
    if (!v->ops->release(v->host)) return false;
    if (status == PROV_OK) return true;
    vc_provider_failure(v, status);
    return false;
}

/* Nothing to read out: for a phone, no appointments for that number; for names, `by_name`. */
static void answer_none(const appts_call_t *c, const char *by_name)
{
    json_object *body = json_object_new_object();
    json_object_object_add(body, "appointments", json_object_new_array());
    vc_respond(c->v, body, c->by_phone ? "I couldn't find any upcoming appointments for that number." : by_name);
    json_object_put(body);
}

static void on_catalog(prov_status_t status, const bk_catalog_t *cat, bk_catalog_source_t source, void *data)
{
    appts_call_t *c = data;
    const vc_call_t *v = c->v;
    (void)source;
    if (!resumed(v, status)) goto done;
    json_object *list = json_object_new_array();
    char message[600];
    int len = snprintf(message, sizeof(message), "You have %zu upcoming appointment%s", c->n, c->n == 1 ? "" : "s");
    for (size_t i = 0; i < c->n; i++) {
        json_object *o = bk_appointment_to_json(v->render, cat, &c->list[i], c->now);
        json_object_array_add(list, o);
        if (i >= SAY_MAX || len < 0 || (size_t)len >= sizeof(message)) continue;
        json_object *spoken, *who;
        json_object_object_get_ex(o, "spoken", &spoken);
        json_object_object_get_ex(o, "staff_member_name", &who);
        const char *glue = i == 0 ? ": " : (i + 1 == c->n || i + 1 == SAY_MAX) ? ", and " : ", ";
        len += snprintf(message + len, sizeof(message) - (size_t)len, "%s%s%s%s", glue,
                        json_object_get_string(spoken), who != NULL ? " with " : "",
                        who != NULL ? json_object_get_string(who) : "");
    }
    if (len > 0 && (size_t)len + 1 < sizeof(message)) snprintf(message + len, sizeof(message) - (size_t)len, ".");
    json_object *body = json_object_new_object();
    json_object_object_add(body, "appointments", list);
    vc_respond(v, body, message);
    json_object_put(body);
done:
    call_free(c);
}

static void on_appointments(prov_status_t status, const bk_appointment_t *found, size_t n, void *data)
{
    appts_call_t *c = data;
    const vc_call_t *v = c->v;
    if (!resumed(v, status)) goto fail;
    c->list = calloc(n ? n : 1, sizeof(*c->list));
    if (c->list == NULL) {
        vc_plain_error(v, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        const bk_appointment_t *a = &found[i];
        if (a->start < c->now || (a->state != BK_APPT_BOOKED && a->state != BK_APPT_PROVISIONAL &&
                                  a->state != BK_APPT_REQUESTED))
            continue;
        if (!bk_appointment_copy(&c->list[c->n], a)) {
            vc_plain_error(v, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
            goto fail;
        }
        c->n++;
    }
    if (c->n == 0) {
        answer_none(c, "I couldn't find any upcoming appointments under that name.");
        goto fail;
    }
    if (vc_start_catalog(v, on_catalog, c)) return;
fail:
    call_free(c);
}

static void on_patients(prov_status_t status, const bk_patient_t *found, size_t n, void *data)
{
    appts_call_t *c = data;
    const vc_call_t *v = c->v;
    if (!resumed(v, status)) goto fail;
    if (n == 0) {
        answer_none(c, "I couldn't find a patient by that name.");
        goto fail;
    }
    const char *ids[BK_PATIENT_MAX_IDS];
    size_t k = n < BK_PATIENT_MAX_IDS ? n : BK_PATIENT_MAX_IDS;
    for (size_t i = 0; i < k; i++) ids[i] = found[i].id;
    v->ops->hold(v->host);
    if (bk_patient_appointments(v->booking, v->tenant, ids, k, c->now, on_appointments, c) == 0) return;
    v->ops->release(v->host);
    vc_plain_error(v, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
fail:
    call_free(c);
}

void vc_patient_appointments(const vc_call_t *v)
{
    char phone_in[64], phone[BK_PHONE_CAP], first[NAME_CAP], last[NAME_CAP];
    int has_phone = vc_param(v, "phone", phone_in, sizeof(phone_in));
    if (has_phone < 0) return;
    int has_first = vc_param(v, "first_name", first, sizeof(first));
    if (has_first < 0) return;
    int has_last = vc_param(v, "last_name", last, sizeof(last));
    if (has_last < 0) return;
    if (has_phone == 0 && (has_first == 0 || has_last == 0)) {
        vc_plain_error(v, API_ERR_MISSING_FIELD, "Give the caller's phone, or their first and last name.",
                       has_first ? "last_name" : "phone");
        return;
    }
    if (has_phone) {
        char why[128], message[256];
        if (bk_phone_normalize(phone_in, v->tenant->country, phone, why, sizeof(why)) != 0) {
            snprintf(message, sizeof(message), "phone is not a phone number we can read (%s).", why);
            vc_plain_error(v, API_ERR_INVALID_FIELD, message, "phone");
            return;
        }
    }
    appts_call_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        vc_plain_error(v, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        return;
    }
    c->v = v;
    c->now = tz_now();
    c->by_phone = has_phone != 0;
    v->ops->deadline_blames_emr(v->host);
    v->ops->hold(v->host);
    int rc = has_phone ? bk_patients_find_caller(v->booking, v->tenant, phone, first, last, on_patients, c)
                       : bk_patients_find_by_name(v->booking, v->tenant, first, last, NULL, on_patients, c);
    if (rc == 0) return;
    v->ops->release(v->host);
    call_free(c);
    if (rc == -2) {
        vc_plain_error(v, API_ERR_MISSING_FIELD,
                       "Please ask for the caller's first and last name; this clinic's "
                       "system can't look people up by phone alone.",
                       "last_name");
        return;
    }
    vc_plain_error(v, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
}
