/* tests/fuzz/fuzz_cliniko_available_times.c: libFuzzer target for the Cliniko decoder of a GET .../available_times page: no crash, no leak,
 * and what it accepts is well-formed. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "cliniko_page_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void each(json_object *item)
{
    int64_t start;
    (void)prov_cliniko_available_time_decode(item, &start);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_cliniko_page(data, size, "available_times", each);
    return 0;
}
