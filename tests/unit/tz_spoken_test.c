/* tests/unit/tz_spoken_test.c: spoken formatting (tz/tz_spoken.h) in en-US, en-AU, en-GB, en-CA and fr-CA, with
 * today/tomorrow decided in the location's zone, flags, DST-correct local times, errors and per-thread use. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "tz/tz_spoken.h"

static tz_instant_t utc(const char *iso)
{
    tz_instant_t t = 0;
    if (tz_parse_iso(iso, strlen(iso), NULL, &t, NULL, 0) != 0) fail_msg("bad ISO %s", iso);
    return t;
}

typedef struct speak_case {
    const char *locale, *zone, *when, *now;
    int flags;
    const char *want; /* what ICU 72 (CLDR 42) gives, no-break spaces turned into spaces */
} speak_case_t;

static const speak_case_t cases[] = {
    /* the weekday and date in each locale's own order and clock */
    {"en-US", "America/New_York", "2026-04-21T18:30:00Z", "2026-04-18T12:00:00Z", 0, "Tuesday, April 21 at 2:30 PM"},
    {"en_US", "America/New_York", "2026-04-21T18:30:00Z", "2026-04-18T12:00:00Z", 0, "Tuesday, April 21 at 2:30 PM"},
    {"en-AU", "Australia/Sydney", "2026-04-21T04:30:00Z", "2026-04-18T12:00:00Z", 0, "Tuesday, 21 April at 2:30 pm"},
    {"en-GB", "Europe/London", "2026-04-21T13:30:00Z", "2026-04-18T12:00:00Z", 0, "Tuesday, 21 April at 14:30"},
    {"en-CA", "America/Toronto", "2026-04-21T18:30:00Z", "2026-04-18T12:00:00Z", 0,
     "Tuesday, April 21 at 2:30 p.m."},
    {"fr-CA", "America/Toronto", "2026-04-21T18:30:00Z", "2026-04-18T12:00:00Z", 0, "mardi 21 avril à 14 h 30"},
    /* today / tomorrow */
    {"en-US", "America/New_York", "2026-04-21T18:30:00Z", "2026-04-21T12:00:00Z", 0, "today at 2:30 PM"},
    {"en-US", "America/New_York", "2026-04-21T18:30:00Z", "2026-04-20T23:00:00Z", 0, "tomorrow at 2:30 PM"},
    {"en-AU", "Australia/Sydney", "2026-04-21T04:30:00Z", "2026-04-20T23:00:00Z", 0, "today at 2:30 pm"},
    {"en-GB", "Europe/London", "2026-04-21T13:30:00Z", "2026-04-20T08:00:00Z", 0, "tomorrow at 14:30"},
    {"en-CA", "America/Toronto", "2026-04-21T18:30:00Z", "2026-04-21T04:00:00Z", 0, "today at 2:30 p.m."},
    {"fr-CA", "America/Toronto", "2026-04-21T18:30:00Z", "2026-04-21T12:00:00Z", 0, "aujourd’hui à 14 h 30"},
    {"fr-CA", "America/Toronto", "2026-04-21T18:30:00Z", "2026-04-20T12:00:00Z", 0, "demain à 14 h 30"},
    /* the same two instants are "today" in one zone and "tomorrow" in another */
    {"en-US", "America/New_York", "2026-04-21T03:00:00Z", "2026-04-20T20:00:00Z", 0, "today at 11:00 PM"},
    {"en-AU", "Australia/Sydney", "2026-04-21T03:00:00Z", "2026-04-20T20:00:00Z", 0, "today at 1:00 pm"},
    {"en-GB", "Europe/London", "2026-04-21T03:00:00Z", "2026-04-20T20:00:00Z", 0, "tomorrow at 04:00"},
    /* the day after tomorrow and the past get the weekday */
    {"en-US", "America/New_York", "2026-04-21T18:30:00Z", "2026-04-19T12:00:00Z", 0, "Tuesday, April 21 at 2:30 PM"},
    {"en-US", "America/New_York", "2026-04-21T18:30:00Z", "2026-04-22T12:00:00Z", 0, "Tuesday, April 21 at 2:30 PM"},
    /* flags */
    {"en-US", "America/New_York", "2026-04-21T18:30:00Z", "2026-04-21T12:00:00Z", TZ_SPEAK_NO_RELATIVE,
     "Tuesday, April 21 at 2:30 PM"},
    {"en-US", "America/New_York", "2026-04-21T18:30:00Z", "2026-04-18T12:00:00Z", TZ_SPEAK_WITH_YEAR,
     "Tuesday, April 21, 2026 at 2:30 PM"},
    {"en-GB", "Europe/London", "2026-04-21T13:30:00Z", "2026-04-18T12:00:00Z", TZ_SPEAK_WITH_YEAR,
     "Tuesday, 21 April 2026 at 14:30"},
    {"en-US", "America/New_York", "2026-04-21T18:30:00Z", "2026-04-18T12:00:00Z", TZ_SPEAK_DATE_ONLY,
     "Tuesday, April 21"},
    {"en-US", "America/New_York", "2026-04-21T18:30:00Z", "2026-04-21T12:00:00Z", TZ_SPEAK_DATE_ONLY, "today"},
    {"fr-CA", "America/Toronto", "2026-04-21T18:30:00Z", "2026-04-18T12:00:00Z", TZ_SPEAK_TIME_ONLY, "14 h 30"},
    {"en-US", "America/New_York", "2026-04-21T18:30:00Z", "2026-04-18T12:00:00Z", TZ_SPEAK_TIME_ONLY, "2:30 PM"},
    /* local times from our current rules, not ICU's 2022e data (which still has DST in Mexico) */
    {"en-US", "America/Mexico_City", "2026-07-01T18:00:00Z", "2026-04-18T12:00:00Z", 0,
     "Wednesday, July 1 at 12:00 PM"},
    {"en-US", "America/Ciudad_Juarez", "2026-07-01T18:00:00Z", "2026-04-18T12:00:00Z", 0,
     "Wednesday, July 1 at 12:00 PM"},
    /* across DST: the first instant after New York springs forward */
    {"en-US", "America/New_York", "2026-03-08T07:00:00Z", "2026-03-08T06:00:00Z", 0, "today at 3:00 AM"},
    {"en-AU", "Australia/Lord_Howe", "2026-10-03T15:30:00Z", "2026-04-18T12:00:00Z", 0,
     "Sunday, 4 October at 2:30 am"},
    /* the hour New York repeats when the clocks go back: the two 1:30s are said apart */
    {"en-US", "America/New_York", "2026-11-01T05:30:00Z", "2026-10-18T12:00:00Z", 0,
     "Sunday, November 1 at 1:30 AM, before the clocks go back"},
    {"en-US", "America/New_York", "2026-11-01T06:30:00Z", "2026-10-18T12:00:00Z", 0,
     "Sunday, November 1 at 1:30 AM, after the clocks go back"},
    {"en-US", "America/New_York", "2026-11-01T07:30:00Z", "2026-10-18T12:00:00Z", 0, "Sunday, November 1 at 2:30 AM"},
    {"en-US", "America/New_York", "2026-11-01T06:30:00Z", "2026-10-18T12:00:00Z", TZ_SPEAK_DATE_ONLY,
     "Sunday, November 1"},
    /* Lord Howe goes back by 30 minutes: 1:45 happens twice */
    {"en-AU", "Australia/Lord_Howe", "2026-04-04T14:45:00Z", "2026-03-18T12:00:00Z", TZ_SPEAK_TIME_ONLY,
     "1:45 am, before the clocks go back"},
    {"en-AU", "Australia/Lord_Howe", "2026-04-04T15:15:00Z", "2026-03-18T12:00:00Z", TZ_SPEAK_TIME_ONLY,
     "1:45 am, after the clocks go back"},
    {"en-US", "UTC+05:30", "2026-04-21T09:00:00Z", "2026-04-18T12:00:00Z", 0, "Tuesday, April 21 at 2:30 PM"},
};

