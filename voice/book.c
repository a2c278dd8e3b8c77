/* voice/book.c: resolves what the caller said (slot_id, or names and a time), finds or creates the patient, holds
 * and books in one call, retry-safe for 10 minutes without an Idempotency-Key (booking/voice_retry.h), and answers a
 * slot gone since it was offered with the nearest free alternatives (see conversations.h). */
#include "voice/conversations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "booking/appointments.h"
#include "booking/catalog_cache.h"
#include "booking/patients.h"
#include "booking/voice_retry.h"
#include "core/slot_token.h"
#include "tz/tz.h"
#include "voice/alternatives.h"
#include "voice/names.h"
#include "voice/sentences.h"
#include "booking/requests.h"
#include "voice/write.h"

#define ID_CAP BK_HOLD_FIELD_CAP
#define WAIT_MS 40 /* between looks at a duplicate's progress */

typedef struct book_call {
    vc_write_t w; /* first: the call, claim and deadline */
    bk_env_t *env;
    const bk_tenant_t *tenant;
    int64_t now;
    char first[VC_NAME_CAP], last[VC_NAME_CAP], phone[BK_PHONE_CAP], email[BK_EMAIL_CAP];
    char staff_id[ID_CAP], treatment_id[ID_CAP], location_id[ID_CAP], zone[64];
    int duration;
    int64_t start, end;
    bool from_slot;
    char key[BK_VRETRY_KEY_CAP], owner[BK_VRETRY_OWNER_CAP];
    char hold[BK_HOLD_PUBLIC_CAP];     /* the hold this run books (its own, or the first run's) */
    char takeover[BK_HOLD_PUBLIC_CAP]; /* a first run's hold found gone: take its record over */
    bool owns, replayed;
    bk_hold_record_t hold_record; /* the hold placed, into the retry record, in the same script */
    const char *hold_record_fields[2];
    bk_openings_read_t read; /* what the hold's check read of the practitioner's time (for alternatives) */
    bk_appointment_t made; /* the booking to answer (owned copy) */
} book_call_t;

static void call_free(book_call_t *c)
{
    vc_write_end(&c->w);
    bk_appointment_clear(&c->made);
    free(c->read.items);
    free(c);
}

/* Before an asynchronous step: hold the call while it is still ours. */
static void step(book_call_t *c)
{
    vc_write_step(&c->w);
}

/* First thing in a callback: true when the call may still be answered; otherwise forgets it. */
static bool back(book_call_t *c)
{
    return vc_write_back(&c->w);
}

/* The run ends without a booking: the retry record goes (when ours), so a retry books afresh. */
static void give_back(book_call_t *c)
{
    if (c->owns) bk_vretry_release(c->env, c->key, c->owner);
    c->owns = false;
}

/* A step could not start: answer err while the call is still ours, give the record back, end. */
static void start_failed(book_call_t *c, api_error_t err)
{
    if (back(c)) vc_error(c->w.v, c->w.claim, err, NULL, NULL, NULL);
    give_back(c);
    call_free(c);
}

/* ---- answers -------------------------------------------------------------------------------------------------- */

static void on_render_catalog(prov_status_t status, const bk_catalog_t *catalog, bk_catalog_source_t source,
                              void *data)
{
    book_call_t *c = data;
    (void)source;
    if (!back(c)) goto done;
    bk_catalog_t empty = {0};
    json_object *o = bk_appointment_to_json(c->w.v->render, status == PROV_OK ? catalog : &empty, &c->made, tz_now());
    char message[512];
    bool requested = c->made.state == BK_APPT_REQUESTED;
    vc_say_booked(o, requested, message, sizeof(message));
    json_object *body = json_object_new_object();
    json_object_object_add(body, "booked", json_object_new_boolean(!requested));
    if (requested) json_object_object_add(body, "requested", json_object_new_boolean(1));
    json_object_object_add(body, "appointment", o);
    if (c->replayed) json_object_object_add(body, "replayed", json_object_new_boolean(1));
    json_object_object_add(body, "message", json_object_new_string(message));
    vc_respond_write(c->w.v, c->w.claim, body);
    json_object_put(body);
done:
    call_free(c);
}

