/* providers/nookal.c: the `nookal` EMR: Nookal's v2 RPC API (https://api.nookal.com/production/v2/<method>)
 * behind the provider interface, over the worker's shared HTTP client (providers/http_client.h).
 *
 * One instance per tenant, shared by every worker: its settings are immutable after create, its rate bucket
 * is thread-safe, and the locations' zones learnt from getLocations sit behind a mutex. Every call is a form
 * POST with the api_key in the body (never in a URL, never logged); every answer is an envelope whose
 * "status" decides, not the HTTP code. Times cross the wire as a local date and time in the location's zone
 * (nookal_decode.c: a nonexistent local time is never offered or written, a repeated one is always its first
 * occurrence).
 *
 * What Nookal does natively, declared honestly in the capabilities: no hold (Frontdesk's own holds apply), no
 * phone search (patients are found by email or name, phones compared here), no cancel reason. Reschedule is
 * not declared native: rebookAppointment's parameters are only known from a modelled spec, so booking moves an
 * appointment with the two calls Nookal's own SDK shows (addAppointmentBooking, then cancelAppointment). The
 * conflict probe is declared: getAppointments lists a practitioner's appointments of a day, so a booking is
 * checked after it is written (allow_overlap_bookings is never sent) and rolled back by cancelling it.
 *
 * The adapter, one concern per file (nookal_internal.h is what they share):
 *   nookal.c               this ops table, and the answers given from the instance alone
 *   nookal_settings.c      create/destroy: provider_settings checked and turned into an instance
 *   nookal_request.c       one RPC call: form body, envelope, status mapping, the refused-key log line
 *   nookal_paging.c        a whole list: page / page_length / settings.nextPage
 *   nookal_catalog.c       fetch_catalog, and the locations' zones
 *   nookal_availability.c  fetch_availability (free periods split into openings)
 *   nookal_patients.c      find_patients, create_patient
 *   nookal_index.c         what Frontdesk remembers of an appointment (its patient, practitioner, times)
 *   nookal_appointments.c  list, create, cancel, probe conflicts, delete (a cancel)
 *   nookal_decode.c        the pure decoders of Nookal's loose JSON and its local times */
#include "providers/nookal_internal.h"

static int nookal_knows_location(void *instance, const char *location_id)
{
    nookal_t *n = instance;
    if (n->location_ids.count > 0 && !bk_strings_contains(&n->location_ids, location_id)) return 0;
    return -1; /* Nookal must be asked */
}

/* Nookal documents no rate limit; a 429 (our reading of how it would say so) blocks the key's bucket until
 * its Retry-After, which is what the caller is told. */
static int nookal_retry_after_seconds(void *instance)
{
    nookal_t *n = instance;
    int64_t ms = prov_http_bucket_wait_ms(n->bucket);
    return ms <= 0 ? 0 : (int)((ms + 999) / 1000);
}

const prov_ops_t prov_nookal_ops = {
    .name = "nookal",
    .capabilities = PROV_CAP_CONFLICT_PROBE,
    .create = nookal_create,
    .destroy = nookal_destroy,
    .knows_location = nookal_knows_location,
    .retry_after_seconds = nookal_retry_after_seconds,
    .policy_defaults = NULL,
    .on_store_connected = NULL,
    .fetch_catalog = nookal_fetch_catalog,
    .fetch_availability = nookal_fetch_availability,
    .find_patients = nookal_find_patients,
    .create_patient = nookal_create_patient,
    .list_appointments = nookal_list_appointments,
    .create_appointment = nookal_create_appointment,
    .cancel_appointment = nookal_cancel_appointment,
    .reschedule_appointment = NULL,
    .probe_conflicts = nookal_probe_conflicts,
    .delete_appointment = nookal_delete_appointment,
};
