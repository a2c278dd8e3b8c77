/* tests/unit/tz_names_test.c: table-driven tests of zone-name resolution (tz/tz_names.h): every kind of name,
 * ambiguous abbreviations with and without a country hint, unknown names, and the cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tz/tz_names.h"

typedef struct name_case {
    const char *name, *hint, *want_id;
    tz_name_kind_t kind;
    int ambiguous, hint_used;
} name_case_t;

static const name_case_t cases[] = {
    /* IANA IDs, any case, and legacy aliases -> IANA-canonical (not ICU's CLDR canonical) */
    {"America/New_York", NULL, "America/New_York", TZ_NAME_IANA, 0, 0},
    {"america/new_york", NULL, "America/New_York", TZ_NAME_IANA, 0, 0},
    {"  Australia/Lord_Howe \t", NULL, "Australia/Lord_Howe", TZ_NAME_IANA, 0, 0},
    {"America/Ciudad_Juarez", NULL, "America/Ciudad_Juarez", TZ_NAME_IANA, 0, 0}, /* unknown to ICU 2022e */
    {"Europe/Oslo", NULL, "Europe/Oslo", TZ_NAME_IANA, 0, 0},                     /* zone.tab keeps it */
    {"US/Eastern", NULL, "America/New_York", TZ_NAME_ALIAS, 0, 0},
    {"Asia/Calcutta", NULL, "Asia/Kolkata", TZ_NAME_ALIAS, 0, 0},
    {"Europe/Kiev", NULL, "Europe/Kyiv", TZ_NAME_ALIAS, 0, 0},
    {"Asia/Saigon", NULL, "Asia/Ho_Chi_Minh", TZ_NAME_ALIAS, 0, 0},
    {"Australia/ACT", NULL, "Australia/Sydney", TZ_NAME_ALIAS, 0, 0},
    {"Etc/GMT+5", NULL, "Etc/GMT+5", TZ_NAME_IANA, 0, 0},
    {"NZ", NULL, "Pacific/Auckland", TZ_NAME_ALIAS, 0, 0},
    /* Windows IDs (Practice Better), region from the hint */
    {"AUS Eastern Standard Time", NULL, "Australia/Sydney", TZ_NAME_WINDOWS, 0, 0},
    {"aus eastern standard time", NULL, "Australia/Sydney", TZ_NAME_WINDOWS, 0, 0},
    {"India Standard Time", NULL, "Asia/Kolkata", TZ_NAME_WINDOWS, 0, 0},
    {"Pacific Standard Time", NULL, "America/Los_Angeles", TZ_NAME_WINDOWS, 0, 0},
    {"W. Europe Standard Time", NULL, "Europe/Berlin", TZ_NAME_WINDOWS, 0, 0},
    {"W. Europe Standard Time", "CH", "Europe/Zurich", TZ_NAME_WINDOWS, 0, 1},
    {"Eastern Standard Time", "CA", "America/Toronto", TZ_NAME_WINDOWS, 0, 1},
    {"Cen. Australia Standard Time", NULL, "Australia/Adelaide", TZ_NAME_WINDOWS, 0, 0},
    {"New Zealand Standard Time", NULL, "Pacific/Auckland", TZ_NAME_WINDOWS, 0, 0},
    /* Rails / ActiveSupport names (Cliniko) */
    {"Eastern Time (US & Canada)", NULL, "America/New_York", TZ_NAME_RAILS, 0, 0},
    {"Pacific Time (US & Canada)", NULL, "America/Los_Angeles", TZ_NAME_RAILS, 0, 0},
    {"Central Time (US & Canada)", NULL, "America/Chicago", TZ_NAME_RAILS, 0, 0},
    {"Mountain Time (US & Canada)", NULL, "America/Denver", TZ_NAME_RAILS, 0, 0},
    {"Brisbane", NULL, "Australia/Brisbane", TZ_NAME_RAILS, 0, 0},
    {"New Delhi", NULL, "Asia/Kolkata", TZ_NAME_RAILS, 0, 0},
    {"Kyiv", NULL, "Europe/Kyiv", TZ_NAME_RAILS, 0, 0},
    {"Rangoon", NULL, "Asia/Yangon", TZ_NAME_RAILS, 0, 0},
    {"Greenland", NULL, "America/Nuuk", TZ_NAME_RAILS, 0, 0},
    {"Chatham Is.", NULL, "Pacific/Chatham", TZ_NAME_RAILS, 0, 0},
    {"Indiana (East)", NULL, "America/Indiana/Indianapolis", TZ_NAME_RAILS, 0, 0},
    /* abbreviations */
    {"EST", NULL, "America/New_York", TZ_NAME_ABBREVIATION, 0, 0},
    {"pdt", NULL, "America/Los_Angeles", TZ_NAME_ABBREVIATION, 0, 0},
    {"AEST", NULL, "Australia/Sydney", TZ_NAME_ABBREVIATION, 0, 0},
    {"AEDT", NULL, "Australia/Sydney", TZ_NAME_ABBREVIATION, 0, 0},
    {"ACST", NULL, "Australia/Adelaide", TZ_NAME_ABBREVIATION, 0, 0},
    {"NZST", NULL, "Pacific/Auckland", TZ_NAME_ABBREVIATION, 0, 0},
    {"GMT", NULL, "Etc/UTC", TZ_NAME_ABBREVIATION, 0, 0},
    {"UTC", NULL, "Etc/UTC", TZ_NAME_ABBREVIATION, 0, 0},
    {"E.S.T.", NULL, "America/New_York", TZ_NAME_ABBREVIATION, 0, 0},
    {"EST", "AU", "Australia/Sydney", TZ_NAME_ABBREVIATION, 0, 1},
    /* ambiguous abbreviations: default without a hint, the country's zone with one */
    {"CST", NULL, "America/Chicago", TZ_NAME_ABBREVIATION, 1, 0},
    {"CST", "US", "America/Chicago", TZ_NAME_ABBREVIATION, 1, 0},
    {"CST", "CN", "Asia/Shanghai", TZ_NAME_ABBREVIATION, 1, 1},
    {"cst", "cn", "Asia/Shanghai", TZ_NAME_ABBREVIATION, 1, 1},
    {"CST", "TW", "Asia/Taipei", TZ_NAME_ABBREVIATION, 1, 1},
    {"CST", "CU", "America/Havana", TZ_NAME_ABBREVIATION, 1, 1},
    {"CST", "MX", "America/Mexico_City", TZ_NAME_ABBREVIATION, 1, 1},
    {"CST", "AU", "Australia/Adelaide", TZ_NAME_ABBREVIATION, 1, 1},
    {"IST", NULL, "Asia/Kolkata", TZ_NAME_ABBREVIATION, 1, 0},
    {"IST", "IN", "Asia/Kolkata", TZ_NAME_ABBREVIATION, 1, 0},
    {"IST", "IE", "Europe/Dublin", TZ_NAME_ABBREVIATION, 1, 1},
    {"IST", "IL", "Asia/Jerusalem", TZ_NAME_ABBREVIATION, 1, 1},
    {"BST", NULL, "Europe/London", TZ_NAME_ABBREVIATION, 1, 0},
    {"BST", "GB", "Europe/London", TZ_NAME_ABBREVIATION, 1, 0},
    {"BST", "BD", "Asia/Dhaka", TZ_NAME_ABBREVIATION, 1, 1},
    {"PST", "PH", "Asia/Manila", TZ_NAME_ABBREVIATION, 1, 1},
    {"AST", "SA", "Asia/Riyadh", TZ_NAME_ABBREVIATION, 1, 1},
    {"CET", "FR", "Europe/Paris", TZ_NAME_ABBREVIATION, 0, 1}, /* the hint country's own CET zone */
    {"EET", "EG", "Africa/Cairo", TZ_NAME_ABBREVIATION, 0, 1},
    {"CST", "ZZ", "America/Chicago", TZ_NAME_ABBREVIATION, 1, 0}, /* unknown country: default */
    {"CST", "Chicago", "America/Chicago", TZ_NAME_ABBREVIATION, 1, 0}, /* not a country code: ignored */
    /* spoken forms */
    {"Eastern", NULL, "America/New_York", TZ_NAME_SPOKEN, 0, 0},
    {"eastern time", NULL, "America/New_York", TZ_NAME_SPOKEN, 0, 0},
    {"pacific time", NULL, "America/Los_Angeles", TZ_NAME_SPOKEN, 0, 0},
    {"mountain", NULL, "America/Denver", TZ_NAME_SPOKEN, 0, 0},
    {"central standard", NULL, "America/Chicago", TZ_NAME_SPOKEN, 0, 0},
    {"Central Daylight Time", NULL, "America/Chicago", TZ_NAME_SPOKEN, 0, 0},
    {"eastern", "AU", "Australia/Sydney", TZ_NAME_SPOKEN, 0, 1},
    {"central", "AU", "Australia/Adelaide", TZ_NAME_SPOKEN, 0, 1},
    {"eastern", "CA", "America/Toronto", TZ_NAME_SPOKEN, 0, 1},
    {"Australian Eastern Standard Time", NULL, "Australia/Sydney", TZ_NAME_SPOKEN, 0, 0},
    {"British Summer Time", NULL, "Europe/London", TZ_NAME_SPOKEN, 1, 0},
    {"India time", NULL, "Asia/Kolkata", TZ_NAME_SPOKEN, 1, 0},
    {"New Zealand time", NULL, "Pacific/Auckland", TZ_NAME_SPOKEN, 0, 0},
    {"central european time", "NO", "Europe/Oslo", TZ_NAME_SPOKEN, 0, 1},
    {"arizona time", NULL, "America/Phoenix", TZ_NAME_SPOKEN, 0, 0},
    /* cities */
    {"Sydney time", NULL, "Australia/Sydney", TZ_NAME_CITY, 0, 0},
    {"new york", NULL, "America/New_York", TZ_NAME_CITY, 0, 0},
    {"Los Angeles time", NULL, "America/Los_Angeles", TZ_NAME_CITY, 0, 0},
    {"St. John's time", NULL, "America/St_Johns", TZ_NAME_CITY, 0, 0},
    {"Calcutta", NULL, "Asia/Kolkata", TZ_NAME_CITY, 0, 0},
    {"Beijing time", NULL, "Asia/Shanghai", TZ_NAME_CITY, 0, 0},
    {"Kathmandu", NULL, "Asia/Kathmandu", TZ_NAME_RAILS, 0, 0},
    {"Adelaide time", NULL, "Australia/Adelaide", TZ_NAME_CITY, 0, 0},
    /* fixed offsets */
    {"UTC+10", NULL, "UTC+10:00", TZ_NAME_OFFSET, 0, 0},
    {"GMT-5", NULL, "UTC-05:00", TZ_NAME_OFFSET, 0, 0},
    {"+05:30", NULL, "UTC+05:30", TZ_NAME_OFFSET, 0, 0},
    {"utc +5:45", NULL, "UTC+05:45", TZ_NAME_OFFSET, 0, 0},
    {"-0330", NULL, "UTC-03:30", TZ_NAME_OFFSET, 0, 0},
    {"GMT+0", NULL, "Etc/UTC", TZ_NAME_OFFSET, 0, 0},
    {"UTC\xe2\x88\x92" "3", NULL, "UTC-03:00", TZ_NAME_OFFSET, 0, 0}, /* U+2212 minus */
};

