/* voice/change.c: cancel and reschedule: find the appointment (by id, or the caller's upcoming ones by phone,
 * narrowed by name; several left: 409 which_appointment so the agent can ask), then cancel or move it through
 * booking/appointments.h, answering one sentence to say (see conversations.h). */
#include "voice/conversations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "booking/appointments.h"
#include "booking/catalog_cache.h"
#include "booking/patients.h"
#include "core/name_match.h"
#include "tz/tz.h"
#include "voice/alternatives.h"
#include "voice/names.h"
#include "voice/sentences.h"
#include "voice/write.h"

#define ID_CAP BK_HOLD_FIELD_CAP
#define LIST_MAX 8 /* upcoming appointments listed when asking which one */

typedef enum change_kind { CANCEL, RESCHEDULE } change_kind_t;

typedef enum answer_kind {
    ANSWER_CANCELLED, /* done: the cancelled appointment */
    ANSWER_MOVED,     /* done: the moved appointment */
    ANSWER_KEPT,      /* the new time is not free: the original stays */
    ANSWER_WHICH,     /* several upcoming: ask which */
} answer_kind_t;

typedef struct change_call {
    vc_write_t w; /* first: the call, claim and deadline */
    bk_env_t *env;
    const bk_tenant_t *tenant;
    change_kind_t kind;
    bool recovering;
    int64_t now;
    char id[ID_CAP], phone[BK_PHONE_CAP], first[VC_NAME_CAP], last[VC_NAME_CAP], reason[512];
    /* reschedule */
    char new_start[64], new_end[64], staff_id[ID_CAP], location_id[ID_CAP];
    const tz_zone_t *zone; /* the caller's time_zone, or NULL: the appointment's location zone */
    int64_t wanted;        /* the new start asked for (UTC ms) */
    json_object *alternatives; /* ANSWER_KEPT: free slots near `wanted` (owned until answered) */
    char alternatives_said[512];
    /* what is answered */
    answer_kind_t answer;
    bk_appointment_t list[LIST_MAX]; /* [0] the result or the original; all of them for ANSWER_WHICH */
    size_t n;
    size_t total; /* ANSWER_WHICH: upcoming in all */
    bk_write_result_t failure;
} change_call_t;

static void call_free(change_call_t *c)
{
    vc_write_end(&c->w);
    for (size_t i = 0; i < c->n; i++) bk_appointment_clear(&c->list[i]);
    json_object_put(c->alternatives);
    free(c);
}

static void step(change_call_t *c)
{
    vc_write_step(&c->w);
}

/* First thing in a callback: true when the call may still be answered; otherwise forgets it. */
static bool back(change_call_t *c)
{
    return vc_write_back(&c->w);
}

/* First thing in a callback: true when the call may still be answered; otherwise frees c. */
static bool resume(change_call_t *c)
{
    if (back(c)) return true;
    call_free(c);
    return false;
}

/* The ends of a resumed call that failed: answer, then free c. */
static void fail(change_call_t *c, api_error_t err, const char *message, const char *field)
{
    vc_error(c->w.v, c->w.claim, err, message, field, NULL);
    call_free(c);
}

static void fail_write(change_call_t *c, int result, prov_status_t status)
{
    vc_write_failure(c->w.v, c->w.claim, result, status);
    call_free(c);
}

/* Answers err (message and field NULL: the table's default) and frees c. */
static void start_failed(change_call_t *c, api_error_t err, const char *message, const char *field)
{
    if (back(c)) fail(c, err, message, field);
}

/* Appends an owned copy of a to c->list. Returns false when out of memory or full. */
static bool keep(change_call_t *c, const bk_appointment_t *a)
{
    if (c->n >= LIST_MAX) return false;
    if (!bk_appointment_copy(&c->list[c->n], a)) return false;
    c->n++;
    return true;
}

static void clear_list(change_call_t *c)
{
    for (size_t i = 0; i < c->n; i++) bk_appointment_clear(&c->list[i]);
    c->n = 0;
}

/* ---- answers (after the catalog, for names) ------------------------------------------------------------------- */

/* "Sorry, that new time isn't free, so your appointment stays <when>[; I can offer <alternatives>]." in under 30
 * words: both alternatives, else the first, else none. */
/* The sentence for a reschedule into a taken time: the kept appointment (`kept`, its JSON) and the alternatives,
 * in the longest form that stays under the voice sentence limit. The first alternative is always said: when the
 * long form is too long, the wording gets shorter, then the kept time loses its practitioner's name, then the
 * alternative its own. */
