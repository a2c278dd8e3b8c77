/* providers/once_timer.h: a one-shot timer on a libuv loop that owns and frees itself, for answers given on a later
 * loop turn (never from inside the call that asked) and short waits. Every layer from providers up uses this one. */
#ifndef FD_PROVIDERS_ONCE_TIMER_H
#define FD_PROVIDERS_ONCE_TIMER_H

#include <stdint.h>
#include <uv.h>

typedef struct prov_once_timer prov_once_timer_t;

/** Calls fire(data) once on loop, ms from now (0: the next turn), then frees the timer. Returns the timer, or NULL
 * when it could not be made (out of memory, libuv refused): then fire is never called. */
prov_once_timer_t *prov_once_timer_start(uv_loop_t *loop, uint64_t ms, void (*fire)(void *data), void *data);

/** Stops a timer that has not fired yet and frees it: fire is never called. NULL is fine; a timer that already
 * fired must not be cancelled (it is gone). */
void prov_once_timer_cancel(prov_once_timer_t *t);

#endif
