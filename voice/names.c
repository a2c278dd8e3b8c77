/* voice/names.c: names as a caller says them, resolved against the catalog, and spoken time zones (see names.h). */
#include "voice/names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/name_match.h"
#include "voice/bookable.h"
#include "tz/tz_names.h"

#define NAME_PARAM_CAP 256

typedef enum what { STAFF, TREATMENT, LOCATION } what_t;

static const char *const kind_words[] = {"practitioner", "treatment", "location"};

/* Answers 422 with the error object plus "candidates": [{id, name}]. */
static void answer_ambiguous(const vc_call_t *v, const char *param, what_t what, const char *const *ids,
                             const char *const *names, const bk_name_result_t *m)
{
    char message[384];
    int len = snprintf(message, sizeof(message), "Which %s did the caller mean: ", kind_words[what]);
    json_object *candidates = json_object_new_array();
    for (size_t i = 0; i < m->n_candidates; i++) {
        const char *name = names[m->candidates[i]];
        if (len > 0 && (size_t)len < sizeof(message))
            len += snprintf(message + len, sizeof(message) - (size_t)len, "%s%s",
                            i == 0                     ? ""
                            : i + 1 == m->n_candidates ? " or "
                                                       : ", ",
                            name);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(ids[m->candidates[i]]));
        json_object_object_add(o, "name", json_object_new_string(name));
        json_object_array_add(candidates, o);
    }
    if (len > 0 && (size_t)len + 1 < sizeof(message)) snprintf(message + len, sizeof(message) - (size_t)len, "?");
    json_object *extra = json_object_new_object();
    json_object_object_add(extra, "candidates", candidates);
    vc_answer_t a = {
        .kind = VC_ANSWER_PLAIN, .error = API_ERR_AMBIGUOUS_NAME, .message = message, .field = param, .body = extra};
    v->ops->answer(v->host, NULL, &a);
    json_object_put(extra);
}

#define OTHERS_OFFERED 3 /* bookable practitioners named when the one asked for is not bookable by phone */

/* A practitioner of the clinic who is not bookable by phone (not AI-enabled, or not at a location the key may book,
 * or not at `location`): when `query` names one, answers 422 not_bookable_online saying so and offering the
 * bookable ones (`names`/`ids`, n of them; also in "candidates") and returns true; else answers nothing. */
static bool answer_not_by_phone(const vc_call_t *v, const bk_catalog_t *c, const char *param, const char *query,
                                const char *const *names, const char *const *ids, size_t n)
{
    char(*all)[256] = calloc(c->staff_count + 1, sizeof(*all));
    const char **all_names = calloc(c->staff_count + 1, sizeof(*all_names));
    bk_name_result_t m = {0};
    bool found = false;
    if (all != NULL && all_names != NULL) {
        for (size_t i = 0; i < c->staff_count; i++) {
            bk_staff_display_name(&c->staff[i], all[i], sizeof(all[i]));
            all_names[i] = all[i];
        }
        found = bk_name_match(v->names, query, all_names, c->staff_count, BK_NAME_STAFF, &m) == 0 &&
                m.status == BK_NAME_MATCHED;
    }
    if (found) {
        char message[512];
        int len = snprintf(message, sizeof(message), "%s can't be booked by phone", all[m.index]);
        json_object *candidates = json_object_new_array();
        for (size_t i = 0; i < n && i < OTHERS_OFFERED; i++) {
            if (len > 0 && (size_t)len < sizeof(message))
                len += snprintf(message + len, sizeof(message) - (size_t)len, "%s%s",
                                i == 0                                  ? "; I can book you with "
                                : i + 1 == n || i + 1 == OTHERS_OFFERED ? " or "
                                                                        : ", ",
                                names[i]);
            json_object *o = json_object_new_object();
            json_object_object_add(o, "id", json_object_new_string(ids[i]));
            json_object_object_add(o, "name", json_object_new_string(names[i]));
            json_object_array_add(candidates, o);
        }
        if (len > 0 && (size_t)len + 1 < sizeof(message)) snprintf(message + len, sizeof(message) - (size_t)len, ".");
        json_object *extra = json_object_new_object();
        json_object_object_add(extra, "candidates", candidates);
        vc_answer_t a = {.kind = VC_ANSWER_PLAIN,
                         .error = API_ERR_NOT_BOOKABLE_ONLINE,
                         .message = message,
                         .field = param,
                         .body = extra};
        v->ops->answer(v->host, NULL, &a);
        json_object_put(extra);
    }
    free(all), free(all_names);
    return found;
}

