/* server/config.c: reading and validating the JSON config into a frozen srv_config_t (see config.h). */
#include "server/config.h"

#include <libgen.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "booking/worker_store.h"
#include "providers/provider.h"
#include "server/config_ghl.h"
#include "server/key_digest.h"
#include "server/config_webhooks.h"
#include "server/json_read.h"
#include "server/key_digest.h"
#include "server/widget_key.h"

#define CONFIG_MAX_BYTES (4u << 20)
#define MAX_TENANTS 10000
#define MAX_WORKERS 256

typedef struct reader {
    char *why;
    size_t why_cap;
    bool failed;
} reader_t;

static bool fail(reader_t *r, const char *path, const char *message)
{
    if (!r->failed) snprintf(r->why, r->why_cap, "%s: %s", path, message);
    r->failed = true;
    return false;
}

static bool check_keys(reader_t *r, json_object *obj, const char *path, const char *const *allowed)
{
    json_object_object_foreach(obj, key, val)
    {
        (void)val;
        bool ok = false;
        for (size_t i = 0; allowed[i] != NULL; i++)
            if (strcmp(allowed[i], key) == 0) ok = true;
        if (!ok) {
            char p[256], msg[160];
            snprintf(p, sizeof(p), "%s%s%s", path, path[0] ? "." : "", key);
            snprintf(msg, sizeof(msg), "unknown field");
            return fail(r, p, msg);
        }
    }
    return true;
}

static void child_path(char *out, size_t cap, const char *path, const char *key)
{
    snprintf(out, cap, "%s%s%s", path, path[0] ? "." : "", key);
}

/* Optional string: returns 1 and sets *out (a copy) when present, 0 when absent, -1 on a type error. */
static int get_string(reader_t *r, json_object *obj, const char *path, const char *key, char **out, bool required)
{
    char p[256];
    child_path(p, sizeof(p), path, key);
    json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null)) {
        if (required) return fail(r, p, "is required"), -1;
        return 0;
    }
    if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0)
        return fail(r, p, "must be a non-empty string"), -1;
    *out = strdup(json_object_get_string(v));
    return *out != NULL ? 1 : (fail(r, p, "out of memory"), -1);
}

static int get_int(reader_t *r, json_object *obj, const char *path, const char *key, int lo, int hi, int *out)
{
    char p[256], msg[96];
    child_path(p, sizeof(p), path, key);
    json_object *v;
    if (!json_object_object_get_ex(obj, key, &v)) return 0;
    if (!json_object_is_type(v, json_type_int)) return fail(r, p, "must be an integer"), -1;
    int64_t n = json_object_get_int64(v);
    if (n < lo || n > hi) {
        snprintf(msg, sizeof(msg), "must be between %d and %d", lo, hi);
        return fail(r, p, msg), -1;
    }
    *out = (int)n;
    return 1;
}

static void tenant_free(bk_tenant_t *t)
{
    if (t->provider != NULL && t->provider_instance != NULL) t->provider->destroy(t->provider_instance);
    free(t->id);
    for (size_t i = 0; i < t->locations.count; i++) free(t->locations.items[i]);
    free(t->locations.items);
    free(t->default_location);
    free(t->time_zone);
    free(t->locale);
    free(t->country);
    bk_webhooks_free(t->webhooks);
}

