/* providers/practicebetter_settings.c: a Practice Better instance from the tenant's provider_settings, each
 * setting checked with a reason naming its JSON path; and its destruction (the secret is zeroed).
 *
 *   client_id, client_secret (or client_secret_env: the variable holding it)   the API client's credentials
 *   location {id, name, time_zone (IANA, with a Windows name), address...}      required: no locations endpoint
 *   services [{id, name, duration_minutes, price}]                              required: no services endpoint
 *   base_url, currency, rate_per_second, rate_burst, rate_wait_ms, page_limit, client_pages,
 *   client_cache_seconds, timeout_ms, connect_timeout_ms, max_in_flight       optional
 *
 * Practice Better has one API host and no documented regions, so there is no region setting: base_url exists
 * for tests and a future regional host. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/adapter_util.h"
#include "providers/cliniko_decode.h"
#include "providers/practicebetter_internal.h"
#include "tz/tz_windows.h"

#define DEFAULT_BASE_URL "https://api.practicebetter.io"
#define DEFAULT_RATE     5  /* requests a second: Practice Better's published limit (research, quoted by clients) */
/* Practice Better allows bursts of 20; we keep one token back: its bucket counts arrivals and ours departures, so a
 * request that left a few ms late would otherwise meet an empty bucket at the 21st. */
#define DEFAULT_BURST    19
#define DEFAULT_WAIT_MS  1500 /* a call waits this long at most for the shared bucket, then answers rate-limited */

static void location_clear(bk_location_t *l)
{
    free(l->id), free(l->name), free(l->line1), free(l->city), free(l->region), free(l->postal_code);
    free(l->country), free(l->phone), free(l->time_zone), free(l->booking_url);
    memset(l, 0, sizeof(*l));
}

void pb_destroy(void *instance)
{
    pb_t *p = instance;
    if (p == NULL) return;
    prov_secret_free(p->secret);
    free(p->client_id);
    free(p->tenant_id);
    location_clear(&p->location);
    for (size_t i = 0; i < p->service_count; i++) free(p->services[i].name);
    explicit_bzero(p->token, sizeof(p->token));
    pthread_mutex_destroy(&p->mu);
    free(p);
}

static const char *str_of(json_object *v)
{
    return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* Copies an optional text field of a setting object: 0, or -1 with why naming path.field. */
static int text_field(json_object *o, const char *path, const char *field, bool required, char **out, char *why,
                      size_t cap)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, field, &v) || v == NULL) {
        if (!required) return 0;
        snprintf(why, cap, "provider_settings.%s.%s: required", path, field);
        return -1;
    }
    const char *s = str_of(v);
    if (s == NULL || s[0] == '\0' || strlen(s) > 200) {
        snprintf(why, cap, "provider_settings.%s.%s: must be a non-empty string", path, field);
        return -1;
    }
    if ((*out = strdup(s)) == NULL) {
        snprintf(why, cap, "provider_settings: out of memory");
        return -1;
    }
    return 0;
}

static int location_setting(pb_t *p, json_object *v, char *why, size_t cap)
{
    if (!json_object_is_type(v, json_type_object)) {
        snprintf(why, cap, "provider_settings.location: must be an object {id, name, time_zone}");
        return -1;
    }
    bk_location_t *l = &p->location;
    location_clear(l);
    if (text_field(v, "location", "id", true, &l->id, why, cap) != 0 ||
        text_field(v, "location", "name", true, &l->name, why, cap) != 0 ||
        text_field(v, "location", "time_zone", true, &l->time_zone, why, cap) != 0 ||
        text_field(v, "location", "line1", false, &l->line1, why, cap) != 0 ||
        text_field(v, "location", "city", false, &l->city, why, cap) != 0 ||
        text_field(v, "location", "region", false, &l->region, why, cap) != 0 ||
        text_field(v, "location", "postal_code", false, &l->postal_code, why, cap) != 0 ||
        text_field(v, "location", "country", false, &l->country, why, cap) != 0 ||
        text_field(v, "location", "phone", false, &l->phone, why, cap) != 0)
        return -1;
    if (!prov_pb_valid_id(l->id)) {
        snprintf(why, cap, "provider_settings.location.id: letters, digits, '-' and '_' only (1 to 63)");
        return -1;
    }
    /* Writes carry a Windows zone name: a zone without one could not be booked into. */
    if ((p->zone = tz_zone_load(l->time_zone)) == NULL ||
        tz_windows_id(l->time_zone, p->windows_zone, sizeof(p->windows_zone)) != 0) {
        snprintf(why, cap, "provider_settings.location.time_zone: not an IANA zone with a Windows zone name");
        return -1;
    }
    return 0;
}

