/* providers/provider.h: the one interface every EMR fits behind. An EMR is one ops table (its adapter split one
 * file per concern: settings, requests, paging, operations; see cliniko.c), plus one line in
 * providers/registry.c. Providers speak the normalized model (core/model.h), may use store/, core/ and tz/, and
 * never include server/, voice/ or booking/ headers (scripts/check-layers.py). */
#ifndef FD_PROVIDERS_PROVIDER_H
#define FD_PROVIDERS_PROVIDER_H

#include <json.h>
#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "core/model.h"
#include "store/store.h"

/** Per-worker resources a provider may use: the worker's loop and its Redis store. */
struct prov_http;

typedef struct prov_env {
    uv_loop_t *loop;
    store_t *store;
    struct prov_http *http; /* the worker's asynchronous HTTP client (providers/http_client.h) */
} prov_env_t;

/** How a provider call ended. */
typedef enum prov_status {
    PROV_OK = 0,
    PROV_UNAVAILABLE, /* a dependency (Redis, the EMR) cannot be reached now: 503 */
    PROV_UPSTREAM,    /* the EMR answered with an error or garbage: 502 */
    PROV_TIMEOUT,     /* the EMR did not answer in time: 504 */
    PROV_NOT_FOUND,   /* the record does not exist in the EMR: 404 */
    PROV_REJECTED,    /* the EMR refused the request as asked (e.g. not bookable online): 422 */
    PROV_CONFLICT,    /* the slot is taken, or the record is in a state that forbids the change: 409 */
    PROV_RATE_LIMITED, /* the EMR's rate limit is exhausted beyond the deadline: 503 with Retry-After */
} prov_status_t;

/** Capability bits: what an EMR can do natively. */
enum {
    PROV_CAP_NATIVE_HOLD = 1u << 0,
    PROV_CAP_PHONE_SEARCH = 1u << 1,
    PROV_CAP_NATIVE_RESCHEDULE = 1u << 2,
    PROV_CAP_CANCEL_REASON_REQUIRED = 1u << 3,
    PROV_CAP_CONFLICT_PROBE = 1u << 4,
    PROV_CAP_NO_WRITE = 1u << 8, /* the EMR cannot write appointments: booking records booking requests instead */
};

/** Receives a catalog (ownership passes to the callee; NULL unless status is PROV_OK). */
typedef void (*prov_catalog_cb)(prov_status_t status, bk_catalog_t *catalog, void *data);

/** One bookable opening an EMR offers: the treatment can run [start, end) (UTC ms). */
typedef struct prov_opening {
    int64_t start, end;
} prov_opening_t;

/** Availability asked of an EMR: one practitioner, treatment and location over `days` consecutive local dates
 * starting at year-month-day in the location's zone. */
typedef struct prov_availability_query {
    const char *staff_id, *treatment_id, *location_id;
    int duration_minutes; /* the treatment's duration from the catalog */
    const char *time_zone; /* the location's IANA zone */
    int year, month, day;
    int days; /* 1..31 */
} prov_availability_query_t;

/** Receives the openings (sorted by start; borrowed during the callback) of every asked date. Openings are
 * what the EMR offers: the booking layer still applies minimum notice, horizon and holds. */
typedef void (*prov_availability_cb)(prov_status_t status, const prov_opening_t *openings, size_t count, void *data);

/** What to look a patient up by; NULL fields are not used. phone is E.164, email lower-case, dob YYYY-MM-DD. */
typedef struct prov_patient_query {
    const char *phone, *email, *first_name, *last_name, *dob;
} prov_patient_query_t;

/** Receives patients (borrowed during the callback). */
typedef void (*prov_patients_cb)(prov_status_t status, const bk_patient_t *patients, size_t count, void *data);

/** Receives one patient (borrowed during the callback; NULL unless PROV_OK). */
typedef void (*prov_patient_cb)(prov_status_t status, const bk_patient_t *patient, void *data);

/** Receives appointments (borrowed during the callback). */
typedef void (*prov_appointments_cb)(prov_status_t status, const bk_appointment_t *appointments, size_t count,
                                     void *data);

/** Receives one appointment (borrowed during the callback; NULL unless PROV_OK). */
typedef void (*prov_appointment_cb)(prov_status_t status, const bk_appointment_t *appointment, void *data);

/** Receives the verdict of a conflict probe: conflict is true when another booking overlaps. */
typedef void (*prov_conflict_cb)(prov_status_t status, bool conflict, void *data);

/** Receives the end of an operation that answers nothing but success or failure. */
typedef void (*prov_done_cb)(prov_status_t status, void *data);

/** A hold asked of an EMR that holds time natively (PROV_CAP_NATIVE_HOLD): [start, end) (UTC ms) of one
 * practitioner, treatment and location until `expires` (UTC ms, when Frontdesk's own hold of it ends; the EMR
 * drops an unreleased hold then by itself). `key` is the idempotency key: asking again with it answers the same
 * hold. */
typedef struct prov_hold_request {
    const char *staff_id, *treatment_id, *location_id, *key;
    int64_t start, end, expires;
} prov_hold_request_t;

/** Receives the EMR's id of a new hold (borrowed during the callback; NULL unless PROV_OK). PROV_CONFLICT: the
 * time is taken (booked or held by someone else). */
typedef void (*prov_hold_cb)(prov_status_t status, const char *hold_id, void *data);

/* Every operation below returns 0 and calls its callback exactly once later, or returns -1 and never calls it.
 * An operation a provider cannot do is NULL. */