static void say_kept(const change_call_t *c, json_object *kept, const char *kept_when, char *message, size_t cap)
{
    if (c->alternatives == NULL || json_object_array_length(c->alternatives) == 0) {
        snprintf(message, cap, "Sorry, that new time isn't free, so your appointment stays %s.", kept_when);
        return;
    }
    json_object *alt = json_object_array_get_idx(c->alternatives, 0), *spoken = NULL;
    char alt_when[384];
    vc_say_when(alt, alt_when, sizeof(alt_when));
    const char *alt_time = json_object_object_get_ex(alt, "spoken", &spoken) ? json_object_get_string(spoken) : "";
    const char *kept_time = json_object_object_get_ex(kept, "spoken", &spoken) ? json_object_get_string(spoken) : "";
    if (c->alternatives_said[0] != '\0') {
        snprintf(message, cap, "Sorry, that new time isn't free, so your appointment stays %s; I can offer %s.",
                 kept_when, c->alternatives_said);
        if (vc_words(message) < 30) return;
    }
    snprintf(message, cap, "Sorry, that new time isn't free, so your appointment stays %s; I can offer %s.",
             kept_when, alt_when);
    if (vc_words(message) < 30) return;
    snprintf(message, cap, "Sorry, that time isn't free; you keep %s. I can offer %s.", kept_when, alt_when);
    if (vc_words(message) < 30) return;
    snprintf(message, cap, "Sorry, that time isn't free; you keep %s. I can offer %s.", kept_time, alt_when);
    if (vc_words(message) < 30) return;
    snprintf(message, cap, "Sorry, that time isn't free; you keep %s. I can offer %s.", kept_time, alt_time);
}

static void on_render_catalog(prov_status_t status, const bk_catalog_t *catalog, bk_catalog_source_t source,
                              void *data)
{
    change_call_t *c = data;
    (void)source;
    if (!back(c)) goto done;
    bk_catalog_t empty = {0};
    const bk_catalog_t *cat = status == PROV_OK ? catalog : &empty;
    const vc_call_t *v = c->w.v;
    int64_t now = tz_now();
    char when[384], message[1024];
    if (c->answer == ANSWER_WHICH) {
        json_object *list = json_object_new_array();
        char second[384] = "";
        for (size_t i = 0; i < c->n; i++) {
            json_object *o = bk_appointment_to_json(v->render, cat, &c->list[i], now);
            if (i == 0) vc_say_when(o, when, sizeof(when));
            if (i == 1) vc_say_when(o, second, sizeof(second));
            json_object_array_add(list, o);
        }
        if (c->total == 2)
            snprintf(message, sizeof(message), "Which appointment: %s, or %s?", when, second);
        else
            snprintf(message, sizeof(message), "You have %zu upcoming appointments; which one: %s, %s, or another?",
                     c->total, when, second);
        if (vc_words(message) >= 30)
            snprintf(message, sizeof(message), "You have %zu upcoming appointments; which one: the one %s, or "
                     "another?", c->total, when);
        if (vc_words(message) >= 30)
            snprintf(message, sizeof(message), "You have %zu upcoming appointments; which one do you mean?", c->total);
        json_object *extra = json_object_new_object();
        json_object_object_add(extra, "appointments", list);
        vc_error(v, c->w.claim, API_ERR_WHICH_APPOINTMENT, message, "appointment_id", extra);
        goto done;
    }
    json_object *o = bk_appointment_to_json(v->render, cat, &c->list[0], now);
    vc_say_when(o, when, sizeof(when));
    if (c->answer == ANSWER_KEPT) {
        say_kept(c, o, when, message, sizeof(message));
        json_object *extra = json_object_new_object();
        json_object_object_add(extra, "rescheduled", json_object_new_boolean(0));
        json_object_object_add(extra, "appointment", o);
        json_object_object_add(extra, "alternatives", c->alternatives != NULL ? c->alternatives
                                                                                : json_object_new_array());
        c->alternatives = NULL;
        vc_error(v, c->w.claim,
                 c->failure == BK_W_SLOT_TAKEN ? API_ERR_SLOT_TAKEN : API_ERR_SLOT_UNAVAILABLE, message, "new_start_at",
                 extra);
        goto done;
    }
    json_object *body = json_object_new_object();
    if (c->answer == ANSWER_CANCELLED) {
        snprintf(message, sizeof(message), "Your appointment %s is cancelled.", when);
        json_object_object_add(body, "cancelled", json_object_new_boolean(1));
    } else {
        snprintf(message, sizeof(message), "You're now booked for %s.", when);
        json_object_object_add(body, "rescheduled", json_object_new_boolean(1));
    }
    json_object_object_add(body, "appointment", o);
    json_object_object_add(body, "message", json_object_new_string(message));
    vc_respond_write(v, c->w.claim, body);
    json_object_put(body);
done:
    call_free(c);
}

