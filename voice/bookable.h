/* voice/bookable.h: who and what a voice call may book, decided in one place for every voice rule (names a caller
 * may mean, clinic-info, bestSlot's candidates, alternatives, /voice/book).
 *
 * The rule: a practitioner is bookable when AI-enabled and working at a location the tenant's key may book (at
 * `location` when one is given). A treatment is offered when it is offered at such a location; clinic-info lists a
 * treatment only when, besides, a bookable practitioner offers it (vc_treatment_bookable, the stricter meaning),
 * while a treatment the caller names is resolved with the looser vc_treatment_offered so that the answer can say
 * that nobody books it by phone instead of not knowing its name. */
#ifndef FD_VOICE_BOOKABLE_H
#define FD_VOICE_BOOKABLE_H

#include <stdbool.h>

#include "core/model.h"

/** True when s is AI-enabled and works at `location` (NULL: at any location the tenant may book). */
bool vc_staff_bookable(const bk_tenant_t *t, const bk_catalog_t *c, const bk_staff_t *s, const char *location);

/** True when x is offered at a location the tenant may book. */
bool vc_treatment_offered(const bk_tenant_t *t, const bk_catalog_t *c, const bk_catalog_treatment_t *x);

/** True when x is offered at a location the tenant may book and a bookable practitioner offers it. */
bool vc_treatment_bookable(const bk_tenant_t *t, const bk_catalog_t *c, const bk_catalog_treatment_t *x);

/** True when staff s may be offered treatment x at location l to a voice caller: s bookable at l, and x offered
 * there by s (bestSlot's candidates, the alternatives, /voice/book's check). */
bool vc_can_book(const bk_tenant_t *t, const bk_catalog_t *c, const bk_staff_t *s, const bk_catalog_treatment_t *x,
                 const char *location);

#endif
