/* providers/bridge_request.c: one call to an EMR bridge: the JSON body naming its operation, the signature
 * headers (bridge_sign.h) made on the service's clock, the deadlines, the provider status of the outcome, the
 * operator's lines (a refused signature, an answer of the wrong shape); plus the deferral helper the operations
 * share. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/bridge_internal.h"
#include "providers/bridge_sign.h"
#include "providers/once_timer.h"
#include "tz/tz.h"

#define SHAPE_LOG_EVERY_MS 60000

static const char *const op_names[] = {
    [BRIDGE_CAPABILITIES] = "capabilities",
    [BRIDGE_CATALOG] = "catalog",
    [BRIDGE_AVAILABILITY] = "availability",
    [BRIDGE_PATIENTS_FIND] = "patients.find",
    [BRIDGE_PATIENTS_CREATE] = "patients.create",
    [BRIDGE_APPOINTMENTS_LIST] = "appointments.list",
    [BRIDGE_APPOINTMENTS_CREATE] = "appointments.create",
    [BRIDGE_APPOINTMENTS_CANCEL] = "appointments.cancel",
    [BRIDGE_APPOINTMENTS_RESCHEDULE] = "appointments.reschedule",
    [BRIDGE_APPOINTMENTS_DELETE] = "appointments.delete",
    [BRIDGE_APPOINTMENTS_CONFLICTS] = "appointments.conflicts",
    [BRIDGE_HOLDS_CREATE] = "holds.create",
    [BRIDGE_HOLDS_RELEASE] = "holds.release",
};

/* What each operation counts as in /metrics. */
static const fd_mx_emr_op_t op_metrics[] = {
    [BRIDGE_CAPABILITIES] = FD_MX_EMR_GET_SETTINGS,
    [BRIDGE_CATALOG] = FD_MX_EMR_OTHER,
    [BRIDGE_AVAILABILITY] = FD_MX_EMR_LIST_AVAILABLE_TIMES,
    [BRIDGE_PATIENTS_FIND] = FD_MX_EMR_LIST_PATIENTS,
    [BRIDGE_PATIENTS_CREATE] = FD_MX_EMR_CREATE_PATIENT,
    [BRIDGE_APPOINTMENTS_LIST] = FD_MX_EMR_LIST_APPOINTMENTS,
    [BRIDGE_APPOINTMENTS_CREATE] = FD_MX_EMR_CREATE_APPOINTMENT,
    [BRIDGE_APPOINTMENTS_CANCEL] = FD_MX_EMR_CANCEL_APPOINTMENT,
    [BRIDGE_APPOINTMENTS_RESCHEDULE] = FD_MX_EMR_UPDATE_APPOINTMENT,
    [BRIDGE_APPOINTMENTS_DELETE] = FD_MX_EMR_DELETE_APPOINTMENT,
    [BRIDGE_APPOINTMENTS_CONFLICTS] = FD_MX_EMR_CHECK_CONFLICTS,
    [BRIDGE_HOLDS_CREATE] = FD_MX_EMR_CREATE_HOLD,
    [BRIDGE_HOLDS_RELEASE] = FD_MX_EMR_RELEASE_HOLD,
};

const char *bridge_op_name(bridge_op_t op)
{
    return op_names[op];
}

static bool is_read(bridge_op_t op)
{
    return op == BRIDGE_CAPABILITIES || op == BRIDGE_CATALOG || op == BRIDGE_AVAILABILITY ||
           op == BRIDGE_PATIENTS_FIND || op == BRIDGE_APPOINTMENTS_LIST || op == BRIDGE_APPOINTMENTS_CONFLICTS;
}

typedef struct call {
    bridge_t *b;
    bridge_op_t op;
    bridge_cb cb;
    void *data;
} call_t;