static void answer(change_call_t *c, answer_kind_t kind)
{
    c->answer = kind;
    step(c);
    if (bk_catalog_get(c->env, c->tenant, on_render_catalog, c) != 0)
        on_render_catalog(PROV_UNAVAILABLE, NULL, BK_SOURCE_CACHE, c);
}

static void on_alternatives(json_object *slots, const char *said, void *data)
{
    change_call_t *c = data;
    if (!resume(c)) {
        json_object_put(slots);
        return;
    }
    c->alternatives = slots;
    snprintf(c->alternatives_said, sizeof(c->alternatives_said), "%s", said);
    answer(c, ANSWER_KEPT);
}

/* The new time is not free: the original stays, and the nearest free times around the one asked for are offered
 * (the practitioner and location it would have moved to). */
static void find_alternatives(change_call_t *c)
{
    const bk_appointment_t *a = &c->list[0];
    step(c);
    if (vc_alternatives(c->w.v, c->staff_id[0] ? c->staff_id : a->staff_id, a->treatment_id,
                        c->location_id[0] ? c->location_id : a->location_id, c->wanted, tz_now(), NULL,
                        on_alternatives, c) != 0)
        on_alternatives(json_object_new_array(), "", c);
}

/* ---- the change ------------------------------------------------------------------------------------------------ */

