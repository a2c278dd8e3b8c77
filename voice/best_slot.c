/* voice/best_slot.c: the one slot a caller most wants (plus up to two different alternatives), from what they said:
 * a treatment, maybe a practitioner, a location, a time and a part of day (see conversations.h). With the caller's
 * phone, the practitioner they saw last is preferred (booking/last_seen.h), looked up before the catalog is read
 * and waited for only briefly, so it never costs the caller their answer. */
#include "voice/conversations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "booking/best_search.h"
#include "booking/last_seen.h"
#include "core/phone.h"
#include "tz/tz.h"
#include "tz/tz_spoken.h"
#include "voice/bookable.h"
#include "voice/names.h"

#define NAME_CAP 256
/* The search answers with what it has this long before the call's deadline, leaving time to score, sign,
 * speak and send (a warm answer takes a few ms; this covers a loaded worker). */
#define ANSWER_MARGIN_MS 300
#define MIN_BUDGET_MS 50
/* The longest wait for the caller's last-seen practitioner: a quarter of what is left, at most this. A slower lookup
 * goes on and serves the caller's next question from the worker's cache. */
#define LAST_SEEN_WAIT_MS 250

/* What the answer needs after the catalog is gone: names and ids of the practitioners and locations. The search
 * borrows the ids and zones (bk_search_candidate_t) instead of copying them again: this call outlives its answer. */
typedef struct best_call {
    const vc_call_t *v;
    int64_t now;
    char treatment_id[160], treatment_name[NAME_CAP];
    size_t n_staff, n_locations;
    char (*staff_id)[160], (*staff_name)[NAME_CAP];
    char (*location_id)[160], (*location_name)[NAME_CAP], (*location_zone)[64];
    int horizon_days;
    bool catalog_stale; /* the catalog came from the last good copy (the EMR failed) */
    char named_staff[NAME_CAP];
    bool location_from_zone; /* no location named: the search keeps to the one in the caller's time zone, */
    uint32_t zone_location;  /* this one */
    char last_seen_id[BK_LAST_SEEN_ID_CAP];    /* the practitioner the caller saw last, or "" */
    bool last_seen_unsure;                     /* the lookup did not answer: the answer is not kept for reuse */
    uint32_t last_seen;                        /* its catalog index, or BK_ANY */
} best_call_t;

static void call_free(best_call_t *c)
{
    free(c->staff_id), free(c->staff_name), free(c->location_id), free(c->location_name), free(c->location_zone);
    free(c);
}

static const tz_zone_t *zone_of(const best_call_t *c, uint32_t location)
{
    const tz_zone_t *z = tz_zone_load(c->location_zone[location]);
    return z != NULL ? z : tz_zone_load("UTC");
}

/* The API.md slot plus the names a voice agent reads. */
static json_object *slot_json(best_call_t *c, const bk_slot_t *s)
{
    json_object *o = bk_slot_to_json(c->v->render, c->staff_id[s->staff], c->treatment_id,
                                     c->location_id[s->location], zone_of(c, s->location), s->start, s->end, c->now);
    json_object_object_add(o, "staff_member_name", json_object_new_string(c->staff_name[s->staff]));
    json_object_object_add(o, "treatment_name", json_object_new_string(c->treatment_name));
    json_object_object_add(o, "location_name", json_object_new_string(c->location_name[s->location]));
    return o;
}

static void spoken(best_call_t *c, const bk_slot_t *s, char *buf, size_t cap)
{
    const char *locale = c->v->tenant->locale != NULL ? c->v->tenant->locale : "en-US";
    if (tz_speak(c->v->speaker, locale, zone_of(c, s->location), s->start, c->now, 0, buf, cap) < 0)
        snprintf(buf, cap, "soon");
}

static int words(const char *s)
{
    int n = 0;
    for (bool in = false; *s; s++) {
        bool space = *s == ' ';
        if (!space && !in) n++;
        in = !space;
    }
    return n;
}

/* "The best time is <when> with <who>[, whom you saw last][ at <where>][; <alternative> also works]." in under 30
 * words: the alternative, then the place, go when the sentence would be longer. */
