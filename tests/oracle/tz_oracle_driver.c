/* tests/oracle/tz_oracle_driver.c: answers conversion queries from stdin with fd_tz so tz_oracle.py can compare
 * them with Python's zoneinfo. Lines in: "U zone ms" or "L zone y m d h mi s ms". Lines out:
 * "offset y m d h mi s ms" for U, "instant kind" for L (kind 0 exact, 1 gap shifted, 2 overlap first),
 * "ERR ..." when the zone does not load. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tz/tz.h"

int main(void)
{
    char line[256], zone_id[128];
    while (fgets(line, sizeof(line), stdin) != NULL) {
        long long a[7];
        if (line[0] == 'U' && sscanf(line, "U %127s %lld", zone_id, &a[0]) == 2) {
            const tz_zone_t *z = tz_zone_load(zone_id);
            if (z == NULL) {
                printf("ERR unknown zone %s\n", zone_id);
                continue;
            }
            tz_civil_t c;
            int off;
            tz_to_local(z, (tz_instant_t)a[0], &c, &off);
            printf("%d %d %d %d %d %d %d %d\n", off, c.year, c.month, c.day, c.hour, c.minute, c.second,
                   c.millisecond);
        } else if (line[0] == 'L' && sscanf(line, "L %127s %lld %lld %lld %lld %lld %lld %lld", zone_id, &a[0],
                                            &a[1], &a[2], &a[3], &a[4], &a[5], &a[6]) == 8) {
            const tz_zone_t *z = tz_zone_load(zone_id);
            if (z == NULL) {
                printf("ERR unknown zone %s\n", zone_id);
                continue;
            }
            tz_civil_t c = {(int)a[0], (int)a[1], (int)a[2], (int)a[3], (int)a[4], (int)a[5], (int)a[6]};
            tz_instant_t t;
            tz_local_kind_t kind;
            if (tz_from_local(z, &c, TZ_OVERLAP_FIRST, &t, &kind) != 0) {
                printf("ERR invalid civil time\n");
                continue;
            }
            printf("%" PRId64 " %d\n", t, (int)kind);
        } else {
            printf("ERR bad query\n");
        }
    }
    tz_shutdown();
    return 0;
}
