/* server/h2o_errors.c: h2o's own text/plain errors rewritten as JSON errors (see h2o_errors.h). */
#include "server/h2o_errors.h"

#include <stdbool.h>
#include <string.h>

#include "booking/api_error.h"
#include "metrics/metrics.h"
#include "server/log.h"
#include "server/request.h"
#include "server/request_id.h"

typedef struct json_error_ostream {
    h2o_ostream_t super;
    h2o_iovec_t body;
    bool sent;
} json_error_ostream_t;

/* Sends our JSON in place of whatever body h2o produced (nothing for HEAD, which h2o sends without buffers). */
static void on_send(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs, size_t bufcnt, h2o_send_state_t state)
{
    json_error_ostream_t *o = (json_error_ostream_t *)self;
    bool send_body = bufcnt > 0 && !o->sent;
    o->sent |= send_body;
    h2o_ostream_send_next(self, req, send_body ? &o->body : NULL, send_body ? 1 : 0, state);
}

static api_error_t error_of_status(int status)
{
    switch (status) {
    case 404:
        return API_ERR_NOT_FOUND;
    case 405:
        return API_ERR_METHOD_NOT_ALLOWED;
    case 413:
        return API_ERR_BODY_TOO_LARGE;
    case 414:
        return API_ERR_URI_TOO_LONG;
    case 417:
        return API_ERR_EXPECTATION_FAILED;
    default:
        return status >= 500 ? API_ERR_SERVICE_UNAVAILABLE : API_ERR_BAD_REQUEST;
    }
}

static void on_setup_ostream(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    ssize_t type_at = h2o_find_header(&req->res.headers, H2O_TOKEN_CONTENT_TYPE, -1);
    /* Every answer of ours is application/json; an error that is not came from h2o itself. */
    if (req->res.status >= 400 &&
        (type_at < 0 || !h2o_memis(req->res.headers.entries[type_at].value.base,
                                   req->res.headers.entries[type_at].value.len, H2O_STRLIT("application/json")))) {
        char buf[512], id[SRV_REQUEST_ID_CAP], code[48], with_id[sizeof(buf) + sizeof(id) + 20];
        size_t len = api_error_render(error_of_status(req->res.status), NULL, NULL, buf, sizeof(buf));
        srv_request_id_of(req, id);
        len = srv_request_id_in_error(buf, len, id, with_id, sizeof(with_id), code, sizeof(code));
        srv_request_id_header(req, id);
        if (type_at >= 0) req->res.headers.entries[type_at].value = h2o_iovec_init(H2O_STRLIT("application/json"));
        else h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("application/json"));
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
        req->res.content_length = len;
        json_error_ostream_t *o = (json_error_ostream_t *)h2o_add_ostream(req, sizeof(*o), slot);
        o->super.do_send = on_send;
        o->body = h2o_strdup(&req->pool, with_id, len);
        o->sent = false;
        slot = &o->super.next;
        fd_mx_http_request(0, req->res.status, 0); /* answered before any route: "unmatched" */
        srv_log_request("(http)", srv_method_name(req), req->res.status, 0.0, NULL, id, code[0] ? code : NULL);
    }
    h2o_setup_next_ostream(req, slot);
}

static void add_filter(h2o_pathconf_t *pathconf)
{
    h2o_filter_t *filter = h2o_create_filter(pathconf, sizeof(*filter));
    filter->on_setup_ostream = on_setup_ostream;
}

void srv_h2o_errors_register(h2o_hostconf_t *host)
{
    for (size_t i = 0; i < host->paths.size; i++) add_filter(&host->paths.entries[i]);
    add_filter(&host->fallback_path);
}
