/* voice/bookable.c: the one rule of who and what a voice call may book (see bookable.h). */
#include "voice/bookable.h"

#include <stddef.h>

bool vc_staff_bookable(const bk_tenant_t *t, const bk_catalog_t *c, const bk_staff_t *s, const char *location)
{
    if (!s->ai_enabled) return false;
    if (location != NULL) return bk_strings_contains(&s->location_ids, location);
    for (size_t i = 0; i < s->location_ids.count; i++)
        if (bk_tenant_allows_location(t, c, s->location_ids.items[i])) return true;
    return false;
}

bool vc_treatment_offered(const bk_tenant_t *t, const bk_catalog_t *c, const bk_catalog_treatment_t *x)
{
    for (size_t i = 0; i < x->location_ids.count; i++)
        if (bk_tenant_allows_location(t, c, x->location_ids.items[i])) return true;
    return false;
}

bool vc_treatment_bookable(const bk_tenant_t *t, const bk_catalog_t *c, const bk_catalog_treatment_t *x)
{
    if (!vc_treatment_offered(t, c, x)) return false;
    for (size_t i = 0; i < x->staff_ids.count; i++) {
        long s = bk_catalog_find_staff(c, x->staff_ids.items[i]);
        if (s >= 0 && vc_staff_bookable(t, c, &c->staff[s], NULL)) return true;
    }
    return false;
}

bool vc_can_book(const bk_tenant_t *t, const bk_catalog_t *c, const bk_staff_t *s, const bk_catalog_treatment_t *x,
                 const char *location)
{
    return bk_tenant_allows_location(t, c, location) && vc_staff_bookable(t, c, s, location) &&
           bk_strings_contains(&x->location_ids, location) && bk_strings_contains(&x->staff_ids, s->id);
}
