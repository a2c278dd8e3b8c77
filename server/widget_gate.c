/* server/widget_gate.c: origin, route and limits of widget-key requests (see widget_gate.h). */
#include "server/widget_gate.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "booking/widget_limits.h"
#include "server/cors.h"
#include "server/worker.h"
#include "tz/tz.h"

#define MINUTE_MS 60000
#define HOUR_MS   3600000

/* Why each limit of a take refuses (in the order limits_of adds them). */
typedef enum which { PER_ADDRESS, PER_KEY, HOLDS_PER_ADDRESS, HOLDS_PER_TENANT, PATIENTS_PER_ADDRESS } which_t;

static const char *const refusals[] = {
    [PER_ADDRESS] = "Too many requests from this address; retry after the given seconds.",
    [PER_KEY] = "Too many requests for this widget key; retry after the given seconds.",
    [HOLDS_PER_ADDRESS] = "Too many times held from this address; retry after the given seconds.",
    [HOLDS_PER_TENANT] = "Too many times are held through the booking widget right now; retry after the given "
                         "seconds.",
    [PATIENTS_PER_ADDRESS] = "Too many new patients from this address; retry after the given seconds.",
};

/* The client address as text ("203.0.113.9", "2001:db8::1"), or "unknown". */
static void peer_text(srv_request_t *r, char out[INET6_ADDRSTRLEN])
{
    struct sockaddr_storage peer;
    snprintf(out, INET6_ADDRSTRLEN, "unknown");
    if (r->req == NULL || r->req->conn->callbacks->get_peername(r->req->conn, (struct sockaddr *)&peer) <= 0) return;
    if (peer.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&peer)->sin_addr, out, INET6_ADDRSTRLEN);
    else if (peer.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&peer)->sin6_addr, out, INET6_ADDRSTRLEN);
}

bool srv_widget_admit(srv_request_t *r, const srv_widget_key_t *key)
{
    size_t len = 0;
    const char *origin = srv_cors_origin(r->req, &len);
    if (origin == NULL || !srv_widget_origin_allowed(key, origin, len)) {
        srv_respond_error(r, API_ERR_ORIGIN_FORBIDDEN, NULL, "origin");
        return false;
    }
    srv_cors_allow(r, origin, len);
    char now[24];
    snprintf(now, sizeof(now), "%" PRId64, (int64_t)tz_now());
    srv_add_header(r, "frontdesk-now", now);
    r->widget = key;
    r->tenant = key->tenant;
    if (!srv_widget_route_allowed(r->route_name)) {
        srv_respond_error(r, API_ERR_WIDGET_ROUTE_FORBIDDEN, NULL, "x-api-key");
        return false;
    }
    return true;
}

static void add(bk_limit_t *v, size_t *n, which_t *whys, which_t why, bk_limit_kind_t kind, int max, int64_t period_ms,
                const char *head, const char *part, const char *tail)
{
    v[*n] = (bk_limit_t){.kind = kind, .max = max, .period_ms = period_ms};
    snprintf(v[*n].name, sizeof(v[*n].name), "%s%s%s", head, part, tail);
    whys[(*n)++] = why;
}

typedef struct gate_call {
    srv_request_t *r;
    void (*handler)(srv_request_t *r);
    which_t whys[BK_LIMITS_MAX];
} gate_call_t;

static void on_limits(int verdict, size_t which, int retry_after, void *data)
{
    gate_call_t *c = data;
    srv_request_t *r = c->r;
    which_t why = c->whys[which < BK_LIMITS_MAX ? which : 0];
    void (*handler)(srv_request_t *r) = c->handler;
    free(c);
    if (!srv_request_release(r)) return;
    if (verdict < 0) {
        srv_respond_error(r, API_ERR_REDIS_UNAVAILABLE, NULL, NULL);
    } else if (verdict == 0) {
        char seconds[16];
        snprintf(seconds, sizeof(seconds), "%d", retry_after);
        srv_add_header(r, "retry-after", seconds);
        srv_respond_error(r, API_ERR_RATE_LIMITED, refusals[why], NULL);
    } else {
        handler(r);
    }
}

int srv_widget_take_limits(srv_request_t *r, void (*handler)(srv_request_t *r))
{
    const srv_widget_key_t *k = r->widget;
    const srv_widget_limits_t *l = &k->limits;
    char address[INET6_ADDRSTRLEN], index[24];
    peer_text(r, address);
    snprintf(index, sizeof(index), "%zu", k->index);
    bk_limit_t v[BK_LIMITS_MAX];
    size_t n = 0;
    gate_call_t *c = calloc(1, sizeof(*c));
    if (c == NULL) return -1;
    c->r = r;
    c->handler = handler;
    add(v, &n, c->whys, PER_ADDRESS, BK_LIMIT_WINDOW, l->requests_per_minute_per_address, MINUTE_MS, "ip:", address,
        ":req");
    add(v, &n, c->whys, PER_KEY, BK_LIMIT_WINDOW, l->requests_per_minute, MINUTE_MS, "key:", index, ":req");
    if (strcmp(r->route_name, "/ai_brain/createAppt") == 0) {
        int64_t hold_ms = (int64_t)k->tenant->policy.hold_seconds * 1000;
        add(v, &n, c->whys, HOLDS_PER_ADDRESS, BK_LIMIT_OPEN, l->open_holds_per_address, hold_ms, "ip:", address,
            ":holds");
        add(v, &n, c->whys, HOLDS_PER_TENANT, BK_LIMIT_OPEN, l->open_holds, hold_ms, "holds", "", "");
    } else if (strcmp(r->route_name, "/ai_brain/lookup-create-patient") == 0) {
        add(v, &n, c->whys, PATIENTS_PER_ADDRESS, BK_LIMIT_CHECK, l->patients_per_hour_per_address, HOUR_MS,
            "ip:", address, ":patients");
    }
    srv_request_hold(r);
    if (bk_limits_take(&r->worker->booking, k->tenant, v, n, on_limits, c) != 0) {
        srv_request_release(r);
        free(c);
        return -1;
    }
    return 0;
}

void srv_widget_count_patient(srv_request_t *r)
{
    char address[INET6_ADDRSTRLEN], name[BK_LIMIT_NAME_CAP];
    peer_text(r, address);
    snprintf(name, sizeof(name), "ip:%s:patients", address); /* the name srv_widget_take_limits checks */
    bk_limit_count(&r->worker->booking, r->widget->tenant, name, HOUR_MS);
}
