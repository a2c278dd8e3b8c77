/* server/request.c: request records, holds, deadlines and the one response path (see request.h). */
#include "server/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "booking/worker_store.h"
#include "metrics/metrics.h"
#include "server/auth.h"
#include "server/log.h"
#include "server/worker.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* False once h2o disposed of the request, or the tool call's answer was taken. */
static bool present(const srv_request_t *r)
{
    return r->sink != NULL ? !r->tool_disposed : r->req != NULL;
}

static void request_free(srv_request_t *r)
{
    json_object_put(r->body);
    json_object_put(r->args);
    free(r->args_text);
    free(r->idem_key);
    r->worker->in_flight--;
    srv_view_leave(&r->worker->views, r->view);
    free(r);
}

static void on_dispose(void *slot)
{
    srv_request_t *r = *(srv_request_t **)slot;
    if (r == NULL) return;
    r->req = NULL;
    if (h2o_timeout_is_linked(&r->deadline)) h2o_timeout_unlink(&r->deadline);
    if (r->holds == 0) request_free(r);
}

static void on_deadline(h2o_timeout_entry_t *entry)
{
    srv_request_t *r = H2O_STRUCT_FROM_MEMBER(srv_request_t, deadline, entry);
    if (present(r) && !r->responded) srv_respond_error(r, r->deadline_error, NULL, NULL);
}

/* Starts r's life on worker and view (entered for r): its clock and general deadline, counted in flight. */
static void begin(srv_request_t *r, srv_worker_t *worker, srv_view_t *view)
{
    r->worker = worker;
    r->view = view;
    r->started_ns = now_ns();
    r->deadline_ms = SRV_REQUEST_DEADLINE_MS;
    r->deadline_error = API_ERR_REDIS_UNAVAILABLE;
    r->deadline.cb = on_deadline;
    h2o_timeout_link(&worker->loop, &worker->deadline, &r->deadline);
    worker->in_flight++;
}

srv_request_t *srv_request_begin(h2o_req_t *req, srv_worker_t *worker)
{
    srv_request_t *r = calloc(1, sizeof(*r));
    if (r == NULL) return NULL;
    srv_request_t **slot = h2o_mem_alloc_shared(&req->pool, sizeof(*slot), on_dispose);
    *slot = r;
    r->req = req;
    begin(r, worker, srv_view_enter(&worker->views));
    srv_request_id_of(req, r->id);
    return r;
}

srv_request_t *srv_request_begin_tool(srv_request_t *parent, const char *route_name, json_object *args,
                                      const char *idem_key, srv_sink_fn sink, void *sink_data)
{
    srv_request_t *r = calloc(1, sizeof(*r));
    if (r == NULL) return NULL;
    size_t len;
    const char *text = srv_json_text(args, &len);
    r->args_text = strndup(text, len);
    r->idem_key = idem_key != NULL ? strdup(idem_key) : NULL;
    if (r->args_text == NULL || (idem_key != NULL && r->idem_key == NULL)) {
        free(r->args_text), free(r->idem_key), free(r);
        return NULL;
    }
    r->args = json_object_get(args);
    r->tenant = parent->tenant;
    r->route_name = route_name;
    r->sink = sink;
    r->sink_data = sink_data;
    memcpy(r->id, parent->id, sizeof(r->id)); /* its log lines carry the envelope's request id */
    begin(r, parent->worker, srv_view_join(parent->view)); /* the config the tenant belongs to */
    srv_request_voice_deadline(r);
    return r;
}

bool srv_request_open(const srv_request_t *r)
{
    return present(r) && !r->responded;
}

void srv_request_voice_deadline(srv_request_t *r)
{
    if (r->responded || r->tenant == NULL || !h2o_timeout_is_linked(&r->deadline)) return;
    h2o_timeout_t *list = srv_worker_deadline_list(r->worker, (uint64_t)r->tenant->policy.voice_deadline_ms);
    if (list == NULL) return; /* out of memory: the general deadline stays */
    h2o_timeout_unlink(&r->deadline);
    h2o_timeout_link(&r->worker->loop, list, &r->deadline);
    r->deadline_ms = (unsigned)r->tenant->policy.voice_deadline_ms;
}

int64_t srv_request_ms_left(const srv_request_t *r)
{
    int64_t left = (int64_t)r->deadline_ms - (int64_t)((now_ns() - r->started_ns) / 1000000u);
    return left > 0 ? left : 0;
}

