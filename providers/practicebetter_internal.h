/* providers/practicebetter_internal.h: what the files of the Practice Better adapter share, and nothing outside
 * the adapter includes: the instance, the access token (practicebetter_token.c), one API call with its rate gate
 * (practicebetter_request.c), the paged-list engine (practicebetter_paging.c) and the operations the ops table
 * (practicebetter.c) points to. The file map is at the top of practicebetter.c. */
#ifndef FD_PROVIDERS_PRACTICEBETTER_INTERNAL_H
#define FD_PROVIDERS_PRACTICEBETTER_INTERNAL_H

#include <json.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "providers/credential_log.h"
#include "providers/http_client.h"
#include "providers/practicebetter_decode.h"
#include "providers/provider.h"
#include "tz/tz.h"
#include "tz/tz_names.h"

#define PB_URL_CAP      1024
#define PB_KEY_CAP      256
#define PB_MAX_SERVICES 64

/** A service as the tenant configured it (Practice Better's services list was not captured: research). */
typedef struct pb_service {
    char id[PROV_PB_ID_CAP];
    char *name;
    int duration_minutes;
    int64_t price_minor;
} pb_service_t;

/** One tenant's Practice Better account, shared by every worker (see practicebetter.c). */
typedef struct pb {
    char *tenant_id;
    char base_url[512];         /* "https://api.practicebetter.io", no trailing '/' */
    char *client_id, *secret;   /* zeroed on destroy; never logged */
    char credential[48];        /* "practicebetter:<hash of the client id>": the HTTP client's in-flight key */
    bk_location_t location;     /* the one configured location (no locations endpoint was captured) */
    const tz_zone_t *zone;      /* its zone */
    char windows_zone[TZ_NAME_ID_CAP];
    pb_service_t services[PB_MAX_SERVICES];
    size_t service_count;
    char currency[4];
    double rate_per_second;
    int rate_burst, rate_wait_ms;
    int timeout_ms, connect_timeout_ms, max_in_flight, page_limit, client_pages, client_cache_seconds;
    /* Redis keys, under the tenant's hash tag and a hash of the client id (one budget and token per client). */
    char rate_key[PB_KEY_CAP], block_key[PB_KEY_CAP], token_key[PB_KEY_CAP], lock_key[PB_KEY_CAP];
    char clients_key[PB_KEY_CAP];
    prov_credential_log_t refused_logged;
    pthread_mutex_t mu;               /* guards what follows */
    char token[PROV_PB_TOKEN_CAP];    /* the access token every worker of the process uses ("" = none) */
    int64_t token_until;              /* tz_now() ms after which it is not used */
    int64_t blocked_until;            /* tz_now() ms until which the EMR's 429 (or our bucket) holds calls */
    void *reads;                      /* the reads in flight, which identical reads of a worker join */
} pb_t;

/* ---- the access token (practicebetter_token.c) ------------------------------------------------------------ */

/** Receives the token (borrowed; NULL unless PROV_OK). */
typedef void (*pb_token_cb)(prov_status_t status, const char *token, void *data);

/** Gets a usable access token: the process's copy, else the one another process stored in Redis, else a new one
 * from POST /oauth2/token (one refresher at a time across every process: a Redis lock; the others wait for its
 * result on a timer). Returns 1 with the token in out (cb not called), 0 when cb is called exactly once later,
 * or -1 (cb never called). */
int pb_token_get(pb_t *p, prov_env_t *env, char out[PROV_PB_TOKEN_CAP], pb_token_cb cb, void *data);

/** Forgets `token` after Practice Better refused it (401): in this process and in Redis, unless another
 * process already replaced it. */
void pb_token_drop(pb_t *p, prov_env_t *env, const char *token);

/* ---- one API call (practicebetter_request.c) -------------------------------------------------------------- */

enum {
    PB_READ = 1u << 0,   /* changes nothing: retried on connection errors and 5xx */
    PB_RECORD = 1u << 1, /* a 404 means the asked record does not exist */
};

/** How a call ended: on PROV_OK the parsed JSON answer (borrowed during the callback; NULL for an empty body). */
typedef void (*pb_cb)(prov_status_t status, json_object *answer, const char *body, size_t len, void *data);

