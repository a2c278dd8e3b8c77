/* server/request.h: the life of one HTTP request across asynchronous calls.
 *
 * A srv_request_t lives on the heap; h2o's request pool only holds a pointer to it with a dispose hook, so a
 * client that goes away (HTTP/2 reset, closed connection) never leaves a callback writing into freed memory.
 * Every asynchronous call made for a request takes a hold (srv_request_hold) and gives it back in its
 * callback (srv_request_release); the request is freed when h2o has disposed of it and no hold is left. Each
 * request has a deadline; when it passes, the request is answered with r->deadline_error and late callbacks
 * find it answered. Every answer goes through srv_respond_* which sets Content-Length (keep-alive survives
 * errors), renders JSON, returns the request's id (X-Request-Id, and "request_id" in every error body), counts the
 * answer for /metrics and writes the access log line. */
#ifndef FD_SERVER_REQUEST_H
#define FD_SERVER_REQUEST_H

#include <h2o.h>
#include <json.h>
#include <stdbool.h>

#include "booking/api_error.h"
#include "booking/api_json.h"
#include "core/model.h"
#include "server/request_id.h"
#include "voice/host.h"

struct srv_worker;
struct srv_route;

/** Where a tool call's answer goes instead of HTTP (srv_request_begin_tool): its HTTP-equivalent status and the JSON,
 * as an object when the answer was built as one (json, borrowed; body NULL), else as text (body[0..len), json
 * NULL); valid during the call only. Called once, from inside the answering code: take a reference or copy what is
 * kept, and do not free the request. */
typedef void (*srv_sink_fn)(void *data, int status, json_object *json, const char *body, size_t len);

typedef struct srv_request {
    h2o_req_t *req; /* NULL once h2o disposed of the request */
    struct srv_worker *worker;
    struct srv_view *view;         /* the config it began on (server/worker_view.h), kept to its end */
    const struct srv_route *route; /* the router's, opaque to the rest of server/ */
    unsigned route_index;          /* its metrics index (server/router.h), 0 before routing */
    const char *route_name;        /* the route's name for logs and Idempotency-Key fingerprints; NULL before routing */
    const bk_tenant_t *tenant; /* set by auth */
    const struct srv_widget_key *widget; /* the widget key it came with (server/widget_key.h), else NULL */
    json_object *body;         /* parsed JSON body of POST routes, owned */
    uint64_t started_ns;
    unsigned deadline_ms; /* from started_ns: SRV_REQUEST_DEADLINE_MS, or the tenant's voice deadline */
    h2o_timeout_entry_t deadline;
    api_error_t deadline_error;
    unsigned holds;
    bool responded;
    char id[SRV_REQUEST_ID_CAP]; /* server/request_id.h: the caller's X-Request-Id when sane, else one made */
    bk_render_t render; /* srv_render: what rendering slots and appointments needs of this request */
    vc_call_t voice;    /* srv_voice_call: the voice call this request carries */
    bool may_keep;       /* GET /voice/bestSlot: a complete answer goes into the worker's answer cache ... */
    uint64_t keep_epoch; /* ... under the read cache's epoch from before the reads began */
    /* A tool call (srv_request_begin_tool): no h2o request; parameters from args, the answer to sink. */
    json_object *args;    /* the call's named arguments (owned), or NULL for an HTTP request */
    char *args_text;      /* args as JSON text: the "query" the bestSlot answer cache is keyed by (owned) */
    char *idem_key;       /* the call's retry identity, used as its Idempotency-Key, or NULL (owned) */
    srv_sink_fn sink;
    void *sink_data;
    bool tool_disposed; /* the tool call's answer was taken: like h2o disposing of an HTTP request */
    uv_timer_t tool_reaper; /* closed once answered: its close callback disposes of the tool call */
} srv_request_t;

/** Creates the request record for `req` on its worker's current config view and starts its deadline. NULL when
 * out of memory. */
srv_request_t *srv_request_begin(h2o_req_t *req, struct srv_worker *worker);

/** Begins a tool call for the request `parent` that carries it (a voice platform's envelope, server/agent_tools.h),
 * on its worker, tenant, config view and request id: a request
 * without HTTP whose route reads its parameters from args (an object of named arguments, not consumed) and whose
 * one answer goes to sink (never NULL). It has the tenant's voice deadline from now; idem_key (may be NULL) acts as
 * its Idempotency-Key. The caller then runs a route handler on it; the record frees itself once answered and no
 * hold is left. NULL when out of memory. */
srv_request_t *srv_request_begin_tool(srv_request_t *parent, const char *route_name, json_object *args,
                                      const char *idem_key, srv_sink_fn sink, void *sink_data);

/** True while r can still be answered: not answered yet, and its client (or tool call) still there. */
bool srv_request_open(const srv_request_t *r);

/** Gives r its tenant's voice deadline (policy.voice_deadline_ms) instead of the general one; r->tenant must be
 * set. Call it in the loop turn that began r (the router does, for every /voice/ path once the key is known), so
 * the deadline counts from the request's start. */
void srv_request_voice_deadline(srv_request_t *r);

/** True when `err` blames the clinic's system (service_unavailable, emr_timeout) but it is really Redis trouble:
 * the worker's Redis is not answering right now (down, reconnecting or hung; bk_env_redis_answering). The sandbox
 * clinic lives in Redis, and a deadline that passes while Redis hangs is Redis' doing. Every error answer
 * (srv_respond_error, a voice answer) is then given as 503 redis_unavailable with Retry-After instead. */
bool srv_redis_to_blame(const srv_request_t *r, api_error_t err);

/** Milliseconds left before r's deadline answers it (0 when it has passed). */
int64_t srv_request_ms_left(const srv_request_t *r);

/** The rendering context of r's tenant on r's worker (slot secret, speaker), for booking/api_json.h. */
const bk_render_t *srv_render(srv_request_t *r);

/** Takes a hold before starting an asynchronous call for r. */
void srv_request_hold(srv_request_t *r);

/** Gives the hold back in the call's callback. Returns true when r may still be answered; false when it was
 * answered already or the client is gone (r may have been freed: do not touch it then). */
bool srv_request_release(srv_request_t *r);

/** Answers with a JSON body (not consumed: the caller keeps ownership of `body`). */
void srv_respond_json(srv_request_t *r, int status, json_object *body);

/** The text every JSON answer is sent as (plain, slashes unescaped); owned by body. */
const char *srv_json_text(json_object *body, size_t *len);

/** Answers with JSON text already written (by srv_json_text, or streamed); copied before this returns. */
void srv_respond_json_text(srv_request_t *r, int status, const char *body, size_t len);

/** Answers with a body that is not JSON, e.g. the widget's script (content_type and cache_control NULL: no such
 * header); body is copied. */
void srv_respond_bytes(srv_request_t *r, int status, const char *content_type, const char *cache_control,
                       const char *body, size_t len);

/** Answers with an error (message NULL = the table's default; field NULL = not about a field). Redis trouble is
 * answered as such (srv_redis_to_blame), and every 503 carries Retry-After (1 s unless one was added). */
void srv_respond_error(srv_request_t *r, api_error_t err, const char *message, const char *field);

/** Adds a response header before answering (name lower-case, e.g. "retry-after"). */
void srv_add_header(srv_request_t *r, const char *name, const char *value);

/** Answers an error for a request that has no srv_request_t (out of memory), with a request id. */
void srv_respond_error_bare(h2o_req_t *req, api_error_t err);

/** "GET", "POST", ... of a request, or "OTHER" (never echoes arbitrary client text). */
const char *srv_method_name(h2o_req_t *req);

#endif
