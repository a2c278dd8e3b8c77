/* providers/nookal_internal.h: what the files of the Nookal adapter share, and nothing outside the adapter
 * includes: the instance, one RPC call (nookal_request.c), the paged-call engine (nookal_paging.c), the
 * locations' zones (nookal_catalog.c), the appointment index (nookal_index.c) and the operations the ops
 * table (nookal.c) points to. The file map is at the top of nookal.c. */
#ifndef FD_PROVIDERS_NOOKAL_INTERNAL_H
#define FD_PROVIDERS_NOOKAL_INTERNAL_H

#include <json.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "providers/credential_log.h"
#include "providers/http_client.h"
#include "providers/nookal_decode.h"
#include "providers/provider.h"
#include "tz/tz.h"
#include "tz/tz_names.h"

#define NOOKAL_URL_CAP       640
#define NOOKAL_FORM_CAP      4096
#define NOOKAL_MAX_LOCATIONS 64

/** One location's zone, learnt from getLocations. */
typedef struct nookal_zone {
    char location_id[PROV_NOOKAL_ID_CAP];
    char zone[TZ_NAME_ID_CAP];
} nookal_zone_t;

/** One tenant's Nookal account, shared by every worker (see nookal.c). */
typedef struct nookal {
    char *tenant_id;
    char base_url[512];  /* ".../production/v2", no trailing '/' */
    char *key_form;      /* "api_key=<escaped key>" (zeroed on destroy; never logged) */
    char credential[40]; /* "nookal:<hash of the key>": one budget per key */
    prov_http_bucket_t *bucket;
    bk_strings_t location_ids; /* empty = every location */
    char currency[4];
    int timeout_ms, connect_timeout_ms, max_in_flight, page_length;
    prov_credential_log_t key_refused_logged; /* when the refused-key line was last written */
    pthread_mutex_t mu;                       /* guards what follows */
    nookal_zone_t zones[NOOKAL_MAX_LOCATIONS];
    size_t zone_count; /* 0 until getLocations was read */
} nookal_t;

/* ---- one RPC call (nookal_request.c) ---------------------------------------------------------------------- */

/** Form parameters of a call: name/value pairs, values escaped by the sender; a NULL value is skipped. */
typedef struct nookal_param {
    const char *name, *value;
} nookal_param_t;

/** How a call ended: the provider status, and on PROV_OK the decoded envelope (borrowed during the callback). */
typedef void (*nookal_cb)(prov_status_t status, const prov_nookal_reply_t *reply, void *data);

/** Calls the RPC `method` with the key and params[0..n) as a form body (POST, as Nookal's SDK does). `record`:
 * a "not found" failure means the asked record does not exist. `read`: the call changes nothing (retried on
 * connection errors and 5xx). A write whose answer never arrived (timeout, dropped connection) ends as
 * PROV_TIMEOUT: it may have been committed. A refused key writes one log line (tenant and provider, no key).
 * Returns 0 and cb is called exactly once later, or -1 (no callback). */
int nookal_call(nookal_t *n, prov_env_t *env, const char *method, const nookal_param_t *params, size_t count,
                bool record, bool read, nookal_cb cb, void *data);

/** Runs fn(arg) on the next loop iteration, for answers known without asking Nookal: 0, or -1 (not run). */
int nookal_defer(uv_loop_t *loop, void (*fn)(void *), void *arg);

/** True when id is a bare Nookal ID ([A-Za-z0-9_-]{1,63}). */
bool nookal_valid_id(const char *id);

/* ---- paged calls (nookal_paging.c) ------------------------------------------------------------------------ */

/** Receives each successful page (borrowed); returns PROV_OK to go on, or a status that ends the list. */
typedef prov_status_t (*nookal_page_fn)(const prov_nookal_reply_t *reply, void *data);
/** Called once when the list ended: PROV_OK after the last page, else the first failure. */
typedef void (*nookal_list_done_fn)(prov_status_t status, void *data);

