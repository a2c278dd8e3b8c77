/* tests/fuzz/fuzz_cliniko_practitioners.c: libFuzzer target for the Cliniko decoder of a GET /practitioners page: no crash, no leak,
 * and what it accepts is well-formed. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "cliniko_page_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void each(json_object *item)
{
    bk_staff_t s;
    bool active;
    if (prov_cliniko_practitioner_decode(item, &s, &active) == 0) {
        if (s.id == NULL || (s.first_name == NULL && s.last_name == NULL)) abort();
        prov_cliniko_staff_clear(&s);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_cliniko_page(data, size, "practitioners", each);
    return 0;
}
