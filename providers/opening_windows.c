/* providers/opening_windows.c: see opening_windows.h. */
#include "providers/opening_windows.h"

#include <stdlib.h>

#include "providers/adapter_util.h"
#include "tz/tz.h"

int prov_windows_start(prov_windows_t *w, const prov_availability_query_t *q, int window_days, prov_window_send_fn send,
                       void *ctx, prov_availability_cb cb, void *data)
{
    w->cb = cb;
    w->data = data;
    w->status = PROV_OK;
    w->first_day = tz_days_from_civil(q->year, q->month, q->day);
    w->last_day = w->first_day + q->days - 1;
    w->pending = 1; /* held while sending, so that no window's end answers before the last is sent */
    for (int64_t day = w->first_day; day <= w->last_day; day += window_days) {
        int64_t days = w->last_day - day + 1 < window_days ? w->last_day - day + 1 : window_days;
        w->pending++;
        if (send(w, day, days, ctx) != 0) {
            w->pending--;
            w->status = PROV_UNAVAILABLE;
            break;
        }
    }
    if (w->pending == 1) {
        free(w);
        return -1;
    }
    w->pending--;
    return 0;
}

bool prov_windows_asked(const prov_windows_t *w, int64_t day)
{
    return day >= w->first_day && day <= w->last_day;
}

prov_status_t prov_windows_add(prov_windows_t *w, prov_opening_t opening)
{
    if (w->n >= PROV_WINDOWS_MAX_OPENINGS) return PROV_OK;
    if (prov_grow((void **)&w->v, w->n, &w->cap, sizeof(*w->v)) != 0) return PROV_UNAVAILABLE;
    w->v[w->n++] = opening;
    return PROV_OK;
}

void prov_windows_done(prov_windows_t *w, prov_status_t st)
{
    if (st != PROV_OK && w->status == PROV_OK) w->status = st;
    if (--w->pending > 0) return;
    st = w->status;
    size_t n = st == PROV_OK ? prov_openings_sort_unique(w->v, w->n) : 0;
    w->cb(st, st == PROV_OK ? w->v : NULL, n, w->data);
    free(w->v);
    free(w);
}
