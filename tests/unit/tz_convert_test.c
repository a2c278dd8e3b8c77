/* tests/unit/tz_convert_test.c: table-driven tests of tz/ conversions: ISO parse/format, civil arithmetic, local
 * <-> UTC with DST gaps and overlaps in both hemispheres, local days, POSIX footer rules, TZ env independence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tz/tz.h"

static const tz_zone_t *zone(const char *id)
{
    const tz_zone_t *z = tz_zone_load(id);
    if (z == NULL) fail_msg("zone %s does not load", id);
    return z;
}

static tz_instant_t utc(const char *iso)
{
    tz_instant_t t = 0;
    char why[96];
    if (tz_parse_iso(iso, strlen(iso), NULL, &t, why, sizeof(why)) != 0) fail_msg("%s: %s", iso, why);
    return t;
}

/* ---- ISO parse ---------------------------------------------------------------------------------------- */

typedef struct iso_ok {
    const char *text;
    const char *zone; /* for text without an offset */
    const char *want; /* tz_format_utc of the result */
} iso_ok_t;

static void test_iso_accept(void **state)
{
    static const iso_ok_t cases[] = {
        {"2026-04-18T13:59:59.999Z", NULL, "2026-04-18T13:59:59.999Z"},
        {"2026-04-18T13:59:59Z", NULL, "2026-04-18T13:59:59.000Z"},
        {"2026-04-18T13:59Z", NULL, "2026-04-18T13:59:00.000Z"},
        {"2026-04-18T13:59:59.5Z", NULL, "2026-04-18T13:59:59.500Z"},
        {"2026-04-18T13:59:59.12Z", NULL, "2026-04-18T13:59:59.120Z"},
        {"2026-04-18T13:59:59.123456Z", NULL, "2026-04-18T13:59:59.123Z"}, /* beyond ms: truncated */
        {"2026-04-18T09:59:59.999-04:00", NULL, "2026-04-18T13:59:59.999Z"},
        {"2026-04-18T19:29:59+05:30", NULL, "2026-04-18T13:59:59.000Z"},
        {"2026-04-18T13:59:59-00:00", NULL, "2026-04-18T13:59:59.000Z"},
        {"2026-04-18t13:59:59z", NULL, "2026-04-18T13:59:59.000Z"}, /* RFC 3339 allows lower case */
        {"2024-02-29T00:00:00Z", NULL, "2024-02-29T00:00:00.000Z"},
        {"2000-02-29T23:59:59.999+14:00", NULL, "2000-02-29T09:59:59.999Z"},
        {"1969-12-31T23:59:59.999Z", NULL, "1969-12-31T23:59:59.999Z"},
        {"9999-12-31T23:59:59.999Z", NULL, "9999-12-31T23:59:59.999Z"},
        {"0001-01-01T00:00:00Z", NULL, "0001-01-01T00:00:00.000Z"},
        {"2026-04-18T09:00", "Australia/Sydney", "2026-04-17T23:00:00.000Z"},
        {"2026-03-08T02:30", "America/New_York", "2026-03-08T07:30:00.000Z"}, /* gap: 03:30 EDT */
        {"2026-11-01T01:30:00", "America/New_York", "2026-11-01T05:30:00.000Z"}, /* overlap: first */
        {"2026-04-18T13:59:59Z", "Australia/Sydney", "2026-04-18T13:59:59.000Z"}, /* offset wins over zone */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tz_instant_t t;
        char why[96] = "x", buf[TZ_ISO_CAP];
        const tz_zone_t *z = cases[i].zone ? zone(cases[i].zone) : NULL;
        int rc = tz_parse_iso(cases[i].text, strlen(cases[i].text), z, &t, why, sizeof(why));
        if (rc != 0) fail_msg("%s rejected: %s", cases[i].text, why);
        tz_format_utc(t, buf);
        if (strcmp(buf, cases[i].want) != 0) fail_msg("%s -> %s, want %s", cases[i].text, buf, cases[i].want);
        assert_string_equal(why, "");
    }
}

typedef struct iso_bad {
    const char *text;
    size_t len; /* 0 = strlen */
    const char *why_contains;
} iso_bad_t;

