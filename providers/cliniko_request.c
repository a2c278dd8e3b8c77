/* providers/cliniko_request.c: one request to Cliniko: its headers and rate budget, the provider status of
 * its outcome, its URL and body, and the record of an operation that is a single request; plus the answer
 * given on the next loop turn when Cliniko need not be asked. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/cliniko_internal.h"
#include "providers/once_timer.h"

/* The operation of a Cliniko request, for the EMR call counters: its method and the last segment of its path that is
 * not a record id (Cliniko's ids are digits), e.g. PATCH .../individual_appointments/123/cancel -> cancel_appointment.
 * Nothing of the URL itself becomes a label. */
static fd_mx_emr_op_t operation_of(const char *method, const char *url)
{
    const char *path = strstr(url, "://");
    path = path != NULL ? strchr(path + 3, '/') : NULL;
    if (path == NULL) return FD_MX_EMR_OTHER;
    size_t end = strcspn(path, "?#");
    const char *name = NULL;
    size_t name_len = 0;
    bool one = false; /* the path ends with a record id */
    for (size_t i = 0; i < end;) {
        while (i < end && path[i] == '/') i++;
        size_t n = strcspn(path + i, "/?#");
        if (n == 0) break;
        bool digits = strspn(path + i, "0123456789") >= n;
        if (!digits) name = path + i, name_len = n;
        one = digits;
        i += n;
    }
    bool get = strcmp(method, "GET") == 0;
#define IS(text) (name_len == strlen(text) && strncmp(name, text, name_len) == 0)
    if (name == NULL) return FD_MX_EMR_OTHER;
    if (IS("individual_appointments")) {
        if (get) return one ? FD_MX_EMR_GET_APPOINTMENT : FD_MX_EMR_LIST_APPOINTMENTS;
        if (strcmp(method, "POST") == 0) return FD_MX_EMR_CREATE_APPOINTMENT;
        if (strcmp(method, "DELETE") == 0) return FD_MX_EMR_DELETE_APPOINTMENT;
        return FD_MX_EMR_UPDATE_APPOINTMENT;
    }
    if (IS("cancel")) return FD_MX_EMR_CANCEL_APPOINTMENT;
    if (IS("conflicts")) return FD_MX_EMR_CHECK_CONFLICTS;
    if (IS("patients")) return get ? FD_MX_EMR_LIST_PATIENTS : FD_MX_EMR_CREATE_PATIENT;
    if (IS("practitioners")) return FD_MX_EMR_LIST_PRACTITIONERS;
    if (IS("businesses")) return FD_MX_EMR_LIST_BUSINESSES;
    if (IS("appointment_types")) return FD_MX_EMR_LIST_APPOINTMENT_TYPES;
    if (IS("available_times")) return FD_MX_EMR_LIST_AVAILABLE_TIMES;
    if (IS("settings")) return FD_MX_EMR_GET_SETTINGS;
#undef IS
    return FD_MX_EMR_OTHER;
}

int cliniko_send(cliniko_t *c, prov_env_t *env, const char *method, const char *url, const char *body, bool idempotent,
                 prov_http_cb cb, void *data)
{
    if (env == NULL || env->http == NULL) return -1;
    const char *headers[] = {c->auth_header, "Accept: application/json", c->ua_header,
                             body != NULL ? "Content-Type: application/json" : NULL, NULL};
    prov_http_request_t rq = {
        .method = method,
        .url = url,
        .headers = headers,
        .body = body,
        .body_len = body != NULL ? strlen(body) : 0,
        .credential = c->credential,
        .bucket = c->bucket,
        .connect_timeout_ms = c->connect_timeout_ms,
        .timeout_ms = c->timeout_ms,
        .max_in_flight = c->max_in_flight,
        .idempotent = idempotent,
        .metric_provider = FD_MX_PROVIDER_CLINIKO,
        .metric_op = operation_of(method, url),
    };
    return prov_http_request(env->http, &rq, cb, data, NULL);
}

/* The provider status of an HTTP outcome. `record`: a 404 means the record does not exist. A 401 or 403 (the key
 * is revoked or wrong) is also the operator's log line. */
prov_status_t cliniko_status(cliniko_t *c, const prov_http_response_t *r, bool record)
{
    /* Cliniko's rule: a write that got no answer is reported as the transport failed (no connection:
     * PROV_UNAVAILABLE, a broken answer: PROV_UPSTREAM), as for a read. */
    if (r->status != PROV_HTTP_OK) return prov_transport_status(r, true);
    long code = r->code;
    if (code >= 200 && code < 300) return PROV_OK;
    if (code == 404) return record ? PROV_NOT_FOUND : PROV_UPSTREAM;
    if (code == 422) return PROV_REJECTED;
    if (code == 409) return PROV_CONFLICT;
    if (code == 429) return PROV_RATE_LIMITED;
    if (code == 401 || code == 403) prov_credential_refused(&c->refused_logged, c->tenant_id, "cliniko", code);
    return PROV_UPSTREAM; /* 401/403: the clinic's key is wrong; 400, 5xx, anything else */
}

bool cliniko_url(char *out, const cliniko_t *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool fits = prov_url_vformat(out, URL_CAP, c->base_url, fmt, ap);
    va_end(ap);
    return fits;
}

void cliniko_format_time(int64_t t, char out[TZ_ISO_CAP])
{
    char buf[TZ_ISO_CAP];
    tz_format_utc(t, buf); /* "2026-04-18T13:59:59.999Z" -> "2026-04-18T13:59:59Z" */
    memcpy(out, buf, 19);
    out[19] = 'Z';
    out[20] = '\0';
}

int cliniko_defer(uv_loop_t *loop, void (*fn)(void *), void *arg)
{
    return prov_once_timer_start(loop, 0, fn, arg) != NULL ? 0 : -1;
}

call_t *cliniko_call_new(cliniko_t *c, prov_env_t *env, void *data)
{
    call_t *k = calloc(1, sizeof(*k));
    if (k == NULL) return NULL;
    k->c = c;
    k->env = *env;
    k->data = data;
    return k;
}

void cliniko_call_free(call_t *k)
{
    bk_patient_clear(&k->patient);
    free(k);
}

char *cliniko_json_body(json_object *o)
{
    const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    char *copy = s != NULL ? strdup(s) : NULL;
    json_object_put(o);
    return copy;
}

void cliniko_json_add(json_object *o, const char *key, const char *v)
{
    if (v != NULL) json_object_object_add(o, key, json_object_new_string(v));
}

bool cliniko_valid_id(const char *id)
{
    char out[PROV_CLINIKO_ID_CAP];
    return id != NULL && prov_cliniko_id_from_url(id, out, sizeof(out)) == 0 && strcmp(out, id) == 0;
}

bool cliniko_add_query(char *url, const char *q)
{
    size_t n = strlen(url);
    if (n + 16 >= URL_CAP) return false;
    memcpy(url + n, "&q%5B%5D=", 10);
    return prov_cliniko_query_escape(url, URL_CAP, q) == 0;
}

bool cliniko_add_filter(char *url, const char *field, const char *value)
{
    char q[256];
    snprintf(q, sizeof(q), "%s:=%s", field, value);
    return cliniko_add_query(url, q);
}
