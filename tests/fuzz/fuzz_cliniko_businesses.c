/* tests/fuzz/fuzz_cliniko_businesses.c: libFuzzer target for the Cliniko decoder of a GET /businesses page: no crash, no leak,
 * and what it accepts is well-formed. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "cliniko_page_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void each(json_object *item)
{
    prov_cliniko_business_t b;
    if (prov_cliniko_business_decode(item, &b) == 0) {
        if (b.loc.id == NULL || b.loc.name == NULL) abort();
        prov_cliniko_business_clear(&b);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_cliniko_page(data, size, "businesses", each);
    return 0;
}