const bk_render_t *srv_render(srv_request_t *r)
{
    const srv_config_t *config = r->view->config;
    r->render = (bk_render_t){.tenant = r->tenant,
                              .speaker = r->worker->speaker,
                              .slot_secret = config->slot_secret,
                              .slot_secret_len = config->slot_secret_len};
    return &r->render;
}

void srv_request_hold(srv_request_t *r)
{
    r->holds++;
}

bool srv_request_release(srv_request_t *r)
{
    r->holds--;
    if (!present(r)) {
        if (r->holds == 0) request_free(r);
        return false;
    }
    return !r->responded;
}

void srv_add_header(srv_request_t *r, const char *name, const char *value)
{
    if (r->req == NULL) return;
    h2o_req_t *req = r->req;
    size_t nlen = strlen(name), vlen = strlen(value);
    char *n = h2o_mem_alloc_pool(&req->pool, nlen);
    memcpy(n, name, nlen);
    char *v = h2o_mem_alloc_pool(&req->pool, vlen);
    memcpy(v, value, vlen);
    h2o_add_header_by_str(&req->pool, &req->res.headers, n, nlen, 0, NULL, v, vlen);
}

static const char *reason_of(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
    }
}

/* The tool call's answer was taken: disposed of, and freed now unless a step still holds it. */
static void on_tool_reaped(uv_handle_t *handle)
{
    srv_request_t *r = H2O_STRUCT_FROM_MEMBER(srv_request_t, tool_reaper, (uv_timer_t *)handle);
    r->tool_disposed = true;
    if (h2o_timeout_is_linked(&r->deadline)) h2o_timeout_unlink(&r->deadline);
    if (r->holds == 0) request_free(r);
}

/* A tool call's answer goes to its sink; the record is disposed of on the next loop turn (uv_close defers its
 * callback), never under the code that is answering. */
static void send_tool(srv_request_t *r, int status, json_object *json, const char *body, size_t len)
{
    r->responded = true;
    if (h2o_timeout_is_linked(&r->deadline)) h2o_timeout_unlink(&r->deadline);
    double ms = (double)(now_ns() - r->started_ns) / 1e6;
    srv_log_request(r->route_name != NULL ? r->route_name : "(unknown)", "TOOL", status, ms, r->tenant->id, r->id,
                    NULL);
    bk_env_flush(&r->worker->booking);
    r->sink(r->sink_data, status, json, body, len);
    uv_timer_init(&r->worker->loop, &r->tool_reaper);
    uv_close((uv_handle_t *)&r->tool_reaper, on_tool_reaped);
}

static void send_typed(srv_request_t *r, int status, const char *type, const char *cache, const char *body,
                       size_t len)
{
    if (r->sink != NULL) {
        send_tool(r, status, NULL, body, len);
        return;
    }
    h2o_req_t *req = r->req;
    r->responded = true;
    if (h2o_timeout_is_linked(&r->deadline)) h2o_timeout_unlink(&r->deadline);
    uint64_t took_ns = now_ns() - r->started_ns;
    char code[48] = "";
    if (status >= 400 && type != NULL && strcmp(type, "application/json") == 0) { /* the id goes in the error */
        size_t cap = len + strlen(r->id) + 20;
        char *with_id = h2o_mem_alloc_pool(&req->pool, cap);
        len = srv_request_id_in_error(body, len, r->id, with_id, cap, code, sizeof(code));
        body = with_id;
    }
    fd_mx_http_request(r->route_index, status, took_ns / 1000u);
    srv_log_request(r->route_name != NULL ? r->route_name : "(unknown)", srv_method_name(req), status,
                    (double)took_ns / 1e6, r->tenant != NULL ? r->tenant->id : NULL, r->id, code[0] ? code : NULL);
    srv_request_id_header(req, r->id);
    req->res.status = status;
    req->res.reason = reason_of(status);
    if (type != NULL) h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, type, strlen(type));
    if (cache != NULL)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, cache, strlen(cache));
    /* h2o_send_inline leaves Content-Length unset, which turns every non-200 into Connection: close. */
    req->res.content_length = len;
    bk_env_flush(&r->worker->booking); /* writes made for this request leave before the client can retry */
    h2o_send_inline(req, body, len);
}

