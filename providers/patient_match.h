/* providers/patient_match.h: the rule an adapter applies to each patient its EMR's search returns, for EMRs whose
 * search cannot filter by every field the caller gave: an owned copy of the given fields, and the test that keeps
 * a patient when they agree (names and email case-insensitively, the date of birth exactly, the phone by digits).
 * Pure; no adapter state. */
#ifndef FD_PROVIDERS_PATIENT_MATCH_H
#define FD_PROVIDERS_PATIENT_MATCH_H

#include <stdbool.h>

#include "core/model.h"
#include "providers/provider.h"

typedef struct prov_patient_match {
    char *phone, *first_name, *last_name, *dob, *email; /* NULL: not given */
    bool phone_required; /* a name search: the phone, when given, must match one of the patient's numbers */
} prov_patient_match_t;

/** Fills m with owned copies of q's non-empty fields (phone_required false). Returns 0, or -1 when out of memory
 * (m is then cleared). */
int prov_patient_match_init(prov_patient_match_t *m, const prov_patient_query_t *q);

/** Frees m's copies; m may be zeroed or filled by prov_patient_match_init. */
void prov_patient_match_clear(prov_patient_match_t *m);

/** True when patient p agrees with every given field of m, its `phones` (the EMR's stored numbers) included when
 * m->phone_required. When kept, p->phone is set (if NULL) to the matching number, else to the first stored
 * number that reads as E.164. */
bool prov_patient_match_keep(const prov_patient_match_t *m, bk_patient_t *p, const bk_strings_t *phones);

#endif
