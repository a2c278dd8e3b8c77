/* providers/halaxy_decode.h: pure decoders of Halaxy's FHIR R4 JSON (Bundles, Organization, Practitioner,
 * PractitionerRole, HealthcareService, Patient, Appointment, OperationOutcome, the OAuth2 token answer) into the
 * normalized model, and the small pure rules of the Halaxy adapter (references, OperationOutcome -> status).
 * No I/O, so each is unit-tested (tests/unit/halaxy_decode_test.c).
 *
 * Every decoder treats its input as hostile. IDs are opaque prefixed strings ("PR-1234567", "CL-123456",
 * "12345678") restricted to [A-Za-z0-9_-] so that they are safe in URL paths; a reference is either relative
 * ("Patient/123") or absolute ("https://au-api.halaxy.com/main/Patient/123"). Strings copied out are capped at
 * PROV_HALAXY_TEXT_CAP bytes. */
#ifndef FD_PROVIDERS_HALAXY_DECODE_H
#define FD_PROVIDERS_HALAXY_DECODE_H

#include <json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "providers/provider.h"

#define PROV_HALAXY_ID_CAP 64
#define PROV_HALAXY_URL_CAP 2048
#define PROV_HALAXY_TEXT_CAP 512
#define PROV_HALAXY_TOKEN_CAP 2048

/** The participant status Halaxy keeps per patient on an appointment (a modifierExtension). */
#define PROV_HALAXY_PARTICIPANT_STATUS_URL                                                                             \
    "https://terminology.halaxy.com/StructureDefinition/appointment-participant-status"
#define PROV_HALAXY_PARTICIPANT_STATUS_SYSTEM "/presets/CodeSystem/appointment-participant-status"

/* ---- documents -------------------------------------------------------------------------------------------- */

/** One page of a search: a FHIR Bundle {"resourceType":"Bundle","entry":[{"resource":{...}}],"link":[...]}. */
typedef struct prov_halaxy_bundle {
    json_object *root;        /* owned */
    json_object **resources;  /* borrowed from root: entry[i].resource objects, in order */
    size_t count;
    char next[PROV_HALAXY_URL_CAP]; /* link[relation=next].url ("" on the last page or when too long) */
} prov_halaxy_bundle_t;

/** Parses a Bundle (resourceType must be "Bundle"; no entry is an empty page; an entry without a resource
 * object is an error). Returns 0 (free with prov_halaxy_bundle_clear), or -1. */
int prov_halaxy_bundle_parse(const char *body, size_t len, prov_halaxy_bundle_t *bundle);
void prov_halaxy_bundle_clear(prov_halaxy_bundle_t *bundle);

/** Parses a body holding one resource of resourceType `type` ("Appointment"), or a Bundle or Parameters whose
 * first resource of that type is taken. Returns 0 with an owned root in *root and the resource (borrowed from it)
 * in *resource, or -1. */
int prov_halaxy_resource_parse(const char *body, size_t len, const char *type, json_object **root,
                               json_object **resource);

/* ---- references and IDs ----------------------------------------------------------------------------------- */

/** The ID of a reference of resource type `type`: "Patient/123", ".../main/Patient/123" -> "123" (a trailing
 * "/_history/n" is dropped). Returns 0, or -1 when the type differs or the ID is not [A-Za-z0-9_-]{1,63}. */
int prov_halaxy_ref_id(const char *reference, const char *type, char *out, size_t cap);

/** True when id is a Halaxy ID safe in a URL path ([A-Za-z0-9_-]{1,63}). */
bool prov_halaxy_valid_id(const char *id);

/* ---- records ---------------------------------------------------------------------------------------------- */

/** A clinic (Organization "CL-..."): id, name, address, phone. *clinic is false for other organizations
 * (practice groups "OG-...", inactive ones). Returns 0 or -1; free with prov_halaxy_location_clear. */
int prov_halaxy_organization_decode(json_object *resource, bk_location_t *loc, bool *clinic);
void prov_halaxy_location_clear(bk_location_t *loc);

/** A practitioner: id, given/family names, prefix as title. *active from "active" (absent = true). */
int prov_halaxy_practitioner_decode(json_object *resource, bk_staff_t *staff, bool *active);

/** A PractitionerRole: the practitioner at one clinic, the actor appointments are booked with. */
typedef struct prov_halaxy_role {
    char id[PROV_HALAXY_ID_CAP], practitioner[PROV_HALAXY_ID_CAP], organization[PROV_HALAXY_ID_CAP];
    bool active;
    bk_strings_t services; /* healthcareService[] IDs */
} prov_halaxy_role_t;

/** Decodes a PractitionerRole. Returns 0 or -1 (no id, practitioner or organization). Clear it after. */
int prov_halaxy_role_decode(json_object *resource, prov_halaxy_role_t *role);
void prov_halaxy_role_clear(prov_halaxy_role_t *role);

/** A HealthcareService (an appointment type): id, name, duration in minutes from its extension whose
 * valueQuantity is in minutes (1..1440); *bookable is false when inactive or when the allow-online-booking
 * extension says false. Returns 0 or -1 (no id, name or duration). */
int prov_halaxy_service_decode(json_object *resource, bk_catalog_treatment_t *t, bool *bookable);

/** A Patient: id, first given name, family name, email, birthDate (only YYYY-MM-DD), and the first phone
 * (system phone or sms) as stored ("+61412345678", E.164 in Halaxy). Returns 0 or -1; clear with
 * bk_patient_clear. */
int prov_halaxy_patient_decode(json_object *resource, bk_patient_t *p);

/** An Appointment: id, start/end, state, the patient, the HealthcareService (treatment, when a participant),
 * and the PractitionerRole (role_id; the caller maps it to staff and location). Cancelled when the status is
 * cancelled/entered-in-error or the patient participant's status is cancelled; arrived for arrived/fulfilled/
 * checked-in or participant attended; no_show for noshow or participant did-not-arrive. Returns 0 or -1. */
int prov_halaxy_appointment_decode(json_object *resource, bk_appointment_t *a, char role_id[PROV_HALAXY_ID_CAP]);

/** A proposed appointment of Appointment/$find: its start and end (UTC ms) and PractitionerRole ("" when it
 * names none). Returns 0 or -1. */
int prov_halaxy_proposal_decode(json_object *resource, int64_t *start, int64_t *end, char role_id[PROV_HALAXY_ID_CAP]);

/* ---- errors and tokens ------------------------------------------------------------------------------------ */

/** The status of a FHIR answer: 2xx is PROV_OK; otherwise the OperationOutcome's first issue code decides when
 * there is one (not-found, conflict/duplicate, invalid/required/value/business-rule/processing, throttled,
 * security/login/expired/forbidden), then the HTTP code (404, 409, 400/422, 429; 401/403 and 5xx are upstream errors). `record`: a 404
 * means the record does not exist (else it is an upstream error). Writes the issue code ("" when none) into
 * issue (cap >= 32). */
prov_status_t prov_halaxy_status_of(long http_code, const char *body, size_t len, bool record, char *issue,
                                    size_t issue_cap);

/** Decodes the OAuth2 token answer {"token_type":"Bearer","access_token":...,"expires_in":n}. The lifetime is
 * capped at 900 s: Halaxy documents 15-minute tokens while its example answer says 3600 (the safe reading is the
 * shorter). Returns 0 with the token (printable, no spaces) and lifetime in seconds (>= 1), or -1. */
int prov_halaxy_token_decode(const char *body, size_t len, char *token, size_t cap, int *lifetime_s);

#endif
