/* server/routes_health.c: GET /healthz and GET /readyz. */
#include "server/routes.h"

#include "booking/worker_store.h"
#include "server/worker.h"

void srv_route_healthz(srv_request_t *r)
{
    json_object *body = json_object_new_object();
    json_object_object_add(body, "status", json_object_new_string("ok"));
    srv_respond_json(r, 200, body);
    json_object_put(body);
}

static void answer_not_ready(srv_request_t *r)
{
    srv_add_header(r, "retry-after", "1");
    srv_respond_error(r, API_ERR_REDIS_UNAVAILABLE, NULL, NULL);
}

/* Whether every worker of the process has its Redis connection up (a connection found hung counts as lost), so a
 * load balancer never sends traffic to a process some of whose workers would answer 503. */
static bool all_workers_up(const srv_app_t *app)
{
    for (int i = 0; i < app->worker_count; i++)
        if (!atomic_load(&app->workers[i].redis_up)) return false;
    return true;
}

/* Answers at once from the Redis connections as last seen: this worker's is answering (bk_env_redis_answering:
 * connected, and nothing waiting on Redis for long) and every other worker's is up. The store PINGs an idle
 * connection, so a hung Redis shows here within about STORE_KEEPALIVE_MS + STORE_SLOW_MS even without traffic;
 * a probe never waits on a hung Redis itself. */
void srv_route_readyz(srv_request_t *r)
{
    if (!bk_env_redis_answering(&r->worker->booking) || !all_workers_up(r->worker->app)) {
        answer_not_ready(r);
        return;
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "status", json_object_new_string("ready"));
    srv_respond_json(r, 200, body);
    json_object_put(body);
}
