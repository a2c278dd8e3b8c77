/* booking/emr_holds.h: the EMR's own hold beside ours, for an EMR that holds time natively (capability
 * PROV_CAP_NATIVE_HOLD and the provider's hold_time; today an EMR bridge that declares native_hold). Our Redis
 * hold is placed first (it still keeps our own callers apart across processes), then the EMR's, until our hold
 * expires; its id is kept in our hold's hash (booking/holds.h), the booking consumes it, and releasing our hold
 * releases it (best effort: the EMR drops an unreleased hold at its expiry by itself, so no sweep is needed). */
#ifndef FD_BOOKING_EMR_HOLDS_H
#define FD_BOOKING_EMR_HOLDS_H

#include <stdbool.h>

#include "booking/catalog_cache.h"
#include "providers/provider.h"

/** True when the tenant's EMR holds time itself now (its live capabilities say so and it has hold_time). */
bool bk_emr_holds_time(const bk_tenant_t *tenant);

/** True when the tenant's provider can release an EMR hold (a hold it placed may be in a hash). */
bool bk_emr_holds_releasable(const bk_tenant_t *tenant);

/** Holds our placed hold's time in the EMR (request: its practitioner, treatment, location, times, our hold's
 * expiry, and our hold id as the key). Returns 0 and calls cb exactly once later, or -1 and never calls it. */
int bk_emr_hold_place(bk_env_t *env, const bk_tenant_t *tenant, const prov_hold_request_t *request, prov_hold_cb cb,
                      void *data);

/** Releases the EMR's hold emr_hold_id, fire and forget (a failure is the provider's operator line). */
void bk_emr_hold_release(bk_env_t *env, const bk_tenant_t *tenant, const char *emr_hold_id);

#endif
