/* server/worker_view.c: a worker's views of configs across reloads (see worker_view.h). */
#include "server/worker_view.h"

#include <stdlib.h>

#include "booking/rate_limit.h"
#include "server/worker.h"

srv_view_t *srv_view_create(srv_worker_t *w, srv_config_t *config)
{
    srv_view_t *v = calloc(1, sizeof(*v));
    if (v != NULL) v->rate = bk_rate_limiter_create(&w->booking, config->tenants, config->tenant_count);
    if (v == NULL || v->rate == NULL) {
        free(v);
        srv_config_release(config);
        return NULL;
    }
    v->config = config;
    return v;
}

static void view_free(srv_view_t *v)
{
    /* No request is left on it, so none waits for a lease: no lease reply can reach the limiter any more. */
    bk_rate_limiter_destroy(v->rate);
    srv_config_release(v->config);
    free(v);
}

srv_view_t *srv_view_enter(srv_worker_t *w)
{
    w->view->requests++;
    return w->view;
}

void srv_view_leave(srv_worker_t *w, srv_view_t *view)
{
    if (--view->requests > 0 || view == w->view) return;
    for (srv_view_t **p = &w->retired_views; *p != NULL; p = &(*p)->next_retired) {
        if (*p == view) {
            *p = view->next_retired;
            view_free(view);
            return;
        }
    }
}

void srv_view_switch(srv_worker_t *w, srv_view_t *view)
{
    srv_view_t *old = w->view;
    w->view = view;
    if (old->requests == 0) {
        view_free(old);
        return;
    }
    old->next_retired = w->retired_views;
    w->retired_views = old;
}

void srv_view_stop_all(srv_worker_t *w)
{
    for (srv_view_t *v = w->retired_views; v != NULL; v = v->next_retired) {
        bk_rate_limiter_destroy(v->rate);
        v->rate = NULL;
    }
    bk_rate_limiter_destroy(w->view->rate);
    w->view->rate = NULL;
}

void srv_view_free_all(srv_worker_t *w)
{
    while (w->retired_views != NULL) {
        srv_view_t *v = w->retired_views;
        w->retired_views = v->next_retired;
        view_free(v);
    }
    view_free(w->view);
    w->view = NULL;
}
