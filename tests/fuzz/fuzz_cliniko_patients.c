/* tests/fuzz/fuzz_cliniko_patients.c: libFuzzer target for the Cliniko decoder of a GET /patients page: no crash, no leak,
 * and what it accepts is well-formed. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "cliniko_page_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void each(json_object *item)
{
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_cliniko_page(data, size, "patients", each);
    return 0;
}
