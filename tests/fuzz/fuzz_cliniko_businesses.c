/* tests/fuzz/fuzz_cliniko_businesses.c: libFuzzer target for the Cliniko decoder of a GET /businesses page: no crash, no leak,
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
    if (prov_cliniko_page_parse((const char *)data, size, "businesses", &page) == 0) {
        for (size_t i = 0; i < page.count; i++) {
            json_object *item = json_object_array_get_idx(page.items, i);
        prov_cliniko_business_t b;
        if (prov_cliniko_business_decode(item, &b) == 0) {
            if (b.loc.id == NULL || b.loc.name == NULL) abort();
            prov_cliniko_business_clear(&b);
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
