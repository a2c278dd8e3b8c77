/* booking/request_sweep.c: the timer that expires unanswered booking requests (see request_sweep.h). */
#include "booking/request_sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "booking/requests.h"

#define SWEEP_EVERY_MS 1000
#define SWEEP_LEASE_MS 900 /* shorter than the period: the next tick of any process may take it */

struct bk_request_sweep {
    uv_timer_t timer;
    bk_env_t *env;
    const bk_tenant_t **tenants; /* retained */
    size_t count;
    char owner[24]; /* this process's name in the lease */
};

/* One tenant's expiries under way: keeps the tenant alive until the last one answered. */
typedef struct expiring {
    const bk_tenant_t *tenant;
    size_t left;
} expiring_t;

static void on_expired(bk_write_result_t result, const bk_request_view_t *view, void *data)
{
    expiring_t *e = data;
    (void)result, (void)view; /* a failure is retried at the next tick: the request stays due */
    if (--e->left == 0) {
        bk_tenant_release(e->tenant);
        free(e);
    }
}

typedef struct due_read {
    bk_env_t *env;
    const bk_tenant_t *tenant;
} due_read_t;

static void on_due(const char *const *ids, size_t count, void *data)
{
    due_read_t *d = data;
    expiring_t *e = count > 0 ? calloc(1, sizeof(*e)) : NULL;
    if (e != NULL) {
        *e = (expiring_t){.tenant = d->tenant, .left = 1}; /* 1: this loop's own, dropped below */
        for (size_t i = 0; i < count; i++) {
            e->left++;
            if (bk_request_close(d->env, d->tenant, ids[i], BK_REQUEST_EXPIRE, NULL, on_expired, e) != 0) e->left--;
        }
        on_expired(BK_W_OK, NULL, e);
    } else {
        bk_tenant_release(d->tenant);
    }
    free(d);
}

static void on_tick(uv_timer_t *timer)
{
    bk_request_sweep_t *s = timer->data;
    if (!store_is_connected(s->env->store)) return;
    for (size_t i = 0; i < s->count; i++) {
        due_read_t *d = malloc(sizeof(*d));
        if (d == NULL) return;
        *d = (due_read_t){s->env, s->tenants[i]};
        bk_tenant_retain(d->tenant);
        if (bk_requests_due(s->env, d->tenant, s->owner, SWEEP_LEASE_MS, on_due, d) != 0) {
            bk_tenant_release(d->tenant);
            free(d);
        }
    }
}

bk_request_sweep_t *bk_request_sweep_start(bk_env_t *env, const bk_tenant_t *tenants, size_t count)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        if (bk_requests_only(&tenants[i])) n++;
    if (n == 0) return NULL;
    bk_request_sweep_t *s = calloc(1, sizeof(*s));
    if (s == NULL || (s->tenants = calloc(n, sizeof(*s->tenants))) == NULL) {
        free(s);
        return NULL;
    }
    s->env = env;
    unsigned char r[8];
    if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) memset(r, 0, sizeof(r));
    snprintf(s->owner, sizeof(s->owner), "%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5], r[6],
             r[7]);
    for (size_t i = 0; i < count; i++) {
        if (!bk_requests_only(&tenants[i])) continue;
        bk_tenant_retain(&tenants[i]);
        s->tenants[s->count++] = &tenants[i];
    }
    uv_timer_init(env->prov.loop, &s->timer);
    s->timer.data = s;
    uv_timer_start(&s->timer, on_tick, SWEEP_EVERY_MS, SWEEP_EVERY_MS);
    return s;
}

static void on_closed(uv_handle_t *handle)
{
    bk_request_sweep_t *s = handle->data;
    for (size_t i = 0; i < s->count; i++) bk_tenant_release(s->tenants[i]);
    free(s->tenants);
    free(s);
}

void bk_request_sweep_stop(bk_request_sweep_t *s)
{
    if (s == NULL) return;
    uv_timer_stop(&s->timer);
    uv_close((uv_handle_t *)&s->timer, on_closed);
}