/* Answers the booking a (borrowed), after reading the catalog for the names. */
static void answer_booked(book_call_t *c, const bk_appointment_t *a)
{
    bk_appointment_clear(&c->made);
    if (!bk_appointment_copy(&c->made, a)) {
        vc_error(c->w.v, c->w.claim, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL, NULL);
        call_free(c);
        return;
    }
    /* a requests-only clinic's booking is a request (booking/requests.h), a replay's too: its id says so */
    c->made.state = bk_request_is_id(a->id) ? BK_APPT_REQUESTED : BK_APPT_BOOKED;
    step(c);
    if (bk_catalog_get(c->env, c->tenant, on_render_catalog, c) != 0)
        on_render_catalog(PROV_UNAVAILABLE, NULL, BK_SOURCE_CACHE, c);
}

static void on_alternatives(json_object *slots, const char *said, void *data)
{
    book_call_t *c = data;
    if (!back(c)) {
        json_object_put(slots);
        call_free(c);
        return;
    }
    char message[768];
    if (said[0] != '\0') snprintf(message, sizeof(message), "Sorry, that time was just taken; I can offer %s.", said);
    /* Too long to say in one breath: offer only the first. */
    if (said[0] != '\0' && vc_words(message) >= 30 && json_object_array_length(slots) > 1) {
        json_object *first = json_object_array_get_idx(slots, 0);
        char when[384];
        vc_say_when(first, when, sizeof(when));
        snprintf(message, sizeof(message), "Sorry, that time was just taken; I can offer %s.", when);
    }
    if (said[0] == '\0')
        snprintf(message, sizeof(message), "Sorry, that time was just taken and I have nothing free near it.");
    json_object *extra = json_object_new_object();
    json_object_object_add(extra, "booked", json_object_new_boolean(0));
    json_object_object_add(extra, "alternatives", slots);
    vc_error(c->w.v, c->w.claim, API_ERR_SLOT_TAKEN, message, c->from_slot ? "slot_id" : "start_at",
             extra);
    call_free(c);
}

/* The slot is gone: 409 with the nearest free alternatives. */
static void answer_taken(book_call_t *c)
{
    step(c);
    if (vc_alternatives(c->w.v, c->staff_id, c->treatment_id, c->location_id, c->start, tz_now(), &c->read,
                        on_alternatives, c) != 0)
        on_alternatives(json_object_new_array(), "", c);
}

static void answer_failure(book_call_t *c, bk_write_result_t result, prov_status_t status)
{
    if (result == BK_W_SLOT_TAKEN || result == BK_W_SLOT_UNAVAILABLE) {
        answer_taken(c);
        return;
    }
    vc_write_failure(c->w.v, c->w.claim, result, status);
    call_free(c);
}

/* ---- booking ------------------------------------------------------------------------------------------------ */

static void claim(book_call_t *c);

static void on_waited(void *data)
{
    book_call_t *c = data;
    if (!back(c)) {
        call_free(c);
        return;
    }
    claim(c);
}

/* Another request is booking the same thing: look again shortly (the deadline answers if it takes too long). */
static void wait_and_claim(book_call_t *c)
{
    step(c);
    if (prov_once_timer_start(c->w.v->loop, WAIT_MS, on_waited, c) == NULL)
        start_failed(c, API_ERR_SERVICE_UNAVAILABLE);
}

