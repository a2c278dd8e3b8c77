/* providers/cliniko_internal.h: what the files of the Cliniko adapter share, and nothing outside the adapter
 * includes: the instance, the request helpers (cliniko_request.c), the paged-job engine (cliniko_paging.c)
 * and the operations the ops table (cliniko.c) points to. The file map is at the top of cliniko.c. */
#ifndef FD_PROVIDERS_CLINIKO_INTERNAL_H
#define FD_PROVIDERS_CLINIKO_INTERNAL_H

#include <json.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "providers/cliniko_decode.h"
#include "providers/credential_log.h"
#include "providers/http_client.h"
#include "providers/provider.h"
#include "tz/tz.h"
#include "tz/tz_names.h"

#define URL_CAP PROV_CLINIKO_URL_CAP

/** One tenant's Cliniko account, shared by every worker (see cliniko.c). */
typedef struct cliniko {
    char *tenant_id;
    char base_url[512];
    char *auth_header; /* "Authorization: Basic ..." (the key: zeroed on destroy) */
    char *ua_header;
    char credential[40]; /* "cliniko:<hash of the key>": one budget per Cliniko user, whatever the tenant */
    prov_http_bucket_t *bucket;
    bk_strings_t business_ids; /* empty = every business */
    int timeout_ms, connect_timeout_ms, max_in_flight;
    pthread_mutex_t mu;
    char account_tz[TZ_NAME_ID_CAP]; /* IANA, "" until /settings was read */
    char country[3];
    prov_credential_log_t refused_logged; /* when Cliniko's last 401/403 was logged */
} cliniko_t;

/** Makes room for one more element of a growing array `arr` of n used and cap allocated: 0, or -1 when out of
 * memory (arr unchanged). The caller declares `void *tmp_grow;`. */
#define GROW(arr, n, cap)                                                                                              \
    ((n) < (cap) ? 0                                                                                                   \
                 : ((cap) = (cap) ? (cap) * 2 : 16,                                                                      \
                    (tmp_grow = realloc((arr), (cap) * sizeof(*(arr)))) == NULL ? -1 : ((arr) = tmp_grow, 0)))

/* ---- one request (cliniko_request.c) ------------------------------------------------------------------------ */

/** Sends one request with the instance's key, user agent, rate bucket and timeouts; body (may be NULL) is JSON.
 * Returns 0 and cb is called exactly once later, or -1 (no callback). */
int cliniko_send(cliniko_t *c, prov_env_t *env, const char *method, const char *url, const char *body, bool idempotent,
                 prov_http_cb cb, void *data);

/** The provider status of an HTTP outcome. `record`: a 404 means the record does not exist. */
prov_status_t cliniko_status(cliniko_t *c, const prov_http_response_t *r, bool record);

