/* server/cors.c: CORS preflights and answer headers for widget keys (see cors.h). */
#include "server/cors.h"

#include <string.h>

#include "server/widget_key.h"

const char *srv_cors_origin(h2o_req_t *req, size_t *len)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("origin"), -1);
    if (i < 0) return NULL;
    *len = req->headers.entries[i].value.len;
    return req->headers.entries[i].value.base;
}

bool srv_cors_is_preflight(h2o_req_t *req)
{
    size_t len;
    return h2o_memis(req->method.base, req->method.len, H2O_STRLIT("OPTIONS")) && srv_cors_origin(req, &len) &&
           h2o_find_header_by_str(&req->headers, H2O_STRLIT("access-control-request-method"), -1) >= 0;
}

static void add_copy(srv_request_t *r, const char *name, const char *value, size_t len)
{
    char copy[SRV_WIDGET_ORIGIN_MAX + 1];
    if (len > SRV_WIDGET_ORIGIN_MAX) len = SRV_WIDGET_ORIGIN_MAX;
    memcpy(copy, value, len);
    copy[len] = '\0';
    srv_add_header(r, name, copy);
}

void srv_cors_allow(srv_request_t *r, const char *origin, size_t len)
{
    add_copy(r, "access-control-allow-origin", origin, len);
    srv_add_header(r, "vary", "origin");
    srv_add_header(r, "access-control-expose-headers", "retry-after, idempotent-replayed, frontdesk-now");
}

void srv_cors_preflight(srv_request_t *r, const srv_config_t *config, const char *route_name, const char *method)
{
    h2o_req_t *req = r->req;
    size_t origin_len = 0;
    const char *origin = srv_cors_origin(req, &origin_len);
    bool listed = false;
    for (size_t i = 0; i < config->widget_key_count && !listed; i++)
        listed = srv_widget_origin_allowed(&config->widget_keys[i], origin, origin_len);
    if (!listed) {
        srv_respond_error(r, API_ERR_ORIGIN_FORBIDDEN, NULL, "origin");
        return;
    }
    ssize_t at = h2o_find_header_by_str(&req->headers, H2O_STRLIT("access-control-request-method"), -1);
    h2o_iovec_t asked = req->headers.entries[at].value;
    if (!srv_widget_route_allowed(route_name) || !h2o_memis(asked.base, asked.len, method, strlen(method))) {
        srv_respond_error(r, API_ERR_WIDGET_ROUTE_FORBIDDEN, NULL, NULL);
        return;
    }
    add_copy(r, "access-control-allow-origin", origin, origin_len);
    srv_add_header(r, "vary", "origin");
    srv_add_header(r, "access-control-allow-methods", method);
    srv_add_header(r, "access-control-allow-headers", "content-type, x-api-key, idempotency-key");
    srv_add_header(r, "access-control-max-age", SRV_CORS_MAX_AGE);
    srv_respond_bytes(r, 204, NULL, NULL, "", 0);
}
