/* providers/halaxy_availability.c: fetch_availability: Halaxy's Appointment/$find for one practitioner role (the
 * practitioner at the asked clinic) over the asked local dates, from now on: a Bundle of proposed appointments that
 * already follows the practitioner's online-booking rules (lead time, buffers, advance limit). The proposals are
 * clipped to the asked range, sorted and deduplicated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/halaxy_internal.h"

#define MAX_PAGES 20
#define MAX_OPENINGS 20000

typedef struct avail_state {
    halaxy_t *h;
    prov_env_t env;
    prov_availability_cb cb;
    void *data;
    char staff[HX_ID_CAP], location[HX_ID_CAP], role[HX_ID_CAP];
    int duration_minutes;
    int64_t from, to;
    prov_opening_t *v;
    size_t n, cap;
} avail_state_t;

static void finish(avail_state_t *s, prov_status_t st)
{
    size_t n = st == PROV_OK ? prov_openings_sort_unique(s->v, s->n) : 0;
    s->cb(st, st == PROV_OK ? s->v : NULL, n, s->data);
    free(s->v);
    free(s);
}

static prov_status_t each_proposal(void *state, json_object *r)
{
    avail_state_t *s = state;
    int64_t start, end;
    char role[HX_ID_CAP];
    if (prov_halaxy_proposal_decode(r, &start, &end, role) != 0) return PROV_UPSTREAM;
    if ((role[0] != '\0' && strcmp(role, s->role) != 0) || start < s->from || start >= s->to || s->n >= MAX_OPENINGS)
        return PROV_OK;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        prov_opening_t *v = realloc(s->v, cap * sizeof(*v));
        if (v == NULL) return PROV_UNAVAILABLE;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = (prov_opening_t){start, start + (int64_t)s->duration_minutes * TZ_MS_PER_MINUTE};
    return PROV_OK;
}

static void on_found(void *state, prov_status_t st)
{
    finish(state, st);
}

static void on_roles(prov_status_t st, void *data)
{
    avail_state_t *s = data;
    if (st != PROV_OK) {
        finish(s, st);
        return;
    }
    if (!halaxy_role_of(s->h, s->staff, s->location, s->role)) {
        finish(s, PROV_NOT_FOUND); /* the practitioner does not work at that clinic */
        return;
    }
    char url[HX_URL_CAP], start[TZ_ISO_CAP], end[TZ_ISO_CAP], minutes[16];
    halaxy_format_time(s->h, s->from, start);
    halaxy_format_time(s->h, s->to, end);
    snprintf(minutes, sizeof(minutes), "%d", s->duration_minutes);
    if (!halaxy_url(url, s->h, "/Appointment/$find?_count=100") || !halaxy_add_param(url, "start", start) ||
        !halaxy_add_param(url, "end", end) || !halaxy_add_param(url, "duration", minutes) ||
        !halaxy_add_param(url, "practitioner-role", s->role) ||
        halaxy_search(s->h, &s->env, url, MAX_PAGES, each_proposal, on_found, s) != 0)
        finish(s, PROV_UNAVAILABLE);
}

static void empty_later(void *arg)
{
    finish(arg, PROV_OK);
}

int halaxy_fetch_availability(void *instance, prov_env_t *env, const prov_availability_query_t *q,
                              prov_availability_cb cb, void *data)
{
    halaxy_t *h = instance;
    if (q == NULL || q->days < 1 || q->days > 31 || q->duration_minutes < 1 || !prov_halaxy_valid_id(q->staff_id) ||
        !prov_halaxy_valid_id(q->location_id))
        return -1;
    const tz_zone_t *zone = tz_zone_load(q->time_zone != NULL ? q->time_zone : h->time_zone);
    if (zone == NULL) return -1;
    avail_state_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    *s = (avail_state_t){.h = h, .env = *env, .cb = cb, .data = data, .duration_minutes = q->duration_minutes};
    snprintf(s->staff, sizeof(s->staff), "%s", q->staff_id);
    snprintf(s->location, sizeof(s->location), "%s", q->location_id);
    int ly, lm, ld;
    tz_civil_from_days(tz_days_from_civil(q->year, q->month, q->day) + q->days - 1, &ly, &lm, &ld);
    if (tz_day_start(zone, q->year, q->month, q->day, &s->from) != 0 || tz_day_end(zone, ly, lm, ld, &s->to) != 0) {
        free(s);
        return -1;
    }
    /* $find is asked from now on (rounded up to a whole minute): Halaxy offers no past times anyway. */
    int64_t now = tz_now();
    now += (TZ_MS_PER_MINUTE - now % TZ_MS_PER_MINUTE) % TZ_MS_PER_MINUTE;
    if (s->from < now) s->from = now;
    int rc = s->from >= s->to ? halaxy_defer(env->loop, empty_later, s) : halaxy_roles_ensure(h, env, on_roles, s);
    if (rc != 0) {
        free(s);
        return -1;
    }
    return 0;
}
