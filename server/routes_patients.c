/* server/routes_patients.c: POST /ai_brain/lookup-create-patient and fetchPatientsAppointments. */
#include "server/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "booking/appointments.h"
#include "booking/patients.h"
#include "core/phone.h"
#include "server/appt_answer.h"
#include "server/fields.h"
#include "server/idempotent.h"
#include "server/widget_gate.h"
#include "server/worker.h"
#include "tz/tz.h"

#define NAME_MAX_BYTES 200

typedef struct patient_call {
    srv_request_t *r;
    srv_idem_t *idem;
} patient_call_t;

static void call_end(patient_call_t *c)
{
    srv_idem_end(c->idem);
    free(c);
}

/* Reads a required or optional non-blank string of at most NAME_MAX_BYTES. */
static bool text_field(srv_request_t *r, const char *name, bool required, const char **out)
{
    char message[160];
    if (!srv_field_string(r, name, out)) return false;
    if (*out == NULL && !required) return true;
    if (*out == NULL) {
        snprintf(message, sizeof(message), "%s is required.", name);
        srv_respond_error(r, API_ERR_MISSING_FIELD, message, name);
        return false;
    }
    size_t len = strlen(*out), blank = strspn(*out, " \t");
    if (len == 0 || blank == len || len > NAME_MAX_BYTES) {
        snprintf(message, sizeof(message), "%s must be 1 to %d characters of text.", name, NAME_MAX_BYTES);
        srv_respond_error(r, API_ERR_INVALID_FIELD, message, name);
        return false;
    }
    return true;
}

/* Normalises the body's phone and email into the buffers (NULL *out when absent); answers 400 and returns false
 * when one is malformed. */
static bool contact_fields(srv_request_t *r, char phone[BK_PHONE_CAP], char email[BK_EMAIL_CAP], const char **p_out,
                           const char **e_out)
{
    const char *phone_in, *email_in;
    char why[128], message[256];
    *p_out = *e_out = NULL;
    if (!srv_field_string(r, "phone", &phone_in) || !srv_field_string(r, "email", &email_in)) return false;
    if (phone_in != NULL && phone_in[0] != '\0') {
        if (bk_phone_normalize(phone_in, r->tenant->country, phone, why, sizeof(why)) != 0) {
            snprintf(message, sizeof(message), "phone is not a number we can dial: %s.", why);
            srv_respond_error(r, API_ERR_INVALID_FIELD, message, "phone");
            return false;
        }
        *p_out = phone;
    }
    if (email_in != NULL && email_in[0] != '\0') {
        if (bk_email_normalize(email_in, email) != 0) {
            srv_respond_error(r, API_ERR_INVALID_FIELD, "email must be an e-mail address such as name@example.com.",
                              "email");
            return false;
        }
        *e_out = email;
    }
    return true;
}

/* A date of birth: YYYY-MM-DD, a real day from 1900 on, and not after today anywhere on Earth (UTC+14), so a
 * baby born today in the clinic's zone is accepted whatever the server's clock zone. */
static bool dob_valid(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > tz_days_in_month(y, m)) return false;
    return tz_days_from_civil(y, m, d) <= (tz_now() + 14 * TZ_MS_PER_HOUR) / TZ_MS_PER_DAY;
}

static json_object *patient_json(const bk_patient_t *p)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(p->id));
    json_object_object_add(o, "first_name", p->first_name ? json_object_new_string(p->first_name) : NULL);
    json_object_object_add(o, "last_name", p->last_name ? json_object_new_string(p->last_name) : NULL);
    json_object_object_add(o, "phone", p->phone ? json_object_new_string(p->phone) : NULL);
    json_object_object_add(o, "email", p->email ? json_object_new_string(p->email) : NULL);
    json_object_object_add(o, "dob", p->dob ? json_object_new_string(p->dob) : NULL);
    /* The address a drop-in ClinicSync booking gave (API.md "Drop-in ClinicSync routes"), when the EMR has one. */
    const char *address[][2] = {{"city", p->city}, {"state", p->state}, {"country", p->country}};
    for (int i = 0; i < 3; i++)
        if (address[i][1] != NULL && address[i][1][0] != '\0')
            json_object_object_add(o, address[i][0], json_object_new_string(address[i][1]));
    return o;
}

static void on_patient(bk_patient_result_t result, prov_status_t status, const bk_patient_t *p, void *data)
{
    patient_call_t *c = data;
    srv_request_t *r = c->r;
    if (!srv_request_release(r)) goto done;
    if ((result == BK_PATIENT_FOUND || result == BK_PATIENT_CREATED) && r->widget != NULL) {
        /* A web page learns only the id it books with: nothing of a record someone else's phone found, and not
         * whether the record existed (README "Booking widget"). */
        if (result == BK_PATIENT_CREATED) srv_widget_count_patient(r);
        json_object *body = json_object_new_object(), *patient = json_object_new_object();
        json_object_object_add(patient, "id", json_object_new_string(p->id));
        json_object_object_add(body, "patient", patient);
        srv_idem_json(r, c->idem, 200, body);
        json_object_put(body);
    } else if (result == BK_PATIENT_FOUND || result == BK_PATIENT_CREATED) {
        json_object *body = json_object_new_object();
        json_object_object_add(body, "patient", patient_json(p));
        json_object_object_add(body, "created", json_object_new_boolean(result == BK_PATIENT_CREATED));
        srv_idem_json(r, c->idem, result == BK_PATIENT_CREATED ? 201 : 200, body);
        json_object_put(body);
    } else if (result == BK_PATIENT_AMBIGUOUS) {
        srv_idem_error(r, c->idem, API_ERR_AMBIGUOUS_PATIENT,
                       "More than one patient matches these details equally; ask for the date of birth or e-mail.",
                       NULL, false);
    } else {
        srv_answer_write_failure(r, c->idem, result == BK_PATIENT_UNSUPPORTED ? BK_W_UNSUPPORTED : BK_W_PROVIDER,
                                 status);
    }
done:
    call_end(c);
}