static int service_setting(pb_t *p, size_t i, json_object *o, char *why, size_t cap)
{
    pb_service_t *s = &p->services[i];
    json_object *v = NULL;
    char path[32];
    snprintf(path, sizeof(path), "services[%zu]", i);
    const char *id = json_object_object_get_ex(o, "id", &v) ? str_of(v) : NULL;
    if (id == NULL || !prov_pb_valid_id(id)) {
        snprintf(why, cap, "provider_settings.%s.id: a Practice Better service id is required", path);
        return -1;
    }
    snprintf(s->id, sizeof(s->id), "%s", id);
    if (text_field(o, path, "name", true, &s->name, why, cap) != 0) return -1;
    char name[64];
    snprintf(name, sizeof(name), "%s.duration_minutes", path);
    if (!json_object_object_get_ex(o, "duration_minutes", &v)) {
        snprintf(why, cap, "provider_settings.%s: required", name);
        return -1;
    }
    if (prov_setting_int(v, name, 5, 600, &s->duration_minutes, why, cap) != 0) return -1;
    if (json_object_object_get_ex(o, "price", &v) && prov_cliniko_price_minor(v, &s->price_minor) != 0) {
        snprintf(why, cap, "provider_settings.%s.price: must be a number like 95 or \"95.00\"", path);
        return -1;
    }
    return 0;
}

static int services_setting(pb_t *p, json_object *v, char *why, size_t cap)
{
    size_t count = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
    if (count == 0 || count > PB_MAX_SERVICES) {
        snprintf(why, cap, "provider_settings.services: must be a list of 1 to %d services", PB_MAX_SERVICES);
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        json_object *o = json_object_array_get_idx(v, i);
        if (!json_object_is_type(o, json_type_object)) {
            snprintf(why, cap, "provider_settings.services[%zu]: must be an object {id, name, duration_minutes}", i);
            return -1;
        }
        p->service_count = i + 1;
        if (service_setting(p, i, o, why, cap) != 0) return -1;
    }
    return 0;
}

/* A rate setting: a number from lo to hi. */
static int rate_setting(json_object *v, const char *name, double lo, double hi, double *out, char *why, size_t cap)
{
    double d = json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)
                   ? json_object_get_double(v)
                   : -1;
    if (d < lo || d > hi) {
        snprintf(why, cap, "provider_settings.%s: must be a number from %g to %g", name, lo, hi);
        return -1;
    }
    *out = d;
    return 0;
}

static int credential_usable(const char *s, const char *name, char *why, size_t cap)
{
    if (strlen(s) > 512 || !prov_printable(s) || strchr(s, ' ') != NULL) {
        snprintf(why, cap, "provider_settings.%s: has characters a client credential cannot have", name);
        return -1;
    }
    return 0;
}

static int one_setting(pb_t *p, const char *name, json_object *v, char *why, size_t cap)
{
    if (strcmp(name, "client_id") == 0 || strcmp(name, "client_id_env") == 0)
        return prov_setting_key(name, v, &p->client_id, why, cap) != 0 ? -1
                                                                      : credential_usable(p->client_id, name, why, cap);
    if (strcmp(name, "client_secret") == 0 || strcmp(name, "client_secret_env") == 0)
        return prov_setting_key(name, v, &p->secret, why, cap) != 0 ? -1 : credential_usable(p->secret, name, why, cap);
    if (strcmp(name, "base_url") == 0)
        return prov_setting_base_url(v, DEFAULT_BASE_URL, p->base_url, sizeof(p->base_url), why, cap);
    if (strcmp(name, "location") == 0) return location_setting(p, v, why, cap);
    if (strcmp(name, "services") == 0) return services_setting(p, v, why, cap);
    if (strcmp(name, "currency") == 0) return prov_setting_currency(v, "USD", p->currency, why, cap);
    if (strcmp(name, "rate_per_second") == 0) return rate_setting(v, name, 0.1, 1000, &p->rate_per_second, why, cap);
    if (strcmp(name, "rate_burst") == 0) return prov_setting_int(v, name, 1, 1000, &p->rate_burst, why, cap);
    if (strcmp(name, "rate_wait_ms") == 0) return prov_setting_int(v, name, 0, 10000, &p->rate_wait_ms, why, cap);
    if (strcmp(name, "page_limit") == 0) return prov_setting_int(v, name, 1, 100, &p->page_limit, why, cap);
    if (strcmp(name, "client_pages") == 0) return prov_setting_int(v, name, 1, 100, &p->client_pages, why, cap);
    if (strcmp(name, "client_cache_seconds") == 0)
        return prov_setting_int(v, name, 0, 3600, &p->client_cache_seconds, why, cap);
    if (strcmp(name, "timeout_ms") == 0) return prov_setting_int(v, name, 100, 60000, &p->timeout_ms, why, cap);
    if (strcmp(name, "connect_timeout_ms") == 0)
        return prov_setting_int(v, name, 50, 30000, &p->connect_timeout_ms, why, cap);
    if (strcmp(name, "max_in_flight") == 0) return prov_setting_int(v, name, 1, 64, &p->max_in_flight, why, cap);
    snprintf(why, cap, "provider_settings.%.64s: unknown setting for practicebetter", name);
    return -1;
}

