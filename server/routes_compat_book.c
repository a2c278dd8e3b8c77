/* server/routes_compat_book.c: POST /api-book-appointment, /api/nookal/book_appt and /ghl/<token>/bookAppt: a
 * ClinicSync-style booking (server/compat_payload.h) resolved against the catalog (server/compat_resolve.h) and
 * booked in one call through booking/direct_book.h (patient found or created with its city, state and country,
 * hold, book), retry-safe without an Idempotency-Key; the body's calendar.appointmentId is linked to the booking
 * (booking/external_appt.h) so updates and cancels may name it. */
#include "server/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking/direct_book.h"
#include "booking/external_appt.h"
#include "core/phone.h"
#include "server/compat_answer.h"
#include "server/compat_payload.h"
#include "server/compat_resolve.h"
#include "server/fields.h"
#include "server/idempotent.h"
#include "server/worker.h"
#include "tz/tz.h"

typedef struct book_call {
    srv_request_t *r;
    srv_idem_t *idem;
    bk_env_t *env;
    const bk_tenant_t *tenant;
    srv_compat_payload_t p;
    char phone[BK_PHONE_CAP], email[BK_EMAIL_CAP];
} book_call_t;

static void call_free(book_call_t *c)
{
    srv_idem_end(c->idem);
    free(c);
}

static void on_booked(const bk_direct_outcome_t *o, const bk_appointment_t *a, void *data)
{
    book_call_t *c = data;
    /* Linked whatever became of the request: a later update or cancel names the booking by the caller's id. */
    if (o->result == BK_W_OK && c->p.appointment_id.field != NULL)
        bk_external_link(c->env, c->tenant, c->p.appointment_id.text, a->id);
    if (!srv_request_release(c->r)) {
        call_free(c);
        return;
    }
    if (o->result == BK_W_OK) {
        srv_idem_t *idem = c->idem;
        c->idem = NULL;
        srv_compat_answer(c->r, idem, SRV_COMPAT_BOOK, a, o->replayed);
    } else if (o->ambiguous_patient) {
        srv_idem_error(c->r, c->idem, API_ERR_AMBIGUOUS_PATIENT,
                       "More than one patient has these details; send "
                       "the patient's e-mail or date of birth too.",
                       c->p.phone.field ? c->p.phone.field : "email", false);
    } else {
        srv_compat_failure(c->r, c->idem, o->result, o->status);
    }
    call_free(c);
}

static void on_catalog(prov_status_t status, const bk_catalog_t *cat, bk_catalog_source_t source, void *data)
{
    book_call_t *c = data;
    srv_request_t *r = c->r;
    (void)source;
    if (!srv_provider_answer_usable(r, status)) goto done;
    srv_compat_choice_t at;
    if (!srv_compat_resolve(r, cat, &c->p, &at)) goto done;
    const bk_location_t *loc = &cat->locations[at.location];
    const bk_catalog_treatment_t *tx = &cat->treatments[at.treatment];
    const tz_zone_t *zone = loc->time_zone != NULL ? tz_zone_load(loc->time_zone) : NULL;
    if (zone == NULL) {
        srv_respond_error(r, API_ERR_EMR_ERROR, "The clinic's location has no usable time zone.", NULL);
        goto done;
    }
    int64_t start = 0, end = 0;
    bool has_end;
    if (!srv_compat_times(r, &c->p, zone, &start, &end, &has_end)) goto done;
    if (!has_end) end = start + (int64_t)tx->duration_minutes * TZ_MS_PER_MINUTE;
    const srv_compat_payload_t *p = &c->p;
    bk_patient_t patient = {.first_name = (char *)p->first_name.text,
                            .last_name = (char *)p->last_name.text,
                            .phone = c->phone[0] ? c->phone : NULL,
                            .email = c->email[0] ? c->email : NULL,
                            .dob = p->dob.field ? (char *)p->dob.text : NULL,
                            .city = p->city.field ? (char *)p->city.text : NULL,
                            .state = p->state.field ? (char *)p->state.text : NULL,
                            .country = p->country.field ? (char *)p->country.text : NULL};
    bk_direct_book_t q = {.tenant = r->tenant,
                          .patient = &patient,
                          .staff_id = cat->staff[at.staff].id,
                          .treatment_id = tx->id,
                          .location_id = loc->id,
                          .time_zone = loc->time_zone,
                          .duration_minutes = tx->duration_minutes,
                          .start = start,
                          .end = end};
    srv_request_hold(r);
    if (bk_direct_book(c->env, &q, on_booked, c) != 0) {
        srv_request_release(r);
        srv_idem_error(r, c->idem, API_ERR_REDIS_UNAVAILABLE, NULL, NULL, false);
        goto done;
    }
    return;
done:
    call_free(c);
}

/* The patient's contact details, normalized. Returns false after answering 400. */
static bool read_contact(book_call_t *c)
{
    srv_request_t *r = c->r;
    const srv_compat_payload_t *p = &c->p;
    if (!srv_compat_require(r, &p->first_name, "first_name") || !srv_compat_require(r, &p->last_name, "last_name"))
        return false;
    char why[128] = "";
    if (p->phone.field != NULL && bk_phone_normalize(p->phone.text, r->tenant->country, c->phone, why, sizeof(why))) {
        srv_respond_error(r, API_ERR_INVALID_FIELD, "This must be a phone number such as +61400000000.",
                          p->phone.field);
        return false;
    }
    if (p->email.field != NULL && bk_email_normalize(p->email.text, c->email) != 0) {
        srv_respond_error(r, API_ERR_INVALID_FIELD, "This must be an e-mail address such as name@example.com.",
                          p->email.field);
        return false;
    }
    if (c->phone[0] == '\0' && c->email[0] == '\0') {
        srv_respond_error(r, API_ERR_MISSING_FIELD, "phone or email is required.", "phone");
        return false;
    }
    if (p->dob.field != NULL && (strlen(p->dob.text) != 10 || p->dob.text[4] != '-' || p->dob.text[7] != '-')) {
        srv_respond_error(r, API_ERR_INVALID_FIELD, "A date of birth is written 1990-01-31.", p->dob.field);
        return false;
    }
    return true;
}

static void book_go(srv_request_t *r, srv_idem_t *idem, bool recovering)
{
    (void)recovering; /* the retry record of booking/direct_book.h reconciles an unknown outcome */
    book_call_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        srv_idem_error(r, idem, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL, false);
        srv_idem_end(idem);
        return;
    }
    *c = (book_call_t){.r = r, .idem = idem, .env = &r->worker->booking, .tenant = r->tenant};
    if (!srv_compat_read(r, &c->p) || !read_contact(c) || !srv_start_catalog(r, on_catalog, c)) call_free(c);
}

void srv_route_compat_book(srv_request_t *r)
{
    srv_idem_run(r, book_go);
}
