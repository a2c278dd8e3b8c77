/* providers/practicebetter_availability.c: fetch_availability: GET /consultant/availability of one consultant and
 * service over the asked local dates (startDate, days, duration in seconds), in windows of WINDOW_DAYS sent at
 * once, each answer's openings ({startTime, endTime} instants) kept when they start on an asked local date in
 * the location's zone, last the treatment's duration and can be written back as a local wall time (the second
 * occurrence of a repeated hour cannot: practicebetter_decode.h).
 *
 * Two shapes of this call were seen in clients (a per-day /consultant/availability/slots and this multi-day
 * one); this one costs a request a week instead of a request a day under a 5-a-second limit. The longest range
 * it takes is not known: our safe reading asks a week at a time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/cliniko_decode.h"
#include "providers/opening_windows.h"
#include "providers/practicebetter_internal.h"

#define WINDOW_DAYS 7

typedef struct avail_state {
    prov_windows_t w; /* first: the windows free the whole state */
    pb_t *p;
    prov_env_t *env;
    int64_t duration_ms;
} avail_state_t;

static prov_status_t read_slots(avail_state_t *s, json_object *answer)
{
    json_object *items = answer;
    if (json_object_is_type(answer, json_type_object) && !json_object_object_get_ex(answer, "items", &items) &&
        !json_object_object_get_ex(answer, "slots", &items))
        return PROV_UPSTREAM;
    if (!json_object_is_type(items, json_type_array)) return PROV_UPSTREAM;
    for (size_t i = 0; i < json_object_array_length(items) && s->w.n < PROV_WINDOWS_MAX_OPENINGS; i++) {
        int64_t start, end;
        if (prov_pb_slot_decode(json_object_array_get_idx(items, i), s->p->zone, &start, &end) != 0)
            return PROV_UPSTREAM;
        int y, m, d;
        tz_local_date(s->p->zone, start, &y, &m, &d);
        char wall[20]; /* a start that a write could not name (a repeated hour's second time) is not offered */
        if (!prov_windows_asked(&s->w, tz_days_from_civil(y, m, d)) || end - start < s->duration_ms ||
            prov_pb_local_wall_time(s->p->zone, start, wall) != 0)
            continue;
        if (prov_windows_add(&s->w, (prov_opening_t){start, start + s->duration_ms}) != PROV_OK)
            return PROV_UNAVAILABLE;
    }
    return PROV_OK;
}

static void window_done(prov_status_t st, json_object *answer, const char *body, size_t len, void *data)
{
    (void)body, (void)len;
    avail_state_t *s = data;
    if (st == PROV_NOT_FOUND) st = PROV_OK; /* a consultant without this service: no openings */
    if (st == PROV_OK && answer != NULL) st = read_slots(s, answer);
    prov_windows_done(&s->w, st);
}

/* ctx: the query (borrowed while the windows are sent). */
static int send_window(prov_windows_t *w, int64_t first_day, int64_t days, void *ctx)
{
    const prov_availability_query_t *q = ctx;
    avail_state_t *s = (avail_state_t *)w;
    int y, m, d;
    tz_civil_from_days(first_day, &y, &m, &d);
    char path[PB_URL_CAP];
    snprintf(path, sizeof(path),
             "/consultant/availability?consultantId=%s&serviceId=%s&startDate=%04d-%02d-%02d&days=%lld&duration=%d",
             q->staff_id, q->treatment_id, y, m, d, (long long)days, q->duration_minutes * 60);
    return pb_call(s->p, s->env, "GET", path, NULL, PB_READ | PB_RECORD, window_done, s);
}

int pb_fetch_availability(void *instance, prov_env_t *env, const prov_availability_query_t *q,
                          prov_availability_cb cb, void *data)
{
    pb_t *p = instance;
    if (q == NULL || q->days < 1 || q->days > 31 || q->duration_minutes < 1 || !prov_pb_valid_id(q->staff_id) ||
        !prov_pb_valid_id(q->treatment_id) || q->location_id == NULL || strcmp(q->location_id, p->location.id) != 0)
        return -1;
    avail_state_t *s = calloc(1, sizeof(*s));
    if (s == NULL) return -1;
    s->p = p;
    s->env = env;
    s->duration_ms = (int64_t)q->duration_minutes * TZ_MS_PER_MINUTE;
    return prov_windows_start(&s->w, q, WINDOW_DAYS, send_window, (void *)q, cb, data);
}