static void say_found(best_call_t *c, const bk_slot_t *best, const bk_slot_t *alt, bool past_horizon, char *message,
                      size_t cap)
{
    char when[128], other[128] = "", lead[96] = "The best time is";
    spoken(c, best, when, sizeof(when));
    if (alt != NULL) spoken(c, alt, other, sizeof(other));
    if (past_horizon) /* the caller asked for a day the clinic does not book yet */
        snprintf(lead, sizeof(lead), "We only book %d days ahead; the latest I can offer is", c->horizon_days);
    for (int variant = 0; variant < 3; variant++) {
        bool with_alt = variant == 0 && alt != NULL, with_place = variant < 2 && c->n_locations > 1;
        bool seen = best->staff == c->last_seen;
        const char *seen_words = !seen ? "" : with_place ? ", whom you saw last," : ", whom you saw last";
        snprintf(message, cap, "%s %s with %s%s%s%s%s%s.", lead, when, c->staff_name[best->staff], seen_words,
                 with_place ? " at " : "", with_place ? c->location_name[best->location] : "",
                 with_alt ? "; " : "", with_alt ? other : "");
        if (with_alt) {
            size_t len = strlen(message);
            snprintf(message + len - 1, cap - (len - 1), " also works.");
        }
        if (words(message) < 30) return;
    }
}

static void add_stale(const best_call_t *c, json_object *body, bool partial)
{
    if (partial || c->catalog_stale) json_object_object_add(body, "stale", json_object_new_boolean(1));
}

/* A request past the horizon: "beyond_horizon" and the last bookable local date (of the answer's location). */
static void add_horizon(best_call_t *c, json_object *body, const bk_search_result_t *res, uint32_t location)
{
    if (!res->past_horizon) return;
    int y, m, d;
    tz_local_date(zone_of(c, location), res->horizon_end - 1, &y, &m, &d);
    char date[16];
    snprintf(date, sizeof(date), "%04d-%02d-%02d", y, m, d);
    json_object_object_add(body, "beyond_horizon", json_object_new_boolean(1));
    json_object_object_add(body, "bookable_until", json_object_new_string(date));
}

static void answer_found(best_call_t *c, const bk_search_result_t *res)
{
    const bk_slot_t *slots = res->slots;
    const bk_best_result_t *b = res->best;
    bool partial = res->partial;
    const bk_slot_t *best = &slots[b->best.index];
    json_object *slot = slot_json(c, best);
    json_object *body = json_object_new_object();
    json_object_object_add(body, "available", json_object_new_boolean(1));
    json_object *v;
    json_object_object_get_ex(slot, "slot_id", &v);
    json_object_object_add(body, "slot_id", json_object_get(v));
    json_object_object_get_ex(slot, "spoken", &v);
    json_object_object_add(body, "spoken", json_object_get(v));
    json_object_object_get_ex(slot, "start_at", &v);
    json_object_object_add(body, "start_at", json_object_get(v));
    json_object_object_add(body, "slot", slot);
    json_object *alternatives = json_object_new_array();
    for (size_t i = 0; i < b->n_alt; i++) json_object_array_add(alternatives, slot_json(c, &slots[b->alt[i].index]));
    json_object_object_add(body, "alternatives", alternatives);
    add_stale(c, body, partial);
    add_horizon(c, body, res, best->location);
    char message[640];
    say_found(c, best, b->n_alt > 0 ? &slots[b->alt[0].index] : NULL, res->past_horizon, message, sizeof(message));
    /* A complete answer may be kept by the host and given again to the same question while nothing read changed. */
    json_object_object_add(body, "message", json_object_new_string(message));
    vc_answer_t a = {.kind = VC_ANSWER_BODY, .body = body,
                     .keep = !partial && !c->catalog_stale && !c->last_seen_unsure};
    c->v->ops->answer(c->v->host, NULL, &a);
    json_object_put(body);
}