static void on_booked(bk_write_result_t result, prov_status_t status, const bk_appointment_t *a, void *data)
{
    book_call_t *c = data;
    bool live = back(c);
    /* The record is kept whatever became of the request: a retry gets this booking, or recovers this hold. */
    if (result == BK_W_OK && a != NULL) { /* the book flow wrote it into the record */
        c->owns = false;
        if (live) {
            answer_booked(c, a);
            return;
        }
    } else if (result == BK_W_BUSY && live && !c->owns) {
        wait_and_claim(c); /* the first run is writing this hold right now */
        return;
    } else if (result == BK_W_HOLD_EXPIRED && live && !c->owns) {
        snprintf(c->takeover, sizeof(c->takeover), "%s", c->hold);
        claim(c); /* the first run's hold lapsed unbooked: this one books afresh */
        return;
    } else if (result != BK_W_UNKNOWN) {
        /* Nothing was booked: let the time go now (bookAppt keeps a hold for another try; a voice call does not). */
        char id[BK_HOLD_ID_LEN + 1], token[BK_HOLD_TOKEN_LEN + 1];
        if (result != BK_W_BUSY && bk_hold_parse_public_id(c->hold, id, token))
            bk_hold_settle(c->env, c->tenant, id, BK_HOLD_SETTLE_RELEASE, NULL);
        give_back(c);
    }
    if (live) answer_failure(c, result, status);
    else call_free(c);
}

/* Books c->hold (this run's own, or the first run's when retrying). */
static void book_hold(book_call_t *c)
{
    char id[BK_HOLD_ID_LEN + 1], token[BK_HOLD_TOKEN_LEN + 1];
    if (!bk_hold_parse_public_id(c->hold, id, token)) {
        give_back(c);
        vc_error(c->w.v, c->w.claim, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL, NULL);
        call_free(c);
        return;
    }
    step(c);
    if (bk_appt_book_retry(c->env, c->tenant, id, token, c->key, on_booked, c) != 0)
        start_failed(c, API_ERR_REDIS_UNAVAILABLE);
}

static void on_held(bk_write_result_t result, prov_status_t status, const bk_hold_t *hold, void *data)
{
    book_call_t *c = data;
    if (!back(c)) {
        /* Answered already (deadline) and nothing written yet: let it all go. */
        if (hold != NULL) bk_hold_settle(c->env, c->tenant, hold->id, BK_HOLD_SETTLE_RELEASE, NULL);
        give_back(c);
        call_free(c);
        return;
    }
    if (result != BK_W_OK) {
        give_back(c);
        answer_failure(c, result, status);
        return;
    }
    bk_hold_public_id(hold, c->hold); /* the retry record names it already (hold_record) */
    book_hold(c);
}

static void on_patient(bk_patient_result_t result, prov_status_t status, const bk_patient_t *p, void *data)
{
    book_call_t *c = data;
    if (!back(c)) {
        give_back(c);
        call_free(c);
        return;
    }
    if (result == BK_PATIENT_AMBIGUOUS) {
        give_back(c);
        vc_error(c->w.v, c->w.claim, API_ERR_AMBIGUOUS_PATIENT,
                 "More than one patient has those details; please ask for the caller's e-mail or date of "
                 "birth.",
                 "phone", NULL);
        call_free(c);
        return;
    }
    if ((result != BK_PATIENT_FOUND && result != BK_PATIENT_CREATED) || p == NULL || strlen(p->id) >= ID_CAP) {
        give_back(c);
        answer_failure(c, result == BK_PATIENT_UNSUPPORTED ? BK_W_UNSUPPORTED : BK_W_PROVIDER,
                       status == PROV_OK ? PROV_UPSTREAM : status);
        return;
    }
    bk_slot_request_t q = {.tenant = c->tenant, .staff_id = c->staff_id, .treatment_id = c->treatment_id,
                           .location_id = c->location_id, .patient_id = p->id, .time_zone = c->zone,
                           .duration_minutes = c->duration, .start = c->start, .end = c->end, .now = tz_now(),
                           .record = &c->hold_record, .read = &c->read};
    bk_vretry_hold_record(c->key, c->owner, c->hold_record_fields, &c->hold_record);
    step(c);
    if (bk_appt_hold(c->env, &q, on_held, c) != 0) start_failed(c, API_ERR_REDIS_UNAVAILABLE);
}

