/* providers/bridge_internal.h: what the files of the EMR bridge adapter share, and nothing outside the adapter
 * includes: the instance, one signed call (bridge_request.c), the capabilities cache (bridge_capabilities.c)
 * and the operations the ops table (bridge.c) points to. The file map is at the top of bridge.c. */
#ifndef FD_PROVIDERS_BRIDGE_INTERNAL_H
#define FD_PROVIDERS_BRIDGE_INTERNAL_H

#include <json.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "providers/bridge_decode.h"
#include "providers/credential_log.h"
#include "providers/http_client.h"
#include "providers/provider.h"

#define BRIDGE_URL_CAP 640

/** One tenant's bridge, shared by every worker: settings immutable after create, the rest atomic. */
typedef struct bridge {
    char *tenant_id;
    char base_url[512]; /* no trailing '/' */
    char *secret;       /* the shared HMAC secret (zeroed on destroy; never logged) */
    size_t secret_len;
    char credential[40]; /* "bridge:<hash of the secret>": one in-flight budget per secret */
    int timeout_ms, connect_timeout_ms, max_in_flight;
    prov_credential_log_t secret_refused_logged; /* when the refused-signature line was last written */
    _Atomic int64_t shape_logged;                /* when the bad-shape line was last written */
    _Atomic unsigned caps;                       /* PROV_CAP_* bits, valid once caps_known */
    _Atomic int64_t caps_asked;                  /* when a background question was last sent (UTC ms) */
    atomic_bool caps_known;
} bridge_t;

/* ---- one signed call (bridge_request.c) ------------------------------------------------------------------- */

/** The operations of the contract (openapi/emr-bridge.yaml): each is POST <base_url>/<path> with a JSON body
 * naming it in "operation". */
typedef enum bridge_op {
    BRIDGE_CAPABILITIES,
    BRIDGE_CATALOG,
    BRIDGE_AVAILABILITY,
    BRIDGE_PATIENTS_FIND,
    BRIDGE_PATIENTS_CREATE,
    BRIDGE_APPOINTMENTS_LIST,
    BRIDGE_APPOINTMENTS_CREATE,
    BRIDGE_APPOINTMENTS_CANCEL,
    BRIDGE_APPOINTMENTS_RESCHEDULE,
    BRIDGE_APPOINTMENTS_DELETE,
    BRIDGE_APPOINTMENTS_CONFLICTS,
    BRIDGE_HOLDS_CREATE,
    BRIDGE_HOLDS_RELEASE,
} bridge_op_t;

/** The operation's name in the contract ("appointments.create"). */
const char *bridge_op_name(bridge_op_t op);

/** How a call ended: on PROV_OK the answer's JSON object (borrowed during the callback), else NULL. */
typedef void (*bridge_cb)(prov_status_t status, json_object *answer, void *data);

/** Sends `body` (a JSON object; "operation" is added, the object is not kept) to the operation's path, signed
 * with the tenant's secret. Reads are retried on connection errors and 502/503/504; a write whose answer never
 * arrived ends as PROV_TIMEOUT (it may have been committed). Error envelopes map to statuses (404 not found,
 * 409 conflict, 422 rejected, 429 rate limited, any other 4xx/5xx upstream); a refused signature
 * (401) writes the operator's credential line, an answer that is not a JSON object PROV_UPSTREAM with the
 * bad-shape line. Returns 0 and cb is called exactly once later, or -1 (no callback). */
int bridge_call(bridge_t *b, prov_env_t *env, bridge_op_t op, json_object *body, bridge_cb cb, void *data);

/** The operator's line when an answer does not have the contract's shape (tenant, operation and what was
 * wrong, never the answer itself: it may hold PHI); at most once a minute per tenant. Returns PROV_UPSTREAM. */
prov_status_t bridge_bad_shape(bridge_t *b, bridge_op_t op, const char *what);

/** Runs fn(arg) on the next loop iteration, for answers known without asking the bridge: 0, or -1. */
int bridge_defer(uv_loop_t *loop, void (*fn)(void *), void *arg);

