/* providers/jane_availability.c: fetch_availability: the public openings of one practitioner, treatment and
 * location (GET /api/v2/openings?location_id=&staff_member_id=&treatment_id=&date=&num_days=), in windows of
 * WINDOW_DAYS local dates asked at once (the site's in-flight cap spaces them), each opening kept when it is the
 * asked choice and starts on an asked local date in the location's zone, sorted and deduplicated.
 *
 * Jane's openings are bookable starts already cut to the treatment's length: "start_at" carries the clinic's
 * offset at that instant (so a DST day needs no local-time arithmetic here) and "duration" is in seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/cliniko_decode.h"
#include "providers/jane_internal.h"

#define WINDOW_DAYS  7 /* the booking app asks a week at a time (num_days=7) */
#define MAX_OPENINGS 20000

typedef struct avail_state {
    prov_availability_cb cb;
    void *data;
    prov_jane_filter_t filter;
    char staff_id[PROV_JANE_ID_CAP], treatment_id[PROV_JANE_ID_CAP], location_id[PROV_JANE_ID_CAP];
    int pending;
    prov_status_t status;
    prov_opening_t *v;
    size_t n;
} avail_state_t;

static void finish(avail_state_t *s)
{
    prov_status_t st = s->status;
    size_t n = st == PROV_OK ? prov_openings_sort_unique(s->v, s->n) : 0;
    s->cb(st, st == PROV_OK ? s->v : NULL, n, s->data);
    free(s->v);
    free(s);
}

static void on_openings(prov_status_t status, json_object *doc, void *data)
{
    avail_state_t *s = data;
    if (status == PROV_OK && prov_jane_openings(doc, &s->filter, s->v, &s->n, MAX_OPENINGS) != 0)
        status = PROV_UPSTREAM;
    if (status != PROV_OK && s->status == PROV_OK) s->status = status;
    if (--s->pending == 0) finish(s);
}

/* Copies an id for the query string: only what a Jane id can hold, so nothing needs escaping. */
static bool id_copy(char out[PROV_JANE_ID_CAP], const char *id)
{
    if (id == NULL || id[0] == '\0' || strlen(id) >= PROV_JANE_ID_CAP) return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
              *p == '-'))
            return false;
    snprintf(out, PROV_JANE_ID_CAP, "%s", id);
    return true;
}

int jane_fetch_availability(void *instance, prov_env_t *env, const prov_availability_query_t *q,
                            prov_availability_cb cb, void *data)
{
    if (q == NULL || q->days < 1 || q->days > 31 || q->time_zone == NULL) return -1;
    const tz_zone_t *zone = tz_zone_load(q->time_zone);
    avail_state_t *s = calloc(1, sizeof(*s));
    if (zone == NULL || s == NULL) goto fail;
    if (!id_copy(s->staff_id, q->staff_id) || !id_copy(s->treatment_id, q->treatment_id) ||
        !id_copy(s->location_id, q->location_id))
        goto fail;
    if ((s->v = malloc(MAX_OPENINGS * sizeof(*s->v))) == NULL) goto fail;
    s->cb = cb;
    s->data = data;
    s->status = PROV_OK;
    int64_t first = tz_days_from_civil(q->year, q->month, q->day);
    s->filter = (prov_jane_filter_t){s->staff_id, s->treatment_id, s->location_id, zone, first, first + q->days - 1};
    s->pending = 1;
    for (int64_t w = first; w < first + q->days; w += WINDOW_DAYS) {
        int y, m, d;
        tz_civil_from_days(w, &y, &m, &d);
        int days = first + q->days - w < WINDOW_DAYS ? (int)(first + q->days - w) : WINDOW_DAYS;
        char path[JANE_URL_CAP];
        snprintf(path, sizeof(path),
                 "/api/v2/openings?location_id=%s&staff_member_id=%s&treatment_id=%s&date=%04d-%02d-%02d&num_days=%d",
                 s->location_id, s->staff_id, s->treatment_id, y, m, d, days);
        s->pending++;
        if (jane_get(instance, env, path, FD_MX_EMR_LIST_AVAILABLE_TIMES, on_openings, s) != 0) {
            s->pending--;
            s->status = PROV_UNAVAILABLE;
            break;
        }
    }
    if (s->pending == 1 && s->status != PROV_OK) goto fail;
    if (--s->pending == 0) finish(s);
    return 0;
fail:
    if (s != NULL) free(s->v);
    free(s);
    return -1;
}