static void on_claim(bk_vretry_verdict_t verdict, const char *hold, const bk_appointment_t *a, void *data)
{
    book_call_t *c = data;
    if (!back(c)) {
        if (verdict == BK_VRETRY_FIRST) bk_vretry_release(c->env, c->key, c->owner);
        call_free(c);
        return;
    }
    c->takeover[0] = '\0';
    switch (verdict) {
    case BK_VRETRY_FIRST: {
        c->owns = true;
        bk_patient_t in = {.first_name = c->first, .last_name = c->last, .phone = c->phone[0] ? c->phone : NULL,
                           .email = c->email[0] ? c->email : NULL};
        step(c);
        if (bk_patient_lookup_create(c->env, c->tenant, &in, on_patient, c) != 0)
            start_failed(c, API_ERR_SERVICE_UNAVAILABLE);
        return;
    }
    case BK_VRETRY_RUNNING: wait_and_claim(c); return;
    case BK_VRETRY_HELD:
        c->replayed = true;
        snprintf(c->hold, sizeof(c->hold), "%s", hold);
        book_hold(c);
        return;
    case BK_VRETRY_BOOKED:
        c->replayed = true;
        answer_booked(c, a);
        return;
    default:
        vc_error(c->w.v, c->w.claim, API_ERR_REDIS_UNAVAILABLE, NULL, NULL, NULL);
        call_free(c);
        return;
    }
}

static void claim(book_call_t *c)
{
    step(c);
    if (bk_vretry_claim(c->env, c->key, c->owner, c->takeover[0] ? c->takeover : NULL, on_claim, c) != 0)
        start_failed(c, API_ERR_REDIS_UNAVAILABLE);
}

/* ---- what the caller said --------------------------------------------------------------------------------------- */