/** Calls `method` on base_url + path (path begins with '/', query included and escaped by the caller) with
 * `body` (a JSON text or NULL). Each attempt first takes a token from the tenant's Redis rate bucket (waiting on
 * a timer up to rate_wait_ms, else PROV_RATE_LIMITED), then the access token; a 401 drops the token and the call
 * is made once more with a new one (a write too: a 401 means it was not processed); refused again, the operator's line is written and it ends PROV_UPSTREAM. A
 * 429 blocks the bucket of every process for its Retry-After. A write whose answer never arrived ends
 * PROV_TIMEOUT (it may be committed). A read (no body) identical to one the same worker has under way joins it
 * and gets its answer, costing no request. Returns 0 and cb is called exactly once later, or -1 (no callback). */
int pb_call(pb_t *p, prov_env_t *env, const char *method, const char *path, const char *body, unsigned flags,
            pb_cb cb, void *data);

/** Takes one token of the tenant's shared rate bucket, waiting on a timer when the bucket is in debt (up to
 * rate_wait_ms; a write up to half its timeout): fn gets PROV_OK when it may send, PROV_RATE_LIMITED (the wait
 * would be longer, or the EMR's 429 holds every process) or PROV_UNAVAILABLE (Redis did not answer). Used by
 * pb_call and by the token endpoint's request. 0, or -1 (fn never called). */
int pb_rate_gate(pb_t *p, prov_env_t *env, bool write, void (*fn)(prov_status_t status, void *data), void *data);

/** Records that the EMR (or the shared bucket) holds calls for `ms` from now (retry_after_seconds). */
void pb_note_blocked(pb_t *p, int64_t ms);

/** Runs fn(arg) on the next loop turn: 0, or -1 (not run). */
int pb_defer(uv_loop_t *loop, void (*fn)(void *), void *arg);

/* ---- paged lists (practicebetter_paging.c) ---------------------------------------------------------------- */

/** Receives each page's items (borrowed); returns PROV_OK to go on, or a status that ends the list. */
typedef prov_status_t (*pb_page_fn)(json_object *items, void *data);
/** Called once when the list ended: PROV_OK after the last page (or the page bound), else the first failure. */
typedef void (*pb_list_done_fn)(prov_status_t status, void *data);

/** Reads a list: path (with its own query, or none) plus limit=page_limit, then before_id=<last id> while
 * hasMore, at most max_pages pages. `alt_key`: another name of the items array. Returns 0 and done is called
 * exactly once later, or -1. */
int pb_list(pb_t *p, prov_env_t *env, const char *path, const char *alt_key, int max_pages, pb_page_fn on_page,
            pb_list_done_fn done, void *data);

/* ---- the operations of the ops table (contracts in providers/provider.h) ---------------------------------- */

void *pb_create(const char *tenant_id, json_object *settings, const char *config_dir, char *why, size_t why_cap);
void pb_destroy(void *instance);
int pb_fetch_catalog(void *instance, prov_env_t *env, prov_catalog_cb cb, void *data);
int pb_fetch_availability(void *instance, prov_env_t *env, const prov_availability_query_t *q,
                          prov_availability_cb cb, void *data);
int pb_find_patients(void *instance, prov_env_t *env, const prov_patient_query_t *q, prov_patients_cb cb,
                     void *data);
int pb_create_patient(void *instance, prov_env_t *env, const bk_patient_t *patient, prov_patient_cb cb, void *data);
int pb_list_appointments(void *instance, prov_env_t *env, const char *patient_id, int64_t from,
                         prov_appointments_cb cb, void *data);
int pb_create_appointment(void *instance, prov_env_t *env, const bk_appointment_t *a, prov_appointment_cb cb,
                          void *data);
int pb_cancel_appointment(void *instance, prov_env_t *env, const char *appointment_id, const char *reason,
                          prov_appointment_cb cb, void *data);
int pb_reschedule_appointment(void *instance, prov_env_t *env, const char *appointment_id, int64_t start,
                              int64_t end, const char *staff_id, prov_appointment_cb cb, void *data);

#endif
