/* server/ghl_gate.c: the GoHighLevel webhook routes' tenant from the path's token (see ghl_gate.h). */
#include "server/ghl_gate.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "server/auth_throttle.h"
#include "server/config_ghl.h"
#include "server/worker.h"

#define PREFIX "/ghl/"

bool srv_ghl_path(const char *route_path)
{
    return strncmp(route_path, PREFIX, strlen(PREFIX)) == 0;
}

bool srv_ghl_admit(srv_request_t *r, const char *path, size_t len, const bk_tenant_t **tenant)
{
    srv_worker_t *w = r->worker;
    size_t at = strlen(PREFIX);
    const char *end = len > at ? memchr(path + at, '/', len - at) : NULL;
    const srv_config_t *config = r->view->config;
    const bk_tenant_t *t =
        end != NULL ? srv_ghl_tenant(config->tenants, config->tenant_count, path + at, (size_t)(end - (path + at)))
                    : NULL;
    struct sockaddr_storage peer;
    h2o_conn_t *conn = r->req->conn;
    bool have_peer = conn->callbacks->get_peername(conn, (struct sockaddr *)&peer) > 0;
    int wait = have_peer ? srv_auth_throttle_check(w->auth_throttle, (struct sockaddr *)&peer, t, uv_now(&w->loop)) : 0;
    if (wait > 0) {
        char seconds[16];
        snprintf(seconds, sizeof(seconds), "%d", wait);
        srv_add_header(r, "retry-after", seconds);
        srv_respond_error(r, API_ERR_RATE_LIMITED,
                          "Too many wrong keys from this address; retry after the given "
                          "seconds.",
                          NULL);
        return false;
    }
    if (t == NULL) {
        srv_respond_error(r, API_ERR_NOT_FOUND, NULL, NULL); /* the same answer as a path that does not exist */
        return false;
    }
    *tenant = t;
    return true;
}
