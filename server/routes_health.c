/* server/routes_health.c: GET /healthz and GET /readyz. */
#include "server/routes.h"

#include <string.h>

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

static void on_ping(const redisReply *reply, void *data)
{
    srv_request_t *r = data;
    if (!srv_request_release(r)) return;
    if (reply == NULL || reply->type != REDIS_REPLY_STATUS || strcmp(reply->str, "PONG") != 0) {
        answer_not_ready(r);
        return;
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "status", json_object_new_string("ready"));
    srv_respond_json(r, 200, body);
    json_object_put(body);
}

void srv_route_readyz(srv_request_t *r)
{
    srv_request_hold(r);
    if (store_commandf(r->worker->store, on_ping, r, "PING") != 0) {
        srv_request_release(r);
        answer_not_ready(r);
    }
}