static void test_resolve_table(void **state)
{
    for (int round = 0; round < 2; round++) { /* the second round is served by the cache */
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            const name_case_t *c = &cases[i];
            tz_resolution_t r;
            char why[128] = "";
            int rc = round == 0 ? tz_resolve(c->name, strlen(c->name), c->hint, &r, why, sizeof(why))
                                : tz_resolve(c->name, strlen(c->name), c->hint, &r, why, sizeof(why));
            if (rc != 0) fail_msg("'%s' (%s) failed: %s", c->name, c->hint ? c->hint : "-", why);
            if (strcmp(r.id, c->want_id) != 0 || r.kind != c->kind || r.ambiguous != c->ambiguous ||
                r.hint_used != c->hint_used)
                fail_msg("'%s' (%s) -> %s %s amb=%d hint=%d; want %s %s amb=%d hint=%d", c->name,
                         c->hint ? c->hint : "-", r.id, tz_name_kind_str(r.kind), r.ambiguous, r.hint_used,
                         c->want_id, tz_name_kind_str(c->kind), c->ambiguous, c->hint_used);
            assert_non_null(r.zone);
            assert_string_equal(tz_zone_id(r.zone), r.id);
            tz_resolution_t u;
            assert_int_equal(tz_resolve_uncached(c->name, strlen(c->name), c->hint, &u, NULL, 0), 0);
            assert_string_equal(u.id, r.id);
            assert_ptr_equal(u.zone, r.zone);
        }
    }
}