static void answer_none(best_call_t *c, const bk_search_result_t *res)
{
    const bk_slot_t *slots = res->slots;
    const bk_best_result_t *b = res->best;
    bool partial = res->partial;
    static const char *const reasons[] = {"found", "no_openings", "needs_notice", "named_staff_full",
                                          "named_location_full"};
    json_object *body = json_object_new_object();
    json_object_object_add(body, "available", json_object_new_boolean(0));
    json_object_object_add(body, "reason", json_object_new_string(reasons[b->outcome]));
    const bk_slot_t *next = b->other != BK_NO_SLOT ? &slots[b->other] : NULL;
    json_object_object_add(body, "next_available", next != NULL ? slot_json(c, next) : NULL);
    add_stale(c, body, partial);
    add_horizon(c, body, res, next != NULL ? next->location : c->zone_location);
    char when[128] = "", message[512];
    if (next != NULL) spoken(c, next, when, sizeof(when));
    switch (b->outcome) {
    case BK_NONE_NAMED_STAFF_FULL:
        if (next != NULL)
            snprintf(message, sizeof(message), "%s has no openings soon, but %s can see you %s.", c->named_staff,
                     c->staff_name[next->staff], when);
        else
            snprintf(message, sizeof(message), "%s has no openings in the next %d days.", c->named_staff,
                     c->horizon_days);
        break;
    case BK_NONE_NAMED_LOCATION_FULL:
        if (next != NULL)
            snprintf(message, sizeof(message), "%s has no openings soon, but %s has one %s.",
                     c->location_from_zone ? c->location_name[c->zone_location] : "That location",
                     c->location_name[next->location], when);
        else
            snprintf(message, sizeof(message), "That location has no openings in the next %d days.", c->horizon_days);
        break;
    case BK_NONE_NEEDS_NOTICE:
        snprintf(message, sizeof(message), "Bookings need at least %d hours' notice, and nothing later is free.",
                 b->notice_hours);
        break;
    default:
        snprintf(message, sizeof(message), "There are no openings for %s in the next %d days.", c->treatment_name,
                 c->horizon_days);
        break;
    }
    vc_respond(c->v, body, message);
    json_object_put(body);
}

/* The EMR is slower than a caller can wait and the cache could not settle it: a 504 the agent can say. */
static void answer_too_slow(best_call_t *c)
{
    vc_plain_error(c->v, API_ERR_EMR_TIMEOUT,
                      "The clinic's calendar is slow to answer right now; please try "
                      "again in a moment.",
                      NULL);
}

static void on_search(prov_status_t status, const bk_search_result_t *res, void *data)
{
    best_call_t *c = data;
    if (!c->v->ops->release(c->v->host)) goto done;
    if (status == PROV_TIMEOUT) answer_too_slow(c);
    else if (status != PROV_OK) vc_provider_failure(c->v, status);
    else if (res->best->outcome == BK_BEST_FOUND) answer_found(c, res);
    else if (res->partial) answer_too_slow(c); /* "nothing" from part of the calendar is not an answer */
    else answer_none(c, res);
done:
    call_free(c);
}