static bool read_policy(reader_t *r, json_object *obj, const char *path, bk_tenant_policy_t *p)
{
    static const char *const keys[] = {"min_notice_minutes", "max_days_ahead",   "hold_seconds",
                                       "slot_step_minutes",  "buffer_minutes",   "catalog_ttl_seconds",
                                       "availability_ttl_seconds", "voice_deadline_ms", "request_ttl_minutes", NULL};
    if (!json_object_is_type(obj, json_type_object)) return fail(r, path, "must be an object");
    if (!check_keys(r, obj, path, keys)) return false;
    return get_int(r, obj, path, "min_notice_minutes", 0, 60 * 24 * 30, &p->min_notice_minutes) >= 0 &&
           get_int(r, obj, path, "max_days_ahead", 1, 366, &p->max_days_ahead) >= 0 &&
           get_int(r, obj, path, "hold_seconds", 10, 3600, &p->hold_seconds) >= 0 &&
           get_int(r, obj, path, "slot_step_minutes", 5, 240, &p->slot_step_minutes) >= 0 &&
           get_int(r, obj, path, "buffer_minutes", 0, 240, &p->buffer_minutes) >= 0 &&
           get_int(r, obj, path, "catalog_ttl_seconds", 10, 86400, &p->catalog_ttl_seconds) >= 0 &&
           get_int(r, obj, path, "availability_ttl_seconds", 1, 3600, &p->availability_ttl_seconds) >= 0 &&
           get_int(r, obj, path, "voice_deadline_ms", 500, 10000, &p->voice_deadline_ms) >= 0 &&
           get_int(r, obj, path, "request_ttl_minutes", 1, 60 * 24 * 14, &p->request_ttl_minutes) >= 0;
}

static bool read_rate_limit(reader_t *r, json_object *obj, const char *path, bk_tenant_t *t)
{
    static const char *const keys[] = {"per_second", "burst", NULL};
    if (!json_object_is_type(obj, json_type_object)) return fail(r, path, "must be an object");
    if (!check_keys(r, obj, path, keys)) return false;
    int per_second = (int)t->rate_per_second;
    if (get_int(r, obj, path, "per_second", 1, 1000000, &per_second) < 0) return false;
    if (get_int(r, obj, path, "burst", 1, 1000000, &t->rate_burst) < 0) return false;
    t->rate_per_second = per_second;
    return true;
}

/* Adds one hex digest at `path` to the tenant's keys: 64 hex digits, not one it already has, room left. */
static bool add_key(reader_t *r, json_object *v, const char *path, bk_tenant_t *t)
{
    unsigned char digest[32];
    if (!json_object_is_type(v, json_type_string) || !srv_digest_parse_hex(json_object_get_string(v), digest))
        return fail(r, path, "must be 64 hex digits (the output of `frontdesk hash-key KEY`)");
    for (size_t k = 0; k < t->key_count; k++)
        if (memcmp(t->key_digests[k], digest, 32) == 0) return fail(r, path, "repeats a key of this tenant");
    if (t->key_count == BK_TENANT_MAX_KEYS) return fail(r, path, "is one key too many (a tenant has at most 2)");
    memcpy(t->key_digests[t->key_count++], digest, 32);
    return true;
}

/* The tenant's API keys: "api_key_sha256" (one digest), "api_keys_sha256" (an array of one or two, for a
 * rotation), or both, two keys at most in all. */
static bool read_keys(reader_t *r, json_object *obj, const char *path, bk_tenant_t *t)
{
    char p[256];
    json_object *one = NULL, *many = NULL;
    bool has_one = json_object_object_get_ex(obj, "api_key_sha256", &one);
    bool has_many = json_object_object_get_ex(obj, "api_keys_sha256", &many);
    if (!has_one && !has_many) {
        child_path(p, sizeof(p), path, "api_key_sha256");
        return fail(r, p, "is required (or api_keys_sha256, an array of one or two digests)");
    }
    if (has_one) {
        child_path(p, sizeof(p), path, "api_key_sha256");
        if (!add_key(r, one, p, t)) return false;
    }
    if (!has_many) return true;
    child_path(p, sizeof(p), path, "api_keys_sha256");
    if (!json_object_is_type(many, json_type_array) || json_object_array_length(many) == 0)
        return fail(r, p, "must be a non-empty array of 64-hex-digit digests");
    for (size_t i = 0; i < json_object_array_length(many); i++) {
        char ip[300];
        snprintf(ip, sizeof(ip), "%s[%zu]", p, i);
        if (!add_key(r, json_object_array_get_idx(many, i), ip, t)) return false;
    }
    return true;
}

