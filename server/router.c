/* server/router.c: route table and the checks every request passes before its handler (see router.h). */
#include "server/router.h"

#include <stdio.h>
#include <sys/socket.h>
#include <string.h>

#include "booking/rate_limit.h"
#include "metrics/metrics.h"
#include "server/auth.h"
#include "server/auth_throttle.h"
#include "server/body.h"
#include "server/cors.h"
#include "server/framing.h"
#include "server/ghl_gate.h"
#include "server/head_guard.h"
#include "server/query.h"
#include "server/routes.h"
#include "server/widget_gate.h"
#include "server/worker.h"

static const srv_route_t routes[] = {
    {"/healthz", SRV_GET, false, srv_route_healthz, "/healthz"},
    {"/readyz", SRV_GET, false, srv_route_readyz, "/readyz"},
    {"/ai_brain/fetchAllStaff", SRV_POST, true, srv_route_fetch_all_staff, "/ai_brain/fetchAllStaff"},
    {"/ai_brain/fetchAllTreatments", SRV_POST, true, srv_route_fetch_all_treatments, "/ai_brain/fetchAllTreatments"},
    {"/ai_brain/fetchAllLocations", SRV_POST, true, srv_route_fetch_all_locations, "/ai_brain/fetchAllLocations"},
    {"/ai_brain/fetchAvailabilityForRange", SRV_POST, true, srv_route_fetch_availability_for_range,
     "/ai_brain/fetchAvailabilityForRange"},
    {"/ai_brain/fetchAvailabilityNext7Days", SRV_POST, true, srv_route_fetch_availability_next_7_days,
     "/ai_brain/fetchAvailabilityNext7Days"},
    {"/voice/clinic-info", SRV_GET, true, srv_route_voice_clinic_info, "/voice/clinic-info"},
    {"/voice/bestSlot", SRV_GET, true, srv_route_voice_best_slot, "/voice/bestSlot"},
    {"/voice/patientAppointments", SRV_GET, true, srv_route_voice_patient_appointments, "/voice/patientAppointments"},
    {"/voice/book", SRV_GET, true, srv_route_voice_book, "/voice/book"},
    {"/voice/cancel", SRV_GET, true, srv_route_voice_cancel, "/voice/cancel"},
    {"/voice/reschedule", SRV_GET, true, srv_route_voice_reschedule, "/voice/reschedule"},
    {"/agents/vapi", SRV_POST, true, srv_route_agents_vapi, "/agents/vapi"},
    {"/agents/retell", SRV_POST, true, srv_route_agents_retell, "/agents/retell"},
    {"/agents/retell/*", SRV_POST, true, srv_route_agents_retell, "/agents/retell/{tool}"},
    {"/agents/ghl/*", SRV_POST, true, srv_route_agents_ghl, "/agents/ghl/{tool}"},
    {"/ai_brain/lookup-create-patient", SRV_POST, true, srv_route_lookup_create_patient,
     "/ai_brain/lookup-create-patient"},
    {"/ai_brain/fetchPatientsAppointments", SRV_POST, true, srv_route_fetch_patients_appointments,
     "/ai_brain/fetchPatientsAppointments"},
    {"/ai_brain/createAppt", SRV_POST, true, srv_route_create_appt, "/ai_brain/createAppt"},
    {"/ai_brain/bookAppt", SRV_POST, true, srv_route_book_appt, "/ai_brain/bookAppt"},
    {"/ai_brain/cancelAppt", SRV_POST, true, srv_route_cancel_appt, "/ai_brain/cancelAppt"},
    {"/ai_brain/rescheduleAppt", SRV_POST, true, srv_route_reschedule_appt, "/ai_brain/rescheduleAppt"},
    {"/ai_brain/events", SRV_GET, true, srv_route_events, "/ai_brain/events"},
    {"/ai_brain/events/*/replay", SRV_POST, true, srv_route_event_replay, "/ai_brain/events/{id}/replay"},
    {"/api-book-appointment", SRV_POST, true, srv_route_compat_book, "/api-book-appointment"},
    {"/api-update-appointment", SRV_POST, true, srv_route_compat_update, "/api-update-appointment"},
    {"/api-cancel-appointment", SRV_POST, true, srv_route_compat_cancel, "/api-cancel-appointment"},
    {"/api/nookal/book_appt", SRV_POST, true, srv_route_compat_book, "/api/nookal/book_appt"},
    {"/api/nookal/update_appt", SRV_POST, true, srv_route_compat_update, "/api/nookal/update_appt"},
    {"/api/nookal/cancel_appt", SRV_POST, true, srv_route_compat_cancel, "/api/nookal/cancel_appt"},
    {"/ghl/*/bookAppt", SRV_POST, true, srv_route_compat_book, "/ghl/{token}/bookAppt"},
    {"/ghl/*/update_appt", SRV_POST, true, srv_route_compat_update, "/ghl/{token}/update_appt"},
    {"/ghl/*/cancel_appt", SRV_POST, true, srv_route_compat_cancel, "/ghl/{token}/cancel_appt"},
    {"/widget/v1/frontdesk-widget.js", SRV_GET, false, srv_route_widget_script, "/widget/v1/frontdesk-widget.js"},
    {"/widget/demo", SRV_GET, false, srv_route_widget_demo, "/widget/demo"},
};

