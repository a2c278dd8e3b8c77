/* booking/best_search.c: gather openings across candidates, then bestSlot (see best_search.h). */
#include "booking/best_search.h"

#include <stdlib.h>
#include <string.h>

#include "booking/availability.h"
#include "tz/tz.h"

typedef struct search search_t;

typedef struct part {
    search_t *search;
    uint32_t staff, location;
    const tz_zone_t *zone;
} part_t;

struct search {
    const bk_tenant_t *tenant;
    uint32_t treatment;
    int duration_min, shortest_min;
    int64_t now, requested;
    uint32_t staff, location;
    bk_part_of_day_t part;
    const tz_zone_t *policy_zone;
    part_t parts[BK_SEARCH_MAX_CANDIDATES];
    size_t n_parts, pending;
    prov_status_t failure;
    bool any_ok;
    bk_slots_t slots;
    bk_search_cb cb;
    void *data;
};

static void finish(search_t *s)
{
    if (!s->any_ok && s->n_parts > 0) {
        s->cb(s->failure, NULL, 0, NULL, s->data);
    } else {
        /* Each candidate's run is sorted; with scratch room the core merges them instead of heap-sorting (when
         * the room cannot be had, the sort runs in place: slower, same order). */
        (void)bk_slots_reserve(&s->slots, s->slots.len * 2);
        bk_slots_sort(&s->slots, 0);
        bk_policy_t policy;
        bk_best_result_t best;
        bk_best_query_t q = {.policy = &policy, .requested = s->requested, .staff = s->staff,
                             .location = s->location, .treatment = BK_ANY, .last_seen_staff = BK_ANY,
                             .part = s->part, .shortest_treatment_min = s->shortest_min, .max_alternatives = 2};
        if (bk_policy_init(&policy, s->policy_zone, s->now, s->tenant->policy.min_notice_minutes,
                           s->tenant->policy.max_days_ahead) != BK_OK ||
            bk_best_slot(s->slots.v, s->slots.len, &q, &best) != BK_OK)
            s->cb(PROV_UPSTREAM, NULL, 0, NULL, s->data);
        else
            s->cb(PROV_OK, s->slots.v, s->slots.len, &best, s->data);
    }
    bk_slots_free(&s->slots);
    free(s);
}

static void on_openings(prov_status_t status, const prov_opening_t *openings, size_t count, void *data)
{
    part_t *p = data;
    search_t *s = p->search;
    if (status == PROV_OK) {
        s->any_ok = true;
        if (bk_slots_reserve(&s->slots, s->slots.len + count) == BK_OK) {
            for (size_t i = 0; i < count; i++) {
                tz_civil_t local;
                tz_to_local(p->zone, openings[i].start, &local, NULL);
                bk_slot_t slot = {.start = openings[i].start, .end = openings[i].end,
                                  .local_day = (int32_t)tz_days_from_civil(local.year, local.month, local.day),
                                  .local_minute = (int16_t)(local.hour * 60 + local.minute),
                                  .staff = p->staff, .location = p->location, .treatment = s->treatment};
                s->slots.v[s->slots.len++] = slot;
            }
        }
    } else if (!s->any_ok) {
        s->failure = status;
    }
    if (--s->pending == 0) finish(s);
}

int bk_best_search(bk_env_t *env, const bk_search_request_t *req, bk_search_cb cb, void *data)
{
    const bk_catalog_t *c = req->catalog;
    if (req->n_candidates > BK_SEARCH_MAX_CANDIDATES || req->treatment >= c->treatment_count) return -1;
    search_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    const bk_catalog_treatment_t *t = &c->treatments[req->treatment];
    *s = (search_t){.tenant = req->tenant, .treatment = req->treatment, .duration_min = t->duration_minutes,
                    .now = req->now, .requested = req->requested, .staff = req->staff, .location = req->location,
                    .part = req->part, .failure = PROV_UNAVAILABLE, .cb = cb, .data = data};
    bk_slots_init(&s->slots, NULL, 0);
    s->shortest_min = t->duration_minutes;
    for (size_t i = 0; i < c->treatment_count; i++)
        if (c->treatments[i].duration_minutes > 0 && c->treatments[i].duration_minutes < s->shortest_min)
            s->shortest_min = c->treatments[i].duration_minutes;
    const bk_location_t *home = bk_tenant_default_location(req->tenant, c);
    s->policy_zone = home != NULL && home->time_zone != NULL ? tz_zone_load(home->time_zone) : NULL;
    if (s->policy_zone == NULL) s->policy_zone = tz_zone_load("UTC");
    for (size_t i = 0; i < req->n_candidates; i++) {
        const bk_location_t *l = &c->locations[req->candidates[i].location];
        const tz_zone_t *zone = l->time_zone != NULL ? tz_zone_load(l->time_zone) : NULL;
        if (zone == NULL) continue;
        s->parts[s->n_parts++] = (part_t){.search = s, .staff = req->candidates[i].staff,
                                          .location = req->candidates[i].location, .zone = zone};
    }
    if (s->n_parts == 0) {
        bk_slots_free(&s->slots);
        free(s);
        return -1;
    }
    /* The horizon: from now to the start of the local date max_days_ahead away (the core applies notice). */
    int y, m, d;
    tz_local_date(s->policy_zone, s->now, &y, &m, &d);
    int64_t last = tz_days_from_civil(y, m, d) + (req->tenant->policy.max_days_ahead > BK_AVAIL_MAX_DAYS - 2
                                                      ? BK_AVAIL_MAX_DAYS - 2
                                                      : req->tenant->policy.max_days_ahead);
    tz_civil_from_days(last, &y, &m, &d);
    tz_instant_t to;
    if (tz_day_start(s->policy_zone, y, m, d, &to) != 0) to = s->now + 30 * TZ_MS_PER_DAY;
    s->pending = s->n_parts;
    size_t started = 0;
    for (size_t i = 0; i < s->n_parts; i++) {
        part_t *p = &s->parts[i];
        const bk_location_t *l = &c->locations[p->location];
        bk_avail_query_t q = {.tenant = req->tenant, .staff_id = c->staff[p->staff].id, .treatment_id = t->id,
                              .location_id = l->id, .duration_minutes = t->duration_minutes,
                              .time_zone = l->time_zone, .from = s->now, .to = to, .now = s->now};
        if (bk_availability_get(env, &q, on_openings, p) == 0) started++;
        else s->pending--;
    }
    if (started == 0) {
        bk_slots_free(&s->slots);
        free(s);
        return -1;
    }
    return 0;
}