static bool read_tenant(reader_t *r, json_object *obj, const char *path, const char *config_dir, bk_tenant_t *t)
{
    static const char *const keys[] = {"id",        "api_key_sha256",
                                       "api_keys_sha256",
                                       "provider",  "provider_settings",
                                       "locations", "default_location",
                                       "time_zone", "locale",
                                       "country",   "ai_booking",
                                       "policy",    "rate_limit",
                                       "webhooks",  "widget_keys",
                                       "retell_api_key",
                                       "ghl_webhook_tokens_sha256",
                                       "emr",
                                       NULL};
    char p[256];
    if (!json_object_is_type(obj, json_type_object)) return fail(r, path, "must be an object");
    if (!check_keys(r, obj, path, keys)) return false;

    t->policy = (bk_tenant_policy_t){.min_notice_minutes = 120, .max_days_ahead = 30, .hold_seconds = 300,
                              .slot_step_minutes = 15, .buffer_minutes = 0, .catalog_ttl_seconds = 900,
                              .availability_ttl_seconds = 60, .voice_deadline_ms = 2000,
                              .request_ttl_minutes = 24 * 60};
    t->rate_per_second = 20;
    t->rate_burst = 40;
    t->ai_booking = true;

    if (get_string(r, obj, path, "id", &t->id, true) < 0) return false;
    for (const char *c = t->id; *c; c++) {
        /* The id becomes part of Redis keys ({t} hash tag): keep it to a safe alphabet. */
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' ||
              *c == '_')) {
            child_path(p, sizeof(p), path, "id");
            return fail(r, p, "may hold only letters, digits, '-' and '_'");
        }
    }
    if (strlen(t->id) > 64) return child_path(p, sizeof(p), path, "id"), fail(r, p, "is longer than 64 characters");

    if (!read_keys(r, obj, path, t)) return false;
    json_object *ghl;
    if (json_object_object_get_ex(obj, "ghl_webhook_tokens_sha256", &ghl)) {
        char problem[256];
        child_path(p, sizeof(p), path, "ghl_webhook_tokens_sha256");
        if (!srv_config_read_ghl_tokens(ghl, t, problem, sizeof(problem))) return fail(r, p, problem);
    }

    char *provider = NULL;
    if (get_string(r, obj, path, "provider", &provider, false) < 0) return false;
    t->provider = prov_find(provider != NULL ? provider : "sandbox");
    if (t->provider == NULL) {
        char msg[160];
        snprintf(msg, sizeof(msg), "unknown provider; known: %s", prov_names());
        free(provider);
        child_path(p, sizeof(p), path, "provider");
        return fail(r, p, msg);
    }
    free(provider);

    /* "emr": the EMR the clinic really uses, a label for the operator (README "Connecting each EMR"); it must be
     * one we know so that a typo is not mistaken for a supported path. */
    char *emr = NULL;
    if (get_string(r, obj, path, "emr", &emr, false) < 0) return false;
    if (emr != NULL) {
        static const char *const known[] = {"cliniko",        "nookal",       "jane",        "simplepractice",
                                            "therapynotes",   "pteverywhere", "promptemr",   "halaxy",
                                            "practicebetter", "other",        NULL};
        bool ok = false;
        for (size_t i = 0; known[i] != NULL && !ok; i++) ok = strcmp(known[i], emr) == 0;
        free(emr);
        if (!ok) {
            child_path(p, sizeof(p), path, "emr");
            return fail(r, p, "unknown EMR; known: cliniko, nookal, jane, simplepractice, therapynotes, "
                              "pteverywhere, promptemr, halaxy, practicebetter, other");
        }
    }

    json_object *settings = NULL;
    if (json_object_object_get_ex(obj, "provider_settings", &settings) &&
        !json_object_is_type(settings, json_type_object)) {
        child_path(p, sizeof(p), path, "provider_settings");
        return fail(r, p, "must be an object");
    }
    char why[512];
    t->provider_instance = t->provider->create(t->id, settings, config_dir, why, sizeof(why));
    if (t->provider_instance == NULL) {
        child_path(p, sizeof(p), path, "provider_settings");
        char full[768];
        /* Providers may name their fields with or without the "provider_settings." prefix. */
        const char *field = strncmp(why, "provider_settings.", 18) == 0 ? why + 18 : why;
        snprintf(full, sizeof(full), "%s.%s", p, field);
        if (!r->failed) snprintf(r->why, r->why_cap, "%s", full);
        r->failed = true;
        return false;
    }

    if (t->provider->policy_defaults != NULL) t->provider->policy_defaults(t->provider_instance, &t->policy);

    json_object *locations;
    if (json_object_object_get_ex(obj, "locations", &locations)) {
        child_path(p, sizeof(p), path, "locations");
        if (!json_object_is_type(locations, json_type_array) || json_object_array_length(locations) == 0)
            return fail(r, p, "must be a non-empty array of location ids");
        for (size_t i = 0; i < json_object_array_length(locations); i++) {
            json_object *v = json_object_array_get_idx(locations, i);
            char ip[300];
            snprintf(ip, sizeof(ip), "%s[%zu]", p, i);
            if (!json_object_is_type(v, json_type_string)) return fail(r, ip, "must be a string");
            const char *id = json_object_get_string(v);
            if (t->provider->knows_location(t->provider_instance, id) == 0)
                return fail(r, ip, "is not a location of this clinic");
            if (bk_strings_push(&t->locations, id) != 0) return fail(r, ip, "out of memory");
        }
    }
    if (get_string(r, obj, path, "default_location", &t->default_location, false) < 0) return false;
    if (t->default_location != NULL) {
        child_path(p, sizeof(p), path, "default_location");
        if (t->provider->knows_location(t->provider_instance, t->default_location) == 0)
            return fail(r, p, "is not a location of this clinic");
        if (t->locations.count > 0 && !bk_strings_contains(&t->locations, t->default_location))
            return fail(r, p, "is not one of the tenant's locations");
    }
    if (get_string(r, obj, path, "time_zone", &t->time_zone, false) < 0) return false;
    if (get_string(r, obj, path, "locale", &t->locale, false) < 0) return false;
    if (get_string(r, obj, path, "country", &t->country, false) < 0) return false;
    if (t->country != NULL && (strlen(t->country) != 2 || t->country[0] < 'A' || t->country[0] > 'Z' ||
                               t->country[1] < 'A' || t->country[1] > 'Z')) {
        child_path(p, sizeof(p), path, "country");
        return fail(r, p, "must be an ISO 3166 alpha-2 code such as AU");
    }
    json_object *v;
    if (json_object_object_get_ex(obj, "ai_booking", &v)) {
        child_path(p, sizeof(p), path, "ai_booking");
        if (!json_object_is_type(v, json_type_boolean)) return fail(r, p, "must be true or false");
        t->ai_booking = json_object_get_boolean(v);
    }
    if (json_object_object_get_ex(obj, "policy", &v)) {
        child_path(p, sizeof(p), path, "policy");
        if (!read_policy(r, v, p, &t->policy)) return false;
    }
    if (json_object_object_get_ex(obj, "rate_limit", &v)) {
        child_path(p, sizeof(p), path, "rate_limit");
        if (!read_rate_limit(r, v, p, t)) return false;
    }
    if (json_object_object_get_ex(obj, "webhooks", &v)) {
        child_path(p, sizeof(p), path, "webhooks");
        char problem[512];
        if ((t->webhooks = srv_config_read_webhooks(v, p, problem, sizeof(problem))) == NULL) {
            if (!r->failed) snprintf(r->why, r->why_cap, "%s", problem); /* it names the field already */
            r->failed = true;
            return false;
        }
    }
    return true;
}