_Static_assert(sizeof(routes) / sizeof(routes[0]) < FD_MX_MAX_ROUTES, "every route has its metrics index");

/* The metrics index of a route of the table: 1, 2, ... (0 is "unmatched"). */
static unsigned route_index(const srv_route_t *route)
{
    return (unsigned)(route - routes) + 1;
}

const char *srv_router_route_label(unsigned index)
{
    if (index == 0) return "unmatched";
    return index <= sizeof(routes) / sizeof(routes[0]) ? routes[index - 1].name : NULL;
}

/* True when path is the route's: equal, where a "*" in the route stands for one non-empty segment (no '/'). */
static bool path_matches(const char *route, const char *path, size_t len)
{
    const char *star = strchr(route, '*');
    if (star == NULL) return h2o_memis(path, len, route, strlen(route));
    size_t head = (size_t)(star - route), tail = strlen(star + 1);
    if (len <= head + tail || memcmp(path, route, head) != 0 || memcmp(path + len - tail, star + 1, tail) != 0)
        return false;
    return memchr(path + head, '/', len - head - tail) == NULL;
}

static srv_method_t method_of(h2o_req_t *req)
{
    const char *m = srv_method_name(req);
    /* HEAD is GET without the body (RFC 9110 9.3.2); h2o leaves the body out. */
    if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0) return SRV_GET;
    if (strcmp(m, "POST") == 0) return SRV_POST;
    return 0;
}

static void run_handler(srv_request_t *r)
{
    r->route->handler(r);
}

static void on_rate(int ok, int retry_after, void *data)
{
    srv_request_t *r = data;
    if (!srv_request_release(r)) return;
    if (ok < 0) {
        srv_add_header(r, "retry-after", "1");
        srv_respond_error(r, API_ERR_REDIS_UNAVAILABLE, NULL, NULL);
    } else if (ok == 0) {
        char seconds[16];
        snprintf(seconds, sizeof(seconds), "%d", retry_after);
        srv_add_header(r, "retry-after", seconds);
        srv_respond_error(r, API_ERR_RATE_LIMITED, NULL, NULL);
    } else {
        run_handler(r);
    }
}

/* Parses the JSON body into r->body. Answers the error itself and returns false when the body is unusable. */
static bool read_body(srv_request_t *r)
{
    h2o_req_t *req = r->req;
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_CONTENT_TYPE, -1);
    const char *type = i >= 0 ? req->headers.entries[i].value.base : NULL;
    size_t type_len = i >= 0 ? req->headers.entries[i].value.len : 0;
    char message[256];
    api_error_t err =
        srv_body_parse(type, type_len, req->entity.base, req->entity.len, &r->body, message, sizeof(message));
    if (err != API_ERR__COUNT) {
        srv_respond_error(r, err, message[0] ? message : NULL, NULL);
        return false;
    }
    const char *nul_field = srv_body_nul_field(r->body);
    if (nul_field == NULL) return true;
    /* A member name longer than any of ours is not echoed (the error must stay short, valid JSON). */
    srv_respond_error(r, API_ERR_INVALID_FIELD, "Text in this field must not contain a NUL character.",
                      strlen(nul_field) <= 64 ? nul_field : NULL);
    return false;
}

