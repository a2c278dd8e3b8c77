/* tests/fuzz/cliniko_page_fuzz.h: what every Cliniko page fuzz target shares: parse the input as a page of
 * `key` records, hand each record to the target's decoder check, and make sure a links.next never leaves the
 * base URL. Included by exactly one fuzz target per binary. */
#ifndef FD_TESTS_CLINIKO_PAGE_FUZZ_H
#define FD_TESTS_CLINIKO_PAGE_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "providers/cliniko_decode.h"

#define FUZZ_BASE "https://api.au1.cliniko.com/v1"

/** Runs one input through the page parser and `each` record; aborts on anything malformed it accepts. */
static inline void fuzz_cliniko_page(const uint8_t *data, size_t size, const char *key, void (*each)(json_object *))
{
    prov_cliniko_page_t page;
    if (prov_cliniko_page_parse((const char *)data, size, key, &page) != 0) return;
    for (size_t i = 0; i < page.count; i++) each(json_object_array_get_idx(page.items, i));
    char next[PROV_CLINIKO_URL_CAP];
    if (page.next[0] != '\0' && prov_cliniko_resolve_next(page.next, FUZZ_BASE, next, sizeof(next)) == 0 &&
        strncmp(next, FUZZ_BASE, strlen(FUZZ_BASE)) != 0)
        abort(); /* a next link may never leave our base URL */
    prov_cliniko_page_clear(&page);
}

#endif