/* "redis": one address, or {"sentinels": ["host:port", ...], "master": NAME}; "redis_min_replicas": how many
 * replicas acknowledge a write before its caller is told it succeeded. Both become the store's address
 * (store.h: "sentinel:NAME@host:port,...?min_replicas=N"). */
static bool read_redis(reader_t *r, json_object *root, srv_config_t *c)
{
    json_object *v = NULL, *sentinels = NULL;
    char address[2048] = "", why[160] = "";
    int min_replicas = -1;
    if (get_int(r, root, "", "redis_min_replicas", 0, 16, &min_replicas) < 0) return false;
    if (!json_object_object_get_ex(root, "redis", &v) || !json_object_is_type(v, json_type_object)) {
        if (get_string(r, root, "", "redis", &c->redis_address, true) < 0) return false;
        snprintf(address, sizeof(address), "%s", c->redis_address);
    } else {
        static const char *const keys[] = {"sentinels", "master", NULL};
        char *master = NULL;
        if (!check_keys(r, v, "redis", keys) || get_string(r, v, "redis", "master", &master, true) < 0) return false;
        snprintf(address, sizeof(address), "sentinel:%s@", master);
        free(master);
        if (!json_object_object_get_ex(v, "sentinels", &sentinels) || !json_object_is_type(sentinels, json_type_array) ||
            json_object_array_length(sentinels) == 0)
            return fail(r, "redis.sentinels", "must be a non-empty array of \"host:port\" strings");
        for (size_t i = 0; i < json_object_array_length(sentinels); i++) {
            json_object *one = json_object_array_get_idx(sentinels, i);
            char p[64];
            snprintf(p, sizeof(p), "redis.sentinels[%zu]", i);
            if (!json_object_is_type(one, json_type_string) || strchr(json_object_get_string(one), ',') != NULL ||
                !bk_redis_address_valid(json_object_get_string(one), why, sizeof(why)) ||
                json_object_get_string(one)[0] == '/' || strncmp(json_object_get_string(one), "unix:", 5) == 0)
                return fail(r, p, "must be host:port (numeric port 1-65535)");
            size_t at = strlen(address);
            snprintf(address + at, sizeof(address) - at, "%s%s", i > 0 ? "," : "", json_object_get_string(one));
        }
    }
    if (min_replicas >= 0) {
        size_t at = strlen(address);
        snprintf(address + at, sizeof(address) - at, "?min_replicas=%d", min_replicas);
    }
    if (!bk_redis_address_valid(address, why, sizeof(why)))
        return fail(r, sentinels != NULL ? "redis.master" : "redis", why);
    free(c->redis_address);
    c->redis_address = strdup(address);
    return c->redis_address != NULL || fail(r, "redis", "out of memory");
}

