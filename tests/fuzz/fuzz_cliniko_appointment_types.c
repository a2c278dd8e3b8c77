/* tests/fuzz/fuzz_cliniko_appointment_types.c: libFuzzer target for the Cliniko decoder of a GET /appointment_types page (and billable items): no crash, no leak,
 * and what it accepts is well-formed. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "cliniko_page_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void each(json_object *item)
{
    bk_catalog_treatment_t t;
    char billable[PROV_CLINIKO_ID_CAP];
    bool online, archived;
    if (prov_cliniko_appointment_type_decode(item, &t, billable, sizeof(billable), &online, &archived) == 0) {
        if (t.duration_minutes < 1 || t.duration_minutes > 1440) abort();
        prov_cliniko_treatment_clear(&t);
    }
    char id[PROV_CLINIKO_ID_CAP];
    int64_t price;
    if (prov_cliniko_billable_item_decode(item, id, sizeof(id), &price) == 0 && price < 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_cliniko_page(data, size, "appointment_types", each);
    return 0;
}
