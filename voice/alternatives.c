/* voice/alternatives.c: the nearest free slots offered when a voice booking's slot is gone (see alternatives.h). */
#include "voice/alternatives.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking/availability.h"
#include "booking/catalog_cache.h"
#include "booking/holds.h"
#include "tz/tz_spoken.h"
#include "voice/bookable.h"
#include "voice/sentences.h"

#define ID_CAP                 160
#define NAME_CAP               256
#define BEFORE_MS              (24LL * 3600 * 1000)
#define AFTER_MS               (3LL * 24 * 3600 * 1000)
#define OTHER_STAFF_PENALTY_MS (30LL * 60 * 1000)
#define DISTINCT_MS            (60LL * 60 * 1000)

typedef struct alt_staff {
    char id[ID_CAP], name[NAME_CAP];
    int64_t best_start[VC_ALT_MAX + 1], best_end[VC_ALT_MAX + 1]; /* a few nearest of this practitioner */
    size_t n;
} alt_staff_t;

typedef struct alt_call {
    const vc_call_t *v;
    char treatment_id[ID_CAP], treatment_name[NAME_CAP], location_id[ID_CAP], location_name[NAME_CAP], zone[64];
    int duration;
    int64_t start, now;
    bk_openings_read_t read; /* the named practitioner's openings just read (owned copy), or none */
    int64_t window_from, window_to; /* the named practitioner's window, once c->read is used for it */
    alt_staff_t staff[VC_ALT_MAX_STAFF];
    size_t n_staff, pending;
    vc_alt_cb cb;
    void *data;
} alt_call_t;

typedef struct alt_read {
    alt_call_t *call;
    size_t index;
    int64_t from, to; /* the window of a read of c->read */
} alt_read_t;

static int64_t distance(int64_t a, int64_t b)
{
    return a > b ? a - b : b - a;
}

static int64_t cost(const alt_call_t *c, size_t staff, int64_t start)
{
    return distance(start, c->start) + (staff == 0 ? 0 : OTHER_STAFF_PENALTY_MS);
}

static void finish(alt_call_t *c)
{
    json_object *slots = json_object_new_array();
    char said[512] = "";
    size_t chosen_staff[VC_ALT_MAX];
    int64_t chosen_start[VC_ALT_MAX];
    size_t n = 0;
    const tz_zone_t *zone = tz_zone_load(c->zone);
    if (zone == NULL) zone = tz_zone_fixed(0);
    while (n < VC_ALT_MAX) {
        size_t best_s = 0, best_i = 0;
        int64_t best_cost = INT64_MAX;
        for (size_t s = 0; s < c->n_staff; s++) {
            for (size_t i = 0; i < c->staff[s].n; i++) {
                int64_t at = c->staff[s].best_start[i], k = cost(c, s, at);
                bool distinct = true;
                for (size_t j = 0; j < n; j++)
                    if (chosen_staff[j] == s && distance(chosen_start[j], at) < DISTINCT_MS) distinct = false;
                if (distinct && k < best_cost) best_cost = k, best_s = s, best_i = i;
            }
        }
        if (best_cost == INT64_MAX) break;
        chosen_staff[n] = best_s;
        chosen_start[n] = c->staff[best_s].best_start[best_i];
        json_object *o = bk_slot_to_json(c->v->render, c->staff[best_s].id, c->treatment_id, c->location_id, zone,
                                         chosen_start[n], c->staff[best_s].best_end[best_i], c->now);
        json_object_object_add(o, "staff_member_name", json_object_new_string(c->staff[best_s].name));
        json_object_object_add(o, "treatment_name", json_object_new_string(c->treatment_name));
        json_object_object_add(o, "location_name", json_object_new_string(c->location_name));
        char when[384];
        int y0, m0, d0, y1, m1, d1;
        tz_local_date(zone, chosen_start[0], &y0, &m0, &d0);
        tz_local_date(zone, chosen_start[n], &y1, &m1, &d1);
        if (n > 0 && y0 == y1 && m0 == m1 && d0 == d1) {
            /* Same day as the first: the time alone ("or 10:30 am with ..."). */
            const char *locale = c->v->tenant->locale != NULL ? c->v->tenant->locale : "en-US";
            if (tz_speak(c->v->speaker, locale, zone, chosen_start[n], c->now, TZ_SPEAK_TIME_ONLY, when, sizeof(when)) <
                0)
                when[0] = '\0';
            size_t wl = strlen(when);
            snprintf(when + wl, sizeof(when) - wl, " with %s", c->staff[best_s].name);
        } else {
            vc_say_when(o, when, sizeof(when));
        }
        size_t len = strlen(said);
        snprintf(said + len, sizeof(said) - len, "%s%s", n == 0 ? "" : " or ", when);
        json_object_array_add(slots, o);
        n++;
    }
    c->cb(slots, said, c->data);
    free(c->read.items);
    free(c);
}

