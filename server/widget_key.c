/* server/widget_key.c: reading, checking and finding publishable widget keys (see widget_key.h). */
#include "server/widget_key.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/key_digest.h"

/* What a booking page calls: the catalog, availability, the best slot, the caller's own patient id, and the two
 * booking steps. Never a route that lists or changes other patients' appointments. */
static const char *const allowed_routes[] = {
    "/ai_brain/fetchAllStaff",
    "/ai_brain/fetchAllTreatments",
    "/ai_brain/fetchAllLocations",
    "/ai_brain/fetchAvailabilityForRange",
    "/ai_brain/fetchAvailabilityNext7Days",
    "/voice/bestSlot",
    "/ai_brain/lookup-create-patient",
    "/ai_brain/createAppt",
    "/ai_brain/bookAppt",
};

static const srv_widget_limits_t default_limits = {
    .requests_per_minute = 600,
    .requests_per_minute_per_address = 120,
    .open_holds_per_address = 5,
    .open_holds = 50,
    .patients_per_hour_per_address = 5,
};

static bool fail(char *why, size_t cap, const char *path, const char *message)
{
    snprintf(why, cap, "%s: %s", path, message);
    return false;
}

bool srv_widget_token_ok(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
              *s == '_'))
            return false;
    return true;
}

static bool key_text_ok(const char *s)
{
    size_t n = strlen(s);
    return strncmp(s, "pk_", 3) == 0 && n >= 3 + SRV_WIDGET_KEY_MIN && n <= 3 + SRV_WIDGET_KEY_MAX &&
           srv_widget_token_ok(s + 3);
}

/* An origin as browsers send it: http or https, "://", a host of letters, digits, '.', '-' (or an IPv6 literal in
 * brackets), an optional ":port", and nothing else (no path, no trailing slash, no wildcard). */
static bool origin_ok(const char *s)
{
    size_t n = strlen(s);
    const char *host;
    if (n > SRV_WIDGET_ORIGIN_MAX) return false;
    if (strncmp(s, "https://", 8) == 0)
        host = s + 8;
    else if (strncmp(s, "http://", 7) == 0)
        host = s + 7;
    else
        return false;
    const char *end = host;
    if (*end == '[') {
        end = strchr(end, ']');
        if (end == NULL || end == host + 1) return false;
        end++;
    } else {
        while ((*end >= 'a' && *end <= 'z') || (*end >= '0' && *end <= '9') || *end == '.' || *end == '-') end++;
        if (end == host) return false;
    }
    if (*end == ':') {
        const char *port = ++end;
        while (*end >= '0' && *end <= '9') end++;
        long number = end == port || end - port > 5 ? 0 : strtol(port, NULL, 10);
        if (number < 1 || number > 65535) return false;
    }
    return *end == '\0';
}

static bool read_int(json_object *o, const char *key, const char *path, int hi, int *out, char *why, size_t cap)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v)) return true;
    char p[360], msg[96];
    snprintf(p, sizeof(p), "%s.%s", path, key);
    int64_t n = json_object_get_int64(v);
    if (!json_object_is_type(v, json_type_int) || n < 1 || n > hi) {
        snprintf(msg, sizeof(msg), "must be an integer between 1 and %d", hi);
        return fail(why, cap, p, msg);
    }
    *out = (int)n;
    return true;
}

static bool only_known(json_object *o, const char *path, const char *const *known, char *why, size_t cap)
{
    json_object_object_foreach(o, name, val)
    {
        (void)val;
        bool ok = false;
        for (size_t i = 0; known[i] != NULL; i++) ok = ok || strcmp(known[i], name) == 0;
        if (!ok) {
            char p[400];
            snprintf(p, sizeof(p), "%s.%s", path, name);
            return fail(why, cap, p, "unknown field");
        }
    }
    return true;
}

static bool read_limits(json_object *o, const char *path, srv_widget_limits_t *l, char *why, size_t cap)
{
    static const char *const known[] = {"requests_per_minute",           "requests_per_minute_per_address",
                                        "open_holds_per_address",        "open_holds",
                                        "patients_per_hour_per_address", NULL};
    if (!json_object_is_type(o, json_type_object)) return fail(why, cap, path, "must be an object");
    return only_known(o, path, known, why, cap) &&
           read_int(o, "requests_per_minute", path, 1000000, &l->requests_per_minute, why, cap) &&
           read_int(o, "requests_per_minute_per_address", path, 1000000, &l->requests_per_minute_per_address, why,
                    cap) &&
           read_int(o, "open_holds_per_address", path, 10000, &l->open_holds_per_address, why, cap) &&
           read_int(o, "open_holds", path, 1000000, &l->open_holds, why, cap) &&
           read_int(o, "patients_per_hour_per_address", path, 10000, &l->patients_per_hour_per_address, why, cap);
}

static bool read_origins(json_object *o, const char *path, srv_widget_key_t *k, char *why, size_t cap)
{
    char p[360];
    snprintf(p, sizeof(p), "%s.allowed_origins", path);
    json_object *v;
    if (!json_object_object_get_ex(o, "allowed_origins", &v)) return fail(why, cap, p, "is required");
    size_t n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
    if (n < 1 || n > 100) return fail(why, cap, p, "must be an array of 1 to 100 origins");
    if ((k->origins = calloc(n, sizeof(*k->origins))) == NULL) return fail(why, cap, p, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_object *s = json_object_array_get_idx(v, i);
        char ip[400];
        snprintf(ip, sizeof(ip), "%s[%zu]", p, i);
        if (!json_object_is_type(s, json_type_string) || !origin_ok(json_object_get_string(s)))
            return fail(why, cap, ip,
                        "must be an origin in lower case such as https://clinic.example or http://127.0.0.1:8080 "
                        "(scheme, host, optional port; no path, no trailing slash, no wildcard)");
        if ((k->origins[i] = strdup(json_object_get_string(s))) == NULL) return fail(why, cap, ip, "out of memory");
        k->origin_count = i + 1;
    }
    return true;
}

