/* server/voice.c: name resolution, spoken zones and spoken answers for the /voice routes (see voice.h). */
#include "server/voice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/name_match.h"
#include "server/query.h"
#include "server/worker.h"
#include "tz/tz_names.h"

#define NAME_PARAM_CAP 256

typedef enum what { STAFF, TREATMENT, LOCATION } what_t;

static const char *const kind_words[] = {"practitioner", "treatment", "location"};

static bool staff_bookable(const bk_tenant_t *t, const bk_catalog_t *c, const bk_staff_t *s, const char *location)
{
    if (!s->ai_enabled) return false;
    if (location != NULL) return bk_strings_contains(&s->location_ids, location);
    for (size_t i = 0; i < s->location_ids.count; i++)
        if (bk_tenant_allows_location(t, c, s->location_ids.items[i])) return true;
    return false;
}

static bool treatment_bookable(const bk_tenant_t *t, const bk_catalog_t *c, const bk_catalog_treatment_t *x)
{
    for (size_t i = 0; i < x->location_ids.count; i++)
        if (bk_tenant_allows_location(t, c, x->location_ids.items[i])) return true;
    return false;
}

/* Answers 422 with the error object plus "candidates": [{id, name}]. */
static void answer_ambiguous(srv_request_t *r, const char *param, what_t what, const char *const *ids,
                             const char *const *names, const bk_name_result_t *m)
{
    char message[384];
    int len = snprintf(message, sizeof(message), "Which %s did the caller mean: ", kind_words[what]);
    json_object *candidates = json_object_new_array();
    for (size_t i = 0; i < m->n_candidates; i++) {
        const char *name = names[m->candidates[i]];
        if (len > 0 && (size_t)len < sizeof(message))
            len += snprintf(message + len, sizeof(message) - (size_t)len, "%s%s", i == 0 ? "" :
                            i + 1 == m->n_candidates ? " or " : ", ", name);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(ids[m->candidates[i]]));
        json_object_object_add(o, "name", json_object_new_string(name));
        json_object_array_add(candidates, o);
    }
    if (len > 0 && (size_t)len + 1 < sizeof(message)) snprintf(message + len, sizeof(message) - (size_t)len, "?");
    json_object *error = json_object_new_object();
    json_object_object_add(error, "code", json_object_new_string("ambiguous_name"));
    json_object_object_add(error, "message", json_object_new_string(message));
    json_object_object_add(error, "field", json_object_new_string(param));
    json_object_object_add(error, "candidates", candidates);
    json_object *body = json_object_new_object();
    json_object_object_add(body, "error", error);
    srv_respond_json(r, 422, body);
    json_object_put(body);
}

static long resolve(srv_request_t *r, const bk_catalog_t *c, const char *param, what_t what, const char *location)
{
    char query[NAME_PARAM_CAP];
    int got = srv_query_get(r, param, query, sizeof(query));
    if (got <= 0) return got == 0 ? -1 : -2;
    size_t total = what == STAFF ? c->staff_count : what == TREATMENT ? c->treatment_count : c->location_count;
    const char **names = calloc(total + 1, sizeof(*names));
    const char **ids = calloc(total + 1, sizeof(*ids));
    size_t *index = calloc(total + 1, sizeof(*index));
    char (*display)[256] = what == STAFF ? calloc(total + 1, sizeof(*display)) : NULL;
    long result = -2;
    if (names == NULL || ids == NULL || index == NULL || (what == STAFF && display == NULL)) {
        srv_respond_error(r, SRV_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        goto done;
    }
    size_t n = 0;
    for (size_t i = 0; i < total; i++) {
        if (what == STAFF && staff_bookable(r->tenant, c, &c->staff[i], location)) {
            bk_staff_display_name(&c->staff[i], display[n], sizeof(display[n]));
            names[n] = display[n], ids[n] = c->staff[i].id, index[n++] = i;
        } else if (what == TREATMENT && treatment_bookable(r->tenant, c, &c->treatments[i])) {
            names[n] = c->treatments[i].name, ids[n] = c->treatments[i].id, index[n++] = i;
        } else if (what == LOCATION && bk_tenant_allows_location(r->tenant, c, c->locations[i].id)) {
            names[n] = c->locations[i].name ? c->locations[i].name : c->locations[i].id;
            ids[n] = c->locations[i].id, index[n++] = i;
        }
    }
    bk_name_result_t m;
    if (bk_name_match(r->worker->names, query, names, n, what == STAFF ? BK_NAME_STAFF :
                      what == TREATMENT ? BK_NAME_TREATMENT : BK_NAME_LOCATION, &m) != 0 ||
        m.status == BK_NAME_NONE) {
        static const srv_error_t unknown[] = {SRV_ERR_UNKNOWN_STAFF, SRV_ERR_UNKNOWN_TREATMENT,
                                              SRV_ERR_UNKNOWN_LOCATION};
        char message[160];
        snprintf(message, sizeof(message), "No %s by that name here; ask the caller to say it again.",
                 kind_words[what]);
        srv_respond_error(r, unknown[what], message, param);
    } else if (m.status == BK_NAME_AMBIGUOUS) {
        answer_ambiguous(r, param, what, ids, names, &m);
    } else {
        result = (long)index[m.index];
    }

done:
    free(names), free(ids), free(index), free(display);
    return result;
}

long srv_voice_staff(srv_request_t *r, const bk_catalog_t *catalog, const char *param, const char *location_id)
{
    return resolve(r, catalog, param, STAFF, location_id);
}

long srv_voice_treatment(srv_request_t *r, const bk_catalog_t *catalog, const char *param)
{
    return resolve(r, catalog, param, TREATMENT, NULL);
}

long srv_voice_location(srv_request_t *r, const bk_catalog_t *catalog, const char *param)
{
    return resolve(r, catalog, param, LOCATION, NULL);
}

const tz_zone_t *srv_voice_zone(srv_request_t *r, const char *param, const tz_zone_t *fallback)
{
    char name[128];
    int got = srv_query_get(r, param, name, sizeof(name));
    if (got < 0) return NULL;
    if (got == 0) {
        if (fallback != NULL) return fallback;
        char message[160];
        snprintf(message, sizeof(message), "%s is required (for example America/New_York or Eastern).", param);
        srv_respond_error(r, SRV_ERR_MISSING_FIELD, message, param);
        return NULL;
    }
    tz_resolution_t res;
    char why[160], message[320];
    if (tz_resolve(name, strlen(name), r->tenant->country, &res, why, sizeof(why)) != 0) {
        snprintf(message, sizeof(message), "%s is not a time zone we know (%s); try a city or a name such as "
                 "Eastern or America/New_York.", param, why);
        srv_respond_error(r, SRV_ERR_INVALID_TIME_ZONE, message, param);
        return NULL;
    }
    return res.zone;
}

void srv_voice_respond(srv_request_t *r, int status, json_object *body, const char *message)
{
    json_object_object_add(body, "message", json_object_new_string(message));
    srv_respond_json(r, status, body);
}