/* Resolves practitioner, treatment, location and the times against the catalog. Returns false after answering. */
static bool resolve(book_call_t *c, const bk_catalog_t *cat)
{
    const vc_call_t *v = c->w.v;
    char id[ID_CAP];
    long l = -1, s = -1, t = -1;
    if (c->from_slot) {
        l = bk_catalog_find_location(cat, c->location_id);
        s = bk_catalog_find_staff(cat, c->staff_id);
        t = bk_catalog_find_treatment(cat, c->treatment_id);
        if (l < 0 || !bk_tenant_allows_location(c->tenant, cat, c->location_id) || s < 0 || t < 0) {
            vc_error(v, c->w.claim, API_ERR_INVALID_SLOT_ID,
                     "That time slot is no longer offered; please look "
                     "for times again.",
                     "slot_id", NULL);
            return false;
        }
    } else {
        int got = vc_param(v, "clinic_location_id", id, sizeof(id));
        if (got < 0) return false;
        if (got > 0) {
            if (!bk_tenant_allows_location(c->tenant, cat, id)) {
                vc_error(v, c->w.claim, API_ERR_LOCATION_FORBIDDEN, "I can't book at that location.",
                         "clinic_location_id", NULL);
                return false;
            }
            l = bk_catalog_find_location(cat, id);
        } else if ((l = vc_location(v, cat, "clinic_location_name")) == -2) {
            return false;
        }
        got = vc_param(v, "staff_member_id", id, sizeof(id));
        if (got < 0) return false;
        if (got > 0) {
            s = bk_catalog_find_staff(cat, id);
            if (s < 0 || !cat->staff[s].ai_enabled) {
                vc_error(v, c->w.claim, API_ERR_UNKNOWN_STAFF, "I can't book with that practitioner.",
                         "staff_member_id", NULL);
                return false;
            }
        } else if ((s = vc_staff(v, cat, "staff_member_name", l >= 0 ? cat->locations[l].id : NULL)) ==
                   -2) {
            return false;
        } else if (s == -1) {
            vc_error(v, c->w.claim, API_ERR_MISSING_FIELD, "Which practitioner would the caller like?",
                     "staff_member_name", NULL);
            return false;
        }
        got = vc_param(v, "treatment_id", id, sizeof(id));
        if (got < 0) return false;
        if (got > 0) {
            if ((t = bk_catalog_find_treatment(cat, id)) < 0) {
                vc_error(v, c->w.claim, API_ERR_UNKNOWN_TREATMENT, "I can't find that treatment.",
                         "treatment_id", NULL);
                return false;
            }
        } else if ((t = vc_treatment(v, cat, "treatment_name")) == -2) {
            return false;
        } else if (t == -1) {
            vc_error(v, c->w.claim, API_ERR_MISSING_FIELD, "Which treatment would the caller like?",
                     "treatment_name", NULL);
            return false;
        }
        if (l < 0) {
            /* No location said: the practitioner's only bookable one, else the tenant's default. */
            const bk_staff_t *st = &cat->staff[s];
            for (size_t i = 0; i < st->location_ids.count; i++) {
                if (!bk_tenant_allows_location(c->tenant, cat, st->location_ids.items[i])) continue;
                long at = bk_catalog_find_location(cat, st->location_ids.items[i]);
                const bk_location_t *def = bk_tenant_default_location(c->tenant, cat);
                if (l < 0 || (def != NULL && strcmp(def->id, st->location_ids.items[i]) == 0)) l = at;
            }
            if (l < 0) {
                vc_error(v, c->w.claim, API_ERR_NOT_OFFERED,
                         "That practitioner has no location I can book.", "staff_member_name", NULL);
                return false;
            }
        }
    }
    const bk_location_t *loc = &cat->locations[l];
    const bk_staff_t *st = &cat->staff[s];
    const bk_catalog_treatment_t *tx = &cat->treatments[t];
    if (!bk_strings_contains(&st->location_ids, loc->id) || !bk_strings_contains(&tx->location_ids, loc->id) ||
        !bk_strings_contains(&tx->staff_ids, st->id)) {
        vc_error(v, c->w.claim, API_ERR_NOT_OFFERED,
                 "That practitioner doesn't offer that treatment at that location.", "treatment_name", NULL);
        return false;
    }
    const tz_zone_t *zone = loc->time_zone != NULL ? tz_zone_load(loc->time_zone) : NULL;
    if (zone == NULL || strlen(loc->time_zone) >= sizeof(c->zone)) {
        vc_error(v, c->w.claim, API_ERR_EMR_ERROR, "The clinic's location has no usable time zone.",
                 NULL, NULL);
        return false;
    }
    if (strlen(st->id) >= ID_CAP || strlen(tx->id) >= ID_CAP || strlen(loc->id) >= ID_CAP) {
        vc_error(v, c->w.claim, API_ERR_EMR_ERROR, NULL, NULL, NULL);
        return false;
    }
    snprintf(c->staff_id, sizeof(c->staff_id), "%s", st->id);
    snprintf(c->treatment_id, sizeof(c->treatment_id), "%s", tx->id);
    snprintf(c->location_id, sizeof(c->location_id), "%s", loc->id);
    snprintf(c->zone, sizeof(c->zone), "%s", loc->time_zone);
    c->duration = tx->duration_minutes;
    if (!c->from_slot) {
        const tz_zone_t *read_in = vc_zone(v, "time_zone", zone);
        if (read_in == NULL) return false;
        char text[64], why[128] = "", message[256];
        int have = vc_param(v, "start_at", text, sizeof(text));
        if (have == 0)
            vc_error(v, NULL, API_ERR_MISSING_FIELD,
                     "I need the date and time the caller wants, or a slot_id.", "start_at", NULL);
        if (have <= 0) return false;
        if (tz_parse_iso(text, strlen(text), read_in, &c->start, why, sizeof(why)) != 0) {
            snprintf(message, sizeof(message), "start_at must be a date and time such as 2026-04-21T14:30:00 (%s).",
                     why);
            vc_error(v, c->w.claim, API_ERR_INVALID_FIELD, message, "start_at", NULL);
            return false;
        }
        int got = vc_param(v, "end_at", text, sizeof(text));
        if (got < 0) return false;
        if (got > 0 && tz_parse_iso(text, strlen(text), read_in, &c->end, why, sizeof(why)) != 0) {
            snprintf(message, sizeof(message), "end_at must be a date and time such as 2026-04-21T15:30:00 (%s).", why);
            vc_error(v, c->w.claim, API_ERR_INVALID_FIELD, message, "end_at", NULL);
            return false;
        }
        if (got == 0) c->end = c->start + (int64_t)tx->duration_minutes * TZ_MS_PER_MINUTE;
        if (c->end <= c->start || c->end - c->start > BK_HOLD_MAX_MS) {
            vc_error(v, c->w.claim, API_ERR_INVALID_RANGE, "The appointment must end after it starts.",
                     "end_at", NULL);
            return false;
        }
    }
    return true;
}