static void on_written(bk_write_result_t result, prov_status_t status, const bk_appointment_t *a, void *data)
{
    change_call_t *c = data;
    if (!resume(c)) return;
    if (result == BK_W_OK && a != NULL) {
        clear_list(c);
        if (!keep(c, a)) {
            fail(c, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
            return;
        }
        answer(c, c->kind == CANCEL ? ANSWER_CANCELLED : ANSWER_MOVED);
        return;
    }
    if (c->kind == RESCHEDULE && c->n > 0 && (result == BK_W_SLOT_TAKEN || result == BK_W_SLOT_UNAVAILABLE)) {
        c->failure = result;
        find_alternatives(c);
        return;
    }
    if (result == BK_W_NOT_FOUND || (result == BK_W_PROVIDER && status == PROV_NOT_FOUND)) {
        fail(c, API_ERR_NOT_FOUND, "I couldn't find that appointment.", "appointment_id");
        return;
    }
    if (c->kind == RESCHEDULE && (result == BK_W_SLOT_TAKEN || result == BK_W_SLOT_UNAVAILABLE)) {
        fail(c, result == BK_W_SLOT_TAKEN ? API_ERR_SLOT_TAKEN : API_ERR_SLOT_UNAVAILABLE,
             "Sorry, that new time isn't free, so the appointment stays as it was.", "new_start_at");
        return;
    }
    fail_write(c, result, status);
}

/* Reads the reschedule's new times in the caller's zone, else the appointment's (zone_name), else the tenant's;
 * false after answering and freeing c. */
static bool read_new_times(change_call_t *c, const char *zone_name, int64_t *start, int64_t *end)
{
    const tz_zone_t *zone = c->zone;
    if (zone == NULL && zone_name != NULL && zone_name[0] != '\0') zone = tz_zone_load(zone_name);
    if (zone == NULL && c->tenant->time_zone != NULL) zone = tz_zone_load(c->tenant->time_zone);
    char why[128] = "", message[256];
    if (tz_parse_iso(c->new_start, strlen(c->new_start), zone, start, why, sizeof(why)) != 0) {
        snprintf(message, sizeof(message), "new_start_at must be a date and time such as 2026-04-21T14:30:00 (%s).",
                 why);
        fail(c, API_ERR_INVALID_FIELD, message, "new_start_at");
        return false;
    }
    *end = 0;
    if (c->new_end[0] != '\0' && tz_parse_iso(c->new_end, strlen(c->new_end), zone, end, why, sizeof(why)) != 0) {
        snprintf(message, sizeof(message), "new_end_at must be a date and time such as 2026-04-21T15:30:00 (%s).", why);
        fail(c, API_ERR_INVALID_FIELD, message, "new_end_at");
        return false;
    }
    if (*end != 0 && *end <= *start) {
        fail(c, API_ERR_INVALID_RANGE, "The new time must end after it starts.", "new_end_at");
        return false;
    }
    return true;
}

static void on_recalled(bool ok, const bk_appointment_t *a, const char *zone_name, void *data)
{
    change_call_t *c = data;
    if (!resume(c)) return;
    if (!ok) {
        fail_write(c, BK_W_REDIS, PROV_UNAVAILABLE);
        return;
    }
    if (a == NULL) {
        fail(c, API_ERR_NOT_FOUND, "I couldn't find that appointment.", "appointment_id");
        return;
    }
    if (a->state == BK_APPT_CANCELLED) {
        fail_write(c, BK_W_ALREADY_CANCELLED, PROV_OK);
        return;
    }
    clear_list(c);
    if (!keep(c, a)) {
        fail(c, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        return;
    }
    int64_t start, end;
    if (!read_new_times(c, zone_name, &start, &end)) return;
    c->wanted = start;
    bk_move_request_t q = {.tenant = c->tenant, .appointment_id = c->id,
                           .staff_id = c->staff_id[0] ? c->staff_id : NULL,
                           .location_id = c->location_id[0] ? c->location_id : NULL, .start = start, .end = end,
                           .now = tz_now()};
    step(c);
    if (bk_appt_reschedule(c->env, &q, on_written, c) != 0) start_failed(c, API_ERR_REDIS_UNAVAILABLE, NULL, NULL);
}

/* c->id is the appointment: change it. */
static void act(change_call_t *c)
{
    step(c);
    int rc;
    if (c->kind == RESCHEDULE) {
        rc = bk_appt_recall(c->env, c->tenant, c->id, on_recalled, c);
    } else if (bk_hold_is_hold_id(c->id)) {
        char hold_id[BK_HOLD_ID_LEN + 1], token[BK_HOLD_TOKEN_LEN + 1];
        if (!bk_hold_parse_public_id(c->id, hold_id, token)) {
            start_failed(c, API_ERR_NOT_FOUND, "I couldn't find that appointment.", "appointment_id");
            return;
        }
        rc = bk_appt_release_hold(c->env, c->tenant, hold_id, token, on_written, c);
    } else {
        rc = bk_appt_cancel(c->env, c->tenant, c->id, c->reason[0] ? c->reason : NULL, c->recovering, on_written, c);
    }
    if (rc != 0) start_failed(c, API_ERR_REDIS_UNAVAILABLE, NULL, NULL);
}

/* First thing in a lookup's callback: true when the request may still be answered and the lookup worked;
 * otherwise answers the EMR's failure (when it still can) and frees c. */
static bool resumed(change_call_t *c, prov_status_t status)
{
    if (!resume(c)) return false;
    if (status == PROV_OK) return true;
    fail_write(c, BK_W_PROVIDER, status);
    return false;
}

/* ---- finding the caller's appointment ---------------------------------------------------------------------------- */

static void on_appointments(prov_status_t status, const bk_appointment_t *v, size_t n, void *data)
{
    change_call_t *c = data;
    if (!resumed(c, status)) return;
    int64_t now = tz_now();
    clear_list(c);
    for (size_t i = 0; i < n; i++) {
        if ((v[i].state != BK_APPT_BOOKED && v[i].state != BK_APPT_REQUESTED) || v[i].start < now || v[i].id == NULL || v[i].staff_id == NULL ||
            v[i].treatment_id == NULL || v[i].location_id == NULL)
            continue;
        c->total++;
        if (c->n < LIST_MAX && !keep(c, &v[i])) {
            fail(c, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
            return;
        }
    }
    if (c->total == 0) {
        fail(c, API_ERR_NOT_FOUND, "I couldn't find any upcoming appointments for that number.", "phone");
        return;
    }
    if (c->total > 1) {
        answer(c, ANSWER_WHICH);
        return;
    }
    if (strlen(c->list[0].id) >= sizeof(c->id)) {
        fail(c, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        return;
    }
    snprintf(c->id, sizeof(c->id), "%s", c->list[0].id);
    act(c);
}

/* True when the said name (may be "") matches the patient's, as a caller says it (accents, case, punctuation). */
static bool name_fits(bk_name_matcher_t *m, const char *said, const char *name)
{
    if (said[0] == '\0') return true;
    if (name == NULL) return false;
    char a[BK_NAME_MAX_BYTES], b[BK_NAME_MAX_BYTES];
    bk_name_normalize(m, said, strlen(said), BK_NAME_STAFF, a, sizeof(a));
    bk_name_normalize(m, name, strlen(name), BK_NAME_STAFF, b, sizeof(b));
    return strcmp(a, b) == 0;
}

static void on_patients(prov_status_t status, const bk_patient_t *found, size_t n, void *data)
{
    change_call_t *c = data;
    if (!resumed(c, status)) return;
    const char *ids[BK_PATIENT_MAX_IDS];
    size_t k = 0;
    for (size_t i = 0; i < n && k < BK_PATIENT_MAX_IDS; i++)
        if (name_fits(c->w.v->names, c->first, found[i].first_name) &&
            name_fits(c->w.v->names, c->last, found[i].last_name))
            ids[k++] = found[i].id;
    if (k == 0) {
        fail(c, API_ERR_NOT_FOUND,
             n == 0 ? "I couldn't find any upcoming appointments for that number."
                    : "I couldn't find anyone by that name at that number.",
             "phone");
        return;
    }
    step(c);
    if (bk_patient_appointments(c->env, c->tenant, ids, k, tz_now(), on_appointments, c) != 0)
        start_failed(c, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
}

/* ---- the conversations ---------------------------------------------------------------------------------------- */

static void change(const vc_call_t *v, void *claim, bool recovering, change_kind_t kind)
{
    change_call_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        vc_error(v, claim, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL, NULL);
        if (claim != NULL) v->ops->claim_end(claim);
        return;
    }
    *c = (change_call_t){.env = v->booking, .tenant = v->tenant, .kind = kind, .recovering = recovering,
                         .now = tz_now()};
    vc_write_init(&c->w, v, claim);
    char email[BK_EMAIL_CAP];
    int got = vc_param(v, "appointment_id", c->id, sizeof(c->id));
    if (got < 0 || !vc_contact(v, c->phone, email) ||
        !vc_name(v, "first_name", c->first) || !vc_name(v, "last_name", c->last))
        goto fail;
    if (got == 0 && c->phone[0] == '\0') {
        vc_error(v, NULL, API_ERR_MISSING_FIELD,
                 "I need the appointment id or the caller's phone number.", "appointment_id", NULL);
        goto fail;
    }
    if (kind == CANCEL) {
        if (vc_param(v, "cancelled_reason", c->reason, sizeof(c->reason)) < 0) goto fail;
    } else {
        char tz[128];
        got = vc_param(v, "new_start_at", c->new_start, sizeof(c->new_start));
        if (got == 0)
            vc_error(v, NULL, API_ERR_MISSING_FIELD,
                     "I need the new date and time for the appointment.", "new_start_at", NULL);
        if (got <= 0 || vc_param(v, "new_end_at", c->new_end, sizeof(c->new_end)) < 0 ||
            vc_param(v, "staff_member_id", c->staff_id, sizeof(c->staff_id)) < 0 ||
            vc_param(v, "clinic_location_id", c->location_id, sizeof(c->location_id)) < 0)
            goto fail;
        got = vc_param(v, "time_zone", tz, sizeof(tz));
        if (got != 0 && (c->zone = vc_zone(v, "time_zone", NULL)) == NULL) goto fail;
        if (c->location_id[0] != '\0' && v->tenant->locations.count > 0 &&
            !bk_strings_contains(&v->tenant->locations, c->location_id)) {
            vc_error(v, NULL, API_ERR_LOCATION_FORBIDDEN, "I can't book at that location.",
                     "clinic_location_id", NULL);
            goto fail;
        }
    }
    if (!vc_write_arm(&c->w)) goto fail;
    if (c->id[0] != '\0') {
        act(c);
        return;
    }
    step(c);
    int rc = bk_patients_find_caller(c->env, c->tenant, c->phone, c->first, c->last, on_patients, c);
    if (rc == -2)
        start_failed(c, API_ERR_MISSING_FIELD,
                     "Please ask for the caller's first and last name; this clinic's "
                     "system can't look people up by phone alone.",
                     "last_name");
    else if (rc != 0)
        start_failed(c, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
    return;
fail:
    call_free(c);
}

void vc_cancel(const vc_call_t *v, void *claim, bool recovering)
{
    change(v, claim, recovering, CANCEL);
}

void vc_reschedule(const vc_call_t *v, void *claim, bool recovering)
{
    change(v, claim, recovering, RESCHEDULE);
}
