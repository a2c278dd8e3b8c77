/* providers/halaxy_internal.h: what the files of the Halaxy adapter share, and nothing outside the adapter includes:
 * the instance, the OAuth2 token (halaxy_token.c), one authenticated FHIR request (halaxy_request.c), Bundle paging
 * (halaxy_paging.c), the practitioner-role table (halaxy_catalog.c) and the operations the ops table (halaxy.c)
 * points to. The file map is at the top of halaxy.c. */
#ifndef FD_PROVIDERS_HALAXY_INTERNAL_H
#define FD_PROVIDERS_HALAXY_INTERNAL_H

#include <json.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "providers/credential_log.h"
#include "providers/halaxy_decode.h"
#include "providers/http_client.h"
#include "providers/provider.h"
#include "tz/tz.h"
#include "tz/tz_names.h"

#define HX_URL_CAP PROV_HALAXY_URL_CAP
#define HX_ID_CAP PROV_HALAXY_ID_CAP
#define HX_JSON "application/json"                  /* Halaxy's documented Content-Type of POST bodies */
#define HX_MERGE_PATCH "application/merge-patch+json" /* of PATCH bodies */
#define HX_ROLES_TTL_MS (10 * 60 * 1000) /* the practitioner-role table is read again after this long */

/** One practitioner at one clinic (a PractitionerRole), for turning staff + location into the booked actor. */
typedef struct hx_role {
    char id[HX_ID_CAP], practitioner[HX_ID_CAP], organization[HX_ID_CAP];
} hx_role_t;

/** One tenant's Halaxy account, shared by every worker of the process (see halaxy.c). */
typedef struct halaxy {
    char *tenant_id;
    char base_url[512];  /* ".../main" without a trailing slash */
    char token_url[600]; /* base_url + "/oauth/token" */
    char *client_id, *client_secret; /* the secret is zeroed on destroy and only ever sent to token_url */
    char *ua_header;
    char credential[40]; /* "halaxy:<hash of base URL and client id>": the rate budget and the shared token's key */
    char time_zone[TZ_NAME_ID_CAP]; /* IANA zone of the clinics (Halaxy's API does not give one) */
    char currency[4];
    prov_http_bucket_t *bucket;
    bk_strings_t clinic_ids; /* empty = every clinic */
    int timeout_ms, connect_timeout_ms, max_in_flight;
    prov_credential_log_t refused_logged; /* when Halaxy's last refusal of the client was logged */
    pthread_mutex_t mu; /* guards everything below */
    char token[PROV_HALAXY_TOKEN_CAP];      /* "" when none */
    int64_t token_refresh_at, token_expires_at; /* tz_now() ms */
    int64_t refreshing_until;                   /* a worker of this process is getting a token until then */
    uint64_t token_fetches;                     /* tokens this process asked Halaxy for */
    hx_role_t *roles;
    size_t role_count;
    int64_t roles_read_at; /* 0: never */
} halaxy_t;

/* ---- the OAuth2 token (halaxy_token.c) ----------------------------------------------------------------------- */

/** Receives "Authorization: Bearer ..." (borrowed during the call) or a failure status. */
typedef void (*hx_token_cb)(prov_status_t status, const char *auth_header, void *data);

/** Gets a fresh token: from this process, else from Redis (another process's), else from Halaxy (one refresher at a
 * time across processes). Returns 0 and calls cb exactly once (synchronously when this process holds a fresh one),
 * or -1 (no callback). */
int halaxy_token_get(halaxy_t *h, prov_env_t *env, hx_token_cb cb, void *data);

/** Forgets `auth_header`'s token here and in Redis (after Halaxy answered 401 with it); a newer one is kept. */
void halaxy_token_drop(halaxy_t *h, prov_env_t *env, const char *auth_header);

/* ---- one request (halaxy_request.c) --------------------------------------------------------------------------- */

/** A finished FHIR request: status is the provider status (PROV_OK for 2xx); r is NULL when no HTTP answer exists
 * (no token, transport failure). */
typedef void (*hx_cb)(prov_status_t status, const prov_http_response_t *r, void *data);

/** Sends one FHIR request with a token (fetched or refreshed as needed; a 401 drops the token and the request is
 * sent once more with a new one). body (may be NULL) is JSON sent as content_type. `record`: a 404 means the record
 * does not exist. A write whose answer was lost (timeout, connection dropped after sending) is PROV_TIMEOUT: it may
 * have been committed. Failures are logged with the tenant, provider and status, never a body or secret. Returns 0
 * and calls cb exactly once later, or -1 (no callback). */
int halaxy_send(halaxy_t *h, prov_env_t *env, const char *method, const char *url, const char *body,
                const char *content_type, bool record, hx_cb cb, void *data);

