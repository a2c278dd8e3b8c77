/* tests/fuzz/fuzz_cliniko_appointment_types.c: libFuzzer target for the Cliniko decoder of a GET /appointment_types page (and billable items): no crash, no leak,
 * and what it accepts is well-formed. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "providers/cliniko_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    prov_cliniko_page_t page;
    if (prov_cliniko_page_parse((const char *)data, size, "appointment_types", &page) == 0) {
        for (size_t i = 0; i < page.count; i++) {
            json_object *item = json_object_array_get_idx(page.items, i);
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
        char next[PROV_CLINIKO_URL_CAP];
        if (page.next[0] != '\0' &&
            prov_cliniko_resolve_next(page.next, "https://api.au1.cliniko.com/v1", next, sizeof(next)) == 0 &&
            strncmp(next, "https://api.au1.cliniko.com/v1", 30) != 0)
            abort(); /* a next link may never leave our base URL */
        prov_cliniko_page_clear(&page);
    }
    return 0;
}
