/* booking/direct_book.c: patient, hold and booking in one call, retry-safe (see direct_book.h). */
#include "booking/direct_book.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking/holds.h"
#include "booking/patients.h"
#include "booking/voice_retry.h"
#include "providers/once_timer.h"
#include "tz/tz.h"

#define ID_CAP    BK_HOLD_FIELD_CAP
#define WAIT_MS   40  /* between looks at a duplicate's progress */
#define MAX_WAITS 750 /* 30 s of looks: longer than any write's lease, so the first run has ended by then */

typedef struct direct {
    bk_env_t *env;
    const bk_tenant_t *tenant;
    bk_patient_t patient; /* owned copies */
    char staff_id[ID_CAP], treatment_id[ID_CAP], location_id[ID_CAP], zone[64];
    int duration;
    int64_t start, end;
    char key[BK_VRETRY_KEY_CAP], owner[BK_VRETRY_OWNER_CAP];
    char hold[BK_HOLD_PUBLIC_CAP];     /* the hold this run books (its own, or the first run's) */
    char takeover[BK_HOLD_PUBLIC_CAP]; /* a first run's hold found gone: take its record over */
    bool owns;
    int waits;
    bk_direct_outcome_t outcome;
    bk_direct_book_cb cb;
    void *data;
} direct_t;

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static void direct_free(direct_t *d)
{
    bk_patient_clear(&d->patient);
    free(d);
}

/* The run ends without a booking: the retry record goes (when ours), so a retry books afresh. */
static void give_back(direct_t *d)
{
    if (d->owns) bk_vretry_release(d->env, d->key, d->owner);
    d->owns = false;
}

/* Calls back with the outcome (and the appointment for BK_W_OK) and frees the run. */
static void finish(direct_t *d, bk_write_result_t result, prov_status_t status, const bk_appointment_t *a)
{
    if (result != BK_W_OK) give_back(d);
    d->outcome.result = result;
    d->outcome.status = status;
    d->cb(&d->outcome, result == BK_W_OK ? a : NULL, d->data);
    direct_free(d);
}

static void claim(direct_t *d);

static void on_waited(void *data)
{
    claim(data);
}

/* Another run is booking the same thing: look again shortly. */
static void wait_and_claim(direct_t *d)
{
    if (++d->waits > MAX_WAITS || prov_once_timer_start(d->env->prov.loop, WAIT_MS, on_waited, d) == NULL)
        finish(d, BK_W_BUSY, PROV_OK, NULL);
}

static void on_booked(bk_write_result_t result, prov_status_t status, const bk_appointment_t *a, void *data)
{
    direct_t *d = data;
    if (result == BK_W_OK && a != NULL) {
        bk_vretry_set_booked(d->env, d->key, a); /* whoever booked it: a retry gets this booking */
        d->owns = false;
        finish(d, BK_W_OK, status, a);
        return;
    }
    if (result == BK_W_BUSY && !d->owns) {
        wait_and_claim(d); /* the first run is writing this hold right now */
        return;
    }
    if (result == BK_W_HOLD_EXPIRED && !d->owns) {
        snprintf(d->takeover, sizeof(d->takeover), "%s", d->hold);
        claim(d); /* the first run's hold lapsed unbooked: this one books afresh */
        return;
    }
    if (result != BK_W_UNKNOWN && result != BK_W_BUSY) {
        /* Nothing was booked: let the time go now (an unknown write keeps its hold for the retry to recover). */
        char id[BK_HOLD_ID_LEN + 1], token[BK_HOLD_TOKEN_LEN + 1];
        if (bk_hold_parse_public_id(d->hold, id, token))
            bk_hold_settle(d->env, d->tenant, id, BK_HOLD_SETTLE_RELEASE, NULL);
    }
    if (result == BK_W_UNKNOWN) d->owns = false; /* the record keeps the hold: a retry recovers the write */
    finish(d, result, status, NULL);
}

/* Books d->hold (this run's own, or the first run's when retrying). */
static void book_hold(direct_t *d)
{
    char id[BK_HOLD_ID_LEN + 1], token[BK_HOLD_TOKEN_LEN + 1];
    if (!bk_hold_parse_public_id(d->hold, id, token) || bk_appt_book(d->env, d->tenant, id, token, on_booked, d) != 0)
        finish(d, BK_W_REDIS, PROV_UNAVAILABLE, NULL);
}

static void on_held(bk_write_result_t result, prov_status_t status, const bk_hold_t *hold, void *data)
{
    direct_t *d = data;
    if (result != BK_W_OK || hold == NULL) {
        finish(d, result == BK_W_OK ? BK_W_REDIS : result, status, NULL);
        return;
    }
    bk_hold_public_id(hold, d->hold);
    bk_vretry_set_hold(d->env, d->key, d->owner, d->hold);
    book_hold(d);
}