static void test_speak_table(void **state)
{
    tz_speaker_t *sp = tz_speaker_create();
    assert_non_null(sp);
    for (int round = 0; round < 2; round++) { /* the second round uses cached formatters */
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            const speak_case_t *c = &cases[i];
            const tz_zone_t *z = tz_zone_load(c->zone);
            assert_non_null(z);
            char buf[128];
            int n = tz_speak(sp, c->locale, z, utc(c->when), utc(c->now), c->flags, buf, sizeof(buf));
            if (n < 0 || strcmp(buf, c->want) != 0)
                fail_msg("%s %s %s (now %s, flags %d): '%s', want '%s'", c->locale, c->zone, c->when, c->now,
                         c->flags, buf, c->want);
            assert_int_equal(n, strlen(buf));
        }
    }
    tz_speaker_destroy(sp);
}

static void test_speak_errors(void **state)
{
    tz_speaker_t *sp = tz_speaker_create();
    const tz_zone_t *ny = tz_zone_load("America/New_York");
    tz_instant_t t = utc("2026-04-21T18:30:00Z");
    char buf[64];
    assert_int_equal(tz_speak(sp, "en-US", ny, t, t, 0, buf, 10), -1); /* too small */
    assert_string_equal(buf, "");
    assert_int_equal(tz_speak(sp, "en US", ny, t, t, 0, buf, sizeof(buf)), -1);
    assert_int_equal(tz_speak(sp, "", ny, t, t, 0, buf, sizeof(buf)), -1);
    assert_int_equal(tz_speak(sp, "en-US-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ny, t, t, 0, buf, sizeof(buf)), -1);
    assert_int_equal(tz_speak(sp, "en-US", NULL, t, t, 0, buf, sizeof(buf)), -1);
    assert_int_equal(tz_speak(NULL, "en-US", ny, t, t, 0, buf, sizeof(buf)), -1);
    assert_int_equal(tz_speak(sp, "en-US", ny, t, t, TZ_SPEAK_DATE_ONLY | TZ_SPEAK_TIME_ONLY, buf, sizeof(buf)), -1);
    /* More locales than the speaker caches: the oldest are replaced, results stay right. */
    static const char *const locs[] = {"de-DE", "es-ES", "it-IT", "ja-JP", "pt-BR", "nl-NL", "sv-SE", "en-US",
                                       "da-DK", "fi-FI", "en-US"};
    for (size_t i = 0; i < sizeof(locs) / sizeof(locs[0]); i++)
        assert_true(tz_speak(sp, locs[i], ny, t, t - 7 * TZ_MS_PER_DAY, 0, buf, sizeof(buf)) > 0);
    assert_string_equal(buf, "Tuesday, April 21 at 2:30 PM");
    tz_speaker_destroy(sp);
    tz_speaker_destroy(NULL);
    assert_true(strlen(tz_icu_tzdata_version()) >= 4);
}

/* One speaker per thread, all threads at once. */
static void *speak_thread(void *arg)
{
    const char *locale = arg;
    tz_speaker_t *sp = tz_speaker_create();
    const tz_zone_t *z = tz_zone_load("America/Toronto");
    const char *want = strcmp(locale, "fr-CA") == 0 ? "mardi 21 avril à 14 h 30" : "Tuesday, April 21 at 2:30 p.m.";
    intptr_t bad = 0;
    for (int i = 0; i < 300; i++) {
        char buf[128];
        if (tz_speak(sp, locale, z, 1776796200000LL, 1776513600000LL, 0, buf, sizeof(buf)) < 0 ||
            strcmp(buf, want) != 0)
            bad++;
    }
    tz_speaker_destroy(sp);
    return (void *)bad;
}

static void test_speak_threads(void **state)
{
    pthread_t th[4];
    static const char *const locs[4] = {"fr-CA", "en-CA", "fr-CA", "en-CA"};
    for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&th[i], NULL, speak_thread, (void *)locs[i]), 0);
    for (int i = 0; i < 4; i++) {
        void *bad;
        pthread_join(th[i], &bad);
        assert_true(bad == NULL);
    }
}

