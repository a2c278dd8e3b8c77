/* server/fields.c: typed body fields with 400s that name them (see fields.h). */
#include "server/fields.h"

#include "server/worker.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

bool srv_field_required(srv_request_t *r, const char *name)
{
    json_object *v;
    if (json_object_object_get_ex(r->body, name, &v) && !json_object_is_type(v, json_type_null)) return true;
    char message[160];
    snprintf(message, sizeof(message), "%s is required.", name);
    srv_respond_error(r, API_ERR_MISSING_FIELD, message, name);
    return false;
}

bool srv_field_id(srv_request_t *r, const char *name, bool required, char *out, size_t cap)
{
    char message[160];
    json_object *v;
    out[0] = '\0';
    if (!json_object_object_get_ex(r->body, name, &v) || json_object_is_type(v, json_type_null))
        return required ? srv_field_required(r, name) : true;
    if (json_object_is_type(v, json_type_int)) {
        snprintf(out, cap, "%" PRId64, json_object_get_int64(v));
        return true;
    }
    if (json_object_is_type(v, json_type_string) && json_object_get_string_len(v) > 0 &&
        (size_t)json_object_get_string_len(v) < cap) {
        memcpy(out, json_object_get_string(v), (size_t)json_object_get_string_len(v) + 1);
        return true;
    }
    snprintf(message, sizeof(message), "%s must be an id (a non-empty string).", name);
    srv_respond_error(r, API_ERR_INVALID_FIELD, message, name);
    return false;
}

bool srv_field_string(srv_request_t *r, const char *name, const char **out)
{
    json_object *v;
    *out = NULL;
    if (!json_object_object_get_ex(r->body, name, &v) || json_object_is_type(v, json_type_null)) return true;
    if (!json_object_is_type(v, json_type_string)) {
        char message[160];
        snprintf(message, sizeof(message), "%s must be a string.", name);
        srv_respond_error(r, API_ERR_INVALID_FIELD, message, name);
        return false;
    }
    *out = json_object_get_string(v);
    return true;
}

bool srv_field_instant(srv_request_t *r, const char *name, bool required, const tz_zone_t *zone, int64_t *out,
                       bool *present)
{
    char message[256];
    json_object *v;
    if (present != NULL) *present = false;
    if (!json_object_object_get_ex(r->body, name, &v) || json_object_is_type(v, json_type_null)) {
        if (!required) return true;
        snprintf(message, sizeof(message), "%s is required (ISO 8601, e.g. 2026-04-21T14:30:00Z).", name);
        srv_respond_error(r, API_ERR_MISSING_FIELD, message, name);
        return false;
    }
    char why[128] = "";
    tz_instant_t t;
    if (!json_object_is_type(v, json_type_string) ||
        tz_parse_iso(json_object_get_string(v), (size_t)json_object_get_string_len(v), zone, &t, why,
                     sizeof(why)) != 0) {
        snprintf(message, sizeof(message), "%s must be an ISO 8601 date-time such as 2026-04-21T14:30:00Z%s%s.",
                 name, why[0] ? ": " : "", why);
        srv_respond_error(r, API_ERR_INVALID_FIELD, message, name);
        return false;
    }
    *out = t;
    if (present != NULL) *present = true;
    return true;
}

const bk_location_t *srv_field_location(srv_request_t *r, const bk_catalog_t *catalog)
{
    static const char *const names[] = {"locationId", "location_id"};
    for (int i = 0; i < 2; i++) {
        char id[256];
        json_object *v;
        if (!json_object_object_get_ex(r->body, names[i], &v) || json_object_is_type(v, json_type_null)) continue;
        if (!srv_field_id(r, names[i], true, id, sizeof(id))) return NULL;
        if (!bk_tenant_allows_location(r->tenant, catalog, id)) {
            srv_respond_error(r, API_ERR_LOCATION_FORBIDDEN, NULL, names[i]);
            return NULL;
        }
        return &catalog->locations[bk_catalog_find_location(catalog, id)];
    }
    const bk_location_t *fallback = bk_tenant_default_location(r->tenant, catalog);
    if (fallback == NULL)
        srv_respond_error(r, API_ERR_LOCATION_FORBIDDEN, "This API key has no location it may book.", NULL);
    return fallback;
}

void srv_add_emr_retry_after(srv_request_t *r)
{
    const bk_tenant_t *t = r->tenant;
    int seconds = t != NULL && t->provider->retry_after_seconds != NULL
                      ? t->provider->retry_after_seconds(t->provider_instance)
                      : 0;
    char value[16];
    snprintf(value, sizeof(value), "%d", seconds > 0 ? seconds : SRV_EMR_RETRY_AFTER_DEFAULT);
    srv_add_header(r, "retry-after", value);
}

void srv_respond_provider_failure(srv_request_t *r, prov_status_t status)
{
    api_error_t err = api_error_of_provider(status);
    if (status == PROV_RATE_LIMITED) srv_add_emr_retry_after(r);
    else if (api_error_status(err) == 503)
        srv_add_header(r, "retry-after", "1");
    srv_respond_error(r, err, NULL, NULL);
}

bool srv_start_catalog(srv_request_t *r, bk_catalog_cb cb, void *call)
{
    r->deadline_error = API_ERR_EMR_TIMEOUT;
    srv_request_hold(r);
    if (bk_catalog_get(&r->worker->booking, r->tenant, cb, call) == 0) return true;
    srv_request_release(r);
    srv_add_header(r, "retry-after", "1");
    srv_respond_error(r, API_ERR_REDIS_UNAVAILABLE, NULL, NULL);
    return false;
}

bool srv_provider_answer_usable(srv_request_t *r, prov_status_t status)
{
    if (!srv_request_release(r)) return false;
    if (status == PROV_OK) return true;
    srv_respond_provider_failure(r, status);
    return false;
}