typedef struct prov_ops {
    const char *name;
    unsigned capabilities; /* what every instance can do; see live_capabilities */

    /** What this instance's EMR says it can do, when that is learnt at run time (the bridge asks its server):
     * the bits known now, or `capabilities` until they are. Thread-safe, never blocks. May be NULL (then
     * `capabilities` is the whole truth). Callers use prov_capabilities(). */
    unsigned (*live_capabilities)(void *instance);

    /** Creates the provider state of one tenant from its "provider_settings" (may be NULL), synchronously at
     * start, before any thread runs. config_dir resolves relative paths. Returns NULL with a reason in why
     * (naming the field under provider_settings) when the settings are unusable. */
    void *(*create)(const char *tenant_id, json_object *settings, const char *config_dir, char *why, size_t why_cap);

    /** Frees the state made by create. */
    void (*destroy)(void *instance);

    /** 1 when the clinic has a location with this id, 0 when it has not, -1 when that cannot be known before
     * the EMR is asked. Called at start to check the tenant's location settings. */
    int (*knows_location)(void *instance, const char *location_id);

    /** Lets the EMR's own booking settings replace the built-in policy defaults (the tenant config's "policy"
     * still wins). Called once at start, after create. May be NULL. */
    void (*policy_defaults)(void *instance, bk_tenant_policy_t *policy);

    /** After PROV_RATE_LIMITED: the seconds until the EMR takes this tenant's calls again, as it said (at least
     * 1), or 0 when unknown. May be NULL. */
    int (*retry_after_seconds)(void *instance);

    /** Called on a worker's loop each time its Redis connection is (re)established. May be NULL. */
    void (*on_store_connected)(void *instance, prov_env_t *env);

    /** Fetches the catalog. Returns 0 and calls cb exactly once later, or returns -1 and never calls it. */
    int (*fetch_catalog)(void *instance, prov_env_t *env, prov_catalog_cb cb, void *data);

    /** Fetches the openings of one practitioner x treatment x location over some local dates. */
    int (*fetch_availability)(void *instance, prov_env_t *env, const prov_availability_query_t *query,
                              prov_availability_cb cb, void *data);

    /** Finds patients matching the query (an EMR that cannot search by phone searches by the other fields and
     * compares phones itself). */
    int (*find_patients)(void *instance, prov_env_t *env, const prov_patient_query_t *query, prov_patients_cb cb,
                         void *data);

    /** Creates a patient (id ignored); answers it with its new id. */
    int (*create_patient)(void *instance, prov_env_t *env, const bk_patient_t *patient, prov_patient_cb cb,
                          void *data);

    /** A patient's appointments starting at or after `from` (UTC ms), cancelled ones included. */
    int (*list_appointments)(void *instance, prov_env_t *env, const char *patient_id, int64_t from,
                             prov_appointments_cb cb, void *data);

    /** Creates an appointment (id and state ignored); answers it with its new id. */
    int (*create_appointment)(void *instance, prov_env_t *env, const bk_appointment_t *appointment,
                              prov_appointment_cb cb, void *data);

    /** Cancels an appointment with a reason (free text; adapters map it to the EMR's codes). */
    int (*cancel_appointment)(void *instance, prov_env_t *env, const char *appointment_id, const char *reason,
                              prov_appointment_cb cb, void *data);

    /** Moves an appointment to [start, end) (UTC ms), with another practitioner when staff_id is not NULL. */
    int (*reschedule_appointment)(void *instance, prov_env_t *env, const char *appointment_id, int64_t start,
                                  int64_t end, const char *staff_id, prov_appointment_cb cb, void *data);

    /** Asks the EMR whether an appointment overlaps another (for EMRs that do not stop double bookings). */
    int (*probe_conflicts)(void *instance, prov_env_t *env, const char *appointment_id, prov_conflict_cb cb,
                           void *data);

    /** Holds time in the EMR itself (only when the instance's capabilities have PROV_CAP_NATIVE_HOLD); NULL for
     * an EMR without holds: then Frontdesk's own holds (booking/holds.h) are all there is. */
    int (*hold_time)(void *instance, prov_env_t *env, const prov_hold_request_t *request, prov_hold_cb cb,
                     void *data);

    /** Releases a hold made by hold_time before it expires. NULL exactly when hold_time is. */
    int (*release_hold)(void *instance, prov_env_t *env, const char *hold_id, prov_done_cb cb, void *data);

    /** create_appointment on the time of the EMR's hold `hold_id` (made by hold_time), which the booking
     * consumes. NULL exactly when hold_time is. */
    int (*create_held_appointment)(void *instance, prov_env_t *env, const bk_appointment_t *appointment,
                                   const char *hold_id, prov_appointment_cb cb, void *data);

    /** Removes an appointment that must never have existed (rollback after a conflict), without notices. */
    int (*delete_appointment)(void *instance, prov_env_t *env, const char *appointment_id, prov_done_cb cb,
                              void *data);
} prov_ops_t;

/** The PROV_CAP_* bits of one provider instance: its live capabilities when the provider learns them at run
 * time, else the ops table's. */
static inline unsigned prov_capabilities(const prov_ops_t *ops, void *instance)
{
    return ops->live_capabilities != NULL ? ops->live_capabilities(instance) : ops->capabilities;
}

/** The provider registered under `name` ("sandbox", ...), or NULL. */
const prov_ops_t *prov_find(const char *name);

/** A comma-separated list of the registered provider names, for error messages. */
const char *prov_names(void);

#endif
