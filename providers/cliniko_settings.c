/* providers/cliniko_settings.c: a Cliniko instance from the tenant's provider_settings: the API key (or the
 * variable holding it), base URL or shard, user agent, rate, timeouts and business IDs, each checked with a
 * reason naming the setting; and its destruction (the key is zeroed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/cliniko_internal.h"

#define DEFAULT_USER_AGENT "Frontdesk (ops@frontdesk.example)"
#define DEFAULT_RATE       200

void cliniko_destroy(void *instance)
{
    cliniko_t *c = instance;
    if (c == NULL) return;
    prov_secret_free(c->auth_header);
    free(c->ua_header);
    free(c->tenant_id);
    prov_http_bucket_destroy(c->bucket);
    for (size_t i = 0; i < c->business_ids.count; i++) free(c->business_ids.items[i]);
    free(c->business_ids.items);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static char *basic_auth_header(const char *key)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t kl = strlen(key), n = kl + 1; /* key + ':' */
    size_t cap = 32 + 4 * ((n + 2) / 3) + 1;
    char *out = malloc(cap);
    if (out == NULL) return NULL;
    size_t o = (size_t)snprintf(out, cap, "Authorization: Basic ");
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = 0;
        for (size_t j = 0; j < 3; j++) {
            unsigned char ch = i + j < kl ? (unsigned char)key[i + j] : (i + j == kl ? ':' : 0);
            v = v << 8 | ch;
        }
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

void *cliniko_create(const char *tenant_id, json_object *settings, const char *config_dir, char *why, size_t why_cap)
{
    cliniko_t *c = calloc(1, sizeof(*c));
    char *key = NULL;
    if (c == NULL) goto oom;
    pthread_mutex_init(&c->mu, NULL);
    if ((c->tenant_id = strdup(tenant_id)) == NULL) goto oom;
    c->timeout_ms = PROV_HTTP_TIMEOUT_MS;
    c->connect_timeout_ms = PROV_HTTP_CONNECT_TIMEOUT_MS;
    c->max_in_flight = PROV_HTTP_MAX_IN_FLIGHT;
    int rate = DEFAULT_RATE;
    const char *ua = DEFAULT_USER_AGENT, *key_src = NULL;
    bool base_given = false;
    if (settings == NULL || !json_object_is_type(settings, json_type_object)) {
        snprintf(why, why_cap, "provider_settings: an object with api_key (or api_key_env) is required");
        goto fail;
    }
    json_object_object_foreach(settings, name, v)
    {
        if (strcmp(name, "api_key") == 0 || strcmp(name, "api_key_env") == 0) {
            if (prov_setting_key(name, v, &key, why, why_cap) != 0) goto fail;
            key_src = name;
        } else if (strcmp(name, "base_url") == 0) {
            if (prov_setting_base_url(v, NULL, c->base_url, sizeof(c->base_url), why, why_cap) != 0) goto fail;
            base_given = true;
        } else if (strcmp(name, "user_agent") == 0) {
            ua = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
            if (ua[0] == '\0' || strlen(ua) > 200 || !prov_printable(ua)) {
                snprintf(why, why_cap,
                         "provider_settings.user_agent: must be a non-empty printable string like "
                         "\"Frontdesk (ops@example.com)\" (Cliniko blocks requests without one)");
                goto fail;
            }
        } else if (strcmp(name, "rate_limit_per_minute") == 0) {
            if (prov_setting_int(v, name, 1, 100000, &rate, why, why_cap) != 0) goto fail;
        } else if (strcmp(name, "timeout_ms") == 0) {
            if (prov_setting_int(v, name, 100, 60000, &c->timeout_ms, why, why_cap) != 0) goto fail;
        } else if (strcmp(name, "connect_timeout_ms") == 0) {
            if (prov_setting_int(v, name, 50, 30000, &c->connect_timeout_ms, why, why_cap) != 0) goto fail;
        } else if (strcmp(name, "max_in_flight") == 0) {
            if (prov_setting_int(v, name, 1, 64, &c->max_in_flight, why, why_cap) != 0) goto fail;
        } else if (strcmp(name, "business_ids") == 0) {
            size_t n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
            if (n == 0) {
                snprintf(why, why_cap, "provider_settings.business_ids: must be a non-empty list of business IDs");
                goto fail;
            }
            for (size_t i = 0; i < n; i++) {
                char id[PROV_CLINIKO_ID_CAP];
                if (prov_cliniko_id(json_object_array_get_idx(v, i), id, sizeof(id)) != 0) {
                    snprintf(why, why_cap, "provider_settings.business_ids[%zu]: not a Cliniko ID", i);
                    goto fail;
                }
                if (bk_strings_push(&c->business_ids, id) != 0) goto oom;
            }
        } else {
            snprintf(why, why_cap, "provider_settings.%.64s: unknown setting for cliniko", name);
            goto fail;
        }
    }
    if (key == NULL) {
        snprintf(why, why_cap, "provider_settings.api_key: required (or api_key_env naming a variable holding it)");
        goto fail;
    }
    if (prov_key_usable(key, key_src, 512, why, why_cap) != 0) goto fail;
    if (!base_given && prov_cliniko_base_url_for_key(key, c->base_url, sizeof(c->base_url)) != 0) {
        snprintf(why, why_cap,
                 "provider_settings.%s: the key's suffix after the last '-' is not a Cliniko shard like au1 or uk1",
                 key_src);
        goto fail;
    }
    prov_credential_id("cliniko", key, NULL, c->credential, sizeof(c->credential)); /* a budget id */
    c->auth_header = basic_auth_header(key);
    size_t ul = strlen(ua) + sizeof("User-Agent: ");
    c->ua_header = malloc(ul);
    if (c->auth_header == NULL || c->ua_header == NULL) goto oom;
    snprintf(c->ua_header, ul, "User-Agent: %s", ua);
    /* Stay under Cliniko's per-minute count in any window: 90% sustained plus a burst of a tenth. */
    int burst = rate / 10 > 1 ? rate / 10 : 1;
    c->bucket = prov_http_bucket_create(rate * 0.9 > 1 ? rate * 0.9 : 1, burst);
    if (c->bucket == NULL) goto oom;
    prov_secret_free(key);
    return c;
oom:
    snprintf(why, why_cap, "provider_settings: out of memory");
fail:
    prov_secret_free(key);
    cliniko_destroy(c);
    return NULL;
}