/* Keeps the VC_ALT_MAX + 1 cheapest openings of one practitioner (enough to pick two distinct ones). */
static void keep(alt_call_t *c, size_t index, const prov_opening_t *openings, size_t count)
{
    alt_staff_t *s = &c->staff[index];
    for (size_t i = 0; i < count; i++) {
        int64_t at = openings[i].start, k = cost(c, index, at);
        if (index == 0 && at == c->start) continue;
        size_t pos = s->n; /* equal costs in start order, whatever order the reads answer in */
        while (pos > 0 && (cost(c, index, s->best_start[pos - 1]) > k ||
                           (cost(c, index, s->best_start[pos - 1]) == k && s->best_start[pos - 1] > at)))
            pos--;
        if (pos > VC_ALT_MAX) continue;
        size_t last = s->n < VC_ALT_MAX + 1 ? s->n : VC_ALT_MAX;
        for (size_t j = last; j > pos; j--) {
            s->best_start[j] = s->best_start[j - 1];
            s->best_end[j] = s->best_end[j - 1];
        }
        s->best_start[pos] = at;
        s->best_end[pos] = openings[i].end;
        if (s->n < VC_ALT_MAX + 1) s->n++;
    }
}

static void on_read(prov_status_t status, const prov_opening_t *openings, size_t count, void *data)
{
    alt_read_t *rd = data;
    alt_call_t *c = rd->call;
    if (status == PROV_OK) keep(c, rd->index, openings, count);
    free(rd);
    if (--c->pending == 0) finish(c);
}

static void read_staff(alt_call_t *c, size_t index, int64_t from, int64_t to);

/* After the named practitioner's openings of c->read's window [lo, hi) (of the asked window [from, to)): true
 * when the nearest ones it keeps are all nearer to the time asked for than anything outside [lo, hi) can be, so
 * reading the rest would change nothing. */
static bool nearest_known(const alt_call_t *c, int64_t from, int64_t lo, int64_t hi, int64_t to)
{
    const alt_staff_t *s = &c->staff[0];
    if (s->n < VC_ALT_MAX + 1) return false;
    int64_t bound = INT64_MAX;
    if (from < lo) bound = c->start - lo;
    if (hi < to && hi - c->start < bound) bound = hi - c->start;
    for (size_t i = 0; i < s->n; i++)
        if (distance(s->best_start[i], c->start) >= bound) return false;
    return true;
}

/* The openings of c->read in [rd->from, rd->to) that are bookable now and free of live holds (busy) and of the
 * time asked for, into on_read: what the availability would answer for that window, without its cache. */
static void on_read_holds(bool ok, const int64_t (*busy)[2], size_t n_busy, void *data)
{
    alt_read_t *rd = data;
    alt_call_t *c = rd->call;
    prov_opening_t *out = ok ? malloc((c->read.count ? c->read.count : 1) * sizeof(*out)) : NULL;
    if (out == NULL) {
        on_read(PROV_UNAVAILABLE, NULL, 0, rd);
        return;
    }
    int64_t earliest = c->now + (int64_t)c->v->tenant->policy.min_notice_minutes * TZ_MS_PER_MINUTE;
    int64_t horizon = bk_horizon_end(c->v->tenant, tz_zone_load(c->zone), c->now);
    int64_t taken_end = c->start + (int64_t)c->duration * TZ_MS_PER_MINUTE;
    size_t n = 0;
    for (size_t i = 0; i < c->read.count; i++) {
        prov_opening_t o = c->read.items[i];
        bool free_now = o.start >= rd->from && o.start < rd->to && o.start >= earliest && o.start < horizon &&
                        !bk_intervals_overlap(o.start, o.end, c->start, taken_end);
        for (size_t h = 0; h < n_busy && free_now; h++)
            free_now = !bk_intervals_overlap(o.start, o.end, busy[h][0], busy[h][1]);
        if (free_now) out[n++] = o;
    }
    keep(c, 0, out, n);
    free(out);
    if (!nearest_known(c, c->window_from, rd->from, rd->to, c->window_to)) { /* the rest through the cache */
        if (c->window_from < rd->from) read_staff(c, 0, c->window_from, rd->from);
        if (rd->to < c->window_to) read_staff(c, 0, rd->to, c->window_to);
    }
    free(rd);
    if (--c->pending == 0) finish(c);
}

/* Reads practitioner `index`'s openings in [from, to) into on_read: for the named practitioner, c->read where it
 * covers them first, then the rest of the window through the availability cache unless the nearest are known
 * already; the availability cache for everything else. */