static void test_resolve_failures(void **state)
{
    static const struct {
        const char *name;
        size_t len;
        const char *why;
    } bad[] = {
        {"Foo/Bar", 0, "unknown IANA time zone 'Foo/Bar'"},
        {"Mars Standard Time", 0, "unknown time zone name 'Mars Standard Time'"},
        {"", 0, "empty zone name"},
        {"   ", 0, "empty zone name"},
        {"../../etc/passwd", 0, "unknown IANA time zone"},
        {"/etc/localtime", 0, "unknown IANA time zone"},
        {"UTC+15", 0, "unknown time zone name"},
        {"UTC+05:75", 0, "unknown time zone name"},
        {"time", 0, "unknown time zone name"},
        {"Factory", 0, "unknown time zone name 'Factory'"}, /* abbreviation -00: local time unknown */
        {"factory", 0, "unknown time zone name"},
        {"EST\nPST", 0, "control character"},
        {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
         0, "longer than"},
        {"EST\0PST", 7, "control character"},
    };
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            tz_resolution_t r;
            char why[128] = "";
            size_t len = bad[i].len ? bad[i].len : strlen(bad[i].name);
            if (tz_resolve(bad[i].name, len, NULL, &r, why, sizeof(why)) != -1) fail_msg("resolved '%s'", bad[i].name);
            if (strstr(why, bad[i].why) == NULL) fail_msg("'%s': reason '%s' lacks '%s'", bad[i].name, why, bad[i].why);
            assert_null(r.zone);
        }
    }
    tz_resolution_t r;
    assert_int_equal(tz_resolve(NULL, 0, NULL, &r, NULL, 0), -1);
    assert_int_equal(tz_resolve("EST", 3, NULL, NULL, NULL, 0), -1);
    /* Not NUL-terminated input: only len bytes are read. */
    char buf[3] = {'E', 'S', 'T'};
    assert_int_equal(tz_resolve(buf, sizeof(buf), NULL, &r, NULL, 0), 0);
    assert_string_equal(r.id, "America/New_York");
}

static void test_resolved_zone_converts(void **state)
{
    tz_resolution_t r;
    assert_int_equal(tz_resolve("Eastern Time (US & Canada)", 26, NULL, &r, NULL, 0), 0);
    tz_instant_t t;
    assert_int_equal(tz_parse_iso("2026-07-01T12:00:00Z", 20, NULL, &t, NULL, 0), 0);
    assert_int_equal(tz_offset_seconds(r.zone, t), -14400);
    /* Mexico City: ICU 2022e still believes in DST there; our rules do not. */
    assert_int_equal(tz_resolve("Central Standard Time (Mexico)", 30, NULL, &r, NULL, 0), 0);
    assert_string_equal(r.id, "America/Mexico_City");
    assert_int_equal(tz_offset_seconds(r.zone, t), -21600);
}

static int teardown(void **state)
{
    tz_shutdown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_table),
        cmocka_unit_test(test_resolve_failures),
        cmocka_unit_test(test_resolved_zone_converts),
    };
    return cmocka_run_group_tests_name("tz_names", tests, NULL, teardown);
}
