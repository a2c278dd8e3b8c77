/* tests/unit/tz_windows_test.c: IANA -> Windows zone IDs (tz/tz_windows.h), and the round trip back through
 * tz_resolve for the zones Practice Better clinics use, DST zones of both hemispheres included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tz/tz_names.h"
#include "tz/tz_windows.h"

static const struct {
    const char *iana, *windows;
} cases[] = {
    {"Australia/Sydney", "AUS Eastern Standard Time"},
    {"Australia/Melbourne", "AUS Eastern Standard Time"},
    {"Australia/Brisbane", "E. Australia Standard Time"},
    {"Australia/Adelaide", "Cen. Australia Standard Time"},
    {"Australia/Perth", "W. Australia Standard Time"},
    {"Pacific/Auckland", "New Zealand Standard Time"},
    {"America/New_York", "Eastern Standard Time"},
    {"America/Toronto", "Eastern Standard Time"},
    {"America/Chicago", "Central Standard Time"},
    {"America/Denver", "Mountain Standard Time"},
    {"America/Phoenix", "US Mountain Standard Time"},
    {"America/Los_Angeles", "Pacific Standard Time"},
    {"Europe/London", "GMT Standard Time"},
    {"Europe/Berlin", "W. Europe Standard Time"},
    {"Asia/Kolkata", "India Standard Time"},
    {"Asia/Calcutta", "India Standard Time"}, /* an alias ICU knows */
};

static void test_iana_to_windows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[64] = "x";
        assert_int_equal(tz_windows_id(cases[i].iana, out, sizeof(out)), 0);
        assert_string_equal(out, cases[i].windows);
    }
}

/* The canonical zone of each Windows ID (its "001" territory) comes back from tz_resolve. */
static void test_round_trip(void **state)
{
    (void)state;
    const char *zones[] = {"Australia/Sydney", "America/New_York", "Europe/London", "Pacific/Auckland",
                           "America/Los_Angeles", "Europe/Berlin"};
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
        char win[64];
        tz_resolution_t r;
        assert_int_equal(tz_windows_id(zones[i], win, sizeof(win)), 0);
        assert_int_equal(tz_resolve(win, strlen(win), NULL, &r, NULL, 0), 0);
        assert_string_equal(r.id, zones[i]);
        assert_int_equal(r.kind, TZ_NAME_WINDOWS);
    }
}

static void test_failures(void **state)
{
    (void)state;
    char out[64] = "x", tiny[8] = "x";
    assert_int_equal(tz_windows_id("Mars/Olympus_Mons", out, sizeof(out)), -1);
    assert_string_equal(out, "");
    assert_int_equal(tz_windows_id("", out, sizeof(out)), -1);
    assert_int_equal(tz_windows_id(NULL, out, sizeof(out)), -1);
    assert_int_equal(tz_windows_id("Australia/Sydney", tiny, sizeof(tiny)), -1); /* does not fit */
    assert_string_equal(tiny, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iana_to_windows),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
