/* providers/nookal_availability.c: fetch_availability: getAppointmentAvailabilities of one practitioner at one
 * location over the asked local dates, in windows of AVAIL_WINDOW_DAYS (all at once), each free period split
 * into openings of the treatment's duration in the location's zone (DST rules: nookal_decode.h), kept inside
 * the asked dates, sorted and deduplicated.
 *
 * Nookal's availability takes no appointment type: it is the practitioner's free time, so any treatment the
 * catalog says they give fits in it when its duration does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/nookal_internal.h"

/* No documented maximum range: our safe reading keeps each answer to a week. */
#define AVAIL_WINDOW_DAYS 7
#define MAX_FREE          2000
#define MAX_OPENINGS      20000

typedef struct avail_state {
    prov_availability_cb cb;
    void *data;
    const tz_zone_t *zone;
    int duration;
    int64_t first_day, last_day; /* the asked local dates, as day numbers */
    int pending;
    prov_status_t status;
    prov_opening_t *v;
    size_t n, cap;
    prov_nookal_free_t free_buf[MAX_FREE];
} avail_state_t;

static prov_status_t avail_page(const prov_nookal_reply_t *reply, void *data)
{
    avail_state_t *s = data;
    long count = prov_nookal_free_decode(reply, s->free_buf, MAX_FREE);
    if (count < 0) return PROV_UPSTREAM;
    for (long i = 0; i < count; i++) {
        const prov_nookal_free_t *f = &s->free_buf[i];
        int64_t day = tz_days_from_civil(f->year, f->month, f->day);
        if (day < s->first_day || day > s->last_day) continue;
        prov_opening_t part[96];
        size_t got = prov_nookal_split_free(s->zone, f, s->duration, part, 96);
        for (size_t k = 0; k < got && s->n < MAX_OPENINGS; k++) {
            if (nookal_grow((void **)&s->v, s->n, &s->cap, sizeof(*s->v)) != 0) return PROV_UNAVAILABLE;
            s->v[s->n++] = part[k];
        }
    }
    return PROV_OK;
}

static void avail_done(prov_status_t st, void *data)
{
    avail_state_t *s = data;
    if (st != PROV_OK && s->status == PROV_OK) s->status = st;
    if (--s->pending > 0) return;
    st = s->status;
    size_t n = st == PROV_OK ? prov_openings_sort_unique(s->v, s->n) : 0;
    s->cb(st, st == PROV_OK ? s->v : NULL, st == PROV_OK ? n : 0, s->data);
    free(s->v);
    free(s);
}

int nookal_fetch_availability(void *instance, prov_env_t *env, const prov_availability_query_t *q,
                              prov_availability_cb cb, void *data)
{
    nookal_t *n = instance;
    if (q == NULL || q->days < 1 || q->days > 31 || q->duration_minutes < 1 || !nookal_valid_id(q->staff_id) ||
        !nookal_valid_id(q->location_id) || q->time_zone == NULL)
        return -1;
    const tz_zone_t *zone = tz_zone_load(q->time_zone);
    if (zone == NULL) return -1;
    avail_state_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    s->cb = cb;
    s->data = data;
    s->zone = zone;
    s->duration = q->duration_minutes;
    s->status = PROV_OK;
    s->first_day = tz_days_from_civil(q->year, q->month, q->day);
    s->last_day = s->first_day + q->days - 1;
    s->pending = 1;
    for (int64_t w = s->first_day; w <= s->last_day; w += AVAIL_WINDOW_DAYS) {
        int64_t we = w + AVAIL_WINDOW_DAYS - 1 < s->last_day ? w + AVAIL_WINDOW_DAYS - 1 : s->last_day;
        int fy, fm, fd, ty, tm, td;
        tz_civil_from_days(w, &fy, &fm, &fd);
        tz_civil_from_days(we, &ty, &tm, &td);
        char from[11], to[11], unused[6];
        prov_nookal_format_local(fy, fm, fd, 0, from, unused);
        prov_nookal_format_local(ty, tm, td, 0, to, unused);
        nookal_param_t params[] = {
            {"location_id", q->location_id}, {"practitioner_id", q->staff_id}, {"date_from", from}, {"date_to", to}};
        s->pending++;
        if (nookal_list(n, env, "getAppointmentAvailabilities", params, 4, true, avail_page, avail_done, s) != 0) {
            s->pending--;
            s->status = PROV_UNAVAILABLE;
            break;
        }
    }
    if (s->pending == 1) {
        free(s);
        return -1;
    }
    s->pending--;
    return 0;
}
