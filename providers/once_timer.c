/* providers/once_timer.c: one-shot self-freeing timers (see once_timer.h). */
#include "providers/once_timer.h"

#include <stdlib.h>

struct prov_once_timer {
    uv_timer_t timer;
    void (*fire)(void *data);
    void *data;
};

static void on_closed(uv_handle_t *handle)
{
    free(handle->data);
}

static void on_fire(uv_timer_t *timer)
{
    prov_once_timer_t *t = timer->data;
    t->fire(t->data);
    uv_close((uv_handle_t *)&t->timer, on_closed);
}

prov_once_timer_t *prov_once_timer_start(uv_loop_t *loop, uint64_t ms, void (*fire)(void *data), void *data)
{
    prov_once_timer_t *t = calloc(1, sizeof(*t));
    if (t == NULL || loop == NULL || uv_timer_init(loop, &t->timer) != 0) {
        free(t);
        return NULL;
    }
    t->fire = fire;
    t->data = data;
    t->timer.data = t;
    if (uv_timer_start(&t->timer, on_fire, ms, 0) != 0) {
        uv_close((uv_handle_t *)&t->timer, on_closed);
        return NULL;
    }
    return t;
}

void prov_once_timer_cancel(prov_once_timer_t *t)
{
    if (t == NULL) return;
    uv_timer_stop(&t->timer);
    uv_close((uv_handle_t *)&t->timer, on_closed);
}
