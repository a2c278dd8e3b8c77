/* server/routes_events.c: GET /ai_brain/events?state=dead and POST /ai_brain/events/{id}/replay, the events that
 * could not be delivered to the tenant's webhooks (booking/event_dead.h). */
#include "server/routes.h"

#include <stdio.h>
#include <string.h>

#include "booking/event_dead.h"
#include "server/query.h"
#include "server/worker.h"

#define EVENT_ID_MAX 64

static void answer_redis_down(srv_request_t *r)
{
    srv_add_header(r, "retry-after", "1");
    srv_respond_error(r, API_ERR_REDIS_UNAVAILABLE, NULL, NULL);
}

static void on_dead(bool ok, const bk_dead_event_t *v, size_t n, void *data)
{
    srv_request_t *r = data;
    if (!srv_request_release(r)) return;
    if (!ok) {
        answer_redis_down(r);
        return;
    }
    json_object *list = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        char first[TZ_ISO_CAP], died[TZ_ISO_CAP];
        tz_format_utc(v[i].first_attempt_at, first);
        tz_format_utc(v[i].died_at, died);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(v[i].id));
        json_object_object_add(o, "type", json_object_new_string(v[i].type));
        json_object_object_add(o, "endpoint_id", json_object_new_string(v[i].endpoint_id));
        json_object_object_add(o, "state", json_object_new_string("dead"));
        json_object_object_add(o, "attempts", json_object_new_int(v[i].attempts));
        json_object_object_add(o, "first_attempt_at", json_object_new_string(first));
        json_object_object_add(o, "died_at", json_object_new_string(died));
        json_object_object_add(o, "last_error", json_object_new_string(v[i].last_error));
        json_object *payload = json_tokener_parse(v[i].payload);
        json_object_object_add(o, "payload", payload);
        json_object_array_add(list, o);
    }
    json_object *body = json_object_new_object();
    json_object_object_add(body, "events", list);
    srv_respond_json(r, 200, body);
    json_object_put(body);
}

void srv_route_events(srv_request_t *r)
{
    char state[16];
    int has = srv_query_get(r, "state", state, sizeof(state));
    if (has < 0) return;
    if (has == 0) {
        srv_respond_error(r, API_ERR_MISSING_FIELD, "state is required; the only state listed is dead.", "state");
        return;
    }
    if (strcmp(state, "dead") != 0) {
        srv_respond_error(r, API_ERR_INVALID_FIELD, "state must be dead (the events that could not be delivered).",
                          "state");
        return;
    }
    srv_request_hold(r);
    if (bk_events_list_dead(&r->worker->booking, r->tenant, on_dead, r) != 0) {
        srv_request_release(r);
        answer_redis_down(r);
    }
}

typedef struct replay {
    srv_request_t *r;
    char id[EVENT_ID_MAX + 1];
} replay_t;

static void on_replayed(int replayed, void *data)
{
    replay_t *c = data;
    srv_request_t *r = c->r;
    if (!srv_request_release(r)) {
        free(c);
        return;
    }
    if (replayed < 0) {
        answer_redis_down(r);
    } else if (replayed == 0) {
        srv_respond_error(r, API_ERR_NOT_FOUND, "There is no dead event with that id.", "id");
    } else {
        json_object *body = json_object_new_object(), *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(c->id));
        json_object_object_add(o, "state", json_object_new_string("pending"));
        json_object_object_add(o, "endpoints", json_object_new_int(replayed));
        json_object_object_add(body, "event", o);
        srv_respond_json(r, 202, body);
        json_object_put(body);
    }
    free(c);
}

/* An event id as events.c makes them: "evt_" and lower-case letters and digits. */
static bool event_id_ok(const char *s, size_t n)
{
    if (n < 5 || n > EVENT_ID_MAX || strncmp(s, "evt_", 4) != 0) return false;
    for (size_t i = 4; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))) return false;
    return true;
}

void srv_route_event_replay(srv_request_t *r)
{
    static const char head[] = "/ai_brain/events/", tail[] = "/replay";
    const char *path = r->req->path_normalized.base;
    size_t len = r->req->path_normalized.len;
    const char *id = path + sizeof(head) - 1;
    size_t id_len = len - (sizeof(head) - 1) - (sizeof(tail) - 1); /* the router matched head * tail */
    if (!event_id_ok(id, id_len)) {
        srv_respond_error(r, API_ERR_INVALID_FIELD, "id must be an event id such as evt_mc4x1z0k7f3q2a.", "id");
        return;
    }
    replay_t *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        srv_respond_error(r, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        return;
    }
    c->r = r;
    memcpy(c->id, id, id_len);
    srv_request_hold(r);
    if (bk_events_replay(&r->worker->booking, r->tenant, c->id, on_replayed, c) != 0) {
        srv_request_release(r);
        free(c);
        answer_redis_down(r);
    }
}
