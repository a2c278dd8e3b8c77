/* providers/halaxy_settings.c: a Halaxy instance from the tenant's provider_settings: the OAuth2 client id and
 * secret (or the variables holding them), the region ("au" or "eu") or an explicit base URL, the clinics' time
 * zone, user agent, rate, timeouts and clinic IDs, each checked with a reason naming the setting's JSON path; and
 * its destruction (the secret and the token are zeroed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/halaxy_internal.h"

#define DEFAULT_USER_AGENT "Frontdesk (ops@frontdesk.example)"
#define DEFAULT_RATE 500 /* Halaxy: 500 requests a minute per OAuth client, sliding window */

void halaxy_destroy(void *instance)
{
    halaxy_t *h = instance;
    if (h == NULL) return;
    prov_secret_free(h->client_secret);
    explicit_bzero(h->token, sizeof(h->token));
    free(h->client_id);
    free(h->ua_header);
    free(h->tenant_id);
    free(h->roles);
    prov_http_bucket_destroy(h->bucket);
    for (size_t i = 0; i < h->clinic_ids.count; i++) free(h->clinic_ids.items[i]);
    free(h->clinic_ids.items);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

/* "<base>" or "<base>_env" (the name of an environment variable holding it): a copy of the value in *out (freed
 * by halaxy_destroy, also when it is refused here). */
static int credential_setting(const char *name, json_object *v, const char *base, char **out, char *why, size_t cap)
{
    if (prov_setting_key(name, v, out, why, cap) != 0) return -1;
    if (strlen(*out) > 512 || !prov_printable(*out) || strchr(*out, ' ') != NULL) {
        snprintf(why, cap, "provider_settings.%s: has characters an OAuth client %s cannot have", name,
                 strcmp(base, "client_id") == 0 ? "id" : "secret");
        return -1;
    }
    return 0;
}

/* One setting of provider_settings: 0, or -1 with the reason in why. */
static int apply_setting(halaxy_t *h, const char *name, json_object *v, bool *base_given, const char **region,
                         const char **ua, int *rate, char *why, size_t cap)
{
    if (strcmp(name, "client_id") == 0 || strcmp(name, "client_id_env") == 0)
        return credential_setting(name, v, "client_id", &h->client_id, why, cap);
    if (strcmp(name, "client_secret") == 0 || strcmp(name, "client_secret_env") == 0)
        return credential_setting(name, v, "client_secret", &h->client_secret, why, cap);
    if (strcmp(name, "base_url") == 0) {
        *base_given = true;
        return prov_setting_base_url(v, NULL, h->base_url, sizeof(h->base_url), why, cap);
    }
    if (strcmp(name, "region") == 0) {
        *region = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
        if (strcmp(*region, "au") != 0 && strcmp(*region, "eu") != 0) {
            snprintf(why, cap, "provider_settings.region: must be \"au\" or \"eu\" (UK and EU accounts use \"eu\")");
            return -1;
        }
        return 0;
    }
    if (strcmp(name, "time_zone") == 0) {
        const char *z = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
        if (strlen(z) >= sizeof(h->time_zone) || tz_zone_load(z) == NULL) {
            snprintf(why, cap, "provider_settings.time_zone: must be an IANA zone like \"Australia/Sydney\"");
            return -1;
        }
        snprintf(h->time_zone, sizeof(h->time_zone), "%s", z);
        return 0;
    }
    if (strcmp(name, "user_agent") == 0) {
        *ua = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
        if ((*ua)[0] == '\0' || strlen(*ua) > 200 || strchr(*ua, '\n') != NULL || strchr(*ua, '\r') != NULL) {
            snprintf(why, cap, "provider_settings.user_agent: must be a non-empty line like \"APP (ops@example.com)\"");
            return -1;
        }
        return 0;
    }
    if (strcmp(name, "rate_limit_per_minute") == 0) return prov_setting_int(v, name, 1, 100000, rate, why, cap);
    if (strcmp(name, "timeout_ms") == 0) return prov_setting_int(v, name, 100, 60000, &h->timeout_ms, why, cap);
    if (strcmp(name, "connect_timeout_ms") == 0)
        return prov_setting_int(v, name, 50, 30000, &h->connect_timeout_ms, why, cap);
    if (strcmp(name, "max_in_flight") == 0) return prov_setting_int(v, name, 1, 64, &h->max_in_flight, why, cap);
    if (strcmp(name, "clinic_ids") == 0) {
        size_t n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
        if (n == 0) {
            snprintf(why, cap, "provider_settings.clinic_ids: must be a non-empty list of clinic IDs like \"CL-123\"");
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            json_object *e = json_object_array_get_idx(v, i);
            const char *id = json_object_is_type(e, json_type_string) ? json_object_get_string(e) : NULL;
            if (id == NULL || strncmp(id, "CL-", 3) != 0 || !prov_halaxy_valid_id(id)) {
                snprintf(why, cap, "provider_settings.clinic_ids[%zu]: not a Halaxy clinic ID like \"CL-123\"", i);
                return -1;
            }
            if (bk_strings_push(&h->clinic_ids, id) != 0) {
                snprintf(why, cap, "provider_settings: out of memory");
                return -1;
            }
        }
        return 0;
    }
    snprintf(why, cap, "provider_settings.%.64s: unknown setting for halaxy", name);
    return -1;
}

void *halaxy_create(const char *tenant_id, json_object *settings, const char *config_dir, char *why, size_t why_cap)
{
    (void)config_dir;
    halaxy_t *h = calloc(1, sizeof(*h));
    if (h == NULL || (h->tenant_id = strdup(tenant_id)) == NULL) {
        snprintf(why, why_cap, "provider_settings: out of memory");
        if (h != NULL) free(h);
        return NULL;
    }
    pthread_mutex_init(&h->mu, NULL);
    h->timeout_ms = PROV_HTTP_TIMEOUT_MS;
    h->connect_timeout_ms = PROV_HTTP_CONNECT_TIMEOUT_MS;
    h->max_in_flight = PROV_HTTP_MAX_IN_FLIGHT;
    int rate = DEFAULT_RATE;
    const char *ua = DEFAULT_USER_AGENT, *region = NULL;
    bool base_given = false;
    if (settings == NULL || !json_object_is_type(settings, json_type_object)) {
        snprintf(why, why_cap, "provider_settings: an object with client_id, client_secret, region and time_zone "
                               "is required");
        goto fail;
    }
    json_object_object_foreach(settings, name, v)
    {
        if (apply_setting(h, name, v, &base_given, &region, &ua, &rate, why, why_cap) != 0) goto fail;
    }
    if (h->client_id == NULL) {
        snprintf(why, why_cap, "provider_settings.client_id: required (or client_id_env naming a variable)");
        goto fail;
    }
    if (h->client_secret == NULL) {
        snprintf(why, why_cap, "provider_settings.client_secret: required (or client_secret_env naming a variable)");
        goto fail;
    }
    if (base_given == (region != NULL)) {
        snprintf(why, why_cap, "provider_settings.region: give region (\"au\" or \"eu\") or base_url, exactly one");
        goto fail;
    }
    if (h->time_zone[0] == '\0') {
        /* Halaxy's API gives no clinic time zone: the tenant says it (safe reading of an unknown). */
        snprintf(why, why_cap, "provider_settings.time_zone: required, the clinics' IANA zone (\"Australia/Sydney\")");
        goto fail;
    }
    if (!base_given)
        snprintf(h->base_url, sizeof(h->base_url), "%s",
                 strcmp(region, "eu") == 0 ? "https://eu-api.halaxy.com/main" : "https://au-api.halaxy.com/main");
    snprintf(h->token_url, sizeof(h->token_url), "%s/oauth/token", h->base_url);
    snprintf(h->currency, sizeof(h->currency), "%s", region != NULL && strcmp(region, "eu") == 0 ? "EUR" : "AUD");
    /* Of base URL and client id: a key that reveals no secret. */
    prov_credential_id("halaxy", h->base_url, h->client_id, h->credential, sizeof(h->credential));
    size_t ul = strlen(ua) + sizeof("User-Agent: ");
    if ((h->ua_header = malloc(ul)) == NULL) goto oom;
    snprintf(h->ua_header, ul, "User-Agent: %s", ua);
    /* Stay under Halaxy's sliding minute: 90% sustained plus a burst of a tenth. */
    int burst = rate / 10 > 1 ? rate / 10 : 1;
    if ((h->bucket = prov_http_bucket_create(rate * 0.9 > 1 ? rate * 0.9 : 1, burst)) == NULL) goto oom;
    return h;
oom:
    snprintf(why, why_cap, "provider_settings: out of memory");
fail:
    halaxy_destroy(h);
    return NULL;
}
