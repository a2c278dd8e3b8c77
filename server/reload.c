/* server/reload.c: SIGHUP's reload: read, check, compare, publish, and free replaced configs (see reload.h). */
#include "server/reload.h"

#include <json.h>
#include <stdatomic.h>
#include <string.h>

#include "server/log.h"

static void on_unused(void *data)
{
    srv_app_t *app = data;
    uv_async_send(&app->retire_async); /* any thread; the main loop frees it (srv_reload_sweep) */
}

void srv_reload_adopt(srv_app_t *app, srv_config_t *config)
{
    config->keeper.on_unused = on_unused;
    config->keeper.data = app;
}

static const bk_tenant_t *find_tenant(const srv_config_t *c, const char *id, size_t *index)
{
    for (size_t i = 0; i < c->tenant_count; i++) {
        if (strcmp(c->tenants[i].id, id) == 0) {
            *index = i;
            return &c->tenants[i];
        }
    }
    return NULL;
}

/* Adds to the reload line's lists: tenants added, removed and changed (by their JSON as written), ids only. */
static void compare_tenants(const srv_config_t *old, const srv_config_t *next, json_object *line)
{
    json_object *added = json_object_new_array(), *removed = json_object_new_array(),
                *changed = json_object_new_array();
    size_t j;
    for (size_t i = 0; i < next->tenant_count; i++) {
        const char *id = next->tenants[i].id;
        if (find_tenant(old, id, &j) == NULL) json_object_array_add(added, json_object_new_string(id));
        else if (strcmp(old->tenant_sources[j], next->tenant_sources[i]) != 0)
            json_object_array_add(changed, json_object_new_string(id));
    }
    for (size_t i = 0; i < old->tenant_count; i++)
        if (find_tenant(next, old->tenants[i].id, &j) == NULL)
            json_object_array_add(removed, json_object_new_string(old->tenants[i].id));
    json_object_object_add(line, "tenants", json_object_new_int64((int64_t)next->tenant_count));
    json_object_object_add(line, "added", added);
    json_object_object_add(line, "removed", removed);
    json_object_object_add(line, "changed", changed);
}

/* What only a restart changes: the running values stay in next (so nothing half-applies), and the line names
 * each setting the file changed. */
static void keep_restart_settings(const srv_config_t *old, srv_config_t *next, json_object *line)
{
    json_object *ignored = json_object_new_array();
    if (strcmp(old->listen_address, next->listen_address) != 0 || old->port != next->port)
        json_object_array_add(ignored, json_object_new_string("listen"));
    if (old->workers != next->workers) json_object_array_add(ignored, json_object_new_string("workers"));
    if (strcmp(old->redis_address, next->redis_address) != 0)
        json_object_array_add(ignored, json_object_new_string("redis"));
    if (old->log_level != next->log_level) json_object_array_add(ignored, json_object_new_string("log_level"));
    const srv_metrics_config_t *om = &old->metrics, *nm = &next->metrics;
    if (om->enabled != nm->enabled || strcmp(om->address, nm->address) != 0 || om->port != nm->port ||
        om->token != nm->token || memcmp(om->token_digest, nm->token_digest, sizeof(om->token_digest)) != 0)
        json_object_array_add(ignored, json_object_new_string("metrics"));
    next->metrics = old->metrics;
    next->port = old->port;
    next->workers = old->workers;
    next->log_level = old->log_level;
    char *listen = strdup(old->listen_address), *redis = strdup(old->redis_address);
    if (listen != NULL) free(next->listen_address), next->listen_address = listen;
    if (redis != NULL) free(next->redis_address), next->redis_address = redis;
    /* A file without slot_secret keeps the running one: slot ids already given out stay bookable. */
    if (next->slot_secret_random) {
        memcpy(next->slot_secret, old->slot_secret, sizeof(next->slot_secret));
        next->slot_secret_len = old->slot_secret_len;
        next->slot_secret_random = old->slot_secret_random;
    }
    json_object_object_add(line, "ignored_until_restart", ignored);
}

/* The members of a JSON object without its braces, for srv_log's extra. */
static void log_object(srv_log_level_t level, const char *msg, json_object *line)
{
    const char *text = json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t len = strlen(text);
    char *members = len >= 2 ? strndup(text + 1, len - 2) : NULL;
    srv_log(level, msg, members);
    free(members);
}

bool srv_reload(srv_app_t *app, const char *path)
{
    char why[1024];
    srv_config_t *next = srv_config_load(path, why, sizeof(why));
    json_object *line = json_object_new_object();
    if (next == NULL) {
        json_object_object_add(line, "problem", json_object_new_string(why));
        log_object(SRV_LOG_ERROR, "config reload refused; the running config keeps serving", line);
        json_object_put(line);
        return false;
    }
    srv_config_t *old = app->config; /* only this thread changes it */
    compare_tenants(old, next, line);
    keep_restart_settings(old, next, line);
    srv_reload_adopt(app, next);
    pthread_mutex_lock(&app->config_lock);
    app->config = next;
    pthread_mutex_unlock(&app->config_lock);
    old->retired_next = app->retired;
    app->retired = old;
    for (int i = 0; i < app->worker_count; i++) srv_worker_reload(&app->workers[i]);
    bool waits = json_object_array_length(json_object_object_get(line, "ignored_until_restart")) > 0;
    log_object(waits ? SRV_LOG_WARN : SRV_LOG_INFO,
               waits ? "config reloaded; some settings change only at a restart" : "config reloaded", line);
    json_object_put(line);
    srv_config_release(old); /* the process's use; requests and workers still on it hold theirs */
    return true;
}

/* Frees the replaced configs: those nobody uses any more, or (at exit) all of them. */
static void free_retired(srv_app_t *app, bool all)
{
    for (srv_config_t **p = &app->retired; *p != NULL;) {
        srv_config_t *c = *p;
        if (!all && atomic_load(&c->keeper.users) > 0) {
            p = &c->retired_next;
            continue;
        }
        *p = c->retired_next;
        srv_config_free(c);
    }
}

void srv_reload_sweep(srv_app_t *app)
{
    free_retired(app, false);
}

void srv_reload_free_all(srv_app_t *app)
{
    free_retired(app, true);
    srv_config_free(app->config);
    app->config = NULL;
}