static void on_patient(bk_patient_result_t result, prov_status_t status, const bk_patient_t *p, void *data)
{
    direct_t *d = data;
    if (result == BK_PATIENT_AMBIGUOUS) {
        d->outcome.ambiguous_patient = true;
        finish(d, BK_W_PROVIDER, PROV_OK, NULL);
        return;
    }
    if ((result != BK_PATIENT_FOUND && result != BK_PATIENT_CREATED) || p == NULL || strlen(p->id) >= ID_CAP) {
        finish(d, result == BK_PATIENT_UNSUPPORTED ? BK_W_UNSUPPORTED : BK_W_PROVIDER,
               status == PROV_OK ? PROV_UPSTREAM : status, NULL);
        return;
    }
    bk_slot_request_t q = {.tenant = d->tenant,
                           .staff_id = d->staff_id,
                           .treatment_id = d->treatment_id,
                           .location_id = d->location_id,
                           .patient_id = p->id,
                           .time_zone = d->zone,
                           .duration_minutes = d->duration,
                           .start = d->start,
                           .end = d->end,
                           .now = tz_now()};
    if (bk_appt_hold(d->env, &q, on_held, d) != 0) finish(d, BK_W_REDIS, PROV_UNAVAILABLE, NULL);
}

static void on_claim(bk_vretry_verdict_t verdict, const char *hold, const bk_appointment_t *a, void *data)
{
    direct_t *d = data;
    d->takeover[0] = '\0';
    switch (verdict) {
    case BK_VRETRY_FIRST:
        d->owns = true;
        if (bk_patient_lookup_create(d->env, d->tenant, &d->patient, on_patient, d) != 0)
            finish(d, BK_W_PROVIDER, PROV_UNAVAILABLE, NULL);
        return;
    case BK_VRETRY_RUNNING:
        wait_and_claim(d);
        return;
    case BK_VRETRY_HELD:
        d->outcome.replayed = true;
        snprintf(d->hold, sizeof(d->hold), "%s", hold);
        book_hold(d);
        return;
    case BK_VRETRY_BOOKED:
        d->outcome.replayed = true;
        finish(d, BK_W_OK, PROV_OK, a);
        return;
    default:
        finish(d, BK_W_REDIS, PROV_UNAVAILABLE, NULL);
        return;
    }
}

static void claim(direct_t *d)
{
    if (bk_vretry_claim(d->env, d->key, d->owner, d->takeover[0] ? d->takeover : NULL, on_claim, d) != 0)
        finish(d, BK_W_REDIS, PROV_UNAVAILABLE, NULL);
}

int bk_direct_book(bk_env_t *env, const bk_direct_book_t *q, bk_direct_book_cb cb, void *data)
{
    const bk_patient_t *p = q->patient;
    const char *contact = p->phone != NULL ? p->phone : p->email;
    if (contact == NULL || p->first_name == NULL || p->last_name == NULL || strlen(q->staff_id) >= ID_CAP ||
        strlen(q->treatment_id) >= ID_CAP || strlen(q->location_id) >= ID_CAP || strlen(q->time_zone) >= 64)
        return -1;
    direct_t *d = calloc(1, sizeof(*d));
    if (d == NULL) return -1;
    *d = (direct_t){.env = env,
                    .tenant = q->tenant,
                    .duration = q->duration_minutes,
                    .start = q->start,
                    .end = q->end,
                    .cb = cb,
                    .data = data};
    d->patient = (bk_patient_t){NULL,
                                dup_or_null(p->first_name),
                                dup_or_null(p->last_name),
                                dup_or_null(p->phone),
                                dup_or_null(p->email),
                                dup_or_null(p->dob),
                                dup_or_null(p->city),
                                dup_or_null(p->state),
                                dup_or_null(p->country)};
    snprintf(d->staff_id, sizeof(d->staff_id), "%s", q->staff_id);
    snprintf(d->treatment_id, sizeof(d->treatment_id), "%s", q->treatment_id);
    snprintf(d->location_id, sizeof(d->location_id), "%s", q->location_id);
    snprintf(d->zone, sizeof(d->zone), "%s", q->time_zone);
    bool oom = !d->patient.first_name || !d->patient.last_name || (p->phone && !d->patient.phone) ||
               (p->email && !d->patient.email) || (p->dob && !d->patient.dob) || (p->city && !d->patient.city) ||
               (p->state && !d->patient.state) || (p->country && !d->patient.country);
    if (oom || bk_vretry_owner(d->owner) != 0) {
        direct_free(d);
        return -1;
    }
    bk_vretry_key(q->tenant, contact, q->staff_id, q->start, d->key);
    if (bk_vretry_claim(env, d->key, d->owner, NULL, on_claim, d) != 0) {
        direct_free(d);
        return -1;
    }
    return 0;
}
