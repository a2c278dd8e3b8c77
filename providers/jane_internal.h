/* providers/jane_internal.h: what the files of the Jane adapter share, and nothing outside the adapter includes:
 * the instance, one GET of the clinic's public booking site (jane_request.c) and the operations the ops table
 * (jane.c) points to. The file map is at the top of jane.c. */
#ifndef FD_PROVIDERS_JANE_INTERNAL_H
#define FD_PROVIDERS_JANE_INTERNAL_H

#include <json.h>
#include <stdbool.h>
#include <stddef.h>

#include "metrics/metrics.h"
#include "providers/http_client.h"
#include "providers/jane_decode.h"
#include "providers/provider.h"

#define JANE_URL_CAP 768

/** One clinic's Jane booking site, shared by every worker: immutable after create but for its thread-safe rate
 * bucket. */
typedef struct jane {
    char *tenant_id;
    char base_url[512];  /* "https://<clinic>.janeapp.com", no trailing '/' */
    char credential[40]; /* "jane:<hash of the site>": one politeness budget per clinic site */
    prov_http_bucket_t *bucket;
    bk_strings_t location_ids; /* empty = every location the site lists */
    char currency[4];
    int timeout_ms, connect_timeout_ms, max_in_flight;
} jane_t;

/* ---- one GET of the public booking site (jane_request.c) ---------------------------------------------------- */

/** Receives the parsed answer: on PROV_OK the JSON document (borrowed during the callback), else NULL. */
typedef void (*jane_cb)(prov_status_t status, json_object *doc, void *data);

/** GETs base_url + path_and_query (a path starting with "/api/v2/", its query already escaped) with Frontdesk's
 * User-Agent, the site's rate budget and in-flight cap; reads are retried by the HTTP client. A 429 is
 * PROV_RATE_LIMITED, an HTML page (Jane's booking app answers unknown paths with it) or any non-JSON body
 * PROV_UPSTREAM. Returns 0 and cb is called exactly once later, or -1 (no callback). */
int jane_get(jane_t *j, prov_env_t *env, const char *path_and_query, fd_mx_emr_op_t op, jane_cb cb, void *data);

/* ---- the operations of the ops table (contracts in providers/provider.h) ---------------------------------- */

void *jane_create(const char *tenant_id, json_object *settings, const char *config_dir, char *why, size_t why_cap);
void jane_destroy(void *instance);
int jane_fetch_catalog(void *instance, prov_env_t *env, prov_catalog_cb cb, void *data);
int jane_fetch_availability(void *instance, prov_env_t *env, const prov_availability_query_t *q,
                            prov_availability_cb cb, void *data);

#endif
