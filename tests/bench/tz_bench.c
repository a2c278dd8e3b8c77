/* tests/bench/tz_bench.c: prints the cost per call of the time-zone core: ISO parse, name resolution (cached and
 * uncached), zone loading, local<->UTC, day starts and spoken formatting. Run: build/tests/tz_bench [iterations]. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tz/tz.h"
#include "tz/tz_names.h"
#include "tz/tz_spoken.h"

static volatile int64_t sink;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void report(const char *what, double ns, long calls)
{
    printf("%-46s %10.1f ns/call  (%ld calls)\n", what, ns / (double)calls, calls);
}

static const char *const names[] = {
    "America/New_York", "US/Eastern", "Asia/Calcutta", "AUS Eastern Standard Time", "Eastern Time (US & Canada)",
    "EST", "AEDT", "IST", "pacific time", "Sydney time", "central standard", "UTC+10", "+05:30", "Mountain",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    if (n < 1000) n = 1000;
    double t0;
    char why[96], buf[128];
    tz_instant_t t;
    printf("tz bench: tzdata %s (system), ICU tz data %s (not used for rules), %ld iterations\n", tz_db_version(),
           tz_icu_tzdata_version(), n);

    /* zone loading from disk: every zone in zone.tab, first time each */
    FILE *f = fopen("/usr/share/zoneinfo/zone.tab", "r");
    if (getenv("FD_ZONEINFO_DIR") == NULL && f != NULL) {
        char line[512], ids[600][64];
        int nz = 0;
        while (nz < 600 && fgets(line, sizeof(line), f) != NULL) {
            char cc[8], coord[32];
            if (line[0] != '#' && sscanf(line, "%7s %31s %63s", cc, coord, ids[nz]) == 3) nz++;
        }
        t0 = now_ns();
        for (int i = 0; i < nz; i++) sink += tz_zone_load(ids[i]) != NULL;
        report("zone load, first time (TZif from disk)", now_ns() - t0, nz);
        t0 = now_ns();
        for (long i = 0; i < n; i++) sink += tz_zone_load(ids[i % nz]) != NULL;
        report("zone load, cached", now_ns() - t0, n);
    }
    if (f != NULL) fclose(f);

    const char *iso = "2026-04-18T13:59:59.999Z";
    t0 = now_ns();
    for (long i = 0; i < n; i++) {
        tz_parse_iso(iso, 24, NULL, &t, why, sizeof(why));
        sink += t;
    }
    report("parse ISO (Z)", now_ns() - t0, n);
    const tz_zone_t *ny = tz_zone_load("America/New_York");
    t0 = now_ns();
    for (long i = 0; i < n; i++) {
        tz_parse_iso("2026-11-01T01:30:00", 19, ny, &t, why, sizeof(why));
        sink += t;
    }
    report("parse ISO (local, New York overlap)", now_ns() - t0, n);

    tz_resolution_t r;
    t0 = now_ns();
    for (long i = 0; i < n; i++) {
        const char *s = names[i % NNAMES];
        tz_resolve_uncached(s, strlen(s), NULL, &r, why, sizeof(why));
        sink += r.kind;
    }
    report("resolve name, uncached (mix of 14 kinds)", now_ns() - t0, n);
    for (size_t i = 0; i < NNAMES; i++) tz_resolve(names[i], strlen(names[i]), NULL, &r, NULL, 0);
    t0 = now_ns();
    for (long i = 0; i < n; i++) {
        const char *s = names[i % NNAMES];
        tz_resolve(s, strlen(s), NULL, &r, why, sizeof(why));
        sink += r.kind;
    }
    report("resolve name, cached", now_ns() - t0, n);

    const tz_zone_t *syd = tz_zone_load("Australia/Sydney");
    tz_civil_t c = {2026, 1, 1, 9, 30, 0, 0};
    tz_local_kind_t kind;
    t0 = now_ns();
    for (long i = 0; i < n; i++) {
        c.year = 2020 + (int)(i % 13);
        c.month = 1 + (int)(i % 12);
        c.day = 1 + (int)(i % 28);
        c.hour = (int)(i % 24);
        tz_from_local(i & 1 ? ny : syd, &c, TZ_OVERLAP_FIRST, &t, &kind);
        sink += t;
    }
    report("local to UTC (tz_from_local, NY/Sydney)", now_ns() - t0, n);
    t0 = now_ns();
    for (long i = 0; i < n; i++) {
        int off;
        tz_to_local(i & 1 ? ny : syd, 1577836800000LL + i * 1999993LL, &c, &off);
        sink += c.hour + off;
    }
    report("UTC to local (tz_to_local, NY/Sydney)", now_ns() - t0, n);
    t0 = now_ns();
    for (long i = 0; i < n; i++) {
        tz_day_start(ny, 2020 + (int)(i % 13), 1 + (int)(i % 12), 1 + (int)(i % 28), &t);
        sink += t;
    }
    report("day start (tz_day_start, NY)", now_ns() - t0, n);
    t0 = now_ns();
    for (long i = 0; i < n; i++) sink += (int64_t)tz_format_utc(1776520799999LL + i, buf);
    report("format UTC ISO", now_ns() - t0, n);

    t0 = now_ns();
    tz_speaker_t *sp = tz_speaker_create();
    int len = tz_speak(sp, "en-US", ny, 1776796200000LL, 1776513600000LL, 0, buf, sizeof(buf));
    report("speak, first call (opens ICU formatters)", now_ns() - t0, 1);
    printf("  -> \"%s\" (%d bytes)\n", buf, len);
    long ns = n / 10;
    t0 = now_ns();
    for (long i = 0; i < ns; i++) sink += tz_speak(sp, "en-US", ny, 1776796200000LL + i * 60000, 1776513600000LL, 0,
                                                   buf, sizeof(buf));
    report("speak en-US, cached formatter", now_ns() - t0, ns);
    t0 = now_ns();
    for (long i = 0; i < ns; i++) sink += tz_speak(sp, "en-US", ny, 1776796200000LL, 1776796200000LL, 0, buf,
                                                   sizeof(buf));
    report("speak en-US \"today at ...\"", now_ns() - t0, ns);
    tz_speak(sp, "fr-CA", ny, 1776796200000LL, 1776513600000LL, 0, buf, sizeof(buf));
    t0 = now_ns();
    for (long i = 0; i < ns; i++) sink += tz_speak(sp, "fr-CA", ny, 1776796200000LL + i * 60000, 1776513600000LL, 0,
                                                   buf, sizeof(buf));
    report("speak fr-CA, cached formatter", now_ns() - t0, ns);
    tz_speaker_destroy(sp);
    tz_shutdown();
    return 0;
}
