/* booking/events.h: the events Frontdesk sends out (docs/events.md), a tenant's webhook endpoints, and how an
 * event is recorded: in the same Redis transaction (MULTI/EXEC) as the record of the change it reports, so a
 * change Frontdesk recorded always has its event and a change that failed never has one.
 *
 * Each endpoint has its own Redis stream fd:{t}:wh:<endpoint>; an event is added to the stream of every endpoint
 * that wants its type, and its stream id is appended to fd:{t}:wh:<endpoint>:order:<key>, the delivery order of
 * its patient (or, without one, its appointment). booking/event_delivery.h delivers them. */
#ifndef FD_BOOKING_EVENTS_H
#define FD_BOOKING_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "booking/catalog_cache.h"
#include "core/model.h"

typedef enum bk_event_type {
    BK_EVENT_APPT_CREATED = 0,     /* an appointment was booked */
    BK_EVENT_APPT_REQUESTED,       /* a booking request for an EMR that cannot be written (booking/requests.h) */
    BK_EVENT_APPT_RESCHEDULED,     /* an appointment moved to another time (or practitioner, or location) */
    BK_EVENT_APPT_CANCELLED,       /* an appointment was cancelled */
    BK_EVENT_APPT_REQUEST_EXPIRED, /* a booking request nobody confirmed in time */
    BK_EVENT_PATIENT_CREATED,      /* a patient was created by lookup-create-patient or /voice/book */
    BK_EVENT_PATIENT_UPDATED,      /* a patient's details changed (nothing changes patients yet) */
    BK_EVENT_APPT_REQUEST_DECLINED, /* the clinic declined a booking request */
    BK_EVENT__COUNT
} bk_event_type_t;

#define BK_EVENT_ID_LEN          28 /* "evt_" + 24 lower-case hex */
#define BK_WEBHOOK_MAX_ENDPOINTS 8  /* per tenant */
#define BK_WEBHOOK_MAX_SECRETS   2  /* two are valid at once while a secret is rotated */
#define BK_WEBHOOK_SECRET_MAX    64 /* bytes of a decoded secret */
#define BK_WEBHOOK_ID_MAX        32 /* an endpoint id: letters, digits, '-' and '_' */

/** One webhook endpoint of a tenant (config "webhooks.endpoints[]"). Immutable after start. */
typedef struct bk_webhook_endpoint {
    char *id, *url;
    unsigned char secrets[BK_WEBHOOK_MAX_SECRETS][BK_WEBHOOK_SECRET_MAX];
    size_t secret_lens[BK_WEBHOOK_MAX_SECRETS];
    int secret_count;
    unsigned events;          /* bit (1u << bk_event_type_t) per wanted type */
    bool allow_private;       /* may reach loopback, private and link-local addresses */
    int retry_window_seconds; /* how long a failing event is retried before it is dead (default 86400) */
    int max_connections;      /* deliveries at once to this endpoint, per process (default 4) */
} bk_webhook_endpoint_t;

/** A tenant's endpoints (bk_tenant_t.webhooks; NULL when it has none). */
typedef struct bk_webhooks {
    bk_webhook_endpoint_t *endpoints;
    size_t count;
} bk_webhooks_t;

/** "appointment.created", ... */
const char *bk_event_type_name(bk_event_type_t type);

/** The type named `name`, or -1. */
int bk_event_type_parse(const char *name);

/** Frees a tenant's endpoints. NULL is fine. */
void bk_webhooks_free(bk_webhooks_t *webhooks);

/** What an event reports. Strings are borrowed for the call. */
typedef struct bk_event {
    bk_event_type_t type;
    const bk_appointment_t *appointment; /* appointment events */
    const char *time_zone;               /* the appointment's location zone (NULL: UTC) */
    const bk_appointment_t *previous;    /* rescheduled: the appointment as it was */
    const char *previous_time_zone;
    const char *reason;          /* cancelled, request_declined: the reason given, or NULL */
    const char *request_id;      /* events of a booking request: its id (booking/requests.h), or NULL */
    int64_t request_expires;     /* with request_id: when it expires unanswered (UTC ms), or 0 */
    const bk_patient_t *patient; /* patient events: the patient (contact fields only are sent) */
    const bk_catalog_t *catalog; /* names of practitioner, treatment and location; may be NULL */
} bk_event_t;

/** Receives the tenant's catalog (borrowed during the call; NULL when unknown) for the names in an event. */
typedef void (*bk_events_catalog_cb)(const bk_catalog_t *catalog, void *data);

/** Calls `then` exactly once with the catalog an event of `type` names things from: at once with NULL when no
 * endpoint of the tenant wants that type or the catalog cannot be read now, at once with the catalog this worker
 * last parsed (bk_catalog_peek) when it has one, else once it is read. */
void bk_events_with_catalog(bk_env_t *env, const bk_tenant_t *tenant, bk_event_type_t type, bk_events_catalog_cb then,
                            void *data);

/** When an endpoint of the tenant wants `type`, starts a transaction on the worker's Redis connection (MULTI) and
 * returns true: the record writes of the change and its event that follow, up to bk_events_commit, are applied by
 * Redis all at once or not at all. Call both in the same loop turn, with no other command of this connection in
 * between. Returns false (nothing begun) when no endpoint wants the type or Redis is not connected. */
bool bk_events_begin(bk_env_t *env, const bk_tenant_t *tenant, bk_event_type_t type);

/** Ends the transaction begun by bk_events_begin (EXEC). */
void bk_events_commit(bk_env_t *env);

/** Adds the event to the stream of every endpoint of the tenant that wants its type (nothing when none does),
 * with a new id, the time now and the payload of docs/events.md; the patient's contact fields come from the
 * contact card (bk_events_remember_contact) as Redis holds it when the transaction runs. Fire and forget; inside
 * bk_events_begin / bk_events_commit. Returns 0, or -1 (no randomness, out of memory, not connected). */
int bk_events_add(bk_env_t *env, const bk_tenant_t *tenant, const bk_event_t *event);

/** Keeps the patient's contact fields (names, phone, e-mail; never the date of birth) in fd:{t}:contact:<id> for
 * 90 days, where the events of the patient's appointments read them. Fire and forget. */
void bk_events_remember_contact(bk_env_t *env, const bk_tenant_t *tenant, const bk_patient_t *patient);

/** True when some endpoint of the tenant wants this type. */
bool bk_events_wanted(const bk_tenant_t *tenant, bk_event_type_t type);

#endif