/** Writes base_url + the formatted path into out (HX_URL_CAP bytes): false when it does not fit. */
bool halaxy_url(char *out, const halaxy_t *h, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** Appends "&name=<escaped value>" to url (HX_URL_CAP bytes): false when it does not fit. */
bool halaxy_add_param(char *url, const char *name, const char *value);

/** Writes t as Halaxy wants it: local time in the clinics' zone with its offset ("2025-10-15T15:00:00+10:00"). */
void halaxy_format_time(const halaxy_t *h, int64_t t, char out[TZ_ISO_CAP]);

/** Runs fn(arg) on the next loop iteration: 0, or -1 (not run). */
int halaxy_defer(uv_loop_t *loop, void (*fn)(void *), void *arg);

/** The serialized JSON of o (o is put either way), or NULL when out of memory. The caller frees it. */
char *halaxy_json_body(json_object *o);

/** A FHIR reference object {"reference": "<base_url>/<type>/<id>", "type": type} (absolute, as Halaxy writes them). */
json_object *halaxy_reference(const halaxy_t *h, const char *type, const char *id);

/** Receives an Appointment resource (borrowed) read back from Halaxy, or a failure status (resource NULL). */
typedef void (*hx_appointment_cb)(prov_status_t status, json_object *resource, void *data);

/** Reads Appointment/<id> (never coalesced: a check must see the latest writes). Returns 0 and calls cb later, or
 * -1. */
int halaxy_read_appointment(halaxy_t *h, prov_env_t *env, const char *id, hx_appointment_cb cb, void *data);

/** Decodes an Appointment resource into a, with its staff and location from the role table: PROV_OK, or
 * PROV_UPSTREAM. */
prov_status_t halaxy_appointment_of(halaxy_t *h, json_object *resource, bk_appointment_t *a);

/** Writes one JSON log line on stderr naming the tenant, the provider and what happened (no PHI, no secret). */
void halaxy_log(const halaxy_t *h, const char *level, const char *msg, const char *detail);

/* ---- Bundle paging (halaxy_paging.c) --------------------------------------------------------------------------- */

/** Receives each resource of each page (borrowed); returns PROV_OK to go on, else the job fails with it. */
typedef prov_status_t (*hx_each_fn)(void *state, json_object *resource);
/** Called once when the search ended (every page read, the page limit reached, or a failure). */
typedef void (*hx_done_fn)(void *state, prov_status_t status);

/** Reads a search page after page (following link[relation=next], at most max_pages), handing every resource to
 * each. Returns 0 and calls done exactly once later, or -1 (no callback). */
int halaxy_search(halaxy_t *h, prov_env_t *env, const char *url, int max_pages, hx_each_fn each, hx_done_fn done,
                  void *state);

/* ---- practitioner roles (halaxy_catalog.c) -------------------------------------------------------------------- */

/** Receives the outcome of halaxy_roles_ensure. */
typedef void (*hx_roles_cb)(prov_status_t status, void *data);

/** Makes sure the role table is loaded and younger than HX_ROLES_TTL_MS (reading every PractitionerRole when not).
 * Returns 0 and calls cb exactly once later, or -1. */
int halaxy_roles_ensure(halaxy_t *h, prov_env_t *env, hx_roles_cb cb, void *data);

/** The role of a practitioner at a clinic (out: HX_ID_CAP): true when known. */
bool halaxy_role_of(halaxy_t *h, const char *practitioner, const char *organization, char *out);

/** The practitioner and clinic of a role (each HX_ID_CAP): true when known. */
bool halaxy_role_find(halaxy_t *h, const char *role, char *practitioner, char *organization);

/** Fills an appointment's staff and location from its role; false when the role is unknown. */
bool halaxy_appointment_place(halaxy_t *h, bk_appointment_t *a, const char *role);

/* ---- the operations of the ops table (contracts in providers/provider.h) ------------------------------------- */

void *halaxy_create(const char *tenant_id, json_object *settings, const char *config_dir, char *why, size_t why_cap);
void halaxy_destroy(void *instance);
int halaxy_fetch_catalog(void *instance, prov_env_t *env, prov_catalog_cb cb, void *data);
int halaxy_fetch_availability(void *instance, prov_env_t *env, const prov_availability_query_t *q,
                              prov_availability_cb cb, void *data);
int halaxy_find_patients(void *instance, prov_env_t *env, const prov_patient_query_t *q, prov_patients_cb cb,
                         void *data);
int halaxy_create_patient(void *instance, prov_env_t *env, const bk_patient_t *patient, prov_patient_cb cb,
                          void *data);
int halaxy_list_appointments(void *instance, prov_env_t *env, const char *patient_id, int64_t from,
                             prov_appointments_cb cb, void *data);
int halaxy_create_appointment(void *instance, prov_env_t *env, const bk_appointment_t *a, prov_appointment_cb cb,
                              void *data);
int halaxy_probe_conflicts(void *instance, prov_env_t *env, const char *appointment_id, prov_conflict_cb cb,
                           void *data);
int halaxy_cancel_appointment(void *instance, prov_env_t *env, const char *appointment_id, const char *reason,
                              prov_appointment_cb cb, void *data);
int halaxy_delete_appointment(void *instance, prov_env_t *env, const char *appointment_id, prov_done_cb cb,
                              void *data);
int halaxy_reschedule_appointment(void *instance, prov_env_t *env, const char *appointment_id, int64_t start,
                                  int64_t end, const char *staff_id, prov_appointment_cb cb, void *data);

#endif
