/* providers/nookal_settings.c: a Nookal instance from the tenant's provider_settings: the API key (or the
 * variable holding it), base URL, location IDs, currency, rate, page length and timeouts, each checked with a
 * reason naming its JSON path; and its destruction (the key is zeroed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/cliniko_decode.h"
#include "providers/nookal_internal.h"

#define DEFAULT_BASE_URL "https://api.nookal.com/production/v2"
/* Nookal documents no rate limit: our safe reading paces each key at 120 calls a minute (bursts of 20) unless
 * the clinic's settings say otherwise, and honours a 429's Retry-After when one comes. */
#define DEFAULT_RATE        120
#define DEFAULT_PAGE_LENGTH 100

void nookal_destroy(void *instance)
{
    nookal_t *n = instance;
    if (n == NULL) return;
    prov_secret_free(n->key_form);
    free(n->tenant_id);
    prov_http_bucket_destroy(n->bucket);
    for (size_t i = 0; i < n->location_ids.count; i++) free(n->location_ids.items[i]);
    free(n->location_ids.items);
    pthread_mutex_destroy(&n->mu);
    free(n);
}

static int location_ids_setting(nookal_t *n, json_object *v, char *why, size_t cap)
{
    size_t count = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
    if (count == 0 || count > NOOKAL_MAX_LOCATIONS) {
        snprintf(why, cap, "provider_settings.location_ids: must be a list of 1 to %d Nookal location IDs",
                 NOOKAL_MAX_LOCATIONS);
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        char id[PROV_NOOKAL_ID_CAP];
        if (prov_nookal_id(json_object_array_get_idx(v, i), id, sizeof(id)) != 0) {
            snprintf(why, cap, "provider_settings.location_ids[%zu]: not a Nookal ID (like \"1\" or 1)", i);
            return -1;
        }
        if (bk_strings_push(&n->location_ids, id) != 0) {
            snprintf(why, cap, "provider_settings: out of memory");
            return -1;
        }
    }
    return 0;
}

void *nookal_create(const char *tenant_id, json_object *settings, const char *config_dir, char *why, size_t why_cap)
{
    (void)config_dir;
    nookal_t *n = calloc(1, sizeof(*n));
    char *key = NULL;
    if (n == NULL) goto oom;
    pthread_mutex_init(&n->mu, NULL);
    if ((n->tenant_id = strdup(tenant_id)) == NULL) goto oom;
    n->timeout_ms = PROV_HTTP_TIMEOUT_MS;
    n->connect_timeout_ms = PROV_HTTP_CONNECT_TIMEOUT_MS;
    n->max_in_flight = PROV_HTTP_MAX_IN_FLIGHT;
    n->page_length = DEFAULT_PAGE_LENGTH;
    snprintf(n->base_url, sizeof(n->base_url), "%s", DEFAULT_BASE_URL);
    snprintf(n->currency, sizeof(n->currency), "AUD");
    int rate = DEFAULT_RATE;
    if (settings == NULL || !json_object_is_type(settings, json_type_object)) {
        snprintf(why, why_cap, "provider_settings: an object with api_key (or api_key_env) is required");
        goto fail;
    }
    json_object_object_foreach(settings, name, v)
    {
        int rc = 0;
        if (strcmp(name, "api_key") == 0 || strcmp(name, "api_key_env") == 0) {
            rc = prov_setting_key(name, v, &key, why, why_cap);
            if (rc == 0) rc = prov_key_usable(key, name, 256, why, why_cap);
        } else if (strcmp(name, "base_url") == 0) {
            rc = prov_setting_base_url(v, DEFAULT_BASE_URL, n->base_url, sizeof(n->base_url), why, why_cap);
        } else if (strcmp(name, "location_ids") == 0) {
            rc = location_ids_setting(n, v, why, why_cap);
        } else if (strcmp(name, "currency") == 0) {
            rc = prov_setting_currency(v, "AUD", n->currency, why, why_cap);
        } else if (strcmp(name, "rate_limit_per_minute") == 0) {
            rc = prov_setting_int(v, name, 1, 100000, &rate, why, why_cap);
        } else if (strcmp(name, "page_length") == 0) {
            rc = prov_setting_int(v, name, 1, 200, &n->page_length, why, why_cap);
        } else if (strcmp(name, "timeout_ms") == 0) {
            rc = prov_setting_int(v, name, 100, 60000, &n->timeout_ms, why, why_cap);
        } else if (strcmp(name, "connect_timeout_ms") == 0) {
            rc = prov_setting_int(v, name, 50, 30000, &n->connect_timeout_ms, why, why_cap);
        } else if (strcmp(name, "max_in_flight") == 0) {
            rc = prov_setting_int(v, name, 1, 64, &n->max_in_flight, why, why_cap);
        } else {
            snprintf(why, why_cap, "provider_settings.%.64s: unknown setting for nookal", name);
            rc = -1;
        }
        if (rc != 0) goto fail;
    }
    if (key == NULL) {
        snprintf(why, why_cap, "provider_settings.api_key: required (or api_key_env naming a variable holding it)");
        goto fail;
    }
    prov_credential_id("nookal", key, NULL, n->credential, sizeof(n->credential)); /* a budget id */
    size_t cap = sizeof("api_key=") + 3 * strlen(key);
    if ((n->key_form = malloc(cap)) == NULL) goto oom;
    snprintf(n->key_form, cap, "api_key=");
    if (prov_cliniko_query_escape(n->key_form, cap, key) != 0) goto oom;
    n->bucket = prov_http_bucket_create(rate, rate / 6 > 1 ? (rate / 6 < 20 ? rate / 6 : 20) : 1);
    if (n->bucket == NULL) goto oom;
    prov_secret_free(key);
    return n;
oom:
    snprintf(why, why_cap, "provider_settings: out of memory");
fail:
    prov_secret_free(key);
    nookal_destroy(n);
    return NULL;
}
