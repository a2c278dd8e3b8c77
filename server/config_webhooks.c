/* server/config_webhooks.c: reading and checking a tenant's webhook endpoints (see config_webhooks.h). */
#include "server/config_webhooks.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking/event_sign.h"
#include "providers/net_guard.h"

#define DEFAULT_RETRY_WINDOW_S  86400
#define DEFAULT_MAX_CONNECTIONS 4

static bool fail(char *why, size_t cap, const char *path, const char *message)
{
    snprintf(why, cap, "%s: %s", path, message);
    return false;
}

static bool read_int(json_object *o, const char *key, const char *path, int lo, int hi, int *out, char *why, size_t cap)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v)) return true;
    char p[360], msg[96];
    snprintf(p, sizeof(p), "%s.%s", path, key);
    int64_t n = json_object_get_int64(v);
    if (!json_object_is_type(v, json_type_int) || n < lo || n > hi) {
        snprintf(msg, sizeof(msg), "must be an integer between %d and %d", lo, hi);
        return fail(why, cap, p, msg);
    }
    *out = (int)n;
    return true;
}

static bool id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > BK_WEBHOOK_ID_MAX) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
              *s == '_'))
            return false;
    return true;
}

static bool read_secrets(json_object *o, const char *path, bk_webhook_endpoint_t *e, char *why, size_t cap)
{
    char p[360];
    snprintf(p, sizeof(p), "%s.secrets", path);
    json_object *v;
    if (!json_object_object_get_ex(o, "secrets", &v)) return fail(why, cap, p, "is required");
    size_t n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
    if (n < 1 || n > BK_WEBHOOK_MAX_SECRETS)
        return fail(why, cap, p, "must be an array of one or two secrets (two while rotating)");
    for (size_t i = 0; i < n; i++) {
        json_object *s = json_object_array_get_idx(v, i);
        char ip[400];
        snprintf(ip, sizeof(ip), "%s[%zu]", p, i);
        int len = json_object_is_type(s, json_type_string)
                      ? bk_webhook_secret_decode(json_object_get_string(s), e->secrets[i])
                      : -1;
        if (len < 0) return fail(why, cap, ip, "must be \"whsec_\" followed by the base64 of 16 to 64 random bytes");
        e->secret_lens[i] = (size_t)len;
    }
    e->secret_count = (int)n;
    return true;
}

static bool read_events(json_object *o, const char *path, bk_webhook_endpoint_t *e, char *why, size_t cap)
{
    json_object *v;
    if (!json_object_object_get_ex(o, "events", &v)) {
        e->events = (1u << BK_EVENT__COUNT) - 1; /* every type */
        return true;
    }
    char p[360];
    snprintf(p, sizeof(p), "%s.events", path);
    if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
        return fail(why, cap, p, "must be a non-empty array of event types");
    for (size_t i = 0; i < json_object_array_length(v); i++) {
        json_object *s = json_object_array_get_idx(v, i);
        int type = json_object_is_type(s, json_type_string) ? bk_event_type_parse(json_object_get_string(s)) : -1;
        if (type < 0) {
            char ip[400];
            snprintf(ip, sizeof(ip), "%s[%zu]", p, i);
            return fail(why, cap, ip,
                        "must be one of appointment.created, appointment.requested, appointment.rescheduled, "
                        "appointment.cancelled, appointment.request_expired, appointment.request_declined, "
                        "patient.created, patient.updated");
        }
        e->events |= 1u << type;
    }
    return true;
}

static bool read_endpoint(json_object *o, const char *path, bk_webhooks_t *all, bk_webhook_endpoint_t *e, char *why,
                          size_t cap)
{
    static const char *const keys[] = {
        "id", "url", "secrets", "events", "allow_private_addresses", "retry_window_seconds", "max_connections", NULL};
    char p[360];
    if (!json_object_is_type(o, json_type_object)) return fail(why, cap, path, "must be an object");
    json_object_object_foreach(o, key, val)
    {
        (void)val;
        bool known = false;
        for (size_t i = 0; keys[i] != NULL; i++) known = known || strcmp(keys[i], key) == 0;
        if (!known) {
            snprintf(p, sizeof(p), "%s.%s", path, key);
            return fail(why, cap, p, "unknown field");
        }
    }
    json_object *v;
    snprintf(p, sizeof(p), "%s.id", path);
    if (!json_object_object_get_ex(o, "id", &v) || !json_object_is_type(v, json_type_string) ||
        !id_ok(json_object_get_string(v)))
        return fail(why, cap, p, "is required: 1 to 32 letters, digits, '-' and '_' (it names the endpoint's queue)");
    for (size_t i = 0; i < all->count; i++)
        if (strcmp(all->endpoints[i].id, json_object_get_string(v)) == 0)
            return fail(why, cap, p, "duplicates the id of another endpoint");
    if ((e->id = strdup(json_object_get_string(v))) == NULL) return fail(why, cap, p, "out of memory");

    json_object *flag;
    if (json_object_object_get_ex(o, "allow_private_addresses", &flag)) {
        snprintf(p, sizeof(p), "%s.allow_private_addresses", path);
        if (!json_object_is_type(flag, json_type_boolean)) return fail(why, cap, p, "must be true or false");
        e->allow_private = json_object_get_boolean(flag);
    }
    snprintf(p, sizeof(p), "%s.url", path);
    if (!json_object_object_get_ex(o, "url", &v) || !json_object_is_type(v, json_type_string))
        return fail(why, cap, p, "is required (an http:// or https:// URL)");
    const char *url = json_object_get_string(v);
    if ((strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) || strlen(url) > 2048)
        return fail(why, cap, p, "must be an http:// or https:// URL of at most 2048 characters");
    if (!e->allow_private && prov_url_host_is_public(url) == 0)
        return fail(why, cap, p,
                    "points at a loopback, private or link-local address; set allow_private_addresses to true "
                    "if that is meant");
    if ((e->url = strdup(url)) == NULL) return fail(why, cap, p, "out of memory");

    e->retry_window_seconds = DEFAULT_RETRY_WINDOW_S;
    e->max_connections = DEFAULT_MAX_CONNECTIONS;
    return read_secrets(o, path, e, why, cap) && read_events(o, path, e, why, cap) &&
           read_int(o, "retry_window_seconds", path, 1, 7 * 86400, &e->retry_window_seconds, why, cap) &&
           read_int(o, "max_connections", path, 1, 32, &e->max_connections, why, cap);
}

bk_webhooks_t *srv_config_read_webhooks(json_object *value, const char *path, char *why, size_t why_cap)
{
    size_t n = json_object_is_type(value, json_type_array) ? json_object_array_length(value) : 0;
    if (n == 0 || n > BK_WEBHOOK_MAX_ENDPOINTS) {
        char msg[96];
        snprintf(msg, sizeof(msg), "must be an array of 1 to %d endpoints", BK_WEBHOOK_MAX_ENDPOINTS);
        fail(why, why_cap, path, msg);
        return NULL;
    }
    bk_webhooks_t *w = calloc(1, sizeof(*w));
    if (w == NULL || (w->endpoints = calloc(n, sizeof(*w->endpoints))) == NULL) {
        free(w);
        fail(why, why_cap, path, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char p[300];
        snprintf(p, sizeof(p), "%s[%zu]", path, i);
        bool ok = read_endpoint(json_object_array_get_idx(value, i), p, w, &w->endpoints[i], why, why_cap);
        w->count = i + 1; /* freed with the others, even half read */
        if (!ok) {
            bk_webhooks_free(w);
            return NULL;
        }
    }
    return w;
}
