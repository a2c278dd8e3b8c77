/* providers/halaxy.c: the `halaxy` EMR: Halaxy's FHIR R4 API (https://au-api.halaxy.com/main, or eu-api for UK and
 * EU accounts) behind the provider interface, over the worker's shared HTTP client (providers/http_client.h).
 *
 * One instance per tenant, shared by every worker: its settings are immutable after create; the OAuth2 token and
 * the practitioner-role table sit behind its mutex; its rate bucket (500 requests a minute by default, Halaxy's
 * limit, whose 429 and retry-after block the bucket) is thread-safe. Each operation is a small chain of requests on
 * the calling worker's loop and calls back exactly once. Nothing from Halaxy's bodies is logged; the client secret
 * only goes to the token endpoint and tokens only into Authorization headers.
 *
 * What Halaxy does natively (declared in the capabilities): reschedule in place (a merge-patch of start/end). What
 * it does not, or not knowably: a hold ($book has no documented tentative state: Frontdesk's own holds apply), a
 * double-booking guard ($book is assumed to accept overlaps: a conflict probe searches the practitioner role's
 * appointments after each booking, and an overlap is withdrawn), a phone search (patients are found by e-mail or
 * name), a required cancel reason (a free-text description is sent).
 *
 * The adapter, one concern per file (halaxy_internal.h is what they share):
 *   halaxy.c               this ops table
 *   halaxy_settings.c      create/destroy: provider_settings checked and turned into an instance
 *   halaxy_token.c         the OAuth2 client-credentials token, shared by workers (mutex) and processes (Redis)
 *   halaxy_request.c       one authenticated FHIR request: headers, 401 -> new token once, status, log line
 *   halaxy_paging.c        a search read Bundle after Bundle through link[relation=next]
 *   halaxy_catalog.c       fetch_catalog, and the practitioner-role table
 *   halaxy_availability.c  fetch_availability through Appointment/$find
 *   halaxy_patients.c      find_patients, create_patient
 *   halaxy_appointments.c  list, $book, read one, conflict probe
 *   halaxy_changes.c       cancel and delete (participant status), reschedule (merge-patch)
 *   halaxy_decode.c        the pure decoders of Halaxy's FHIR JSON */
#include <string.h>

#include "providers/halaxy_internal.h"

static int halaxy_knows_location(void *instance, const char *location_id)
{
    halaxy_t *h = instance;
    if (strncmp(location_id, "CL-", 3) != 0) return 0; /* Halaxy's clinics are "CL-..." */
    if (h->clinic_ids.count > 0 && !bk_strings_contains(&h->clinic_ids, location_id)) return 0;
    return -1; /* Halaxy must be asked */
}

/* Halaxy's 429 (retry-after) blocks this credential's bucket until it may be asked again. */
static int halaxy_retry_after_seconds(void *instance)
{
    halaxy_t *h = instance;
    int64_t ms = prov_http_bucket_wait_ms(h->bucket);
    return ms <= 0 ? 0 : (int)((ms + 999) / 1000);
}

const prov_ops_t prov_halaxy_ops = {
    .name = "halaxy",
    .capabilities = PROV_CAP_NATIVE_RESCHEDULE | PROV_CAP_CONFLICT_PROBE,
    .create = halaxy_create,
    .destroy = halaxy_destroy,
    .knows_location = halaxy_knows_location,
    .retry_after_seconds = halaxy_retry_after_seconds,
    .policy_defaults = NULL,
    .on_store_connected = NULL,
    .fetch_catalog = halaxy_fetch_catalog,
    .fetch_availability = halaxy_fetch_availability,
    .find_patients = halaxy_find_patients,
    .create_patient = halaxy_create_patient,
    .list_appointments = halaxy_list_appointments,
    .create_appointment = halaxy_create_appointment,
    .cancel_appointment = halaxy_cancel_appointment,
    .reschedule_appointment = halaxy_reschedule_appointment,
    .probe_conflicts = halaxy_probe_conflicts,
    .delete_appointment = halaxy_delete_appointment,
};