prov_status_t bridge_bad_shape(bridge_t *b, bridge_op_t op, const char *what)
{
    int64_t now = tz_now();
    int64_t seen = atomic_load(&b->shape_logged);
    if ((seen == 0 || now - seen >= SHAPE_LOG_EVERY_MS) &&
        atomic_compare_exchange_strong(&b->shape_logged, &seen, now)) {
        json_object *line = json_object_new_object();
        if (line != NULL) {
            json_object_object_add(line, "ts", json_object_new_int64(now));
            json_object_object_add(line, "level", json_object_new_string("warn"));
            json_object_object_add(line, "msg", json_object_new_string("EMR bridge answered outside its contract"));
            json_object_object_add(line, "tenant", json_object_new_string(b->tenant_id));
            json_object_object_add(line, "provider", json_object_new_string("bridge"));
            json_object_object_add(line, "operation", json_object_new_string(bridge_op_name(op)));
            json_object_object_add(line, "problem", json_object_new_string(what));
            json_object_object_add(line, "action",
                                   json_object_new_string("the bridge at this tenant's base_url must answer as "
                                                          "openapi/emr-bridge.yaml says: tell its integrator"));
            fprintf(stderr, "%s\n", json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN));
            json_object_put(line);
        }
    }
    return PROV_UPSTREAM;
}

/* The status of an outcome: the bridge's HTTP code when it answered, else the shared transport map (a write sent
 * without an answer is "unknown", a timeout, so booking looks for it before writing again). */
static prov_status_t transport_status(const prov_http_response_t *r, bool read)
{
    return r->status == PROV_HTTP_OK ? bridge_status_of(r->code) : prov_transport_status(r, read);
}

static void on_answer(const prov_http_response_t *r, void *data)
{
    call_t *k = data;
    prov_status_t st = transport_status(r, is_read(k->op));
    json_object *answer = NULL;
    if (st == PROV_OK) {
        answer = json_tokener_parse(r->body);
        if (answer == NULL || !json_object_is_type(answer, json_type_object))
            st = bridge_bad_shape(k->b, k->op, "the answer is not a JSON object");
    } else if (r->status == PROV_HTTP_OK && (r->code == 401 || r->code == 403)) {
        prov_credential_refused(&k->b->secret_refused_logged, k->b->tenant_id, "bridge", r->code);
    }
    k->cb(st, st == PROV_OK ? answer : NULL, k->data);
    json_object_put(answer);
    free(k);
}

int bridge_call(bridge_t *b, prov_env_t *env, bridge_op_t op, json_object *body, bridge_cb cb, void *data)
{
    if (env == NULL || env->http == NULL || body == NULL) return -1;
    if (op != BRIDGE_CAPABILITIES) bridge_learn_capabilities(b, env);
    char url[BRIDGE_URL_CAP];
    int ul = snprintf(url, sizeof(url), "%s/%s", b->base_url, bridge_op_name(op));
    if (ul < 0 || (size_t)ul >= sizeof(url)) return -1;
    for (char *p = url + strlen(b->base_url) + 1; *p; p++)
        if (*p == '.') *p = '/'; /* "appointments.create" is POST .../appointments/create */
    json_object_object_add(body, "operation", json_object_new_string(bridge_op_name(op)));
    size_t len = 0;
    const char *text = json_object_to_json_string_length(body, JSON_C_TO_STRING_PLAIN, &len);
    int64_t stamp = tz_now() / 1000;
    char signature[BRIDGE_SIGNATURE_CAP], stamp_header[64], signature_header[32 + BRIDGE_SIGNATURE_CAP];
    if (text == NULL || bridge_sign(b->secret, b->secret_len, stamp, text, len, signature) != 0) return -1;
    snprintf(stamp_header, sizeof(stamp_header), "X-Frontdesk-Timestamp: %" PRId64, stamp);
    snprintf(signature_header, sizeof(signature_header), "X-Frontdesk-Signature: %s", signature);
    call_t *k = malloc(sizeof(*k));
    if (k == NULL) return -1;
    *k = (call_t){.b = b, .op = op, .cb = cb, .data = data};
    const char *headers[] = {"Accept: application/json", "Content-Type: application/json", stamp_header,
                             signature_header, NULL};
    prov_http_request_t rq = {
        .method = "POST",
        .url = url,
        .headers = headers,
        .body = text,
        .body_len = len,
        .credential = b->credential,
        .connect_timeout_ms = b->connect_timeout_ms,
        .timeout_ms = b->timeout_ms,
        .max_in_flight = b->max_in_flight,
        .idempotent = is_read(op),
        .metric_provider = FD_MX_PROVIDER_BRIDGE,
        .metric_op = op_metrics[op],
    };
    if (prov_http_request(env->http, &rq, on_answer, k, NULL) != 0) {
        free(k);
        return -1;
    }
    return 0;
}

int bridge_defer(uv_loop_t *loop, void (*fn)(void *), void *arg)
{
    return prov_once_timer_start(loop, 0, fn, arg) != NULL ? 0 : -1;
}
