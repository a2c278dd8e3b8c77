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

#include "providers/nookal_internal.h"
#include "providers/opening_windows.h"

/* No documented maximum range: our safe reading keeps each answer to a week. */
#define AVAIL_WINDOW_DAYS 7
#define MAX_FREE          2000

typedef struct avail_state {
    prov_windows_t w; /* first: the windows free the whole state */
    nookal_t *n;
    prov_env_t *env;
    const tz_zone_t *zone;
    int duration;
    prov_nookal_free_t free_buf[MAX_FREE];
} avail_state_t;

static prov_status_t avail_page(const prov_nookal_reply_t *reply, void *data)
{
    avail_state_t *s = data;
    long count = prov_nookal_free_decode(reply, s->free_buf, MAX_FREE);
    if (count < 0) return PROV_UPSTREAM;
    for (long i = 0; i < count; i++) {
        const prov_nookal_free_t *f = &s->free_buf[i];
        if (!prov_windows_asked(&s->w, tz_days_from_civil(f->year, f->month, f->day))) continue;
        prov_opening_t part[96];
        size_t got = prov_nookal_split_free(s->zone, f, s->duration, part, 96);
        for (size_t k = 0; k < got; k++)
            if (prov_windows_add(&s->w, part[k]) != PROV_OK) return PROV_UNAVAILABLE;
    }
    return PROV_OK;
}

static void avail_done(prov_status_t st, void *data)
{
    prov_windows_done(&((avail_state_t *)data)->w, st);
}

/* ctx: the query (borrowed while the windows are sent). */
static int send_window(prov_windows_t *w, int64_t first_day, int64_t days, void *ctx)
{
    const prov_availability_query_t *q = ctx;
    avail_state_t *s = (avail_state_t *)w;
    int fy, fm, fd, ty, tm, td;
    tz_civil_from_days(first_day, &fy, &fm, &fd);
    tz_civil_from_days(first_day + days - 1, &ty, &tm, &td);
    char from[11], to[11], unused[6];
    prov_nookal_format_local(fy, fm, fd, 0, from, unused);
    prov_nookal_format_local(ty, tm, td, 0, to, unused);
    nookal_param_t params[] = {
        {"location_id", q->location_id}, {"practitioner_id", q->staff_id}, {"date_from", from}, {"date_to", to}};
    return nookal_list(s->n, s->env, "getAppointmentAvailabilities", params, 4, true, avail_page, avail_done, s);
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
    s->n = n;
    s->env = env;
    s->zone = zone;
    s->duration = q->duration_minutes;
    return prov_windows_start(&s->w, q, AVAIL_WINDOW_DAYS, send_window, (void *)q, cb, data);
}