static bool read_part(const vc_call_t *v, bk_part_of_day_t *part)
{
    char text[32];
    *part = BK_PART_ANY;
    int got = vc_param(v, "part_of_day", text, sizeof(text));
    if (got < 0) return false;
    if (got == 0) return true;
    for (char *p = text; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    if (strcmp(text, "morning") == 0) *part = BK_PART_MORNING;
    else if (strcmp(text, "afternoon") == 0) *part = BK_PART_AFTERNOON;
    else if (strcmp(text, "evening") == 0) *part = BK_PART_EVENING;
    else {
        vc_plain_error(v, API_ERR_INVALID_FIELD, "part_of_day must be morning, afternoon or evening.",
                       "part_of_day");
        return false;
    }
    return true;
}

static void on_catalog(prov_status_t status, const bk_catalog_t *cat, bk_catalog_source_t source, void *data)
{
    best_call_t *c = data;
    const vc_call_t *v = c->v;
    if (!v->ops->release(v->host)) goto fail;
    if (status != PROV_OK) {
        vc_provider_failure(v, status);
        goto fail;
    }
    c->catalog_stale = source == BK_SOURCE_STALE;
    long t = vc_treatment(v, cat, "treatment_name"); /* present: checked before the catalog was read */
    if (t < 0) goto fail;
    long loc = vc_location(v, cat, "clinic_location_name");
    if (loc == -2) goto fail;
    long staff = vc_staff(v, cat, "staff_member_name", NULL);
    if (staff == -2) goto fail;
    const tz_zone_t *caller_zone = vc_zone(v, "time_zone", NULL);
    if (caller_zone == NULL) goto fail;
    bk_part_of_day_t part;
    if (!read_part(v, &part)) goto fail;
    char when[64];
    int64_t requested = 0;
    int got = vc_param(v, "requested_time_utc", when, sizeof(when));
    if (got < 0) goto fail;
    if (got > 0) {
        char why[128], message[256];
        if (tz_parse_iso(when, strlen(when), caller_zone, &requested, why, sizeof(why)) != 0) {
            snprintf(message, sizeof(message), "requested_time_utc must be an ISO 8601 time such as "
                     "2026-04-21T14:30:00Z: %s.", why);
            vc_plain_error(v, API_ERR_INVALID_FIELD, message, "requested_time_utc");
            goto fail;
        }
    }

    const bk_catalog_treatment_t *tr = &cat->treatments[t];
    snprintf(c->treatment_id, sizeof(c->treatment_id), "%s", tr->id);
    snprintf(c->treatment_name, sizeof(c->treatment_name), "%s", tr->name ? tr->name : tr->id);
    c->n_staff = cat->staff_count;
    c->n_locations = cat->location_count;
    c->staff_id = calloc(c->n_staff + 1, sizeof(*c->staff_id));
    c->staff_name = calloc(c->n_staff + 1, sizeof(*c->staff_name));
    c->location_id = calloc(c->n_locations + 1, sizeof(*c->location_id));
    c->location_name = calloc(c->n_locations + 1, sizeof(*c->location_name));
    c->location_zone = calloc(c->n_locations + 1, sizeof(*c->location_zone));
    if (!c->staff_id || !c->staff_name || !c->location_id || !c->location_name || !c->location_zone) {
        vc_plain_error(v, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        goto fail;
    }
    for (size_t i = 0; i < cat->staff_count; i++) {
        snprintf(c->staff_id[i], sizeof(c->staff_id[i]), "%s", cat->staff[i].id);
        bk_staff_display_name(&cat->staff[i], c->staff_name[i], sizeof(c->staff_name[i]));
    }
    size_t allowed = 0;
    for (size_t i = 0; i < cat->location_count; i++) {
        const bk_location_t *l = &cat->locations[i];
        snprintf(c->location_id[i], sizeof(c->location_id[i]), "%s", l->id);
        snprintf(c->location_name[i], sizeof(c->location_name[i]), "%s", l->name ? l->name : l->id);
        snprintf(c->location_zone[i], sizeof(c->location_zone[i]), "%s", l->time_zone ? l->time_zone : "UTC");
        allowed += bk_tenant_allows_location(v->tenant, cat, l->id);
    }
    c->n_locations = allowed; /* how many the caller could be sent to: names a location in the message if > 1 */
    if (staff >= 0) snprintf(c->named_staff, sizeof(c->named_staff), "%s", c->staff_name[staff]);
    c->last_seen = BK_ANY;
    for (size_t i = 0; c->last_seen_id[0] != '\0' && i < cat->staff_count; i++)
        if (strcmp(cat->staff[i].id, c->last_seen_id) == 0) c->last_seen = (uint32_t)i;
    c->horizon_days = v->tenant->policy.max_days_ahead;

    /* Every AI-bookable practitioner offering the treatment at every location the key may book: a named
     * practitioner or location is a hard filter of the core, which can then still offer another one. */
    bk_search_candidate_t candidates[BK_SEARCH_MAX_CANDIDATES];
    size_t n = 0;
    for (size_t s = 0; s < cat->staff_count && n < BK_SEARCH_MAX_CANDIDATES; s++) {
        const bk_staff_t *st = &cat->staff[s];
        if (!st->ai_enabled || !bk_strings_contains(&tr->staff_ids, st->id)) continue; /* fast skip */
        for (size_t l = 0; l < cat->location_count && n < BK_SEARCH_MAX_CANDIDATES; l++)
            if (vc_can_book(v->tenant, cat, st, tr, cat->locations[l].id))
                candidates[n++] = (bk_search_candidate_t){(uint32_t)s, (uint32_t)l, c->staff_id[s], c->location_id[l],
                                                          c->location_zone[l]};
    }
    /* No location named: the one in the caller's zone, or ask which one when several are. */
    if (loc < 0) {
        bool *usable = calloc(cat->location_count + 1, sizeof(*usable));
        if (usable == NULL) {
            vc_plain_error(v, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
            goto fail;
        }
        for (size_t i = 0; i < n; i++)
            if (staff < 0 || candidates[i].staff == (uint32_t)staff) usable[candidates[i].location] = true;
        loc = vc_location_for_zone(v, cat, caller_zone, usable, "clinic_location_name");
        free(usable);
        if (loc == -2) goto fail;
        c->location_from_zone = loc >= 0;
        c->zone_location = loc >= 0 ? (uint32_t)loc : 0;
    }
    bk_search_request_t req = {.tenant = v->tenant, .catalog = cat, .treatment = (uint32_t)t,
                               .treatment_id = c->treatment_id, .candidates = candidates, .n_candidates = n,
                               .now = c->now,
                               .requested = requested, .staff = staff >= 0 ? (uint32_t)staff : BK_ANY,
                               .location = loc >= 0 ? (uint32_t)loc : BK_ANY, .part = part,
                               .last_seen_staff = c->last_seen,
                               .budget_ms = v->ops->ms_left(v->host) - ANSWER_MARGIN_MS};
    if (req.budget_ms < MIN_BUDGET_MS) req.budget_ms = MIN_BUDGET_MS;
    v->ops->hold(v->host);
    if (bk_best_search(v->booking, &req, on_search, c) == 0) return;
    v->ops->release(v->host);
    if (n == 0) {
        json_object *body = json_object_new_object();
        json_object_object_add(body, "available", json_object_new_boolean(0));
        json_object_object_add(body, "reason", json_object_new_string("no_openings"));
        json_object_object_add(body, "next_available", NULL);
        char message[320];
        snprintf(message, sizeof(message), "Nobody here offers %s by phone booking; please call the clinic.",
                 c->treatment_name);
        vc_respond(v, body, message);
        json_object_put(body);
    } else {
        vc_plain_error(v, API_ERR_REDIS_UNAVAILABLE, NULL, NULL);
    }
fail:
    call_free(c);
}

/* The lookup is over (whether or not this call still waited for it): its hold on the request goes. */
static void on_lookup_done(void *data)
{
    const vc_call_t *v = data;
    (void)v->ops->release(v->host);
}

static void on_last_seen(bk_last_seen_outcome_t outcome, const char *staff_id, void *data)
{
    best_call_t *c = data;
    if (!c->v->ops->release(c->v->host)) {
        call_free(c);
        return;
    }
    c->last_seen_unsure = outcome == BK_LAST_SEEN_UNKNOWN;
    if (outcome == BK_LAST_SEEN_KNOWN) snprintf(c->last_seen_id, sizeof(c->last_seen_id), "%s", staff_id);
    if (!vc_start_catalog(c->v, on_catalog, c)) call_free(c);
}

/* The caller's phone, when given, in E.164 into out ("" when not given); false after answering that it cannot be
 * read. */
static bool read_phone(const vc_call_t *v, char out[BK_PHONE_CAP])
{
    char text[64], why[128], message[256];
    out[0] = '\0';
    int got = vc_param(v, "phone", text, sizeof(text));
    if (got <= 0) return got == 0;
    if (bk_phone_normalize(text, v->tenant->country, out, why, sizeof(why)) == 0) return true;
    snprintf(message, sizeof(message), "phone is not a phone number we can read (%s).", why);
    vc_plain_error(v, API_ERR_INVALID_FIELD, message, "phone");
    return false;
}

void vc_best_slot(const vc_call_t *v)
{
    /* Missing required parameters are the caller's first mistake: say so before asking the EMR. */
    char probe[NAME_CAP], phone[BK_PHONE_CAP];
    if (!vc_param_require(v, "treatment_name", probe, sizeof(probe)) ||
        !vc_param_require(v, "time_zone", probe, sizeof(probe)) || !read_phone(v, phone))
        return;
    best_call_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        vc_plain_error(v, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        return;
    }
    c->v = v;
    c->now = tz_now();
    c->last_seen = BK_ANY;
    if (phone[0] != '\0') {
        int64_t wait = v->ops->ms_left(v->host) / 4;
        wait = wait < 0 ? 0 : wait > LAST_SEEN_WAIT_MS ? LAST_SEEN_WAIT_MS : wait;
        v->ops->hold(v->host); /* for the answer, given within the wait */
        v->ops->hold(v->host); /* for the lookup, which may outlive the wait: its tenant stays alive meanwhile */
        bk_last_seen(v->booking, v->tenant, phone, c->now, (uint64_t)wait, on_last_seen, c, on_lookup_done, (void *)v);
        return;
    }
    if (!vc_start_catalog(v, on_catalog, c)) call_free(c);
}