static bool read_listen(reader_t *r, json_object *obj, srv_config_t *c)
{
    static const char *const keys[] = {"address", "port", NULL};
    if (!json_object_is_type(obj, json_type_object)) return fail(r, "listen", "must be an object");
    if (!check_keys(r, obj, "listen", keys)) return false;
    char *address = NULL;
    if (get_string(r, obj, "listen", "address", &address, false) < 0) return false;
    if (address != NULL) {
        free(c->listen_address);
        c->listen_address = address;
    }
    return get_int(r, obj, "listen", "port", 1, 65535, &c->port) >= 0;
}

/* True when two tenants have a key in common. */
static bool shares_a_key(const bk_tenant_t *a, const bk_tenant_t *b)
{
    for (size_t i = 0; i < a->key_count; i++)
        for (size_t j = 0; j < b->key_count; j++)
            if (memcmp(a->key_digests[i], b->key_digests[j], 32) == 0) return true;
    return false;
}

srv_config_t *srv_config_load(const char *path, char *why, size_t why_cap)
{
    static const char *const keys[] = {"listen",  "workers",     "redis",       "redis_min_replicas",
                                       "log_level", "tenants", "slot_secret", "metrics", NULL};
    reader_t r = {.why = why, .why_cap = why_cap};
    json_object *root = NULL, *tenants_file = NULL;
    srv_config_t *c = calloc(1, sizeof(*c));
    char *path_copy = strdup(path);
    if (c == NULL || path_copy == NULL) {
        snprintf(why, why_cap, "out of memory");
        goto fail;
    }
    const char *config_dir = dirname(path_copy);
    c->listen_address = strdup("127.0.0.1");
    c->port = 8080;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    c->workers = cores > 0 ? (int)(cores > MAX_WORKERS ? MAX_WORKERS : cores) : 1;
    c->log_level = SRV_LOG_INFO;

    root = srv_json_read_file(path, CONFIG_MAX_BYTES, why, why_cap);
    if (root == NULL) goto fail;
    if (!json_object_is_type(root, json_type_object)) {
        fail(&r, "(root)", "must be a JSON object");
        goto fail;
    }
    if (!check_keys(&r, root, "", keys)) goto fail;

    json_object *v;
    if (json_object_object_get_ex(root, "listen", &v) && !read_listen(&r, v, c)) goto fail;
    if (get_int(&r, root, "", "workers", 1, MAX_WORKERS, &c->workers) < 0) goto fail;
    if (json_object_object_get_ex(root, "metrics", &v) &&
        !srv_config_read_metrics(v, c->listen_address, c->port, &c->metrics, why, why_cap))
        goto fail;
    if (!read_redis(&r, root, c)) goto fail;
    char *level = NULL;
    if (get_string(&r, root, "", "log_level", &level, false) < 0) goto fail;
    if (level != NULL) {
        static const char *const names[] = {"debug", "info", "warn", "error"};
        int found = -1;
        for (int i = 0; i < 4; i++)
            if (strcmp(level, names[i]) == 0) found = i;
        free(level);
        if (found < 0) {
            fail(&r, "log_level", "must be one of debug, info, warn, error");
            goto fail;
        }
        c->log_level = (srv_log_level_t)found;
    }

    char *secret = NULL;
    if (get_string(&r, root, "", "slot_secret", &secret, false) < 0) goto fail;
    if (secret != NULL) {
        size_t n = strlen(secret);
        if (n < 16 || n > sizeof(c->slot_secret)) {
            free(secret);
            fail(&r, "slot_secret", "must be 16 to 64 characters (shared by every frontdesk process)");
            goto fail;
        }
        memcpy(c->slot_secret, secret, n);
        c->slot_secret_len = n;
        free(secret);
    } else {
        if (getrandom(c->slot_secret, 32, 0) != 32) {
            fail(&r, "slot_secret", "could not be generated; set one");
            goto fail;
        }
        c->slot_secret_len = 32;
        c->slot_secret_random = true;
    }

    json_object *tenants;
    if (!json_object_object_get_ex(root, "tenants", &tenants)) {
        fail(&r, "tenants", "is required (an array of tenants, or the path of a JSON file holding one)");
        goto fail;
    }
    if (json_object_is_type(tenants, json_type_string)) {
        char tpath[4096];
        const char *name = json_object_get_string(tenants);
        if (name[0] == '/') snprintf(tpath, sizeof(tpath), "%s", name);
        else snprintf(tpath, sizeof(tpath), "%s/%s", config_dir, name);
        char inner[512];
        tenants_file = srv_json_read_file(tpath, CONFIG_MAX_BYTES, inner, sizeof(inner));
        if (tenants_file == NULL) {
            fail(&r, "tenants", inner);
            goto fail;
        }
        tenants = tenants_file;
    }
    if (!json_object_is_type(tenants, json_type_array) || json_object_array_length(tenants) == 0) {
        fail(&r, "tenants", "must be a non-empty array of tenants");
        goto fail;
    }
    size_t n = json_object_array_length(tenants);
    if (n > MAX_TENANTS) {
        fail(&r, "tenants", "has too many entries");
        goto fail;
    }
    c->tenants = calloc(n, sizeof(*c->tenants));
    c->retell_keys = calloc(n, sizeof(*c->retell_keys));
    c->tenant_sources = calloc(n, sizeof(*c->tenant_sources));
    if (c->tenants == NULL || c->retell_keys == NULL || c->tenant_sources == NULL) goto fail;
    for (size_t i = 0; i < n; i++) {
        char tp[64];
        snprintf(tp, sizeof(tp), "tenants[%zu]", i);
        c->tenant_count = i + 1;
        json_object *tenant_obj = json_object_array_get_idx(tenants, i), *widget_keys;
        c->tenants[i].keeper = &c->keeper;
        if (!read_tenant(&r, tenant_obj, tp, config_dir, &c->tenants[i]) ||
            get_string(&r, tenant_obj, tp, "retell_api_key", &c->retell_keys[i], false) < 0)
            goto fail;
        const char *source = json_object_to_json_string_ext(tenant_obj, JSON_C_TO_STRING_PLAIN);
        if ((c->tenant_sources[i] = strdup(source)) == NULL) goto fail;
        if (json_object_object_get_ex(tenant_obj, "widget_keys", &widget_keys)) {
            char wp[96];
            snprintf(wp, sizeof(wp), "%s.widget_keys", tp);
            if (!srv_widget_keys_read(widget_keys, wp, &c->tenants[i], &c->widget_keys, &c->widget_key_count, why,
                                      why_cap))
                goto fail;
        }
        for (size_t j = 0; j < i; j++) {
            char p[96];
            if (strcmp(c->tenants[j].id, c->tenants[i].id) == 0) {
                snprintf(p, sizeof(p), "%s.id", tp);
                fail(&r, p, "duplicates the id of another tenant");
                goto fail;
            }
            if (srv_ghl_tokens_shared(&c->tenants[j], &c->tenants[i])) {
                snprintf(p, sizeof(p), "%s.ghl_webhook_tokens_sha256", tp);
                fail(&r, p, "holds the same token as another tenant's");
                goto fail;
            }
            if (shares_a_key(&c->tenants[j], &c->tenants[i])) {
                snprintf(p, sizeof(p), "%s.%s", tp, c->tenants[i].key_count > 1 ? "api_keys_sha256" : "api_key_sha256");
                fail(&r, p, "is the same key as another tenant's");
                goto fail;
            }
        }
    }
    if (!srv_widget_keys_check(c->widget_keys, c->widget_key_count, c->tenants, c->tenant_count, why, why_cap))
        goto fail;
    json_object_put(root);
    json_object_put(tenants_file);
    free(path_copy);
    atomic_init(&c->keeper.users, 1);
    return c;

fail:
    json_object_put(root);
    json_object_put(tenants_file);
    free(path_copy);
    srv_config_free(c);
    return NULL;
}

void srv_config_free(srv_config_t *c)
{
    if (c == NULL) return;
    for (size_t i = 0; i < c->tenant_count; i++) {
        tenant_free(&c->tenants[i]);
        if (c->retell_keys != NULL) free(c->retell_keys[i]);
    }
    free(c->tenants);
    free(c->retell_keys);
    for (size_t i = 0; c->tenant_sources != NULL && i < c->tenant_count; i++) free(c->tenant_sources[i]);
    free(c->tenant_sources);
    srv_widget_keys_free(c->widget_keys, c->widget_key_count);
    free(c->listen_address);
    free(c->redis_address);
    free(c);
}

void srv_config_retain(srv_config_t *c)
{
    atomic_fetch_add(&c->keeper.users, 1);
}

void srv_config_release(srv_config_t *c)
{
    if (atomic_fetch_sub(&c->keeper.users, 1) != 1) return;
    if (c->keeper.on_unused != NULL) c->keeper.on_unused(c->keeper.data);
    else srv_config_free(c);
}
