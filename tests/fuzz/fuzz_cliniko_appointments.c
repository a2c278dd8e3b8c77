/* tests/fuzz/fuzz_cliniko_appointments.c: libFuzzer target for the Cliniko decoder of a GET /individual_appointments page (and single-appointment and conflicts bodies): no crash, no leak,
 * and what it accepts is well-formed. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "cliniko_page_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void each(json_object *item)
{
    bk_appointment_t a;
    bool deleted;
    if (prov_cliniko_appointment_decode(item, &a, &deleted) == 0) {
        if (a.id == NULL || a.end < a.start) abort();
        bk_appointment_clear(&a);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_cliniko_page(data, size, "individual_appointments", each);
    return 0;
}
