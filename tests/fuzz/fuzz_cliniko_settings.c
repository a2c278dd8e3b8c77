/* tests/fuzz/fuzz_cliniko_settings.c: libFuzzer target for the Cliniko GET /settings decoder: no crash, and the
 * zone label and country code it keeps are bounded and well-formed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "providers/cliniko_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    prov_cliniko_settings_t s;
    if (prov_cliniko_settings_decode((const char *)data, size, &s) == 0) {
        if (strlen(s.tz_label) >= sizeof(s.tz_label) || (s.country_code[0] != '\0' && strlen(s.country_code) != 2))
            abort();
        if (strlen(prov_cliniko_currency_of(s.country_code)) != 3) abort();
    }
    return 0;
}