static void lookup_go(srv_request_t *r, srv_idem_t *idem, bool recovering)
{
    const char *first, *last, *dob, *ignored;
    char phone[BK_PHONE_CAP], email[BK_EMAIL_CAP];
    const char *p, *e;
    static const char *const extra[] = {"city", "state", "country"};
    if (!text_field(r, "first_name", true, &first) || !text_field(r, "last_name", true, &last) ||
        !srv_field_string(r, "dob", &dob) || !contact_fields(r, phone, email, &p, &e))
        goto fail;
    for (int i = 0; i < 3; i++)
        if (!text_field(r, extra[i], false, &ignored)) goto fail;
    if (p == NULL && e == NULL && dob == NULL) {
        srv_respond_error(r, API_ERR_MISSING_FIELD, "phone, email or dob is required.", "phone");
        goto fail;
    }
    if (dob != NULL && !dob_valid(dob)) {
        srv_respond_error(r, API_ERR_INVALID_FIELD, "dob must be a past date such as 1988-04-12.", "dob");
        goto fail;
    }
    patient_call_t *c = malloc(sizeof(*c));
    if (c == NULL) {
        srv_idem_error(r, idem, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL, false);
        goto fail;
    }
    *c = (patient_call_t){r, idem};
    bk_patient_t in = {.first_name = (char *)first, .last_name = (char *)last, .phone = (char *)p,
                       .email = (char *)e, .dob = (char *)dob};
    r->deadline_error = API_ERR_EMR_TIMEOUT;
    srv_request_hold(r);
    if (bk_patient_lookup_create(&r->worker->booking, r->tenant, &in, on_patient, c) != 0) {
        srv_request_release(r);
        srv_idem_error(r, idem, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL, false);
        free(c);
        goto fail;
    }
    return;
fail:
    srv_idem_end(idem);
}

void srv_route_lookup_create_patient(srv_request_t *r)
{
    srv_idem_run(r, lookup_go);
}

/* ---- fetchPatientsAppointments -------------------------------------------------------------------------------- */

static void on_appointments(prov_status_t status, const bk_appointment_t *v, size_t n, void *data)
{
    patient_call_t *c = data;
    srv_request_t *r = c->r;
    free(c);
    if (!srv_request_release(r)) return;
    if (status == PROV_NOT_FOUND) {
        srv_respond_error(r, API_ERR_NOT_FOUND, "There is no such patient.", "patient_id");
        return;
    }
    if (status != PROV_OK) {
        srv_respond_provider_failure(r, status);
        return;
    }
    srv_answer_appointments(r, NULL, 200, v, n, false, NULL);
}

static void list_for(srv_request_t *r, const char *const *ids, size_t n)
{
    patient_call_t *c = malloc(sizeof(*c));
    if (c == NULL) {
        srv_respond_error(r, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        return;
    }
    *c = (patient_call_t){r, NULL};
    srv_request_hold(r);
    if (bk_patient_appointments(&r->worker->booking, r->tenant, ids, n, tz_now(), on_appointments, c) != 0) {
        srv_request_release(r);
        free(c);
        srv_add_header(r, "retry-after", "1");
        srv_respond_error(r, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
    }
}

static void on_patients(prov_status_t status, const bk_patient_t *v, size_t n, void *data)
{
    srv_request_t *r = data;
    if (!srv_provider_answer_usable(r, status)) return;
    if (n == 0) {
        json_object *body = json_object_new_object();
        json_object_object_add(body, "appointments", json_object_new_array());
        srv_respond_json(r, 200, body);
        json_object_put(body);
        return;
    }
    const char *ids[BK_PATIENT_MAX_IDS];
    for (size_t i = 0; i < n && i < BK_PATIENT_MAX_IDS; i++) ids[i] = v[i].id;
    list_for(r, ids, n < BK_PATIENT_MAX_IDS ? n : BK_PATIENT_MAX_IDS);
}

void srv_route_fetch_patients_appointments(srv_request_t *r)
{
    char id[160], phone[BK_PHONE_CAP], email[BK_EMAIL_CAP];
    const char *p, *e;
    if (!srv_field_id(r, "patient_id", false, id, sizeof(id)) || !contact_fields(r, phone, email, &p, &e)) return;
    r->deadline_error = API_ERR_EMR_TIMEOUT;
    if (id[0] != '\0') {
        const char *ids[] = {id};
        list_for(r, ids, 1);
        return;
    }
    if (p == NULL && e == NULL) {
        srv_respond_error(r, API_ERR_MISSING_FIELD, "Give patient_id, phone or email.", "patient_id");
        return;
    }
    srv_request_hold(r);
    if (bk_patients_find(&r->worker->booking, r->tenant, p, e, on_patients, r) != 0) {
        srv_request_release(r);
        srv_add_header(r, "retry-after", "1");
        srv_respond_error(r, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
    }
}
