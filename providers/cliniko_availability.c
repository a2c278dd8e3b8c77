/* providers/cliniko_availability.c: fetch_availability: Cliniko's available_times of one practitioner, type
 * and business over the asked local dates, read in the account's zone in windows of AVAIL_WINDOW_DAYS,
 * clipped to the asked range, sorted and deduplicated. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/cliniko_internal.h"

#define AVAIL_WINDOW_DAYS 7 /* Cliniko refuses longer from..to ranges */

typedef struct avail_state {
    prov_availability_cb cb;
    void *data;
    int64_t from, to, duration_ms; /* the asked range [from, to) in UTC ms */
    prov_opening_t *v;
    size_t n, cap;
    bool rejected;
} avail_state_t;

#define MAX_OPENINGS 20000

static prov_status_t avail_page(job_t *j, const task_t *t, const prov_http_response_t *r)
{
    avail_state_t *s = j->state;
    prov_cliniko_page_t page;
    if (prov_cliniko_page_parse(r->body, r->body_len, "available_times", &page) != 0) return PROV_UPSTREAM;
    prov_status_t st = PROV_OK;
    void *tmp_grow;
    for (size_t i = 0; i < page.count && st == PROV_OK; i++) {
        int64_t start;
        if (prov_cliniko_available_time_decode(json_object_array_get_idx(page.items, i), &start) != 0) {
            st = PROV_UPSTREAM;
            break;
        }
        if (start < s->from || start >= s->to) continue;
        if (s->n >= MAX_OPENINGS) break;
        if (GROW(s->v, s->n, s->cap) != 0)
            st = PROV_UNAVAILABLE;
        else
            s->v[s->n++] = (prov_opening_t){start, start + s->duration_ms};
    }
    if (st == PROV_OK) st = cliniko_follow_next(j, t, &page);
    prov_cliniko_page_clear(&page);
    return st;
}

static void avail_finish(avail_state_t *s, prov_status_t st)
{
    size_t n = st == PROV_OK ? prov_openings_sort_unique(s->v, s->n) : 0;
    s->cb(st, st == PROV_OK ? s->v : NULL, st == PROV_OK ? n : 0, s->data);
    free(s->v);
    free(s);
}

static void avail_drained(job_t *j)
{
    avail_state_t *s = j->state;
    prov_status_t st = j->status;
    cliniko_job_free(j);
    avail_finish(s, st);
}

static void avail_empty_later(void *arg)
{
    avail_finish(arg, PROV_OK);
}

int cliniko_fetch_availability(void *instance, prov_env_t *env, const prov_availability_query_t *q,
                               prov_availability_cb cb, void *data)
{
    cliniko_t *c = instance;
    if (q == NULL || q->days < 1 || q->days > 31 || q->duration_minutes < 1 || q->staff_id == NULL ||
        q->treatment_id == NULL || q->location_id == NULL)
        return -1;
    char sid[PROV_CLINIKO_ID_CAP], tid[PROV_CLINIKO_ID_CAP], lid[PROV_CLINIKO_ID_CAP];
    if (prov_cliniko_id_from_url(q->staff_id, sid, sizeof(sid)) != 0 || strcmp(sid, q->staff_id) != 0 ||
        prov_cliniko_id_from_url(q->treatment_id, tid, sizeof(tid)) != 0 || strcmp(tid, q->treatment_id) != 0 ||
        prov_cliniko_id_from_url(q->location_id, lid, sizeof(lid)) != 0 || strcmp(lid, q->location_id) != 0)
        return -1;
    const tz_zone_t *loc_zone = tz_zone_load(q->time_zone != NULL ? q->time_zone : "UTC");
    if (loc_zone == NULL) return -1;
    char acct[TZ_NAME_ID_CAP];
    pthread_mutex_lock(&c->mu);
    memcpy(acct, c->account_tz, sizeof(acct));
    pthread_mutex_unlock(&c->mu);
    /* Cliniko reads from/to in the account's zone; until /settings told us, the location's zone stands in. */
    const tz_zone_t *acct_zone = acct[0] != '\0' ? tz_zone_load(acct) : NULL;
    if (acct_zone == NULL) acct_zone = loc_zone;

    avail_state_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    s->cb = cb;
    s->data = data;
    s->duration_ms = (int64_t)q->duration_minutes * TZ_MS_PER_MINUTE;
    int64_t last_day = tz_days_from_civil(q->year, q->month, q->day) + q->days - 1;
    int ly, lm, ld;
    tz_civil_from_days(last_day, &ly, &lm, &ld);
    if (tz_day_start(loc_zone, q->year, q->month, q->day, &s->from) != 0 ||
        tz_day_end(loc_zone, ly, lm, ld, &s->to) != 0) {
        free(s);
        return -1;
    }
    int y, m, d;
    tz_local_date(acct_zone, s->from, &y, &m, &d);
    int64_t first = tz_days_from_civil(y, m, d);
    tz_local_date(acct_zone, s->to - 1, &y, &m, &d);
    int64_t last = tz_days_from_civil(y, m, d);
    tz_local_date(acct_zone, tz_now(), &y, &m, &d);
    int64_t today = tz_days_from_civil(y, m, d);
    if (first < today) first = today; /* Cliniko refuses a from before today */
    if (first > last) {
        if (cliniko_defer(env->loop, avail_empty_later, s) != 0) {
            free(s);
            return -1;
        }
        return 0;
    }
    job_t *j = cliniko_job_new(c, env, avail_page, avail_drained, s);
    if (j == NULL) {
        free(s);
        return -1;
    }
    j->record_404 = true;         /* an unknown business, practitioner or type */
    j->empty_404_rejected = true; /* online bookings are off for this combination */
    for (int64_t w = first; w <= last; w += AVAIL_WINDOW_DAYS) {
        int64_t we = w + AVAIL_WINDOW_DAYS - 1 < last ? w + AVAIL_WINDOW_DAYS - 1 : last;
        int fy, fm, fd, ty, tm, td;
        tz_civil_from_days(w, &fy, &fm, &fd);
        tz_civil_from_days(we, &ty, &tm, &td);
        char url[URL_CAP];
        if (!cliniko_url(url, c,
                         "/businesses/%s/practitioners/%s/appointment_types/%s/available_times"
                         "?from=%04d-%02d-%02d&to=%04d-%02d-%02d&per_page=100",
                         lid, sid, tid, fy, fm, fd, ty, tm, td) ||
            cliniko_job_add(j, 0, 0, 1, url) != 0)
            goto fail;
    }
    if (cliniko_job_start(j) != 0) goto fail;
    return 0;
fail:
    cliniko_job_free(j);
    free(s->v);
    free(s);
    return -1;
}
