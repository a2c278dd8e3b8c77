/* tests/fuzz/fuzz_cliniko_patients.c: libFuzzer target for the Cliniko decoder of a GET /patients page: no crash, no leak,
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
    if (prov_cliniko_page_parse((const char *)data, size, "patients", &page) == 0) {
        for (size_t i = 0; i < page.count; i++) {
            json_object *item = json_object_array_get_idx(page.items, i);
        bk_patient_t p;
        bk_strings_t phones;
        bool archived;
        if (prov_cliniko_patient_decode(item, &p, &phones, &archived) == 0) {
            char e164[24];
            for (size_t k = 0; k < phones.count; k++) {
                (void)prov_cliniko_phone_matches(phones.items[k], "+61412345678");
                if (prov_cliniko_phone_e164(phones.items[k], e164, sizeof(e164)) == 0 && e164[0] != '+') abort();
                free(phones.items[k]);
            }
            free(phones.items);
            bk_patient_clear(&p);
        }
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
