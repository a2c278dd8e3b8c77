/* providers/practicebetter.c: the `practicebetter` EMR: Practice Better's REST API (https://api.practicebetter.io)
 * behind the provider interface, over the worker's shared HTTP client (providers/http_client.h).
 *
 * No vendor documentation was found: what the adapter relies on comes from third-party clients (research), and
 * where they are silent it takes the safe reading, said where it is taken. One instance per tenant, shared by
 * every worker: its settings are immutable after create; the access token and the rate budget live in Redis so
 * that every worker of every process shares them (5 requests a second, bursts of 20, is the account's limit,
 * not one process's); the process's copy of the token sits behind a mutex.
 *
 * Capabilities, declared honestly: phone search (Practice Better has no client filter at all, so every lookup
 * reads a bounded number of client pages and matches phone, e-mail or name and date of birth here, cached in
 * Redis briefly); native reschedule (PUT sessions/{id}/date, which refuses a taken time); no native hold (a
 * session created without markConfirmed may or may not block its time: unknown, so Frontdesk's own holds apply)
 * and no conflict probe: Practice Better refuses a session that clashes with another (research: an error whose
 * text speaks of a slot, unavailable or a conflict, answered PROV_CONFLICT), and Frontdesk's holds keep its own
 * callers apart. No cancel reason is required (the reason goes in the cancel's notes).
 *
 * The adapter, one concern per file (practicebetter_internal.h is what they share):
 *   practicebetter.c               this ops table, and the answers given from the instance alone
 *   practicebetter_settings.c      create/destroy: provider_settings checked and turned into an instance
 *   practicebetter_token.c         the OAuth2 client-credentials token, shared through Redis
 *   practicebetter_request.c       one call: the shared rate bucket, the token, the status of the answer
 *   practicebetter_paging.c        a whole list: limit / before_id / hasMore
 *   practicebetter_catalog.c       fetch_catalog: team members, with the configured location and services
 *   practicebetter_availability.c  fetch_availability
 *   practicebetter_clients.c       find_patients (local matching over cached pages), create_patient
 *   practicebetter_sessions.c      list, create, cancel, reschedule
 *   practicebetter_decode.c        the pure decoders, error classification and local wall times */
#include <string.h>

#include "providers/practicebetter_internal.h"

static int pb_knows_location(void *instance, const char *location_id)
{
    pb_t *p = instance;
    return strcmp(p->location.id, location_id) == 0;
}

static int pb_retry_after_seconds(void *instance)
{
    pb_t *p = instance;
    pthread_mutex_lock(&p->mu);
    int64_t ms = p->blocked_until - tz_now();
    pthread_mutex_unlock(&p->mu);
    return ms <= 0 ? 0 : (int)((ms + 999) / 1000);
}

const prov_ops_t prov_practicebetter_ops = {
    .name = "practicebetter",
    .capabilities = PROV_CAP_PHONE_SEARCH | PROV_CAP_NATIVE_RESCHEDULE,
    .create = pb_create,
    .destroy = pb_destroy,
    .knows_location = pb_knows_location,
    .retry_after_seconds = pb_retry_after_seconds,
    .policy_defaults = NULL,
    .on_store_connected = NULL,
    .fetch_catalog = pb_fetch_catalog,
    .fetch_availability = pb_fetch_availability,
    .find_patients = pb_find_patients,
    .create_patient = pb_create_patient,
    .list_appointments = pb_list_appointments,
    .create_appointment = pb_create_appointment,
    .cancel_appointment = pb_cancel_appointment,
    .reschedule_appointment = pb_reschedule_appointment,
    .probe_conflicts = NULL,
    .delete_appointment = NULL,
};
