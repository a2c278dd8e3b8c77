/* tests/fuzz/fuzz_cliniko_appointments.c: libFuzzer target for the Cliniko decoder of a GET /individual_appointments page (and single-appointment and conflicts bodies): no crash, no leak,
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
    if (prov_cliniko_page_parse((const char *)data, size, "individual_appointments", &page) == 0) {
        for (size_t i = 0; i < page.count; i++) {
            json_object *item = json_object_array_get_idx(page.items, i);
        bk_appointment_t a;
        bool deleted;
        if (prov_cliniko_appointment_decode(item, &a, &deleted) == 0) {
            if (a.id == NULL || a.end < a.start) abort();
            bk_appointment_clear(&a);
        }
        }
        char next[PROV_CLINIKO_URL_CAP];
        if (page.next[0] != '\0' &&
            prov_cliniko_resolve_next(page.next, "https://api.au1.cliniko.com/v1", next, sizeof(next)) == 0 &&
            strncmp(next, "https://api.au1.cliniko.com/v1", 30) != 0)
            abort(); /* a next link may never leave our base URL */
        prov_cliniko_page_clear(&page);
    }
    bk_appointment_t one;
    if (prov_cliniko_appointment_body_decode((const char *)data, size, &one) == 0) bk_appointment_clear(&one);
    bool exist;
    (void)prov_cliniko_conflicts_decode((const char *)data, size, &exist);
    return 0;
}
