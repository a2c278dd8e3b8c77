/* booking/patients.h: lookup-create-patient and a patient's appointments over any provider (provider.h). */
#ifndef FD_BOOKING_PATIENTS_H
#define FD_BOOKING_PATIENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "booking/catalog_cache.h"
#include "core/model.h"
#include "providers/provider.h"

#define BK_PATIENT_MAX_IDS 5    /* patients whose appointments one lookup by phone or e-mail merges */
#define BK_PAST_APPOINTMENTS 5  /* past appointments listed after the upcoming ones */
#define BK_LIST_LOOKBACK_MS (2LL * 365 * 24 * 3600 * 1000)

typedef enum bk_patient_result {
    BK_PATIENT_FOUND = 0,
    BK_PATIENT_CREATED,
    BK_PATIENT_AMBIGUOUS, /* two or more match equally well: 409, naming none of them */
    BK_PATIENT_UNSUPPORTED,
    BK_PATIENT_FAILED, /* the provider failed: see status */
} bk_patient_result_t;

/** Receives the patient (borrowed) or why there is none. */
typedef void (*bk_patient_done_cb)(bk_patient_result_t result, prov_status_t status, const bk_patient_t *patient,
                                   void *data);

/** Finds the patient by phone (E.164), then e-mail (lower case), then first and last name with date of birth,
 * and creates one only when none matches. The input needs the names and at least one of phone, e-mail and date of
 * birth (name and date of birth alone: the provider's find by name and date of birth). Several matches of one step
 * are narrowed by name (and date of birth); still several is BK_PATIENT_AMBIGUOUS. The input's strings are copied. Returns 0 and calls cb exactly once
 * later, or -1 and never calls it. */
int bk_patient_lookup_create(bk_env_t *env, const bk_tenant_t *tenant, const bk_patient_t *input,
                             bk_patient_done_cb cb, void *data);

/** Finds the patients with this phone or e-mail (either may be NULL, not both); up to BK_PATIENT_MAX_IDS. */
typedef void (*bk_patients_found_cb)(prov_status_t status, const bk_patient_t *patients, size_t count, void *data);

/** Same contract as bk_patient_lookup_create. */
int bk_patients_find(bk_env_t *env, const bk_tenant_t *tenant, const char *phone, const char *email,
                     bk_patients_found_cb cb, void *data);

/** Finds the patients with this first and last name (as the EMR compares them) and, when phone (E.164) is not NULL,
 * a number matching it: how a caller is found by phone where the EMR has no phone search (Cliniko); same contract
 * as bk_patients_find. */
int bk_patients_find_by_name(bk_env_t *env, const bk_tenant_t *tenant, const char *first_name, const char *last_name,
                             const char *phone, bk_patients_found_cb cb, void *data);

/** Finds a caller by phone (E.164): by the phone itself where the EMR searches phones; elsewhere (Cliniko) by
 * the last name said with it (and the first, when not NULL or empty), keeping those with that number. Returns 0
 * (cb exactly once later), -1 (cannot start), or -2 when the EMR cannot search phones and no last name was
 * given: ask the caller for it. */
int bk_patients_find_caller(bk_env_t *env, const bk_tenant_t *tenant, const char *phone, const char *first_name,
                            const char *last_name, bk_patients_found_cb cb, void *data);

/** Receives appointments (borrowed): upcoming (start >= now) soonest first, then the last BK_PAST_APPOINTMENTS past
 * ones, latest first. */
typedef void (*bk_appointments_cb)(prov_status_t status, const bk_appointment_t *appointments, size_t count,
                                   void *data);

/** Lists the appointments of up to BK_PATIENT_MAX_IDS patients, merged and ordered as above: the EMR's and their
 * open booking requests (for an EMR with no appointment list that takes requests, the requests alone). */
int bk_patient_appointments(bk_env_t *env, const bk_tenant_t *tenant, const char *const *patient_ids, size_t count,
                            int64_t now, bk_appointments_cb cb, void *data);

/** Orders appointments in place as bk_appointments_cb describes and returns how many to keep. */
size_t bk_appointments_order(bk_appointment_t *v, size_t n, int64_t now);

#endif
