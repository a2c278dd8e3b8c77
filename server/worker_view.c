/* server/worker_view.c: a worker's views of configs across reloads (see worker_view.h). */
#include "server/worker_view.h"

#include <stdlib.h>

#include "booking/rate_limit.h"

srv_view_t *srv_view_create(const bk_env_t *env, srv_config_t *config)
{
    srv_view_t *v = calloc(1, sizeof(*v));
    if (v != NULL) v->rate = bk_rate_limiter_create(env, config->tenants, config->tenant_count);
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

srv_view_t *srv_view_enter(srv_views_t *views)
{
    views->current->requests++;
    return views->current;
}

srv_view_t *srv_view_join(srv_view_t *view)
{
    view->requests++;
    return view;
}

void srv_view_leave(srv_views_t *views, srv_view_t *view)
{
    if (--view->requests > 0 || view == views->current) return;
    for (srv_view_t **p = &views->retired; *p != NULL; p = &(*p)->next_retired) {
        if (*p == view) {
            *p = view->next_retired;
            view_free(view);
            return;
        }
    }
}

void srv_view_switch(srv_views_t *views, srv_view_t *view)
{
    srv_view_t *old = views->current;
    views->current = view;
    if (old->requests == 0) {
        view_free(old);
        return;
    }
    old->next_retired = views->retired;
    views->retired = old;
}

void srv_view_stop_all(srv_views_t *views)
{
    for (srv_view_t *v = views->retired; v != NULL; v = v->next_retired) {
        bk_rate_limiter_destroy(v->rate);
        v->rate = NULL;
    }
    bk_rate_limiter_destroy(views->current->rate);
    views->current->rate = NULL;
}

void srv_view_free_all(srv_views_t *views)
{
    while (views->retired != NULL) {
        srv_view_t *v = views->retired;
        views->retired = v->next_retired;
        view_free(v);
    }
    view_free(views->current);
    views->current = NULL;
}
