/* server/compat_resolve.c: names and e-mails of a ClinicSync-style booking resolved (see compat_resolve.h). */
#include "server/compat_resolve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/name_match.h"
#include "server/worker.h"

typedef enum what { STAFF, TREATMENT, LOCATION } what_t;

static const api_error_t unknown_error[] = {API_ERR_UNKNOWN_STAFF, API_ERR_UNKNOWN_TREATMENT, API_ERR_UNKNOWN_LOCATION};

/* The name of entry i of kind `what` (staff: first and last name, no title), written into buf when it is built. */
static const char *name_of(const bk_catalog_t *c, what_t what, size_t i, char *buf, size_t cap)
{
    if (what == TREATMENT) return c->treatments[i].name;
    if (what == LOCATION) return c->locations[i].name;
    const bk_staff_t *s = &c->staff[i];
    snprintf(buf, cap, "%s%s%s", s->first_name ? s->first_name : "", s->first_name && s->last_name ? " " : "",
             s->last_name ? s->last_name : "");
    return buf;
}

static const char *id_of(const bk_catalog_t *c, what_t what, size_t i)
{
    return what == STAFF ? c->staff[i].id : what == TREATMENT ? c->treatments[i].id : c->locations[i].id;
}

/* Index of the entry `said` names among those the tenant may use, or -1 after answering 422. */
static long match(srv_request_t *r, const bk_catalog_t *c, what_t what, const srv_compat_value_t *said)
{
    size_t total = what == STAFF ? c->staff_count : what == TREATMENT ? c->treatment_count : c->location_count;
    for (size_t i = 0; i < total; i++) /* an id is taken as it is */
        if (strcmp(id_of(c, what, i), said->text) == 0 &&
            (what != LOCATION || bk_tenant_allows_location(r->tenant, c, said->text)))
            return (long)i;
    const char **names = calloc(total + 1, sizeof(*names));
    size_t *index = calloc(total + 1, sizeof(*index));
    char(*built)[256] = calloc(total + 1, sizeof(*built));
    long found = -1;
    size_t n = 0;
    if (names == NULL || index == NULL || built == NULL) {
        srv_respond_error(r, API_ERR_SERVICE_UNAVAILABLE, NULL, NULL);
        goto done;
    }
    for (size_t i = 0; i < total; i++) {
        if (what == LOCATION && !bk_tenant_allows_location(r->tenant, c, c->locations[i].id)) continue;
        index[n] = i;
        names[n++] = name_of(c, what, i, built[i], sizeof(built[i]));
    }
    bk_name_result_t m;
    static const bk_name_kind_t kinds[] = {BK_NAME_STAFF, BK_NAME_TREATMENT, BK_NAME_LOCATION};
    if (bk_name_match(r->worker->names, said->text, names, n, kinds[what], &m) != 0 || m.status == BK_NAME_NONE) {
        srv_respond_error(r, unknown_error[what], NULL, said->field);
    } else if (m.status == BK_NAME_AMBIGUOUS) {
        char message[384];
        int len = snprintf(message, sizeof(message), "Several match this name:");
        for (size_t i = 0; i < m.n_candidates && len > 0 && (size_t)len < sizeof(message); i++)
            len +=
                snprintf(message + len, sizeof(message) - (size_t)len, "%s %s", i ? "," : "", names[m.candidates[i]]);
        srv_respond_error(r, API_ERR_AMBIGUOUS_NAME, message, said->field);
    } else {
        found = (long)index[m.index];
    }
done:
    free(names);
    free(index);
    free(built);
    return found;
}

/* The practitioner's location when none is named: one the tenant may book where the treatment is given, the
 * tenant's default first. -1 when there is none. */
static long default_location(const bk_tenant_t *t, const bk_catalog_t *c, const bk_staff_t *s,
                             const bk_catalog_treatment_t *tx)
{
    const bk_location_t *def = bk_tenant_default_location(t, c);
    long pick = -1;
    for (size_t i = 0; i < s->location_ids.count; i++) {
        const char *id = s->location_ids.items[i];
        if (!bk_tenant_allows_location(t, c, id) || !bk_strings_contains(&tx->location_ids, id)) continue;
        if (pick < 0 || (def != NULL && strcmp(def->id, id) == 0)) pick = bk_catalog_find_location(c, id);
    }
    return pick;
}

bool srv_compat_resolve(srv_request_t *r, const bk_catalog_t *c, const srv_compat_payload_t *p,
                        srv_compat_choice_t *out)
{
    if (!srv_compat_require(r, &p->staff, "customData.staff_member") ||
        !srv_compat_require(r, &p->treatment, "customData.treatment_name"))
        return false;
    if (strchr(p->staff.text, '@') != NULL) {
        out->staff = bk_catalog_find_staff_by_email(c, p->staff.text);
        if (out->staff < 0) {
            srv_respond_error(r, API_ERR_UNKNOWN_STAFF, "No practitioner of this clinic has that e-mail.",
                              p->staff.field);
            return false;
        }
    } else if ((out->staff = match(r, c, STAFF, &p->staff)) < 0) {
        return false;
    }
    if ((out->treatment = match(r, c, TREATMENT, &p->treatment)) < 0) return false;
    const bk_staff_t *s = &c->staff[out->staff];
    const bk_catalog_treatment_t *tx = &c->treatments[out->treatment];
    if (p->location.field != NULL) {
        if ((out->location = match(r, c, LOCATION, &p->location)) < 0) return false;
    } else if ((out->location = default_location(r->tenant, c, s, tx)) < 0) {
        srv_respond_error(r, API_ERR_NOT_OFFERED,
                          "That practitioner gives that treatment at no location this key "
                          "may book.",
                          p->staff.field);
        return false;
    }
    const char *loc = c->locations[out->location].id;
    if (!bk_strings_contains(&s->location_ids, loc) || !bk_strings_contains(&tx->location_ids, loc) ||
        !bk_strings_contains(&tx->staff_ids, s->id)) {
        srv_respond_error(r, API_ERR_NOT_OFFERED, NULL, p->treatment.field);
        return false;
    }
    return true;
}
