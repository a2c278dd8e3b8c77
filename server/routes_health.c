/* server/routes_health.c: GET /healthz and GET /readyz. */
#include "server/routes.h"

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
    srv_respond_error(r, SRV_ERR_REDIS_UNAVAILABLE, NULL, NULL);
}

/* Answers at once from the worker's Redis connection as last seen (store_is_answering): connected, and nothing
 * waiting on Redis for long. The store PINGs an idle connection, so a hung Redis shows here within about
 * STORE_KEEPALIVE_MS + STORE_SLOW_MS even without traffic; a probe never waits on a hung Redis itself. */
void srv_route_readyz(srv_request_t *r)
{
    if (!store_is_answering(r->worker->store)) {
        answer_not_ready(r);
        return;
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "status", json_object_new_string("ready"));
    srv_respond_json(r, 200, body);
    json_object_put(body);
}