/** Writes base_url + the formatted path into out (URL_CAP bytes): false when it does not fit. */
bool cliniko_url(char *out, const cliniko_t *c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** Appends the list filter "&q[]=<field>:=<value>" (escaped) to url (URL_CAP bytes): false when it does not fit. */
bool cliniko_add_filter(char *url, const char *field, const char *value);

/** Appends the list filter "&q[]=<q>" (escaped) to url (URL_CAP bytes): false when it does not fit. */
bool cliniko_add_query(char *url, const char *q);

/** Writes t as Cliniko wants it: "2026-04-18T13:59:59Z" (UTC, whole seconds). */
void cliniko_format_time(int64_t t, char out[TZ_ISO_CAP]);

/** Runs fn(arg) on the next loop iteration, for answers known without asking Cliniko: 0, or -1 (not run). */
int cliniko_defer(uv_loop_t *loop, void (*fn)(void *), void *arg);

/** True when id is a bare Cliniko ID, safe in a URL path. */
bool cliniko_valid_id(const char *id);

/** The serialized JSON of o (o is put either way), or NULL when out of memory. The caller frees it. */
char *cliniko_json_body(json_object *o);

/** Adds key: v to o when v is not NULL. */
void cliniko_json_add(json_object *o, const char *key, const char *v);

/** An operation that is a single request (or a request and its read-back): its callback and what it needs. */
typedef struct call {
    cliniko_t *c;
    prov_env_t env;
    union {
        prov_patient_cb patient;
        prov_appointment_cb appointment;
        prov_conflict_cb conflict;
        prov_done_cb done;
    } cb;
    void *data;
    bk_patient_t patient; /* create_patient: what was asked */
    char id[PROV_CLINIKO_ID_CAP];
} call_t;

/** A zeroed call record for one operation, or NULL when out of memory; freed with cliniko_call_free. */
call_t *cliniko_call_new(cliniko_t *c, prov_env_t *env, void *data);
void cliniko_call_free(call_t *k);

/* ---- paged jobs (cliniko_paging.c) -------------------------------------------------------------------------- */

typedef struct job job_t;

/** One GET of a job. */
typedef struct task {
    int kind;     /* the operation's own tag (which list this is) */
    size_t index; /* which business/practitioner/type/window the task is about */
    int page;
    char *url;
} task_t;

/** Handles one successful answer (HTTP 2xx); returns 0, or a provider status to fail the job with. */
typedef prov_status_t (*job_page_fn)(job_t *j, const task_t *t, const prov_http_response_t *r);
/** Called once every task has been answered (or the job failed): may add tasks, else the job ends. */
typedef void (*job_drained_fn)(job_t *j);

struct job {
    cliniko_t *c;
    prov_env_t env;
    job_page_fn on_page;
    job_drained_fn on_drained;
    prov_status_t status;
    task_t *tasks;
    size_t task_count, task_cap, next_task, tasks_total;
    int in_flight;
    bool record_404;         /* a 404 means "not found" (else upstream) */
    bool empty_404_rejected; /* a 404 with an empty body means "not bookable online" */
    void *state;             /* the operation's own data */
};

/** A job with no tasks yet, or NULL when out of memory. state is the operation's, not freed by the job. */
job_t *cliniko_job_new(cliniko_t *c, prov_env_t *env, job_page_fn on_page, job_drained_fn on_drained, void *state);

/** Queues a GET: 0, or -1 when out of memory or past the job's page/task limits. */
int cliniko_job_add(job_t *j, int kind, size_t index, int page, const char *url);

/** Sends the first tasks of a job: 0 when at least one request is out (the job then ends through on_drained),
 * or -1 when none could be sent (no callback; the caller frees the job and its state). */
int cliniko_job_start(job_t *j);

/** Sends queued tasks up to the parallel limit; calls on_drained when nothing is queued or in flight. */
void cliniko_job_pump(job_t *j);

/** Frees the job and its task list (not its state). */
void cliniko_job_free(job_t *j);

/** Queues the next page of a list when the answer has links.next: PROV_OK, or PROV_UPSTREAM (bad link, or too
 * many pages). */
prov_status_t cliniko_follow_next(job_t *j, const task_t *t, const prov_cliniko_page_t *page);

/* ---- the operations of the ops table (one file per concern; contracts in providers/provider.h) -------------- */

void *cliniko_create(const char *tenant_id, json_object *settings, const char *config_dir, char *why, size_t why_cap);
void cliniko_destroy(void *instance);
int cliniko_fetch_catalog(void *instance, prov_env_t *env, prov_catalog_cb cb, void *data);
int cliniko_fetch_availability(void *instance, prov_env_t *env, const prov_availability_query_t *q,
                               prov_availability_cb cb, void *data);
int cliniko_find_patients(void *instance, prov_env_t *env, const prov_patient_query_t *q, prov_patients_cb cb,
                          void *data);
int cliniko_create_patient(void *instance, prov_env_t *env, const bk_patient_t *patient, prov_patient_cb cb,
                           void *data);
int cliniko_list_appointments(void *instance, prov_env_t *env, const char *patient_id, int64_t from,
                              prov_appointments_cb cb, void *data);
int cliniko_create_appointment(void *instance, prov_env_t *env, const bk_appointment_t *a, prov_appointment_cb cb,
                               void *data);
int cliniko_cancel_appointment(void *instance, prov_env_t *env, const char *appointment_id, const char *reason,
                               prov_appointment_cb cb, void *data);
int cliniko_reschedule_appointment(void *instance, prov_env_t *env, const char *appointment_id, int64_t start,
                                   int64_t end, const char *staff_id, prov_appointment_cb cb, void *data);
int cliniko_probe_conflicts(void *instance, prov_env_t *env, const char *appointment_id, prov_conflict_cb cb,
                            void *data);
int cliniko_delete_appointment(void *instance, prov_env_t *env, const char *appointment_id, prov_done_cb cb,
                               void *data);

#endif
