/* providers/registry.c: the list of EMR providers; adding an EMR adds one line here. */
#include "providers/provider.h"

#include <string.h>

extern const prov_ops_t prov_sandbox_ops;
extern const prov_ops_t prov_cliniko_ops;
extern const prov_ops_t prov_nookal_ops;
extern const prov_ops_t prov_jane_ops;
extern const prov_ops_t prov_schedule_ops;
extern const prov_ops_t prov_halaxy_ops;
extern const prov_ops_t prov_bridge_ops;
extern const prov_ops_t prov_practicebetter_ops;

static const prov_ops_t *const providers[] = {
    &prov_sandbox_ops,
    &prov_cliniko_ops,
    &prov_nookal_ops,
    &prov_jane_ops,
    &prov_schedule_ops,
    &prov_halaxy_ops,
    &prov_bridge_ops,
    &prov_practicebetter_ops,
};

const prov_ops_t *prov_find(const char *name)
{
    for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++)
        if (strcmp(providers[i]->name, name) == 0) return providers[i];
    return NULL;
}

const char *prov_names(void)
{
    return "sandbox, cliniko, nookal, halaxy, practicebetter, bridge, jane, schedule";
}