/* ---- capabilities (bridge_capabilities.c) ----------------------------------------------------------------- */

/** The PROV_CAP_* bits the bridge declared, or 0 until they are known (live_capabilities of the ops table). */
unsigned bridge_live_capabilities(void *instance);

/** Starts learning the capabilities in the background when they are not known yet and were not asked for in the
 * last 10 s (on_store_connected, and each call while they are unknown). Never calls back. */
void bridge_learn_capabilities(void *instance, prov_env_t *env);

/** Calls fn(PROV_OK or the failure, data) once the capabilities are known: returns 1 when they are already
 * (fn is not called: go on now), 0 when they are being fetched (fn called exactly once later), -1 on failure
 * (fn never called). */
int bridge_with_capabilities(bridge_t *b, prov_env_t *env, void (*fn)(prov_status_t status, void *data), void *data);

/* ---- the operations of the ops table (contracts in providers/provider.h) ---------------------------------- */

void *bridge_create(const char *tenant_id, json_object *settings, const char *config_dir, char *why, size_t why_cap);
void bridge_destroy(void *instance);
int bridge_fetch_catalog(void *instance, prov_env_t *env, prov_catalog_cb cb, void *data);
int bridge_fetch_availability(void *instance, prov_env_t *env, const prov_availability_query_t *q,
                              prov_availability_cb cb, void *data);
int bridge_find_patients(void *instance, prov_env_t *env, const prov_patient_query_t *q, prov_patients_cb cb,
                         void *data);
int bridge_create_patient(void *instance, prov_env_t *env, const bk_patient_t *patient, prov_patient_cb cb, void *data);
int bridge_list_appointments(void *instance, prov_env_t *env, const char *patient_id, int64_t from,
                             prov_appointments_cb cb, void *data);
int bridge_create_appointment(void *instance, prov_env_t *env, const bk_appointment_t *a, prov_appointment_cb cb,
                              void *data);
int bridge_create_held_appointment(void *instance, prov_env_t *env, const bk_appointment_t *a, const char *hold_id,
                                   prov_appointment_cb cb, void *data);
int bridge_cancel_appointment(void *instance, prov_env_t *env, const char *appointment_id, const char *reason,
                              prov_appointment_cb cb, void *data);
int bridge_reschedule_appointment(void *instance, prov_env_t *env, const char *appointment_id, int64_t start,
                                  int64_t end, const char *staff_id, prov_appointment_cb cb, void *data);
int bridge_probe_conflicts(void *instance, prov_env_t *env, const char *appointment_id, prov_conflict_cb cb,
                           void *data);
int bridge_delete_appointment(void *instance, prov_env_t *env, const char *appointment_id, prov_done_cb cb, void *data);
int bridge_hold_time(void *instance, prov_env_t *env, const prov_hold_request_t *q, prov_hold_cb cb, void *data);
int bridge_release_hold(void *instance, prov_env_t *env, const char *hold_id, prov_done_cb cb, void *data);

/* ---- whose patient records (bridge_own_patients.c, in fd_providers with bridge.c) --------------------------- */

/** find_patients of the ops table: the bridge's patients, and when the bridge cannot write (PROV_CAP_NO_WRITE)
 * and found nobody, Frontdesk's own patient records of the tenant. */
int bridge_own_find_patients(void *instance, prov_env_t *env, const prov_patient_query_t *q, prov_patients_cb cb,
                             void *data);
/** create_patient of the ops table: the bridge's patients.create, or Frontdesk's own record when the bridge
 * cannot write (never sent to it). */
int bridge_own_create_patient(void *instance, prov_env_t *env, const bk_patient_t *patient, prov_patient_cb cb,
                              void *data);
/** list_appointments of the ops table: Frontdesk's own patient's records when the bridge cannot write and the id
 * is one of them, else the bridge's appointments.list. */
int bridge_own_list_appointments(void *instance, prov_env_t *env, const char *patient_id, int64_t from,
                                 prov_appointments_cb cb, void *data);

#endif
