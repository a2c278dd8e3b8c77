/* providers/bridge_decode.h: the EMR bridge's answers checked against the contract (openapi/emr-bridge.yaml) and
 * turned into the normalized model, and our requests' records turned into the contract's JSON. Pure: every
 * decoder either fills its output completely or fails with `what` naming the first field of the wrong shape
 * (a static string, safe to log: never a value, which may be PHI). */
#ifndef FD_PROVIDERS_BRIDGE_DECODE_H
#define FD_PROVIDERS_BRIDGE_DECODE_H

#include <json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "providers/provider.h"

#define BRIDGE_ID_CAP 128 /* ids are opaque strings of 1..127 printable bytes */

/** The capabilities answer {"contract": 1, "write", "native_hold", "phone_search", "conflict_probe",
 * "reschedule", "cancel_reason_required": booleans} as PROV_CAP_* bits (write false: PROV_CAP_NO_WRITE). */
int bridge_capabilities_decode(json_object *answer, unsigned *caps, const char **what);

/** The catalog answer (the shapes of API.md's catalog) into a new catalog; every location has a zone we know,
 * every treatment a duration of 1..1440 minutes. */
int bridge_catalog_decode(json_object *answer, bk_catalog_t **out, const char **what);

/** The availability answer {"openings": [{"start", "end"}]} (instants with an offset) into a new array,
 * sorted by start without repeats; each opening must last at least `minutes`. *out is NULL when empty. */
int bridge_openings_decode(json_object *answer, int minutes, prov_opening_t **out, size_t *count, const char **what);

/** One patient object into p (owned strings; p is cleared on failure). */
int bridge_patient_decode(json_object *item, bk_patient_t *p, const char **what);

/** One appointment object into a (owned strings; a is cleared on failure). */
int bridge_appointment_decode(json_object *item, bk_appointment_t *a, const char **what);

/** The answer's "patients" array into a new array of *count patients (free each with bk_patient_clear, then the
 * array). Returns 0, -1 when the shape is wrong (what says how), -2 when out of memory; nothing to free then. */
int bridge_patients_decode(json_object *answer, bk_patient_t **out, size_t *count, const char **what);

/** The answer's "appointments" array, as bridge_patients_decode (free with bk_appointment_clear). */
int bridge_appointments_decode(json_object *answer, bk_appointment_t **out, size_t *count, const char **what);

/** The holds.create answer {"hold_id": id} into out (BRIDGE_ID_CAP). */
int bridge_hold_id_decode(json_object *answer, char *out, const char **what);

/** The JSON a patient is sent as (id left out; NULL fields left out). NULL when out of memory. */
json_object *bridge_patient_to_json(const bk_patient_t *p);

/** The JSON an appointment to create is sent as (start/end as UTC instants). NULL when out of memory. */
json_object *bridge_appointment_to_json(const bk_appointment_t *a);

/** A UTC instant as a JSON string "2027-03-15T09:00:00.000Z". NULL when out of memory. */
json_object *bridge_instant_json(int64_t t);

/** The provider status of a bridge's HTTP answer code: 2xx PROV_OK, 404 not found, 409 conflict, 422 rejected,
 * 429 rate limited, anything else PROV_UPSTREAM (the contract's "Errors"). */
prov_status_t bridge_status_of(long http_code);

#endif
