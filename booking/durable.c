/* booking/durable.c: waiting for replicas before a write flow reports success (see durable.h). */
#include "booking/durable.h"

void bk_durable(bk_env_t *env, bk_durable_cb then, void *data)
{
    int rc = store_wait_replicas(env->store, then, data);
    if (rc != 0) then(rc > 0, data);
}