static void on_catalog(prov_status_t status, const bk_catalog_t *cat, bk_catalog_source_t source, void *data)
{
    book_call_t *c = data;
    (void)source;
    if (!back(c)) goto fail;
    if (status != PROV_OK) {
        vc_write_failure(c->w.v, c->w.claim, BK_W_PROVIDER, status);
        goto fail;
    }
    if (!resolve(c, cat)) goto fail;
    bk_vretry_key(c->tenant, c->phone[0] ? c->phone : c->email, c->staff_id, c->start, c->key);
    claim(c);
    return;
fail:
    call_free(c);
}

void vc_book(const vc_call_t *v, void *claim)
{
    /* A run whose outcome was unknown under the claim needs nothing special: the retry record reconciles it. */
    book_call_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        vc_error(v, claim, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL, NULL);
        if (claim != NULL) v->ops->claim_end(claim);
        return;
    }
    *c = (book_call_t){.env = v->booking, .tenant = v->tenant, .now = tz_now()};
    vc_write_init(&c->w, v, claim);
    char slot_id[BK_SLOT_TOKEN_CAP];
    if (!vc_name(v, "first_name", c->first) || !vc_name(v, "last_name", c->last))
        goto fail;
    static const char *const need[] = {"first_name", "last_name"};
    for (int i = 0; i < 2; i++) {
        if ((i == 0 ? c->first : c->last)[0] == '\0') {
            char message[128];
            snprintf(message, sizeof(message), "I need the caller's %s name to book.", i == 0 ? "first" : "last");
            vc_error(v, NULL, API_ERR_MISSING_FIELD, message, need[i], NULL);
            goto fail;
        }
    }
    if (!vc_contact(v, c->phone, c->email)) goto fail;
    if (c->phone[0] == '\0' && c->email[0] == '\0') {
        vc_error(v, NULL, API_ERR_MISSING_FIELD, "I need the caller's phone number or e-mail to book.",
                 "phone", NULL);
        goto fail;
    }
    int got = vc_param(v, "slot_id", slot_id, sizeof(slot_id));
    if (got < 0) goto fail;
    if (got > 0) {
        bk_slot_ref_t ref;
        if (!bk_slot_id_read(v->render, slot_id, &ref)) {
            vc_error(v, NULL, API_ERR_INVALID_SLOT_ID,
                     "That time slot isn't one I offered; please look for "
                     "times again.",
                     "slot_id", NULL);
            goto fail;
        }
        c->from_slot = true;
        snprintf(c->staff_id, sizeof(c->staff_id), "%s", ref.staff_id);
        snprintf(c->treatment_id, sizeof(c->treatment_id), "%s", ref.treatment_id);
        snprintf(c->location_id, sizeof(c->location_id), "%s", ref.location_id);
        c->start = ref.start;
        c->end = ref.end;
    }
    if (bk_vretry_owner(c->owner) != 0) {
        vc_error(v, NULL, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL, NULL);
        goto fail;
    }
    if (!vc_write_arm(&c->w)) goto fail;
    step(c);
    if (bk_catalog_get(c->env, c->tenant, on_catalog, c) != 0) start_failed(c, API_ERR_REDIS_UNAVAILABLE);
    return;
fail:
    call_free(c);
}