static void test_iso_reject(void **state)
{
    static const iso_bad_t cases[] = {
        {"2026-13-01T00:00Z", 0, "month 13 is not a month"},
        {"2026-00-10T10:00Z", 0, "month 0 is not a month"},
        {"2026-04-18T24:01Z", 0, "hour 24:01 does not exist"},
        {"2026-04-18T24:00Z", 0, "hour 24:00 does not exist"},
        {"2026-02-30T10:00Z", 0, "2026-02-30: February 2026 has 28 days"},
        {"2026-04-31T10:00Z", 0, "April 2026 has 30 days"},
        {"2025-02-29T10:00Z", 0, "February 2025 has 28 days"},
        {"2026-04-18T13:59:59Zjunk", 0, "trailing characters"},
        {"2026-04-18T13:59:59+10:00 ", 0, "trailing characters"},
        {"2026-04-18T13:59:59 ", 0, "unexpected ' '"},
        {"2026-04-18T13:59:59", 0, "no offset"},
        {"2026-04-18 13:59:59Z", 0, "not a space"},
        {"2026-04-18", 0, "expected 'T'"},
        {"26-04-18T13:59Z", 0, "4-digit year"},
        {"2026-4-18T13:59Z", 0, "2-digit month"},
        {"2026-04-18T13:60Z", 0, "minute 60"},
        {"2026-04-18T13:59:60Z", 0, "leap second"},
        {"2026-04-18T13:59:59.Z", 0, "digits after the decimal point"},
        {"2026-04-18T13:59:59.1234567890Z", 0, "more than 9 fractional digits"},
        {"2026-04-18T13:59:59+0530", 0, "offset like +hh:mm"},
        {"2026-04-18T13:59:59+05", 0, "offset like +hh:mm"},
        {"2026-04-18T13:59:59+24:00", 0, "out of range"},
        {"2026-04-18T13:59:59+05:60", 0, "out of range"},
        {"2026-04-18T13:59:59EST", 0, "unexpected 'E'"},
        {"", 0, "empty"},
        {"0000-01-01T00:00Z", 0, "year 0000"},
        {"9999-12-31T23:59:59.999-23:59", 0, "outside years 0001-9999"}, /* found by the fuzz seeds */
        {"0001-01-01T00:00:00+23:59", 0, "outside years 0001-9999"},
        {"2026-04-18T13:59Z\0x", 19, "trailing characters"},
        {"2026-04-18T13", 0, "expected ':' after the hour"},
        {"２０２６-04-18T13:59Z", 0, "4-digit year"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tz_instant_t t = 42;
        char why[96] = "";
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        int rc = tz_parse_iso(cases[i].text, len, NULL, &t, why, sizeof(why));
        if (rc != -1) fail_msg("accepted %s", cases[i].text);
        if (strstr(why, cases[i].why_contains) == NULL)
            fail_msg("%s: reason '%s' lacks '%s'", cases[i].text, why, cases[i].why_contains);
    }
    /* A tiny or absent reason buffer is fine. */
    tz_instant_t t;
    char tiny[4];
    assert_int_equal(tz_parse_iso("2026-13-01T00:00Z", 17, NULL, &t, tiny, sizeof(tiny)), -1);
    assert_string_equal(tiny, "mon");
    assert_int_equal(tz_parse_iso("2026-13-01T00:00Z", 17, NULL, &t, NULL, 0), -1);
    assert_int_equal(tz_parse_iso(NULL, 0, NULL, &t, NULL, 0), -1);
}

/* ---- formatting --------------------------------------------------------------------------------------- */

static void test_format(void **state)
{
    char buf[TZ_ISO_CAP];
    assert_int_equal(tz_format_utc(1776520799999LL, buf), 24);
    assert_string_equal(buf, "2026-04-18T13:59:59.999Z");
    tz_format_utc(0, buf);
    assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
    tz_format_utc(-1, buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");

    static const struct {
        const char *zone, *utc, *want;
    } cases[] = {
        {"America/New_York", "2026-04-18T13:59:59Z", "2026-04-18T09:59:59-04:00"},
        {"America/New_York", "2026-04-18T13:59:59.999Z", "2026-04-18T09:59:59.999-04:00"},
        {"America/New_York", "2026-01-18T13:59:59Z", "2026-01-18T08:59:59-05:00"},
        {"Asia/Kathmandu", "2026-04-18T00:00:00Z", "2026-04-18T05:45:00+05:45"},
        {"America/St_Johns", "2026-07-01T12:00:00Z", "2026-07-01T09:30:00-02:30"},
        {"Pacific/Chatham", "2026-01-15T00:00:00Z", "2026-01-15T13:45:00+13:45"},
        {"Australia/Lord_Howe", "2026-07-01T00:00:00Z", "2026-07-01T10:30:00+10:30"},
        {"America/Mexico_City", "2026-07-01T12:00:00Z", "2026-07-01T06:00:00-06:00"}, /* no DST since 2022 */
        {"Etc/UTC", "2026-07-01T12:00:00Z", "2026-07-01T12:00:00+00:00"},
        {"UTC+05:30", "2026-07-01T12:00:00Z", "2026-07-01T17:30:00+05:30"},
        {"UTC-09:30", "2026-07-01T12:00:00Z", "2026-07-01T02:30:00-09:30"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = tz_format_local(zone(cases[i].zone), utc(cases[i].utc), buf);
        if (strcmp(buf, cases[i].want) != 0) fail_msg("%s %s -> %s", cases[i].zone, cases[i].utc, buf);
        assert_int_equal(n, strlen(buf));
        tz_instant_t back; /* what we write, we read */
        assert_int_equal(tz_parse_iso(buf, n, NULL, &back, NULL, 0), 0);
        assert_true(back == utc(cases[i].utc));
    }
}

/* ---- civil arithmetic --------------------------------------------------------------------------------- */

static void test_civil(void **state)
{
    assert_int_equal(tz_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(tz_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(tz_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(tz_days_from_civil(1, 1, 1), -719162);
    assert_int_equal(tz_days_from_civil(2026, 4, 21), 20564);
    int64_t prev = tz_days_from_civil(-4000, 1, 1) - 1;
    for (int y = -4000; y <= 4000; y += 7) { /* round trip and continuity over whole years */
        for (int m = 1; m <= 12; m++) {
            int dim = tz_days_in_month(y, m);
            for (int d = 1; d <= dim; d++) {
                int64_t n = tz_days_from_civil(y, m, d);
                int yy, mm, dd;
                tz_civil_from_days(n, &yy, &mm, &dd);
                if (yy != y || mm != m || dd != d) fail_msg("%d-%d-%d round trip", y, m, d);
                if (!(m == 1 && d == 1) && n != prev + 1) fail_msg("%d-%d-%d not contiguous", y, m, d);
                prev = n;
            }
        }
    }
    static const struct {
        int y, m, d, wd;
    } wd[] = {{1970, 1, 1, 4}, {2026, 4, 21, 2}, {2000, 2, 29, 2}, {2026, 4, 18, 6}, {2026, 4, 19, 7}, {1, 1, 1, 1},
              {1969, 12, 28, 7}};
    for (size_t i = 0; i < sizeof(wd) / sizeof(wd[0]); i++)
        assert_int_equal(tz_weekday(wd[i].y, wd[i].m, wd[i].d), wd[i].wd);
    assert_int_equal(tz_days_in_month(2024, 2), 29);
    assert_int_equal(tz_days_in_month(1900, 2), 28);
    assert_int_equal(tz_days_in_month(2000, 2), 29);
    assert_int_equal(tz_days_in_month(2026, 13), 0);
    tz_civil_t ok = {2026, 2, 28, 23, 59, 59, 999}, bad = ok;
    assert_true(tz_civil_valid(&ok));
    bad.day = 29;
    assert_false(tz_civil_valid(&bad));
    bad = ok, bad.hour = 24;
    assert_false(tz_civil_valid(&bad));
    bad = ok, bad.millisecond = 1000;
    assert_false(tz_civil_valid(&bad));
    bad = ok, bad.month = 0;
    assert_false(tz_civil_valid(&bad));
}

/* ---- local <-> UTC ------------------------------------------------------------------------------------ */

typedef struct local_case {
    const char *zone;
    int y, m, d, h, mi;
    tz_overlap_policy_t policy;
    const char *want_utc;
    tz_local_kind_t want_kind;
} local_case_t;

static void test_from_local(void **state)
{
    static const local_case_t cases[] = {
        /* New York: spring forward 02:00 -> 03:00, fall back 02:00 -> 01:00 */
        {"America/New_York", 2026, 3, 8, 2, 30, TZ_OVERLAP_FIRST, "2026-03-08T07:30:00.000Z", TZ_LOCAL_GAP_SHIFTED},
        {"America/New_York", 2026, 3, 8, 1, 59, TZ_OVERLAP_FIRST, "2026-03-08T06:59:00.000Z", TZ_LOCAL_EXACT},
        {"America/New_York", 2026, 3, 8, 3, 0, TZ_OVERLAP_FIRST, "2026-03-08T07:00:00.000Z", TZ_LOCAL_EXACT},
        {"America/New_York", 2026, 11, 1, 1, 30, TZ_OVERLAP_FIRST, "2026-11-01T05:30:00.000Z",
         TZ_LOCAL_OVERLAP_FIRST},
        {"America/New_York", 2026, 11, 1, 1, 30, TZ_OVERLAP_SECOND, "2026-11-01T06:30:00.000Z",
         TZ_LOCAL_OVERLAP_SECOND},
        {"America/New_York", 2026, 11, 1, 2, 0, TZ_OVERLAP_FIRST, "2026-11-01T07:00:00.000Z", TZ_LOCAL_EXACT},
        {"America/New_York", 2031, 3, 9, 2, 0, TZ_OVERLAP_FIRST, "2031-03-09T07:00:00.000Z", TZ_LOCAL_GAP_SHIFTED},
        /* Sydney (southern hemisphere): fall back in April, spring forward in October */
        {"Australia/Sydney", 2026, 4, 5, 2, 30, TZ_OVERLAP_FIRST, "2026-04-04T15:30:00.000Z", TZ_LOCAL_OVERLAP_FIRST},
        {"Australia/Sydney", 2026, 4, 5, 2, 30, TZ_OVERLAP_SECOND, "2026-04-04T16:30:00.000Z",
         TZ_LOCAL_OVERLAP_SECOND},
        {"Australia/Sydney", 2026, 10, 4, 2, 30, TZ_OVERLAP_FIRST, "2026-10-03T16:30:00.000Z", TZ_LOCAL_GAP_SHIFTED},
        /* Lord Howe: a 30-minute DST */
        {"Australia/Lord_Howe", 2026, 10, 4, 2, 15, TZ_OVERLAP_FIRST, "2026-10-03T15:45:00.000Z",
         TZ_LOCAL_GAP_SHIFTED},
        {"Australia/Lord_Howe", 2026, 4, 5, 1, 45, TZ_OVERLAP_FIRST, "2026-04-04T14:45:00.000Z",
         TZ_LOCAL_OVERLAP_FIRST},
        {"Australia/Lord_Howe", 2026, 4, 5, 1, 45, TZ_OVERLAP_SECOND, "2026-04-04T15:15:00.000Z",
         TZ_LOCAL_OVERLAP_SECOND},
        /* Chatham: +12:45 / +13:45, changes at 02:45 standard time */
        {"Pacific/Chatham", 2026, 9, 27, 3, 0, TZ_OVERLAP_FIRST, "2026-09-26T14:15:00.000Z", TZ_LOCAL_GAP_SHIFTED},
        {"Pacific/Chatham", 2026, 4, 5, 3, 0, TZ_OVERLAP_FIRST, "2026-04-04T13:15:00.000Z", TZ_LOCAL_OVERLAP_FIRST},
        {"Pacific/Chatham", 2026, 4, 5, 3, 0, TZ_OVERLAP_SECOND, "2026-04-04T14:15:00.000Z",
         TZ_LOCAL_OVERLAP_SECOND},
        /* Rules changed after ICU's 2022e: Mexico has no DST, Egypt has DST again */
        {"America/Mexico_City", 2026, 4, 5, 2, 30, TZ_OVERLAP_FIRST, "2026-04-05T08:30:00.000Z", TZ_LOCAL_EXACT},
        {"Africa/Cairo", 2026, 4, 24, 0, 30, TZ_OVERLAP_FIRST, "2026-04-23T22:30:00.000Z", TZ_LOCAL_GAP_SHIFTED},
        {"Africa/Cairo", 2026, 10, 29, 23, 30, TZ_OVERLAP_FIRST, "2026-10-29T20:30:00.000Z", TZ_LOCAL_OVERLAP_FIRST},
        /* Dublin's negative DST (winter is the "saving" time) and London */
        {"Europe/Dublin", 2026, 10, 25, 1, 30, TZ_OVERLAP_FIRST, "2026-10-25T00:30:00.000Z", TZ_LOCAL_OVERLAP_FIRST},
        {"Europe/London", 2026, 3, 29, 1, 30, TZ_OVERLAP_FIRST, "2026-03-29T01:30:00.000Z", TZ_LOCAL_GAP_SHIFTED},
        /* Santiago skips midnight */
        {"America/Santiago", 2026, 9, 6, 0, 0, TZ_OVERLAP_FIRST, "2026-09-06T04:00:00.000Z", TZ_LOCAL_GAP_SHIFTED},
        {"Asia/Kolkata", 2026, 4, 18, 9, 0, TZ_OVERLAP_FIRST, "2026-04-18T03:30:00.000Z", TZ_LOCAL_EXACT},
        {"UTC+05:45", 2026, 4, 18, 9, 0, TZ_OVERLAP_FIRST, "2026-04-18T03:15:00.000Z", TZ_LOCAL_EXACT},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const local_case_t *c = &cases[i];
        const tz_zone_t *z = zone(c->zone);
        tz_civil_t lc = {c->y, c->m, c->d, c->h, c->mi, 0, 0};
        tz_instant_t t;
        tz_local_kind_t kind = (tz_local_kind_t)-1;
        assert_int_equal(tz_from_local(z, &lc, c->policy, &t, &kind), 0);
        char buf[TZ_ISO_CAP];
        tz_format_utc(t, buf);
        if (strcmp(buf, c->want_utc) != 0 || kind != c->want_kind)
            fail_msg("%s %04d-%02d-%02d %02d:%02d -> %s kind %d, want %s kind %d", c->zone, c->y, c->m, c->d, c->h,
                     c->mi, buf, kind, c->want_utc, c->want_kind);
        if (kind == TZ_LOCAL_EXACT || kind == TZ_LOCAL_OVERLAP_FIRST || kind == TZ_LOCAL_OVERLAP_SECOND) {
            tz_civil_t back; /* a time that exists comes back unchanged */
            tz_to_local(z, t, &back, NULL);
            assert_true(back.year == c->y && back.month == c->m && back.day == c->d && back.hour == c->h &&
                        back.minute == c->mi);
        }
    }
    tz_civil_t bad = {2026, 2, 30, 10, 0, 0, 0};
    tz_instant_t t;
    assert_int_equal(tz_from_local(zone("Etc/UTC"), &bad, TZ_OVERLAP_FIRST, &t, NULL), -1);
    bad = (tz_civil_t){2026, 4, 18, 24, 0, 0, 0};
    assert_int_equal(tz_from_local(zone("Etc/UTC"), &bad, TZ_OVERLAP_FIRST, &t, NULL), -1);
}

static void test_to_local(void **state)
{
    static const struct {
        const char *zone, *utc;
        int off, y, m, d, h, mi, s, ms;
    } cases[] = {
        {"America/New_York", "2026-03-08T06:59:59.999Z", -18000, 2026, 3, 8, 1, 59, 59, 999},
        {"America/New_York", "2026-03-08T07:00:00Z", -14400, 2026, 3, 8, 3, 0, 0, 0},
        {"America/New_York", "2026-11-01T05:59:59Z", -14400, 2026, 11, 1, 1, 59, 59, 0},
        {"America/New_York", "2026-11-01T06:00:00Z", -18000, 2026, 11, 1, 1, 0, 0, 0},
        {"America/New_York", "2040-07-04T16:00:00Z", -14400, 2040, 7, 4, 12, 0, 0, 0}, /* footer rule */
        {"Australia/Sydney", "2026-04-04T15:59:59Z", 39600, 2026, 4, 5, 2, 59, 59, 0},
        {"Australia/Sydney", "2026-04-04T16:00:00Z", 36000, 2026, 4, 5, 2, 0, 0, 0},
        {"Australia/Brisbane", "2026-01-01T00:00:00Z", 36000, 2026, 1, 1, 10, 0, 0, 0},
        {"Australia/Adelaide", "2026-01-01T00:00:00Z", 37800, 2026, 1, 1, 10, 30, 0, 0},
        {"America/Sao_Paulo", "2026-01-01T12:00:00Z", -10800, 2026, 1, 1, 9, 0, 0, 0},
        {"America/Phoenix", "2026-07-01T12:00:00Z", -25200, 2026, 7, 1, 5, 0, 0, 0},
        {"America/Asuncion", "2026-07-01T12:00:00Z", -10800, 2026, 7, 1, 9, 0, 0, 0}, /* -03 all year since 2024 */
        {"America/Ciudad_Juarez", "2026-07-01T12:00:00Z", -21600, 2026, 7, 1, 6, 0, 0, 0},
        {"Asia/Kathmandu", "2026-07-01T12:00:00Z", 20700, 2026, 7, 1, 17, 45, 0, 0},
        {"Pacific/Kiritimati", "2026-07-01T12:00:00Z", 50400, 2026, 7, 2, 2, 0, 0, 0},
        {"Etc/GMT+5", "2026-07-01T12:00:00Z", -18000, 2026, 7, 1, 7, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tz_civil_t c;
        int off = 0;
        tz_to_local(zone(cases[i].zone), utc(cases[i].utc), &c, &off);
        if (off != cases[i].off || c.year != cases[i].y || c.month != cases[i].m || c.day != cases[i].d ||
            c.hour != cases[i].h || c.minute != cases[i].mi || c.second != cases[i].s ||
            c.millisecond != cases[i].ms)
            fail_msg("%s %s -> %d %04d-%02d-%02d %02d:%02d:%02d.%03d", cases[i].zone, cases[i].utc, off, c.year,
                     c.month, c.day, c.hour, c.minute, c.second, c.millisecond);
        assert_int_equal(tz_offset_seconds(zone(cases[i].zone), utc(cases[i].utc)), cases[i].off);
    }
    assert_string_equal(tz_zone_abbrev(zone("America/New_York"), utc("2026-07-01T12:00:00Z")), "EDT");
    assert_string_equal(tz_zone_abbrev(zone("America/New_York"), utc("2026-01-01T12:00:00Z")), "EST");
    assert_string_equal(tz_zone_abbrev(zone("Australia/Sydney"), utc("2026-01-01T12:00:00Z")), "AEDT");
    assert_string_equal(tz_zone_abbrev(zone("UTC+05:30"), 0), "");
    /* Extreme instants are clamped, never undefined behaviour. */
    tz_civil_t c;
    tz_to_local(zone("America/New_York"), INT64_MAX, &c, NULL);
    tz_to_local(zone("America/New_York"), INT64_MIN, &c, NULL);
}

/* ---- local days --------------------------------------------------------------------------------------- */

static void test_days(void **state)
{
    static const struct {
        const char *zone;
        int y, m, d;
        const char *start;
        int64_t minutes;
    } cases[] = {
        {"America/New_York", 2026, 3, 8, "2026-03-08T05:00:00.000Z", 23 * 60},
        {"America/New_York", 2026, 11, 1, "2026-11-01T04:00:00.000Z", 25 * 60},
        {"America/New_York", 2026, 4, 18, "2026-04-18T04:00:00.000Z", 24 * 60},
        {"Australia/Sydney", 2026, 10, 4, "2026-10-03T14:00:00.000Z", 23 * 60},
        {"Australia/Sydney", 2026, 4, 5, "2026-04-04T13:00:00.000Z", 25 * 60},
        {"Australia/Lord_Howe", 2026, 10, 4, "2026-10-03T13:30:00.000Z", 23 * 60 + 30},
        {"Australia/Lord_Howe", 2026, 4, 5, "2026-04-04T13:00:00.000Z", 24 * 60 + 30},
        {"America/Santiago", 2026, 9, 6, "2026-09-06T04:00:00.000Z", 23 * 60}, /* starts at 01:00 */
        {"Asia/Kolkata", 2026, 4, 18, "2026-04-17T18:30:00.000Z", 24 * 60},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const tz_zone_t *z = zone(cases[i].zone);
        tz_instant_t s, e;
        char buf[TZ_ISO_CAP];
        assert_int_equal(tz_day_start(z, cases[i].y, cases[i].m, cases[i].d, &s), 0);
        assert_int_equal(tz_day_end(z, cases[i].y, cases[i].m, cases[i].d, &e), 0);
        tz_format_utc(s, buf);
        if (strcmp(buf, cases[i].start) != 0 || (e - s) / TZ_MS_PER_MINUTE != cases[i].minutes)
            fail_msg("%s %d-%d-%d: start %s, %lld min", cases[i].zone, cases[i].y, cases[i].m, cases[i].d, buf,
                     (long long)((e - s) / TZ_MS_PER_MINUTE));
        int y, m, d;
        tz_local_date(z, s, &y, &m, &d);
        assert_true(y == cases[i].y && m == cases[i].m && d == cases[i].d);
        tz_local_date(z, e - 1, &y, &m, &d);
        assert_true(y == cases[i].y && m == cases[i].m && d == cases[i].d);
        assert_int_equal(tz_local_weekday(z, s), tz_weekday(cases[i].y, cases[i].m, cases[i].d));
    }
    tz_instant_t s;
    assert_int_equal(tz_day_start(zone("Etc/UTC"), 2026, 2, 29, &s), -1);
    assert_int_equal(tz_day_end(zone("Etc/UTC"), 2026, 13, 1, &s), -1);

    /* The next 7 local days across New York's spring-forward. */
    tz_day_range_t week[7];
    const tz_zone_t *ny = zone("America/New_York");
    assert_int_equal(tz_local_days(ny, utc("2026-03-05T17:00:00Z"), 7, week), 0);
    static const int hours[7] = {24, 24, 24, 23, 24, 24, 24};
    for (int i = 0; i < 7; i++) {
        assert_int_equal(week[i].day, 5 + i);
        assert_int_equal(week[i].weekday, (3 + i) % 7 + 1); /* 2026-03-05 is a Thursday */
        assert_true(week[i].end - week[i].start == hours[i] * TZ_MS_PER_HOUR);
        if (i > 0) assert_true(week[i].start == week[i - 1].end);
    }
    assert_int_equal(tz_local_days(ny, 0, -1, week), -1);
    assert_int_equal(tz_local_days(ny, 0, 0, NULL), 0);
}

static void test_add_local_days(void **state)
{
    static const struct {
        const char *zone, *from;
        int days;
        tz_overlap_policy_t policy;
        const char *want;
        tz_local_kind_t kind;
    } cases[] = {
        {"America/New_York", "2026-03-07T14:00:00Z", 1, TZ_OVERLAP_FIRST, "2026-03-08T13:00:00.000Z", TZ_LOCAL_EXACT},
        {"America/New_York", "2026-03-08T13:00:00Z", -1, TZ_OVERLAP_FIRST, "2026-03-07T14:00:00.000Z", TZ_LOCAL_EXACT},
        {"America/New_York", "2026-03-07T07:30:00Z", 1, TZ_OVERLAP_FIRST, "2026-03-08T07:30:00.000Z",
         TZ_LOCAL_GAP_SHIFTED}, /* 02:30 + 1 day does not exist: 03:30 */
        {"America/New_York", "2026-10-31T05:30:00Z", 1, TZ_OVERLAP_SECOND, "2026-11-01T06:30:00.000Z",
         TZ_LOCAL_OVERLAP_SECOND},
        {"Australia/Lord_Howe", "2026-10-02T23:00:00Z", 1, TZ_OVERLAP_FIRST, "2026-10-03T22:30:00.000Z",
         TZ_LOCAL_EXACT},
        {"Europe/London", "2026-01-31T09:00:00Z", 60, TZ_OVERLAP_FIRST, "2026-04-01T08:00:00.000Z", TZ_LOCAL_EXACT},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tz_instant_t t;
        tz_local_kind_t kind;
        char buf[TZ_ISO_CAP];
        assert_int_equal(
            tz_add_local_days(zone(cases[i].zone), utc(cases[i].from), cases[i].days, cases[i].policy, &t, &kind), 0);
        tz_format_utc(t, buf);
        if (strcmp(buf, cases[i].want) != 0 || kind != cases[i].kind)
            fail_msg("%s %s %+d -> %s kind %d", cases[i].zone, cases[i].from, cases[i].days, buf, kind);
    }
}

/* ---- zones, fixed offsets, footers -------------------------------------------------------------------- */

static void test_zone_load(void **state)
{
    const tz_zone_t *a = tz_zone_load("America/New_York");
    assert_non_null(a);
    assert_ptr_equal(a, tz_zone_load("America/New_York"));
    assert_string_equal(tz_zone_id(a), "America/New_York");
    static const char *const bad[] = {"Foo/Bar", "../etc/passwd", "/etc/passwd", "America/../etc/passwd", "",
                                      "America//New_York", "America/New_York/", "America/New York",
                                      "right/America/New_York", ".", "zone.tab", "tzdata.zi", "America"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (tz_zone_load(bad[i]) != NULL) fail_msg("loaded '%s'", bad[i]);
    assert_null(tz_zone_load(NULL));

    const tz_zone_t *f = tz_zone_fixed(19800);
    assert_non_null(f);
    assert_string_equal(tz_zone_id(f), "UTC+05:30");
    assert_ptr_equal(f, tz_zone_load("UTC+05:30"));
    assert_string_equal(tz_zone_id(tz_zone_fixed(-18000)), "UTC-05:00");
    assert_string_equal(tz_zone_id(tz_zone_fixed(0)), "UTC+00:00");
    assert_null(tz_zone_fixed(19 * 3600));
    assert_null(tz_zone_load("UTC+5:30"));
    assert_null(tz_zone_load("UTC+19:00"));
    assert_int_equal(tz_offset_seconds(f, 0), 19800);
    assert_true(strlen(tz_db_version()) >= 5);
}

/* Writes a TZif v2 file with no transitions, one type, and `footer`, under dir/Test/name. */
static void write_footer_zone(const char *dir, const char *name, const char *footer)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/Test", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/Test/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    uint8_t hdr[44] = {'T', 'Z', 'i', 'f', '2'};
    hdr[39] = 1; /* typecnt */
    hdr[43] = 4; /* charcnt */
    uint8_t body[10] = {0, 0, 0, 0, 0, 0, 'X', 'X', 'X', 0};
    for (int pass = 0; pass < 2; pass++) {
        fwrite(hdr, 1, sizeof(hdr), f);
        fwrite(body, 1, sizeof(body), f);
    }
    fprintf(f, "\n%s\n", footer);
    fclose(f);
}

static void test_footer_rules(void **state)
{
    char dir[] = "/tmp/tz_footer_XXXXXX";
    assert_non_null(mkdtemp(dir));
    static const struct {
        const char *name, *footer, *utc;
        int off;
    } cases[] = {
        /* J60 is March 1 even in a leap year */
        {"J1", "XXX-1YYY,J60/2,J300/2", "2028-03-01T00:59:59Z", 3600},
        {"J1", "XXX-1YYY,J60/2,J300/2", "2028-03-01T01:00:00Z", 7200},
        /* zero-based 59 is February 29 in a leap year, March 1 otherwise */
        {"J0", "XXX-1YYY,59/2,299/2", "2028-02-29T00:59:59Z", 3600},
        {"J0", "XXX-1YYY,59/2,299/2", "2028-02-29T01:00:00Z", 7200},
        {"J0", "XXX-1YYY,59/2,299/2", "2027-03-01T01:00:00Z", 7200},
        {"J0", "XXX-1YYY,59/2,299/2", "2027-02-28T23:00:00Z", 3600},
        /* DST all year (v3 extension) */
        {"AllYear", "EST5EDT,0/0,J365/25", "2027-07-01T00:00:00Z", -14400},
        {"AllYear", "EST5EDT,0/0,J365/25", "2027-01-01T12:00:00Z", -14400},
        {"AllYear", "EST5EDT,0/0,J365/25", "2027-12-31T23:59:59Z", -14400},
        /* negative transition times (Nuuk style) */
        {"Neg", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2026-03-29T00:59:59Z", -7200},
        {"Neg", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2026-03-29T01:00:00Z", -3600},
        {"Neg", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2026-10-25T00:59:59Z", -3600},
        {"Neg", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2026-10-25T01:00:00Z", -7200},
        /* over-24h times (Israel style: Thursday 26:00 = Friday 02:00) */
        {"Over24", "IST-2IDT,M3.4.4/26,M10.5.0", "2026-03-26T23:59:59Z", 7200},
        {"Over24", "IST-2IDT,M3.4.4/26,M10.5.0", "2026-03-27T00:00:00Z", 10800},
        /* southern hemisphere, DST across the new year */
        {"South", "AEST-10AEDT,M10.1.0,M4.1.0/3", "2026-12-31T23:00:00Z", 39600},
        {"South", "AEST-10AEDT,M10.1.0,M4.1.0/3", "2026-07-01T00:00:00Z", 36000},
        /* no DST, quoted name, minutes */
        {"Fixed", "<+0545>-5:45", "2026-07-01T00:00:00Z", 20700},
        /* DST name without a rule: the US default rule */
        {"NoRule", "EST5EDT", "2026-07-01T00:00:00Z", -14400},
        {"NoRule", "EST5EDT", "2026-01-01T00:00:00Z", -18000},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) write_footer_zone(dir, cases[i].name, cases[i].footer);
    write_footer_zone(dir, "BadFooter", "EST5EDT,M13.1.0,M11.1.0");
    char path[512];
    snprintf(path, sizeof(path), "%s/Test/Truncated", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite("TZif2\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x05\0\0\0\x01\0\0\0\x04", 1, 44, f);
    fclose(f);

    setenv("FD_ZONEINFO_DIR", dir, 1);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char id[64];
        snprintf(id, sizeof(id), "Test/%s", cases[i].name);
        const tz_zone_t *z = tz_zone_load(id);
        if (z == NULL) fail_msg("%s (%s) does not load", id, cases[i].footer);
        int off = tz_offset_seconds(z, utc(cases[i].utc));
        if (off != cases[i].off) fail_msg("%s at %s: %d, want %d", cases[i].footer, cases[i].utc, off, cases[i].off);
    }
    assert_null(tz_zone_load("Test/BadFooter"));
    assert_null(tz_zone_load("Test/Truncated"));
    unsetenv("FD_ZONEINFO_DIR");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(path, sizeof(path), "%s/Test/%s", dir, cases[i].name);
        unlink(path);
    }
    snprintf(path, sizeof(path), "%s/Test/BadFooter", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/Test/Truncated", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/Test", dir);
    rmdir(path);
    rmdir(dir);
}

/* The process TZ variable must change nothing. */
static void test_tz_env_independent(void **state)
{
    const tz_zone_t *ny = zone("America/New_York");
    tz_instant_t t = utc("2026-11-01T05:30:00Z");
    char before[TZ_ISO_CAP], after[TZ_ISO_CAP];
    tz_format_local(ny, t, before);
    tz_instant_t p1, p2;
    assert_int_equal(tz_parse_iso("2026-11-01T01:30", 16, ny, &p1, NULL, 0), 0);
    setenv("TZ", "Pacific/Kiritimati", 1);
    tzset();
    tz_format_local(ny, t, after);
    assert_int_equal(tz_parse_iso("2026-11-01T01:30", 16, ny, &p2, NULL, 0), 0);
    unsetenv("TZ");
    tzset();
    assert_string_equal(before, after);
    assert_true(p1 == p2 && p1 == t);
}

static int teardown(void **state)
{
    tz_shutdown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_accept),     cmocka_unit_test(test_iso_reject),
        cmocka_unit_test(test_format),         cmocka_unit_test(test_civil),
        cmocka_unit_test(test_from_local),     cmocka_unit_test(test_to_local),
        cmocka_unit_test(test_days),           cmocka_unit_test(test_add_local_days),
        cmocka_unit_test(test_zone_load),      cmocka_unit_test(test_footer_rules),
        cmocka_unit_test(test_tz_env_independent),
    };
    return cmocka_run_group_tests_name("tz_convert", tests, NULL, teardown);
}
