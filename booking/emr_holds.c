/* booking/emr_holds.c: the EMR's own hold beside ours (see emr_holds.h). */
#include "booking/emr_holds.h"

#include <stdlib.h>

bool bk_emr_holds_time(const bk_tenant_t *tenant)
{
    const prov_ops_t *ops = tenant->provider;
    return ops->hold_time != NULL && (prov_capabilities(ops, tenant->provider_instance) & PROV_CAP_NATIVE_HOLD);
}

bool bk_emr_holds_releasable(const bk_tenant_t *tenant)
{
    return tenant->provider->release_hold != NULL;
}

int bk_emr_hold_place(bk_env_t *env, const bk_tenant_t *tenant, const prov_hold_request_t *request, prov_hold_cb cb,
                      void *data)
{
    return tenant->provider->hold_time(tenant->provider_instance, &env->prov, request, cb, data);
}

/* The release outlives the request that asked for it: the tenant is held until the answer. */
static void on_released(prov_status_t status, void *data)
{
    (void)status; /* best effort: the provider wrote its operator line on failure */
    bk_tenant_release(data);
}

void bk_emr_hold_release(bk_env_t *env, const bk_tenant_t *tenant, const char *emr_hold_id)
{
    const prov_ops_t *ops = tenant->provider;
    if (ops->release_hold == NULL) return;
    bk_tenant_retain(tenant);
    if (ops->release_hold(tenant->provider_instance, &env->prov, emr_hold_id, on_released, (void *)tenant) != 0)
        bk_tenant_release(tenant);
}
