/* providers/jane.c: the `jane` EMR: a Jane clinic read through its public online-booking site
 * (https://<clinic>.janeapp.com/api/v2/...), the JSON its booking app reads, over the worker's shared HTTP
 * client (providers/http_client.h).
 *
 * What Jane offers us, declared honestly: its public site shows the catalog and the openings, and nothing else.
 * Jane's partner platform is gated and has no published booking write, so this provider declares
 * PROV_CAP_NO_WRITE and has no appointment write at all: booking turns a booking into a booking request the
 * clinic confirms in Jane (until that flow exists, a booking is refused as 422 not_bookable_online). A tenant
 * whose integrator can write into Jane uses the EMR bridge instead.
 *
 * Patients: Jane has no public patient API, so the caller's details are kept as Frontdesk's own patient records
 * in the tenant's Redis (the sandbox's record store, providers/sandbox_records.h, with no clinic-file patients):
 * lookup-create-patient finds or creates them there, and a booking request carries them to the clinic. They
 * are not Jane's patient ids: the clinic matches the person when it enters the request in Jane.
 *
 * The adapter, one concern per file (jane_internal.h is what they share):
 *   jane.c               this ops table, and the answers given from the instance or Frontdesk's own records
 *   jane_settings.c      create/destroy: provider_settings checked and turned into an instance
 *   jane_request.c       one polite GET of the site: User-Agent, rate budget, in-flight cap, status mapping
 *   jane_catalog.c       fetch_catalog: locations, disciplines, staff members, treatments
 *   jane_availability.c  fetch_availability: the openings
 *   jane_decode.c        the pure decoders of the site's JSON */
#include "providers/jane_internal.h"
#include "providers/sandbox_records.h"

/* Frontdesk's own records hold every patient of a Jane tenant: there is no clinic file behind them. */
static const sb_clinic_t no_clinic_file;

static int jane_knows_location(void *instance, const char *location_id)
{
    jane_t *j = instance;
    if (j->location_ids.count > 0) return bk_strings_contains(&j->location_ids, location_id) ? 1 : 0;
    return -1; /* the site must be asked */
}

/* A 429 from the site blocks its bucket until its Retry-After, which is what the caller is told. */
static int jane_retry_after_seconds(void *instance)
{
    jane_t *j = instance;
    int64_t ms = prov_http_bucket_wait_ms(j->bucket);
    return ms <= 0 ? 0 : (int)((ms + 999) / 1000);
}

static int jane_find_patients(void *instance, prov_env_t *env, const prov_patient_query_t *query, prov_patients_cb cb,
                              void *data)
{
    jane_t *j = instance;
    return sb_records_find_patients(j->tenant_id, &no_clinic_file, env, query, cb, data);
}

static int jane_create_patient(void *instance, prov_env_t *env, const bk_patient_t *patient, prov_patient_cb cb,
                               void *data)
{
    jane_t *j = instance;
    return sb_records_create_patient(j->tenant_id, &no_clinic_file, env, patient, cb, data);
}

const prov_ops_t prov_jane_ops = {
    .name = "jane",
    .capabilities = PROV_CAP_NO_WRITE | PROV_CAP_PHONE_SEARCH,
    .create = jane_create,
    .destroy = jane_destroy,
    .knows_location = jane_knows_location,
    .retry_after_seconds = jane_retry_after_seconds,
    .policy_defaults = NULL,
    .on_store_connected = NULL,
    .fetch_catalog = jane_fetch_catalog,
    .fetch_availability = jane_fetch_availability,
    .find_patients = jane_find_patients,
    .create_patient = jane_create_patient,
    .list_appointments = NULL,
    .create_appointment = NULL,
    .cancel_appointment = NULL,
    .reschedule_appointment = NULL,
    .probe_conflicts = NULL,
    .delete_appointment = NULL,
};
