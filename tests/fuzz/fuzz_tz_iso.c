/* tests/fuzz/fuzz_tz_iso.c: libFuzzer target for the strict ISO 8601 parser (tz_parse_iso): no crash, and whatever
 * it accepts must format and parse back to the same instant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tz/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const zones[] = {"America/New_York", "Australia/Lord_Howe", "Pacific/Chatham", "UTC+05:45"};
    const char *s = (const char *)data;
    char why[96], buf[TZ_ISO_CAP];
    tz_instant_t t, back;
    if (tz_parse_iso(s, size, NULL, &t, why, sizeof(why)) == 0) {
        size_t n = tz_format_utc(t, buf);
        if (tz_parse_iso(buf, n, NULL, &back, why, sizeof(why)) != 0 || back != t) abort();
    } else if (why[0] == '\0') {
        abort(); /* every rejection says why */
    }
    const tz_zone_t *z = tz_zone_load(zones[size % 4]);
    if (z == NULL) abort();
    if (tz_parse_iso(s, size, z, &t, why, sizeof(why)) == 0) {
        size_t n = tz_format_local(z, t, buf);
        /* Not writable back as strict ISO: offsets in seconds (local mean time before ~1900, -04:56:02) and
         * local years beyond 9999. */
        tz_civil_t lc;
        tz_to_local(z, t, &lc, NULL);
        if (tz_offset_seconds(z, t) % 60 == 0 && lc.year >= 1 && lc.year <= 9999 && (tz_parse_iso(buf, n, NULL, &back, why, sizeof(why)) != 0 || back != t))
            abort();
        tz_civil_t c;
        tz_to_local(z, t, &c, NULL);
    }
    tz_parse_iso(s, size, z, &t, NULL, 0);
    tz_parse_iso(s, size, z, &t, why, 1);
    return 0;
}
