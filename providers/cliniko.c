/* providers/cliniko.c: the `cliniko` EMR: Cliniko's REST API (https://api.<shard>.cliniko.com/v1) behind the
 * provider interface, over the worker's shared HTTP client (providers/http_client.h).
 *
 * One instance per tenant, shared by every worker: its settings are immutable after create, its rate bucket
 * is thread-safe, and the account's time zone learnt from /settings sits behind a mutex. Each operation is a
 * small job on the calling worker's loop that issues at most a few requests at once (the fan-out of a
 * catalog or a month of availability stays under the clinic's rate budget), decodes with cliniko_decode.c,
 * and calls back exactly once. Nothing from Cliniko's error bodies is kept or logged; the API key only ever
 * appears inside the Authorization header.
 *
 * The adapter, one concern per file (cliniko_internal.h is what they share):
 *   cliniko.c               this ops table, and the answers given from the instance alone
 *   cliniko_settings.c      create/destroy: provider_settings checked and turned into an instance
 *   cliniko_request.c       one request: headers, status mapping, URLs, bodies, single-request calls
 *   cliniko_paging.c        the paged-job engine (a bounded list of GETs, a few at a time)
 *   cliniko_catalog.c       fetch_catalog
 *   cliniko_availability.c  fetch_availability
 *   cliniko_patients.c      find_patients, create_patient
 *   cliniko_appointments.c  list, create, cancel, reschedule, probe conflicts, delete
 *   cliniko_decode.c        the pure decoders of Cliniko's JSON */
#include "providers/cliniko_internal.h"

static int cliniko_knows_location(void *instance, const char *location_id)
{
    cliniko_t *c = instance;
    if (c->business_ids.count > 0 && !bk_strings_contains(&c->business_ids, location_id)) return 0;
    return -1; /* Cliniko must be asked */
}

/* Cliniko's 429 blocks this credential's bucket until its window resets (X-RateLimit-Reset, Retry-After). */
static int cliniko_retry_after_seconds(void *instance)
{
    cliniko_t *c = instance;
    int64_t ms = prov_http_bucket_wait_ms(c->bucket);
    return ms <= 0 ? 0 : (int)((ms + 999) / 1000);
}

const prov_ops_t prov_cliniko_ops = {
    .name = "cliniko",
    .capabilities = PROV_CAP_NATIVE_RESCHEDULE | PROV_CAP_CANCEL_REASON_REQUIRED | PROV_CAP_CONFLICT_PROBE,
    .create = cliniko_create,
    .destroy = cliniko_destroy,
    .knows_location = cliniko_knows_location,
    .retry_after_seconds = cliniko_retry_after_seconds,
    .policy_defaults = NULL,
    .on_store_connected = NULL,
    .fetch_catalog = cliniko_fetch_catalog,
    .fetch_availability = cliniko_fetch_availability,
    .find_patients = cliniko_find_patients,
    .create_patient = cliniko_create_patient,
    .list_appointments = cliniko_list_appointments,
    .create_appointment = cliniko_create_appointment,
    .cancel_appointment = cliniko_cancel_appointment,
    .reschedule_appointment = cliniko_reschedule_appointment,
    .probe_conflicts = cliniko_probe_conflicts,
    .delete_appointment = cliniko_delete_appointment,
};