static bool read_key(json_object *o, const char *path, srv_widget_key_t *k, char *why, size_t cap)
{
    static const char *const known[] = {"key", "allowed_origins", "demo_page", "limits", NULL};
    char p[360];
    if (!json_object_is_type(o, json_type_object)) return fail(why, cap, path, "must be an object");
    if (!only_known(o, path, known, why, cap)) return false;
    json_object *v;
    snprintf(p, sizeof(p), "%s.key", path);
    if (!json_object_object_get_ex(o, "key", &v) || !json_object_is_type(v, json_type_string) ||
        !key_text_ok(json_object_get_string(v)))
        return fail(why, cap, p, "must be \"pk_\" followed by 16 to 100 letters, digits, '-' or '_'");
    if ((k->key = strdup(json_object_get_string(v))) == NULL) return fail(why, cap, p, "out of memory");
    if (!read_origins(o, path, k, why, cap)) return false;
    if (json_object_object_get_ex(o, "demo_page", &v)) {
        snprintf(p, sizeof(p), "%s.demo_page", path);
        if (!json_object_is_type(v, json_type_boolean)) return fail(why, cap, p, "must be true or false");
        k->demo_page = json_object_get_boolean(v);
    }
    k->limits = default_limits;
    if (json_object_object_get_ex(o, "limits", &v)) {
        snprintf(p, sizeof(p), "%s.limits", path);
        if (!read_limits(v, p, &k->limits, why, cap)) return false;
    }
    return true;
}

bool srv_widget_keys_read(json_object *value, const char *path, const bk_tenant_t *tenant, srv_widget_key_t **keys,
                          size_t *count, char *why, size_t why_cap)
{
    size_t n = json_object_is_type(value, json_type_array) ? json_object_array_length(value) : 0;
    if (!json_object_is_type(value, json_type_array) || n > 100)
        return fail(why, why_cap, path, "must be an array of at most 100 widget keys");
    if (n == 0) return true;
    srv_widget_key_t *grown = realloc(*keys, (*count + n) * sizeof(*grown));
    if (grown == NULL) return fail(why, why_cap, path, "out of memory");
    *keys = grown;
    for (size_t i = 0; i < n; i++) {
        srv_widget_key_t *k = &grown[*count];
        *k = (srv_widget_key_t){.tenant = tenant, .index = *count};
        (*count)++; /* counted before reading, so that srv_widget_keys_free frees what a failed read made */
        char p[300];
        snprintf(p, sizeof(p), "%s[%zu]", path, i);
        if (!read_key(json_object_array_get_idx(value, i), p, k, why, why_cap)) return false;
    }
    return true;
}

/* The JSON path of keys[i], from its tenant's place in tenants and its place among that tenant's keys. */
static void key_path(const srv_widget_key_t *keys, size_t i, const bk_tenant_t *tenants, char *out, size_t cap)
{
    size_t nth = 0;
    for (size_t j = 0; j < i; j++) nth += keys[j].tenant == keys[i].tenant;
    snprintf(out, cap, "tenants[%zu].widget_keys[%zu].key", (size_t)(keys[i].tenant - tenants), nth);
}

bool srv_widget_keys_check(const srv_widget_key_t *keys, size_t count, const bk_tenant_t *tenants, size_t tenant_count,
                           char *why, size_t why_cap)
{
    char p[160];
    size_t demos = 0;
    for (size_t i = 0; i < count; i++) {
        key_path(keys, i, tenants, p, sizeof(p));
        for (size_t j = 0; j < i; j++)
            if (strcmp(keys[i].key, keys[j].key) == 0) return fail(why, why_cap, p, "is the same key as another");
        unsigned char digest[32];
        srv_key_digest(keys[i].key, strlen(keys[i].key), digest);
        for (size_t t = 0; t < tenant_count; t++)
            for (size_t k = 0; k < tenants[t].key_count; k++)
                if (memcmp(digest, tenants[t].key_digests[k], 32) == 0)
                    return fail(why, why_cap, p, "is a tenant's API key; an API key must never be published");
        if (keys[i].demo_page && ++demos > 1) {
            snprintf(p + strlen(p) - 3, sizeof(p) - strlen(p) + 3, "demo_page");
            return fail(why, why_cap, p, "is true for more than one widget key");
        }
    }
    return true;
}

void srv_widget_keys_free(srv_widget_key_t *keys, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(keys[i].key);
        for (size_t j = 0; j < keys[i].origin_count; j++) free(keys[i].origins[j]);
        free(keys[i].origins);
    }
    free(keys);
}

const srv_widget_key_t *srv_widget_key_find(const srv_widget_key_t *keys, size_t count, const char *key, size_t len)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(keys[i].key) == len && memcmp(keys[i].key, key, len) == 0) return &keys[i];
    return NULL;
}

bool srv_widget_origin_allowed(const srv_widget_key_t *key, const char *origin, size_t len)
{
    for (size_t i = 0; i < key->origin_count; i++)
        if (strlen(key->origins[i]) == len && strncasecmp(key->origins[i], origin, len) == 0) return true;
    return false;
}

bool srv_widget_route_allowed(const char *route_name)
{
    for (size_t i = 0; i < sizeof(allowed_routes) / sizeof(allowed_routes[0]); i++)
        if (strcmp(allowed_routes[i], route_name) == 0) return true;
    return false;
}