static void answer_method_not_allowed(srv_request_t *r, const char *path, size_t path_len)
{
    char allow[48] = "";
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (path_matches(routes[i].path, path, path_len)) {
            const char *m = routes[i].method == SRV_GET ? "GET, HEAD" : "POST";
            if (allow[0] != '\0') strncat(allow, ", ", sizeof(allow) - strlen(allow) - 1);
            strncat(allow, m, sizeof(allow) - strlen(allow) - 1);
        }
    }
    srv_add_header(r, "allow", allow);
    srv_respond_error(r, API_ERR_METHOD_NOT_ALLOWED, NULL, NULL);
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    srv_worker_t *w = srv_worker_of(req);
    srv_request_t *r = srv_request_begin(req, w);
    if (r == NULL) {
        srv_respond_error_bare(req, API_ERR_SERVICE_UNAVAILABLE);
        return 0;
    }
    srv_head_refusal_t refusal;
    if (srv_head_guard_refused(req, &refusal)) { /* a head libh2o could not parse (server/head_guard.h) */
        req->http1_is_persistent = 0;
        srv_respond_error(r, refusal.error, refusal.message, refusal.field);
        return 0;
    }
    if (srv_framing_has_both_lengths(req)) {
        req->http1_is_persistent = 0; /* where this body ends is in doubt, so nothing after it is read */
        srv_respond_error(r, API_ERR_BAD_REQUEST, "Send Content-Length or Transfer-Encoding: chunked, not both.",
                          "transfer-encoding");
        return 0;
    }
    const char *path = req->path_normalized.base;
    size_t path_len = req->path_normalized.len;
    srv_method_t method = method_of(req);
    const srv_route_t *route = NULL, *named = NULL;
    bool path_known = false;
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (!path_matches(routes[i].path, path, path_len)) continue;
        path_known = true;
        named = &routes[i];
        if (routes[i].method == method) route = &routes[i];
    }
    if (!path_known) {
        srv_respond_error(r, API_ERR_NOT_FOUND, NULL, NULL);
        return 0;
    }
    const bk_tenant_t *path_tenant = NULL; /* a GHL webhook's, from its secret path segment */
    if (srv_ghl_path(named->path) && !srv_ghl_admit(r, path, path_len, &path_tenant)) return 0;
    if (srv_cors_is_preflight(req)) { /* widget keys' browsers (server/cors.h) */
        srv_cors_preflight(r, r->view->config, named->name, named->method == SRV_GET ? "GET" : "POST");
        return 0;
    }
    if (route == NULL) {
        answer_method_not_allowed(r, path, path_len);
        return 0;
    }
    r->route = route;
    r->route_index = route_index(route);
    r->route_name = route->name;
    if (req->query_at != SIZE_MAX && req->path.len - req->query_at > SRV_MAX_QUERY_BYTES + 1) {
        srv_respond_error(r, API_ERR_URI_TOO_LONG, NULL, NULL);
        return 0;
    }
    if (!route->authenticated) {
        run_handler(r);
        return 0;
    }
    h2o_iovec_t key = path_tenant != NULL ? h2o_iovec_init(NULL, 0) : srv_auth_presented_key(req);
    const bk_tenant_t *tenant = path_tenant;
    const srv_config_t *config = r->view->config;
    if (key.base != NULL) tenant = srv_auth_tenant(config, key.base, key.len);
    const srv_widget_key_t *widget = tenant != NULL || key.base == NULL ? NULL
        : srv_widget_key_find(config->widget_keys, config->widget_key_count, key.base, key.len);
    if (widget != NULL && !srv_widget_admit(r, widget)) return 0; /* a publishable key: server/widget_gate.h */
    if (widget != NULL) tenant = widget->tenant;
    struct sockaddr_storage peer;
    bool have_peer = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&peer) > 0;
    int wait = have_peer && path_tenant == NULL ? srv_auth_throttle_check(w->auth_throttle, (struct sockaddr *)&peer, tenant,
                                                   uv_now(&w->loop))
                         : 0;
    if (wait > 0) {
        char seconds[16];
        snprintf(seconds, sizeof(seconds), "%d", wait);
        srv_add_header(r, "retry-after", seconds);
        srv_respond_error(r, API_ERR_RATE_LIMITED,
                          "Too many wrong API keys from this address; retry after the given seconds.", "x-api-key");
        return 0;
    }
    if (tenant == NULL) {
        srv_respond_error(r, API_ERR_UNAUTHORIZED, NULL, "x-api-key");
        return 0;
    }
    r->tenant = tenant;
    if (path_len > 7 && memcmp(path, "/voice/", 7) == 0) srv_request_voice_deadline(r); /* API.md: the tenant's */
    if (!tenant->ai_booking) {
        srv_respond_error(r, API_ERR_BOOKING_NOT_ENABLED, NULL, NULL);
        return 0;
    }
    if (route->method == SRV_POST && !read_body(r)) return 0;
    if (route->method == SRV_GET && !srv_query_check(r)) return 0;
    if (widget != NULL) {
        if (srv_widget_take_limits(r, route->handler) != 0) srv_respond_error(r, API_ERR_REDIS_UNAVAILABLE, NULL, NULL);
        return 0;
    }
    srv_request_hold(r);
    if (bk_rate_limit_take(r->view->rate, tenant, on_rate, r) != 0) {
        srv_request_release(r);
        srv_add_header(r, "retry-after", "1");
        srv_respond_error(r, API_ERR_REDIS_UNAVAILABLE, NULL, NULL);
    }
    return 0;
}

void srv_router_register(h2o_hostconf_t *host)
{
    h2o_pathconf_t *pathconf = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *handler = h2o_create_handler(pathconf, sizeof(*handler));
    handler->on_req = on_req;
}
