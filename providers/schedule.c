/* providers/schedule.c: the `schedule` EMR: availability from a schedule the clinic keeps itself, in the sandbox
 * clinic file format (openapi/sandbox_clinic.schema.json), for EMRs Frontdesk cannot read or write
 * (SimplePractice, TherapyNotes, PtEverywhere, PromptEMR, or any other). It is the sandbox provider
 * (providers/sandbox.c) read-only: the same file parsing, seeding, catalog, openings and Frontdesk-side patient
 * records, through the sandbox's own ops, but the file is named by "schedule_file" and nothing is ever written as
 * an appointment: PROV_CAP_NO_WRITE, so booking records booking requests the clinic enters in its EMR (until that
 * flow exists, a booking is refused as 422 not_bookable_online). The tenant's "emr" field says which EMR the
 * clinic really uses; it changes nothing here. */
#include <stdio.h>
#include <string.h>

#include "providers/provider.h"

extern const prov_ops_t prov_sandbox_ops;

/* The sandbox's create with {"clinic_file": <schedule_file>}; its reasons name schedule_file. */
static void *schedule_create(const char *tenant_id, json_object *settings, const char *config_dir, char *why,
                             size_t why_cap)
{
    json_object *file = NULL;
    if (settings != NULL) {
        json_object_object_foreach(settings, key, val)
        {
            if (strcmp(key, "schedule_file") != 0) {
                snprintf(why, why_cap,
                         "provider_settings.%.64s: unknown setting for schedule (it knows "
                         "schedule_file)",
                         key);
                return NULL;
            }
            file = val;
        }
    }
    if (file == NULL || !json_object_is_type(file, json_type_string) || json_object_get_string_len(file) == 0) {
        snprintf(why, why_cap,
                 "provider_settings.schedule_file: required: the path of the clinic's schedule, a "
                 "file in the sandbox clinic format");
        return NULL;
    }
    json_object *as_sandbox = json_object_new_object();
    if (as_sandbox == NULL || json_object_object_add(as_sandbox, "clinic_file", json_object_get(file)) != 0) {
        json_object_put(as_sandbox);
        snprintf(why, why_cap, "provider_settings: out of memory");
        return NULL;
    }
    char inner[512];
    void *instance = prov_sandbox_ops.create(tenant_id, as_sandbox, config_dir, inner, sizeof(inner));
    json_object_put(as_sandbox);
    if (instance == NULL) {
        const char *rest = strncmp(inner, "clinic_file", 11) == 0 ? inner + 11 : inner;
        snprintf(why, why_cap, "provider_settings.schedule_file%s", rest);
    }
    return instance;
}

static void schedule_destroy(void *instance)
{
    prov_sandbox_ops.destroy(instance);
}

static int schedule_knows_location(void *instance, const char *location_id)
{
    return prov_sandbox_ops.knows_location(instance, location_id);
}

static void schedule_policy_defaults(void *instance, bk_tenant_policy_t *policy)
{
    prov_sandbox_ops.policy_defaults(instance, policy);
}

static void schedule_on_store_connected(void *instance, prov_env_t *env)
{
    prov_sandbox_ops.on_store_connected(instance, env);
}

static int schedule_fetch_catalog(void *instance, prov_env_t *env, prov_catalog_cb cb, void *data)
{
    return prov_sandbox_ops.fetch_catalog(instance, env, cb, data);
}

static int schedule_fetch_availability(void *instance, prov_env_t *env, const prov_availability_query_t *query,
                                       prov_availability_cb cb, void *data)
{
    return prov_sandbox_ops.fetch_availability(instance, env, query, cb, data);
}

static int schedule_find_patients(void *instance, prov_env_t *env, const prov_patient_query_t *query,
                                  prov_patients_cb cb, void *data)
{
    return prov_sandbox_ops.find_patients(instance, env, query, cb, data);
}

static int schedule_create_patient(void *instance, prov_env_t *env, const bk_patient_t *patient, prov_patient_cb cb,
                                   void *data)
{
    return prov_sandbox_ops.create_patient(instance, env, patient, cb, data);
}

static int schedule_list_appointments(void *instance, prov_env_t *env, const char *patient_id, int64_t from,
                                      prov_appointments_cb cb, void *data)
{
    return prov_sandbox_ops.list_appointments(instance, env, patient_id, from, cb, data);
}

const prov_ops_t prov_schedule_ops = {
    .name = "schedule",
    .capabilities = PROV_CAP_NO_WRITE | PROV_CAP_PHONE_SEARCH,
    .create = schedule_create,
    .destroy = schedule_destroy,
    .knows_location = schedule_knows_location,
    .policy_defaults = schedule_policy_defaults,
    .on_store_connected = schedule_on_store_connected,
    .fetch_catalog = schedule_fetch_catalog,
    .fetch_availability = schedule_fetch_availability,
    .find_patients = schedule_find_patients,
    .create_patient = schedule_create_patient,
    .list_appointments = schedule_list_appointments,
    .create_appointment = NULL,
    .cancel_appointment = NULL,
    .reschedule_appointment = NULL,
};