static void read_staff(alt_call_t *c, size_t index, int64_t from, int64_t to)
{
    int64_t lo = from > c->read.from ? from : c->read.from, hi = to < c->read.to ? to : c->read.to;
    alt_read_t *rd = malloc(sizeof(*rd));
    if (rd == NULL) return;
    if (index == 0 && c->read.items != NULL && lo < hi && c->window_to == 0) {
        c->window_from = from;
        c->window_to = to;
        *rd = (alt_read_t){c, index, lo, hi};
        c->pending++;
        /* the holds of that window just changed (the winner's booking): read them, not all of them */
        if (bk_holds_busy_window(c->v->booking, c->v->tenant, c->staff[index].id, lo, hi, on_read_holds, rd) == 0)
            return;
        c->pending--; /* could not start: the whole window through the cache */
    }
    *rd = (alt_read_t){c, index, 0, 0};
    bk_avail_query_t q = {.tenant = c->v->tenant,
                          .staff_id = c->staff[index].id,
                          .treatment_id = c->treatment_id,
                          .location_id = c->location_id,
                          .duration_minutes = c->duration,
                          .time_zone = c->zone,
                          .from = from,
                          .to = to,
                          .now = c->now};
    c->pending++;
    if (bk_availability_get(c->v->booking, &q, on_read, rd) != 0) {
        c->pending--;
        free(rd);
    }
}

static void on_catalog(prov_status_t status, const bk_catalog_t *cat, bk_catalog_source_t source, void *data)
{
    alt_call_t *c = data;
    (void)source;
    long t = status == PROV_OK ? bk_catalog_find_treatment(cat, c->treatment_id) : -1;
    long l = status == PROV_OK ? bk_catalog_find_location(cat, c->location_id) : -1;
    if (t < 0 || l < 0 || cat->locations[l].time_zone == NULL) {
        c->n_staff = 0;
        finish(c);
        return;
    }
    const bk_catalog_treatment_t *tx = &cat->treatments[t];
    snprintf(c->treatment_name, sizeof(c->treatment_name), "%s", tx->name);
    snprintf(c->location_name, sizeof(c->location_name), "%s",
             cat->locations[l].name != NULL ? cat->locations[l].name : "");
    snprintf(c->zone, sizeof(c->zone), "%s", cat->locations[l].time_zone);
    c->duration = tx->duration_minutes;
    /* staff[0] is the named practitioner (already set); then the others who offer it here. */
    long named = bk_catalog_find_staff(cat, c->staff[0].id);
    if (named >= 0) bk_staff_display_name(&cat->staff[named], c->staff[0].name, sizeof(c->staff[0].name));
    for (size_t i = 0; i < cat->staff_count && c->n_staff < VC_ALT_MAX_STAFF; i++) {
        const bk_staff_t *s = &cat->staff[i];
        if (strcmp(s->id, c->staff[0].id) == 0 || !vc_can_book(c->v->tenant, cat, s, tx, c->location_id) ||
            strlen(s->id) >= ID_CAP)
            continue;
        alt_staff_t *o = &c->staff[c->n_staff++];
        snprintf(o->id, sizeof(o->id), "%s", s->id);
        bk_staff_display_name(s, o->name, sizeof(o->name));
    }
    int64_t from = c->start - BEFORE_MS > c->now ? c->start - BEFORE_MS : c->now;
    c->pending = 1; /* this function's own turn, so no read finishing early frees c */
    for (size_t i = 0; i < c->n_staff; i++) read_staff(c, i, from, c->start + AFTER_MS);
    if (--c->pending == 0) finish(c);
}

int vc_alternatives(const vc_call_t *v, const char *staff_id, const char *treatment_id, const char *location_id,
                    int64_t start, int64_t now, const bk_openings_read_t *read, vc_alt_cb cb, void *data)
{
    if (strlen(staff_id) >= ID_CAP || strlen(treatment_id) >= ID_CAP || strlen(location_id) >= ID_CAP) return -1;
    alt_call_t *c = calloc(1, sizeof(*c));
    if (c == NULL) return -1;
    if (read != NULL && read->items != NULL && read->from < read->to &&
        (c->read.items = malloc((read->count ? read->count : 1) * sizeof(*read->items))) != NULL) {
        if (read->count) memcpy(c->read.items, read->items, read->count * sizeof(*read->items));
        c->read.count = read->count;
        c->read.from = read->from;
        c->read.to = read->to;
    }
    c->v = v;
    c->start = start;
    c->now = now;
    c->cb = cb;
    c->data = data;
    c->n_staff = 1;
    snprintf(c->staff[0].id, sizeof(c->staff[0].id), "%s", staff_id);
    snprintf(c->treatment_id, sizeof(c->treatment_id), "%s", treatment_id);
    snprintf(c->location_id, sizeof(c->location_id), "%s", location_id);
    if (bk_catalog_get(v->booking, v->tenant, on_catalog, c) != 0) {
        free(c->read.items);
        free(c);
        return -1;
    }
    return 0;
}