/** Reads every page of a list method: page=1.. with page_length, following settings.nextPage (at most
 * NOOKAL_MAX_PAGES pages). params are copied. Returns 0 and done is called exactly once later, or -1. */
int nookal_list(nookal_t *n, prov_env_t *env, const char *method, const nookal_param_t *params, size_t count,
                bool record, nookal_page_fn on_page, nookal_list_done_fn done, void *data);

#define NOOKAL_MAX_PAGES 50

/* ---- the locations' zones (nookal_catalog.c) -------------------------------------------------------------- */

/** The IANA zone of a location into out: true when known (getLocations was read). */
bool nookal_zone_of(nookal_t *n, const char *location_id, char out[TZ_NAME_ID_CAP]);

/** Records the zones of the locations just read. */
void nookal_zones_learn(nookal_t *n, const bk_location_t *locations, size_t count);

/** Returns 1 when the locations' zones are known (fn is not called: go on now); else reads getLocations and
 * returns 0, fn(PROV_OK or the failure) being called exactly once later; or -1 (fn never called). */
int nookal_with_zones(nookal_t *n, prov_env_t *env, void (*fn)(prov_status_t status, void *data), void *data);

/* ---- the appointment index (nookal_index.c) --------------------------------------------------------------- */

/** What Frontdesk knows of an appointment it wrote or listed: Nookal's cancel needs the patient, and the
 * conflict probe the practitioner, location and times, none of which our interface passes with the id. */
typedef struct nookal_appt_ref {
    char patient_id[PROV_NOOKAL_ID_CAP], staff_id[PROV_NOOKAL_ID_CAP], location_id[PROV_NOOKAL_ID_CAP];
    int64_t start, end;
} nookal_appt_ref_t;

/** Stores the reference of appointment a in the tenant's Redis (fire and forget; kept 400 days). */
void nookal_index_put(nookal_t *n, prov_env_t *env, const bk_appointment_t *a);

/** Looks appointment_id up; cb gets found=false when it is unknown (or Redis could not answer: *ok false).
 * Returns 0 and cb is called exactly once later, or -1. */
typedef void (*nookal_index_cb)(bool ok, bool found, const nookal_appt_ref_t *ref, void *data);
int nookal_index_get(nookal_t *n, prov_env_t *env, const char *appointment_id, nookal_index_cb cb, void *data);

/* ---- the operations of the ops table (contracts in providers/provider.h) ---------------------------------- */

void *nookal_create(const char *tenant_id, json_object *settings, const char *config_dir, char *why, size_t why_cap);
void nookal_destroy(void *instance);
int nookal_fetch_catalog(void *instance, prov_env_t *env, prov_catalog_cb cb, void *data);
int nookal_fetch_availability(void *instance, prov_env_t *env, const prov_availability_query_t *q,
                              prov_availability_cb cb, void *data);
int nookal_find_patients(void *instance, prov_env_t *env, const prov_patient_query_t *q, prov_patients_cb cb,
                         void *data);
int nookal_create_patient(void *instance, prov_env_t *env, const bk_patient_t *patient, prov_patient_cb cb, void *data);
int nookal_list_appointments(void *instance, prov_env_t *env, const char *patient_id, int64_t from,
                             prov_appointments_cb cb, void *data);
int nookal_create_appointment(void *instance, prov_env_t *env, const bk_appointment_t *a, prov_appointment_cb cb,
                              void *data);
int nookal_cancel_appointment(void *instance, prov_env_t *env, const char *appointment_id, const char *reason,
                              prov_appointment_cb cb, void *data);
int nookal_probe_conflicts(void *instance, prov_env_t *env, const char *appointment_id, prov_conflict_cb cb,
                           void *data);
int nookal_delete_appointment(void *instance, prov_env_t *env, const char *appointment_id, prov_done_cb cb, void *data);

#endif
