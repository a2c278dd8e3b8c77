/* server/main.c: the frontdesk process: command line, config, worker threads, signals (on the main thread's own
 * libuv loop: SIGTERM and SIGINT stop, SIGHUP reloads the config). */
#include <curl/curl.h>
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/auth.h"
#include "server/config.h"
#include "server/config_ghl.h"
#include "server/listen_guard.h"
#include "server/h2o_errors.h"
#include "server/head_guard.h"
#include "server/log.h"
#include "server/metrics_server.h"
#include "server/reload.h"
#include "server/router.h"
#include "server/worker.h"
#include "tz/tz.h"

/* Workers whose connections outlived the drain limit: kept reachable so the exit, not a leak checker, frees them. */
static srv_worker_t *undisposed_workers;

static void usage(FILE *out)
{
    fprintf(out, "usage: frontdesk --config FILE     serve the tenants of FILE (JSON; see README)\n"
                 "       frontdesk hash-key KEY      print the SHA-256 digest of an API key, for a tenant's "
                 "api_key_sha256\n"
                 "       frontdesk ghl-token         make a GoHighLevel webhook token: prints it (once) and its "
                 "SHA-256 digest, for a tenant's ghl_webhook_tokens_sha256\n"
                 "       frontdesk --version | --help\n");
}

static int hash_key(const char *key)
{
    unsigned char digest[32];
    char hex[65];
    srv_key_digest(key, strlen(key), digest);
    srv_digest_hex(digest, hex);
    printf("%s\n", hex);
    return 0;
}

/* A new GHL webhook token: the token itself goes into the tenant's webhook URLs and is not kept anywhere; only its
 * digest goes into the config. */
static int new_ghl_token(void)
{
    char token[65], digest[65];
    if (!srv_ghl_token_new(token, digest)) {
        fprintf(stderr, "no randomness available\n");
        return 1;
    }
    printf("token: %s\nsha256: %s\n", token, digest);
    fprintf(stderr, "Webhook URLs: https://<your host>/ghl/%s/bookAppt, .../update_appt, .../cancel_appt\n"
                    "Add the sha256 line to the tenant's ghl_webhook_tokens_sha256; the token is not shown again.\n",
            token);
    return 0;
}

/* FRONTDESK_CLOCK_OFFSET_MS (tests only): the service's clock runs that many ms ahead of the system's, so a test
 * suite can run the service on any date. Returns false when the variable is set but not a whole number. */
static bool apply_clock_offset(void)
{
    const char *text = getenv("FRONTDESK_CLOCK_OFFSET_MS");
    if (text == NULL || *text == '\0') return true;
    char *end;
    errno = 0;
    long long ms = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0') {
        fprintf(stderr, "FRONTDESK_CLOCK_OFFSET_MS: not a whole number of milliseconds: %s\n", text);
        return false;
    }
    tz_clock_set_offset(ms);
    return true;
}

/* The main thread's loop: signals and the freeing of replaced configs. */
typedef struct main_loop {
    uv_loop_t loop;
    uv_signal_t hup, term, intr;
    srv_app_t *app;
    const char *config_path;
} main_loop_t;

static void on_hup(uv_signal_t *handle, int signum)
{
    (void)signum;
    main_loop_t *m = handle->data;
    srv_reload(m->app, m->config_path);
}

static void on_stop_signal(uv_signal_t *handle, int signum)
{
    (void)signum;
    uv_stop(handle->loop);
}

static void on_retire(uv_async_t *async)
{
    srv_reload_sweep(async->data);
}

static void close_main_handle(uv_handle_t *handle, void *arg)
{
    (void)arg;
    if (!uv_is_closing(handle)) uv_close(handle, NULL);
}

