/* tests/fuzz/fuzz_tz_resolve.c: libFuzzer target for zone-name resolution (tz_resolve): no crash, cached and
 * uncached answers agree, and every success names a zone that loads under its own ID. The first byte picks the
 * country hint, the rest is the name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tz/tz_names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const hints[] = {NULL, "US", "AU", "CN", "IE", "IL", "BD", "CA", "MX", "gb", "", "X", "ZZZ"};
    if (size == 0) return 0;
    const char *hint = hints[data[0] % (sizeof(hints) / sizeof(hints[0]))];
    const char *name = (const char *)data + 1;
    size_t len = size - 1;
    tz_resolution_t a, b;
    char why_a[128], why_b[128];
    int ra = tz_resolve(name, len, hint, &a, why_a, sizeof(why_a));
    int rb = tz_resolve_uncached(name, len, hint, &b, why_b, sizeof(why_b));
    if (ra != rb) abort();
    if (ra == 0) {
        if (strcmp(a.id, b.id) != 0 || a.zone != b.zone || a.kind != b.kind || a.zone == NULL) abort();
        if (tz_zone_load(a.id) != a.zone || strcmp(tz_zone_id(a.zone), a.id) != 0) abort();
    } else if (why_a[0] == '\0' || strcmp(why_a, why_b) != 0) {
        abort();
    }
    return 0;
}