static void send_body(srv_request_t *r, int status, const char *body, size_t len)
{
    send_typed(r, status, "application/json", "no-store", body, len);
}

void srv_respond_bytes(srv_request_t *r, int status, const char *content_type, const char *cache_control,
                       const char *body, size_t len)
{
    if (!srv_request_open(r)) return;
    send_typed(r, status, content_type, cache_control, body, len);
}

const char *srv_json_text(json_object *body, size_t *len)
{
    return json_object_to_json_string_length(body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len);
}

void srv_respond_json(srv_request_t *r, int status, json_object *body)
{
    if (!srv_request_open(r)) return;
    if (r->sink != NULL) {
        send_tool(r, status, body, NULL, 0); /* a tool call takes the object itself: nothing to print and read */
        return;
    }
    size_t len;
    const char *s = srv_json_text(body, &len);
    send_body(r, status, s, len);
}

void srv_respond_json_text(srv_request_t *r, int status, const char *body, size_t len)
{
    if (!srv_request_open(r)) return;
    send_body(r, status, body, len);
}

bool srv_redis_to_blame(const srv_request_t *r, api_error_t err)
{
    return (err == API_ERR_SERVICE_UNAVAILABLE || err == API_ERR_EMR_TIMEOUT) &&
           !bk_env_redis_answering(&r->worker->booking);
}

/* Counts a refusal for its key or a limit (metrics/metrics.h). */
static void count_refusal(const srv_request_t *r, api_error_t err, const char *field)
{
    if (err == API_ERR_RATE_LIMITED) {
        bool throttle = field != NULL && strcmp(field, "x-api-key") == 0; /* the wrong-key throttle's answer */
        fd_mx_rate_limited(throttle ? FD_MX_LIMIT_AUTH_THROTTLE : r->widget != NULL ? FD_MX_LIMIT_WIDGET
                                                                                    : FD_MX_LIMIT_TENANT);
    } else if (err == API_ERR_UNAUTHORIZED) {
        bool sent = r->req != NULL && srv_auth_presented_key(r->req).base != NULL;
        fd_mx_auth_failure(sent ? FD_MX_AUTH_WRONG_KEY : FD_MX_AUTH_MISSING_KEY);
    } else if (err == API_ERR_ORIGIN_FORBIDDEN || err == API_ERR_WIDGET_ROUTE_FORBIDDEN) {
        fd_mx_auth_failure(FD_MX_AUTH_WIDGET_REFUSED);
    }
}

void srv_respond_error(srv_request_t *r, api_error_t err, const char *message, const char *field)
{
    if (!srv_request_open(r)) return;
    count_refusal(r, err, field);
    if (srv_redis_to_blame(r, err)) {
        err = API_ERR_REDIS_UNAVAILABLE;
        message = field = NULL;
    }
    /* Every 503 says when to come back. */
    if (api_error_status(err) == 503 && r->req != NULL &&
        h2o_find_header_by_str(&r->req->res.headers, H2O_STRLIT("retry-after"), -1) < 0)
        srv_add_header(r, "retry-after", "1");
    char buf[1024];
    size_t len = api_error_render(err, message, field, buf, sizeof(buf));
    send_body(r, api_error_status(err), buf, len);
}

void srv_respond_error_bare(h2o_req_t *req, api_error_t err)
{
    char buf[512], id[SRV_REQUEST_ID_CAP];
    size_t len = api_error_render(err, NULL, NULL, buf, sizeof(buf));
    srv_request_id_of(req, id);
    char *copy = h2o_mem_alloc_pool(&req->pool, sizeof(buf) + sizeof(id) + 20);
    len = srv_request_id_in_error(buf, len, id, copy, sizeof(buf) + sizeof(id) + 20, NULL, 0);
    srv_request_id_header(req, id);
    req->res.status = api_error_status(err);
    req->res.reason = reason_of(req->res.status);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("application/json"));
    req->res.content_length = len;
    h2o_send_inline(req, copy, len);
}

const char *srv_method_name(h2o_req_t *req)
{
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET"))) return "GET";
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("POST"))) return "POST";
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"))) return "HEAD";
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("PUT"))) return "PUT";
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("DELETE"))) return "DELETE";
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("PATCH"))) return "PATCH";
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("OPTIONS"))) return "OPTIONS";
    return "OTHER";
}
