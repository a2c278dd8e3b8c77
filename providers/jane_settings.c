/* providers/jane_settings.c: a Jane instance from the tenant's provider_settings: the clinic's Jane subdomain
 * (or a base_url), the location ids served, the currency of its prices, and how politely its site is read (a
 * rate a minute, requests in flight, deadlines), each checked with a reason naming its JSON path; and its
 * destruction. Jane's public booking site needs no key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/cliniko_decode.h"
#include "providers/jane_internal.h"

/* The public booking site is a clinic's shop window, not an API made for us: read it gently by default, one
 * request a second sustained (bursts of 5) and two at a time per worker, whatever the clinic's size. */
#define DEFAULT_RATE          60
#define DEFAULT_MAX_IN_FLIGHT 2
#define MAX_LOCATIONS         64

void jane_destroy(void *instance)
{
    jane_t *j = instance;
    if (j == NULL) return;
    free(j->tenant_id);
    prov_http_bucket_destroy(j->bucket);
    for (size_t i = 0; i < j->location_ids.count; i++) free(j->location_ids.items[i]);
    free(j->location_ids.items);
    free(j);
}

/* A subdomain as Jane gives them: lower-case letters, digits and '-', starting with a letter or digit. */
static int subdomain_setting(jane_t *j, json_object *v, char *why, size_t cap)
{
    const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
    size_t n = strlen(s);
    bool ok = n > 0 && n <= 63 && s[0] != '-';
    for (size_t i = 0; ok && i < n; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-';
    if (!ok) {
        snprintf(why, cap,
                 "provider_settings.subdomain: must be the clinic's Jane subdomain, like \"myclinic\" for "
                 "https://myclinic.janeapp.com");
        return -1;
    }
    snprintf(j->base_url, sizeof(j->base_url), "https://%s.janeapp.com", s);
    return 0;
}

static int location_ids_setting(jane_t *j, json_object *v, char *why, size_t cap)
{
    size_t count = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
    if (count == 0 || count > MAX_LOCATIONS) {
        snprintf(why, cap, "provider_settings.location_ids: must be a list of 1 to %d Jane location ids",
                 MAX_LOCATIONS);
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        char id[PROV_JANE_ID_CAP];
        if (prov_cliniko_id(json_object_array_get_idx(v, i), id, sizeof(id)) != 0) {
            snprintf(why, cap, "provider_settings.location_ids[%zu]: not a Jane location id (like 1 or \"1\")", i);
            return -1;
        }
        if (bk_strings_push(&j->location_ids, id) != 0) {
            snprintf(why, cap, "provider_settings: out of memory");
            return -1;
        }
    }
    return 0;
}

void *jane_create(const char *tenant_id, json_object *settings, const char *config_dir, char *why, size_t why_cap)
{
    (void)config_dir;
    jane_t *j = calloc(1, sizeof(*j));
    if (j == NULL || (j->tenant_id = strdup(tenant_id)) == NULL) goto oom;
    j->timeout_ms = PROV_HTTP_TIMEOUT_MS;
    j->connect_timeout_ms = PROV_HTTP_CONNECT_TIMEOUT_MS;
    j->max_in_flight = DEFAULT_MAX_IN_FLIGHT;
    snprintf(j->currency, sizeof(j->currency), "CAD");
    int rate = DEFAULT_RATE, sources = 0;
    if (settings == NULL || !json_object_is_type(settings, json_type_object)) {
        snprintf(why, why_cap,
                 "provider_settings: an object with the clinic's Jane subdomain (or base_url) is "
                 "required");
        goto fail;
    }
    json_object_object_foreach(settings, name, v)
    {
        int rc = 0;
        if (strcmp(name, "subdomain") == 0) {
            rc = subdomain_setting(j, v, why, why_cap);
            sources++;
        } else if (strcmp(name, "base_url") == 0) {
            rc = prov_setting_base_url(v, "https://myclinic.janeapp.com", j->base_url, sizeof(j->base_url), why,
                                       why_cap);
            sources++;
        } else if (strcmp(name, "location_ids") == 0) {
            rc = location_ids_setting(j, v, why, why_cap);
        } else if (strcmp(name, "currency") == 0) {
            rc = prov_setting_currency(v, "CAD", j->currency, why, why_cap);
        } else if (strcmp(name, "rate_limit_per_minute") == 0) {
            rc = prov_setting_int(v, name, 1, 600, &rate, why, why_cap);
        } else if (strcmp(name, "max_in_flight") == 0) {
            rc = prov_setting_int(v, name, 1, 4, &j->max_in_flight, why, why_cap);
        } else if (strcmp(name, "timeout_ms") == 0) {
            rc = prov_setting_int(v, name, 100, 60000, &j->timeout_ms, why, why_cap);
        } else if (strcmp(name, "connect_timeout_ms") == 0) {
            rc = prov_setting_int(v, name, 50, 30000, &j->connect_timeout_ms, why, why_cap);
        } else {
            snprintf(why, why_cap, "provider_settings.%.64s: unknown setting for jane", name);
            rc = -1;
        }
        if (rc != 0) goto fail;
    }
    if (sources != 1) {
        snprintf(why, why_cap,
                 sources == 0 ? "provider_settings.subdomain: required (or base_url)"
                              : "provider_settings.base_url: give either subdomain or base_url, not both");
        goto fail;
    }
    /* Of the site: one budget per clinic, whoever reads it. */
    prov_credential_id("jane", j->base_url, NULL, j->credential, sizeof(j->credential));
    j->bucket = prov_http_bucket_create(rate, rate / 12 > 1 ? (rate / 12 < 10 ? rate / 12 : 10) : 1);
    if (j->bucket == NULL) goto oom;
    return j;
oom:
    snprintf(why, why_cap, "provider_settings: out of memory");
fail:
    jane_destroy(j);
    return NULL;
}
