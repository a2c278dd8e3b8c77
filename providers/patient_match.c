/* providers/patient_match.c: see patient_match.h. */
#include "providers/patient_match.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "providers/adapter_util.h"
#include "providers/cliniko_decode.h"

static bool eq_ci(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

int prov_patient_match_init(prov_patient_match_t *m, const prov_patient_query_t *q)
{
    bool oom = false;
    memset(m, 0, sizeof(*m));
    m->phone = prov_dup_opt(q->phone, &oom);
    m->first_name = prov_dup_opt(q->first_name, &oom);
    m->last_name = prov_dup_opt(q->last_name, &oom);
    m->dob = prov_dup_opt(q->dob, &oom);
    m->email = prov_dup_opt(q->email, &oom);
    if (!oom) return 0;
    prov_patient_match_clear(m);
    return -1;
}

void prov_patient_match_clear(prov_patient_match_t *m)
{
    free(m->phone), free(m->first_name), free(m->last_name), free(m->dob), free(m->email);
    memset(m, 0, sizeof(*m));
}

bool prov_patient_match_keep(const prov_patient_match_t *m, bk_patient_t *p, const bk_strings_t *phones)
{
    if (m->first_name != NULL && !eq_ci(p->first_name, m->first_name)) return false;
    if (m->last_name != NULL && !eq_ci(p->last_name, m->last_name)) return false;
    if (m->dob != NULL && (p->dob == NULL || strcmp(p->dob, m->dob) != 0)) return false;
    if (m->email != NULL && !eq_ci(p->email, m->email)) return false;
    const char *matched = NULL;
    for (size_t k = 0; k < phones->count && m->phone != NULL; k++)
        if (prov_cliniko_phone_matches(phones->items[k], m->phone)) matched = m->phone;
    if (m->phone_required && matched == NULL) return false;
    char e164[24];
    if (matched != NULL)
        p->phone = strdup(matched);
    else
        for (size_t k = 0; k < phones->count && p->phone == NULL; k++)
            if (prov_cliniko_phone_e164(phones->items[k], e164, sizeof(e164)) == 0) p->phone = strdup(e164);
    return true;
}
