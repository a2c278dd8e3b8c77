/* Unit tests: slot ids round-trip, and forged, foreign or malformed ones are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "booking/slot_token.h"

static const unsigned char secret[] = "0123456789abcdef0123456789abcdef";
static const unsigned char other[] = "fedcba9876543210fedcba9876543210";

static bk_slot_ref_t sample(void)
{
    bk_slot_ref_t ref;
    memset(&ref, 0, sizeof(ref));
    memcpy(ref.tenant, "demo", 5);
    memcpy(ref.staff_id, "514810972972521916", 19); /* a Cliniko id above 2^53 */
    memcpy(ref.treatment_id, "trt-initial", 12);
    memcpy(ref.location_id, "loc|with:odd\"chars", 19);
    ref.start = 1776780000000;
    ref.end = 1776783600000;
    return ref;
}

static void round_trips(void **state)
{
    bk_slot_ref_t ref = sample(), back;
    char token[BK_SLOT_TOKEN_CAP];
    size_t n = bk_slot_token_make(secret, 32, &ref, token);
    assert_true(n > 20);
    assert_int_equal(strlen(token), n);
    for (size_t i = 0; i < n; i++) assert_true(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.", token[i]));
    assert_true(bk_slot_token_read(secret, 32, token, n, &back));
    assert_string_equal(back.tenant, "demo");
    assert_string_equal(back.staff_id, "514810972972521916");
    assert_string_equal(back.location_id, "loc|with:odd\"chars");
    assert_true(back.start == ref.start && back.end == ref.end);
}

static void refuses_forgeries(void **state)
{
    bk_slot_ref_t ref = sample(), back;
    char token[BK_SLOT_TOKEN_CAP];
    size_t n = bk_slot_token_make(secret, 32, &ref, token);
    assert_false(bk_slot_token_read(other, 32, token, n, &back)); /* another server's secret */
    for (size_t i = 0; i < n; i++) {
        char forged[BK_SLOT_TOKEN_CAP];
        memcpy(forged, token, n + 1);
        forged[i] = forged[i] == 'A' ? 'B' : 'A';
        if (forged[i] == token[i]) continue;
        assert_false(bk_slot_token_read(secret, 32, forged, n, &back));
    }
    /* A token for a later time, signed with another key, is refused. */
    ref.start += 3600000;
    ref.end += 3600000;
    char foreign[BK_SLOT_TOKEN_CAP];
    size_t m = bk_slot_token_make(other, 32, &ref, foreign);
    assert_false(bk_slot_token_read(secret, 32, foreign, m, &back));
}

static void refuses_malformed(void **state)
{
    bk_slot_ref_t back;
    static const char *const bad[] = {"", ".", "abc", "abc.def", "!!!.???", "a.b.c", "e30.AAAAAAAAAAAAAAAAAAAAAA"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(bk_slot_token_read(secret, 32, bad[i], strlen(bad[i]), &back));
    assert_false(bk_slot_token_read(secret, 32, NULL, 0, &back));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trips),
        cmocka_unit_test(refuses_forgeries),
        cmocka_unit_test(refuses_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
