/* providers/opening_windows.h: fetch_availability over many dates as windows of a few dates asked all at once: the
 * cut of the asked dates into windows, the count of windows still out, the first failure, the openings gathered
 * and the one answer when the last window ends. The adapter says how one window is asked and reads each answer
 * into the openings; the answer is the gathered openings sorted by start without repeats, or the first failure.
 * Used by the EMRs whose availability call takes a date range (Nookal, Practice Better). */
#ifndef FD_PROVIDERS_OPENING_WINDOWS_H
#define FD_PROVIDERS_OPENING_WINDOWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "providers/provider.h"

/** The most openings one answer gathers; more are dropped. */
#define PROV_WINDOWS_MAX_OPENINGS 20000

/** The shared state of one fetch. It must be the first member of the adapter's state (one calloc'd block), so that
 * the end of the fetch can free that block. */
typedef struct prov_windows {
    prov_availability_cb cb;
    void *data;
    int64_t first_day, last_day; /* the asked local dates, as day numbers (tz_days_from_civil) */
    int pending;                 /* windows still out, plus one while they are being sent */
    prov_status_t status;        /* PROV_OK, or the first failure */
    prov_opening_t *v;
    size_t n, cap;
} prov_windows_t;

/** Sends the request of one window: the local dates first_day .. first_day + days - 1 (day numbers) of the fetch
 * whose state is w. Returns 0 when it is under way (its end then calls prov_windows_done exactly once, never
 * from inside this call), -1 when it could not be sent. */
typedef int (*prov_window_send_fn)(prov_windows_t *w, int64_t first_day, int64_t days, void *ctx);

/** Starts a fetch of q's dates on w (zeroed but for the adapter's own members) in windows of window_days dates,
 * every window sent at once through send; cb receives the answer once, after this call returns. Returns 0 when
 * under way (the state is freed after cb), or -1 when not one window could be sent (the state is freed, cb is
 * never called). A window that could not be sent after others were makes the answer PROV_UNAVAILABLE. */
int prov_windows_start(prov_windows_t *w, const prov_availability_query_t *q, int window_days, prov_window_send_fn send,
                       void *ctx, prov_availability_cb cb, void *data);

/** True when the local date `day` (a day number) is one the fetch asked. */
bool prov_windows_asked(const prov_windows_t *w, int64_t day);

/** Adds an opening to the answer (dropped once PROV_WINDOWS_MAX_OPENINGS are gathered). Returns PROV_OK, or
 * PROV_UNAVAILABLE when out of memory. */
prov_status_t prov_windows_add(prov_windows_t *w, prov_opening_t opening);

/** One window's request ended with st (PROV_OK when its openings were added). The last one calls cb with the
 * openings sorted by start without repeats (or with the first failure and none) and frees the state. */
void prov_windows_done(prov_windows_t *w, prov_status_t st);

#endif
