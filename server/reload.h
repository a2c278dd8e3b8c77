/* server/reload.h: changing the config without a restart (SIGHUP). The main thread reads and checks the file and
 * creates the providers (never a worker's loop); a valid config becomes the current one, and each worker begins
 * its next requests on it while requests in flight finish on the one they began on. A replaced config is freed,
 * with its providers, by the main thread once its last user (request, worker view, booking's long work such as a
 * shared EMR fetch or event delivery) let go of it. */
#ifndef FD_SERVER_RELOAD_H
#define FD_SERVER_RELOAD_H

#include <stdbool.h>

#include "server/worker.h"

/** Makes config's last user wake the main loop (app->retire_async) to free it. Call for every config the app
 * adopts, before any worker sees it. */
void srv_reload_adopt(srv_app_t *app, srv_config_t *config);

/** Reads the config at path again. Valid: it becomes the current config, every worker is told, and one line says
 * which tenants were added, removed or changed (ids only) and which settings wait for a restart. Invalid (JSON,
 * a field, provider settings refused): one line with the JSON path of the problem, and the running config keeps
 * serving. Returns whether it was applied. On the main thread. */
bool srv_reload(srv_app_t *app, const char *path);

/** Frees the replaced configs nobody uses any more. On the main thread (app->retire_async's callback). */
void srv_reload_sweep(srv_app_t *app);

/** At exit, once every worker thread has ended: frees the current and every replaced config. */
void srv_reload_free_all(srv_app_t *app);

#endif