static long resolve(const vc_call_t *v, const bk_catalog_t *c, const char *param, what_t what, const char *location)
{
    char query[NAME_PARAM_CAP];
    int got = vc_param(v, param, query, sizeof(query));
    if (got <= 0) return got == 0 ? -1 : -2;
    size_t total = what == STAFF ? c->staff_count : what == TREATMENT ? c->treatment_count : c->location_count;
    const char **names = calloc(total + 1, sizeof(*names));
    const char **ids = calloc(total + 1, sizeof(*ids));
    size_t *index = calloc(total + 1, sizeof(*index));
    char(*display)[256] = what == STAFF ? calloc(total + 1, sizeof(*display)) : NULL;
    long result = -2;
    if (names == NULL || ids == NULL || index == NULL || (what == STAFF && display == NULL)) {
        vc_plain_error(v, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        goto done;
    }
    size_t n = 0;
    for (size_t i = 0; i < total; i++) {
        if (what == STAFF && vc_staff_bookable(v->tenant, c, &c->staff[i], location)) {
            bk_staff_display_name(&c->staff[i], display[n], sizeof(display[n]));
            names[n] = display[n], ids[n] = c->staff[i].id, index[n++] = i;
        } else if (what == TREATMENT && vc_treatment_offered(v->tenant, c, &c->treatments[i])) {
            names[n] = c->treatments[i].name, ids[n] = c->treatments[i].id, index[n++] = i;
        } else if (what == LOCATION && bk_tenant_allows_location(v->tenant, c, c->locations[i].id)) {
            names[n] = c->locations[i].name ? c->locations[i].name : c->locations[i].id;
            ids[n] = c->locations[i].id, index[n++] = i;
        }
    }
    bk_name_result_t m;
    if (bk_name_match(v->names, query, names, n,
                      what == STAFF       ? BK_NAME_STAFF
                      : what == TREATMENT ? BK_NAME_TREATMENT
                                          : BK_NAME_LOCATION,
                      &m) != 0 ||
        m.status == BK_NAME_NONE) {
        static const api_error_t unknown[] = {API_ERR_UNKNOWN_STAFF, API_ERR_UNKNOWN_TREATMENT,
                                              API_ERR_UNKNOWN_LOCATION};
        char message[160];
        snprintf(message, sizeof(message), "No %s by that name here; ask the caller to say it again.",
                 kind_words[what]);
        if (what != STAFF || !answer_not_by_phone(v, c, param, query, names, ids, n))
            vc_plain_error(v, unknown[what], message, param);
    } else if (m.status == BK_NAME_AMBIGUOUS) {
        answer_ambiguous(v, param, what, ids, names, &m);
    } else {
        result = (long)index[m.index];
    }

done:
    free(names), free(ids), free(index), free(display);
    return result;
}

long vc_staff(const vc_call_t *v, const bk_catalog_t *catalog, const char *param, const char *location_id)
{
    return resolve(v, catalog, param, STAFF, location_id);
}

long vc_treatment(const vc_call_t *v, const bk_catalog_t *catalog, const char *param)
{
    return resolve(v, catalog, param, TREATMENT, NULL);
}

long vc_location(const vc_call_t *v, const bk_catalog_t *catalog, const char *param)
{
    return resolve(v, catalog, param, LOCATION, NULL);
}

#define SAME_RULES_WEEKS 53 /* a zone keeps the caller's rules when its offset matches theirs each week for a year */

static bool same_rules(const tz_zone_t *a, const tz_zone_t *b, int64_t now)
{
    for (int w = 0; w < SAME_RULES_WEEKS; w++) {
        int64_t t = now + (int64_t)w * 7 * TZ_MS_PER_DAY;
        if (tz_offset_seconds(a, t) != tz_offset_seconds(b, t)) return false;
    }
    return true;
}

long vc_location_for_zone(const vc_call_t *v, const bk_catalog_t *c, const tz_zone_t *caller_zone, const bool *usable,
                          const char *param)
{
    const char *ids[BK_NAME_MAX_CANDIDATES], *names[BK_NAME_MAX_CANDIDATES];
    size_t index[BK_NAME_MAX_CANDIDATES];
    int64_t now = tz_now();
    size_t n_usable = 0;
    for (size_t i = 0; i < c->location_count; i++) n_usable += usable[i];
    for (int exact = 1; exact >= 0; exact--) { /* the caller's own zone first, then any zone with its rules */
        bk_name_result_t m = {.status = BK_NAME_AMBIGUOUS};
        for (size_t i = 0; i < c->location_count && m.n_candidates < BK_NAME_MAX_CANDIDATES; i++) {
            const bk_location_t *l = &c->locations[i];
            const tz_zone_t *z = usable[i] && l->time_zone != NULL ? tz_zone_load(l->time_zone) : NULL;
            if (z == NULL) continue;
            bool fits = exact ? strcmp(tz_zone_id(z), tz_zone_id(caller_zone)) == 0 : same_rules(z, caller_zone, now);
            if (!fits) continue;
            ids[m.n_candidates] = l->id, names[m.n_candidates] = l->name ? l->name : l->id;
            index[m.n_candidates] = i;
            m.candidates[m.n_candidates] = m.n_candidates;
            m.n_candidates++;
        }
        if (m.n_candidates == n_usable) return -1; /* every location is in the caller's zone: it tells none apart */
        if (m.n_candidates == 1) return (long)index[0];
        if (m.n_candidates > 1) {
            answer_ambiguous(v, param, LOCATION, ids, names, &m);
            return -2;
        }
    }
    return -1;
}

const tz_zone_t *vc_zone(const vc_call_t *v, const char *param, const tz_zone_t *fallback)
{
    char name[128];
    int got = vc_param(v, param, name, sizeof(name));
    if (got < 0) return NULL;
    if (got == 0) {
        if (fallback != NULL) return fallback;
        char message[160];
        snprintf(message, sizeof(message), "%s is required (for example America/New_York or Eastern).", param);
        vc_plain_error(v, API_ERR_MISSING_FIELD, message, param);
        return NULL;
    }
    tz_resolution_t res;
    char why[160], message[320];
    if (tz_resolve(name, strlen(name), v->tenant->country, &res, why, sizeof(why)) != 0) {
        snprintf(message, sizeof(message),
                 "%s is not a time zone we know (%s); try a city or a name such as "
                 "Eastern or America/New_York.",
                 param, why);
        vc_plain_error(v, API_ERR_INVALID_TIME_ZONE, message, param);
        return NULL;
    }
    return res.zone;
}