static void test_speak_tz_env_independent(void **state)
{
    tz_speaker_t *sp = tz_speaker_create();
    const tz_zone_t *ny = tz_zone_load("America/New_York");
    char a[64], b[64];
    tz_speak(sp, "en-US", ny, utc("2026-04-21T18:30:00Z"), utc("2026-04-21T12:00:00Z"), 0, a, sizeof(a));
    setenv("TZ", "Pacific/Kiritimati", 1);
    tzset();
    tz_speak(sp, "en-US", ny, utc("2026-04-21T18:30:00Z"), utc("2026-04-21T12:00:00Z"), 0, b, sizeof(b));
    unsetenv("TZ");
    tzset();
    assert_string_equal(a, "today at 2:30 PM");
    assert_string_equal(a, b);
    tz_speaker_destroy(sp);
}

static int teardown(void **state)
{
    tz_shutdown();
    return 0;
}

/* A plan says every instant exactly as tz_speak does: every 5 minutes over the three days around each change of
 * New York, Sydney, Lord Howe (30 minutes) and London, in four locales and every flag, with "now" the day before
 * (today and tomorrow), then instants out of order (the plan's span runs backwards and jumps). Two speakers, so
 * neither's memo can hide a difference. */
static void test_planned_speech_is_tz_speak(void **state)
{
    static const struct {
        const char *zone, *change_day;
    } changes[] = {{"America/New_York", "2027-03-14"}, {"America/New_York", "2027-11-07"},
                   {"Australia/Sydney", "2027-04-04"}, {"Australia/Sydney", "2027-10-03"},
                   {"Australia/Lord_Howe", "2027-04-04"}, {"Australia/Lord_Howe", "2027-10-03"},
                   {"Europe/London", "2027-10-31"}};
    static const char *const locales[] = {"en-US", "en-AU", "fr-CA", "de-DE"};
    static const int flags[] = {TZ_SPEAK_DEFAULT, TZ_SPEAK_NO_RELATIVE, TZ_SPEAK_WITH_YEAR, TZ_SPEAK_DATE_ONLY,
                                TZ_SPEAK_TIME_ONLY};
    tz_speaker_t *one = tz_speaker_create(), *plain = tz_speaker_create();
    int repeated = 0, compared = 0;
    for (size_t c = 0; c < sizeof(changes) / sizeof(changes[0]); c++) {
        const tz_zone_t *z = tz_zone_load(changes[c].zone);
        char iso[32];
        snprintf(iso, sizeof(iso), "%sT12:00:00Z", changes[c].change_day);
        tz_instant_t mid = utc(iso), from = mid - 36 * TZ_MS_PER_HOUR, to = mid + 36 * TZ_MS_PER_HOUR;
        for (size_t l = 0; l < sizeof(locales) / sizeof(locales[0]); l++) {
            for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
                tz_speak_plan_t plan;
                tz_speak_plan_init(&plan, one, locales[l], z, from - 20 * TZ_MS_PER_HOUR, flags[f]);
                for (int pass = 0; pass < 2; pass++) {
                    for (tz_instant_t t = from; t < to; t += 5 * TZ_MS_PER_MINUTE) {
                        /* pass 1: out of order, a pseudo-random walk over the same window */
                        tz_instant_t at = pass == 0 ? t : from + (tz_instant_t)((uint64_t)(t - from) * 7919 %
                                                                               (uint64_t)(to - from)) / 60000 * 60000;
                        char a[160], b[160];
                        int n = tz_speak_planned(&plan, at, a, sizeof(a));
                        int m = tz_speak(plain, locales[l], z, at, from - 20 * TZ_MS_PER_HOUR, flags[f], b, sizeof(b));
                        assert_int_equal(n, m);
                        assert_true(n > 0);
                        assert_string_equal(a, b);
                        repeated += strstr(a, "clocks go back") != NULL;
                        compared++;
                    }
                }
            }
        }
    }
    assert_true(repeated > 100); /* the repeated hours were among them */
    assert_true(compared > 50000);
    char buf[8];
    tz_speak_plan_t bad;
    tz_speak_plan_init(&bad, one, "en US", tz_zone_load("UTC"), 0, 0);
    assert_int_equal(tz_speak_planned(&bad, 0, buf, sizeof(buf)), -1);
    assert_string_equal(buf, "");
    tz_speaker_destroy(one);
    tz_speaker_destroy(plain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_speak_table),
        cmocka_unit_test(test_speak_errors),
        cmocka_unit_test(test_speak_threads),
        cmocka_unit_test(test_speak_tz_env_independent),
        cmocka_unit_test(test_planned_speech_is_tz_speak),
    };
    return cmocka_run_group_tests_name("tz_spoken", tests, NULL, teardown);
}
