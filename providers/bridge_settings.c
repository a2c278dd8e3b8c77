/* providers/bridge_settings.c: a bridge instance from the tenant's provider_settings: base_url, the shared
 * secret (inline or through the variable named by secret_env) and the deadlines, each checked with a reason
 * naming its JSON path; and its destruction (the secret is zeroed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/bridge_internal.h"

#define MIN_SECRET_BYTES 16

void bridge_destroy(void *instance)
{
    bridge_t *b = instance;
    if (b == NULL) return;
    prov_secret_free(b->secret);
    free(b->tenant_id);
    free(b);
}

static int read_setting(bridge_t *b, const char *name, json_object *v, char **secret, char *why, size_t cap)
{
    if (strcmp(name, "secret") == 0 || strcmp(name, "secret_env") == 0) {
        if (prov_setting_key(name, v, secret, why, cap) != 0) return -1;
        if (strlen(*secret) < MIN_SECRET_BYTES || !prov_printable(*secret)) {
            snprintf(why, cap, "provider_settings.%s: the secret must be at least %d printable characters", name,
                     MIN_SECRET_BYTES);
            return -1;
        }
        return 0;
    }
    if (strcmp(name, "base_url") == 0)
        return prov_setting_base_url(v, "https://bridge.example.com/frontdesk", b->base_url, sizeof(b->base_url), why,
                                     cap);
    if (strcmp(name, "timeout_ms") == 0) return prov_setting_int(v, name, 100, 60000, &b->timeout_ms, why, cap);
    if (strcmp(name, "connect_timeout_ms") == 0)
        return prov_setting_int(v, name, 50, 30000, &b->connect_timeout_ms, why, cap);
    if (strcmp(name, "max_in_flight") == 0) return prov_setting_int(v, name, 1, 64, &b->max_in_flight, why, cap);
    snprintf(why, cap, "provider_settings.%.64s: unknown setting for bridge", name);
    return -1;
}

void *bridge_create(const char *tenant_id, json_object *settings, const char *config_dir, char *why, size_t why_cap)
{
    (void)config_dir;
    bridge_t *b = calloc(1, sizeof(*b));
    char *secret = NULL;
    if (b == NULL || (b->tenant_id = strdup(tenant_id)) == NULL) {
        snprintf(why, why_cap, "provider_settings: out of memory");
        goto fail;
    }
    b->timeout_ms = PROV_HTTP_TIMEOUT_MS;
    b->connect_timeout_ms = PROV_HTTP_CONNECT_TIMEOUT_MS;
    b->max_in_flight = PROV_HTTP_MAX_IN_FLIGHT;
    if (settings == NULL || !json_object_is_type(settings, json_type_object)) {
        snprintf(why, why_cap, "provider_settings: an object with base_url and secret (or secret_env) is required");
        goto fail;
    }
    json_object_object_foreach(settings, name, v)
    {
        if (read_setting(b, name, v, &secret, why, why_cap) != 0) goto fail;
    }
    if (b->base_url[0] == '\0') {
        snprintf(why, why_cap, "provider_settings.base_url: required (the bridge's URL)");
        goto fail;
    }
    if (secret == NULL) {
        snprintf(why, why_cap, "provider_settings.secret: required (or secret_env naming a variable holding it)");
        goto fail;
    }
    prov_credential_id("bridge", secret, NULL, b->credential, sizeof(b->credential)); /* an in-flight budget id */
    b->secret = secret;
    b->secret_len = strlen(secret);
    return b;
fail:
    prov_secret_free(secret);
    bridge_destroy(b);
    return NULL;
}