static int serve(const char *config_path)
{
    char why[1024];
    if (!apply_clock_offset()) return 2;
    srv_config_t *config = srv_config_load(config_path, why, sizeof(why));
    if (config == NULL) {
        fprintf(stderr, "config: %s\n", why);
        return 2;
    }
    srv_log_set_level(config->log_level);
    signal(SIGPIPE, SIG_IGN);
    /* curl_global_init is not thread-safe: once, before any worker starts. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "cannot initialise libcurl\n");
        return 1;
    }

    srv_app_t app;
    memset(&app, 0, sizeof(app));
    pthread_mutex_init(&app.config_lock, NULL);
    app.config = config;
    main_loop_t m = {.app = &app, .config_path = config_path};
    uv_loop_init(&m.loop);
    uv_async_init(&m.loop, &app.retire_async, on_retire);
    app.retire_async.data = &app;
    srv_reload_adopt(&app, config);
    h2o_config_init(&app.globalconf);
    app.globalconf.server_name = h2o_iovec_init(H2O_STRLIT("frontdesk"));
    /* Bodies up to 8 MiB reach the router, which answers a JSON 413 above 64 KiB; h2o refuses larger ones itself
     * before reading them, and server/h2o_errors.c turns that answer into JSON too. */
    app.globalconf.max_request_entity_size = 8u << 20;
    h2o_hostconf_t *host = h2o_config_register_host(&app.globalconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    srv_router_register(host);
    srv_h2o_errors_register(host);

    /* Before the workers bind with SO_REUSEPORT, which would let them share the port with another process. */
    int guard = srv_listen_claim(config->listen_address, config->port, why, sizeof(why));
    if (guard < 0) {
        fprintf(stderr, "listen: %s\n", why);
        return 1;
    }
    int n = config->workers;
    srv_worker_t *workers = calloc((size_t)n, sizeof(*workers));
    if (workers == NULL) return 1;
    app.workers = workers;
    app.worker_count = n;
    for (int i = 0; i < n; i++) {
        workers[i].index = i;
        workers[i].app = &app;
        atomic_init(&workers[i].redis_up, false);
        workers[i].listen_fd = srv_worker_bind(config->listen_address, config->port, true);
        if (workers[i].listen_fd < 0) {
            fprintf(stderr, "listen: cannot listen on %s:%d: %s\n", config->listen_address, config->port,
                    strerror(errno));
            return 1;
        }
    }

    /* The workers start with these blocked, so the main thread's loop is the one that sees them. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    srv_metrics_server_t *metrics = NULL; /* GET /metrics, on its own address only (server/metrics_server.h) */
    if (config->metrics.enabled && (metrics = srv_metrics_server_start(&config->metrics, why, sizeof(why))) == NULL) {
        fprintf(stderr, "listen: %s\n", why);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        if (srv_worker_start(&workers[i]) != 0) {
            fprintf(stderr, "cannot start worker threads\n");
            return 1;
        }
    }
    char extra[256];
    snprintf(extra, sizeof(extra), "\"version\":\"%s\",\"address\":\"%s\",\"port\":%d,\"workers\":%d,\"tenants\":%zu",
             FD_VERSION, config->listen_address, config->port, n, config->tenant_count);
    /* From here the config may be replaced (SIGHUP): read app.config only on this thread. */
    srv_log(SRV_LOG_INFO, "listening", extra);
    if (metrics != NULL) {
        snprintf(extra, sizeof(extra), "\"address\":\"%s\",\"port\":%d", config->metrics.address, config->metrics.port);
        srv_log(SRV_LOG_INFO, "metrics listening", extra);
    }
    if (tz_clock_offset() != 0) {
        snprintf(extra, sizeof(extra), "\"clock_offset_ms\":%lld", (long long)tz_clock_offset());
        srv_log(SRV_LOG_WARN, "test clock: FRONTDESK_CLOCK_OFFSET_MS moves the service's now", extra);
    }
    if (!srv_head_guard_active())
        srv_log(SRV_LOG_WARN, "libh2o does not call our request-head parser: heads it cannot parse get plain text",
                NULL);
    if (config->slot_secret_random)
        srv_log(SRV_LOG_WARN, "no slot_secret in the config: slot ids will not survive a restart or cross processes",
                NULL);

    uv_signal_init(&m.loop, &m.hup);
    uv_signal_init(&m.loop, &m.term);
    uv_signal_init(&m.loop, &m.intr);
    m.hup.data = &m;
    uv_signal_start(&m.hup, on_hup, SIGHUP);
    uv_signal_start(&m.term, on_stop_signal, SIGTERM);
    uv_signal_start(&m.intr, on_stop_signal, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &signals, NULL); /* one sent before this waited, and is handled now */
    /* Loading the config (json-c trees, clinic files read and parsed) freed megabytes on this thread that glibc
     * keeps in the main arena, which the workers, allocating from their own arenas, never reuse: 6.5 MB of RSS
     * on the 20 x 90 clinic. Returned once here; a config reload frees little in comparison. */
    malloc_trim(0);
    uv_run(&m.loop, UV_RUN_DEFAULT);
    srv_log(SRV_LOG_INFO, "stopping", NULL);
    for (int i = 0; i < n; i++) srv_worker_stop(&workers[i]);
    for (int i = 0; i < n; i++) pthread_join(workers[i].thread, NULL);
    srv_metrics_server_stop(metrics);
    srv_log(SRV_LOG_INFO, "stopped", NULL);
    bool all_disposed = true;
    for (int i = 0; i < n; i++) all_disposed &= workers[i].disposed;
    if (all_disposed) {
        h2o_config_dispose(&app.globalconf);
        free(workers);
    } else {
        undisposed_workers = workers; /* a connection outlived the drain: what it uses stays until the exit */
    }
    close(guard);
    uv_walk(&m.loop, close_main_handle, NULL);
    uv_run(&m.loop, UV_RUN_DEFAULT);
    uv_loop_close(&m.loop);
    srv_reload_free_all(&app);
    pthread_mutex_destroy(&app.config_lock);
    curl_global_cleanup();
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("frontdesk %s\n", FD_VERSION);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "hash-key") == 0) return hash_key(argv[2]);
    if (argc == 2 && strcmp(argv[1], "ghl-token") == 0) return new_ghl_token();
    if (argc == 3 && strcmp(argv[1], "--config") == 0) return serve(argv[2]);
    usage(stderr);
    return 2;
}