void *pb_create(const char *tenant_id, json_object *settings, const char *config_dir, char *why, size_t why_cap)
{
    (void)config_dir;
    pb_t *p = calloc(1, sizeof(*p));
    if (p == NULL) goto oom;
    pthread_mutex_init(&p->mu, NULL);
    if ((p->tenant_id = strdup(tenant_id)) == NULL) goto oom;
    snprintf(p->base_url, sizeof(p->base_url), "%s", DEFAULT_BASE_URL);
    snprintf(p->currency, sizeof(p->currency), "USD");
    p->rate_per_second = DEFAULT_RATE;
    p->rate_burst = DEFAULT_BURST;
    p->rate_wait_ms = DEFAULT_WAIT_MS;
    p->timeout_ms = PROV_HTTP_TIMEOUT_MS;
    p->connect_timeout_ms = PROV_HTTP_CONNECT_TIMEOUT_MS;
    p->max_in_flight = PROV_HTTP_MAX_IN_FLIGHT;
    p->page_limit = 100; /* the most a page holds (research) */
    p->client_pages = 20;
    p->client_cache_seconds = 60;
    if (settings == NULL || !json_object_is_type(settings, json_type_object)) {
        snprintf(why, why_cap, "provider_settings: an object with client_id, client_secret, location and services "
                               "is required");
        goto fail;
    }
    json_object_object_foreach(settings, name, v)
    {
        if (one_setting(p, name, v, why, why_cap) != 0) goto fail;
    }
    const char *missing = p->client_id == NULL     ? "client_id"
                          : p->secret == NULL      ? "client_secret"
                          : p->location.id == NULL ? "location"
                          : p->service_count == 0  ? "services"
                                                   : NULL;
    if (missing != NULL) {
        snprintf(why, why_cap, "provider_settings.%s: required%s", missing,
                 strcmp(missing, "client_secret") == 0 ? " (or client_secret_env naming a variable holding it)" : "");
        goto fail;
    }
    /* Of the client id: a budget id and Redis keys that reveal nothing. */
    uint64_t h = prov_credential_id("practicebetter", p->client_id, NULL, p->credential, sizeof(p->credential));
    const char *t = tenant_id;
    if (snprintf(p->rate_key, PB_KEY_CAP, "fd:{%s}:pb:%016llx:rate", t, (unsigned long long)h) >= PB_KEY_CAP ||
        snprintf(p->block_key, PB_KEY_CAP, "fd:{%s}:pb:%016llx:blocked", t, (unsigned long long)h) >= PB_KEY_CAP ||
        snprintf(p->token_key, PB_KEY_CAP, "fd:{%s}:pb:%016llx:token", t, (unsigned long long)h) >= PB_KEY_CAP ||
        snprintf(p->lock_key, PB_KEY_CAP, "fd:{%s}:pb:%016llx:token_lock", t, (unsigned long long)h) >= PB_KEY_CAP ||
        snprintf(p->clients_key, PB_KEY_CAP, "fd:{%s}:pb:%016llx:clients", t, (unsigned long long)h) >= PB_KEY_CAP) {
        snprintf(why, why_cap, "provider_settings: the tenant id is too long");
        goto fail;
    }
    return p;
oom:
    snprintf(why, why_cap, "provider_settings: out of memory");
fail:
    pb_destroy(p);
    return NULL;
}
