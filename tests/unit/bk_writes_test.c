/* tests/unit/bk_writes_test.c: the pure parts of the booking writes: hold ids, interval coverage, canonical
 * JSON fingerprints and appointment ordering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "booking/appointments.h"
#include "booking/holds.h"
#include "booking/idempotency.h"
#include "booking/patients.h"

static void test_hold_ids(void **state)
{
    (void)state;
    bk_hold_t h;
    memset(&h, 0, sizeof(h));
    memcpy(h.id, "0123456789abcdef01234567", 25);
    memcpy(h.token, "00112233445566778899aabbccddeeff", 33);
    char pub[BK_HOLD_PUBLIC_CAP], id[BK_HOLD_ID_LEN + 1], token[BK_HOLD_TOKEN_LEN + 1];
    bk_hold_public_id(&h, pub);
    assert_string_equal(pub, "hold_0123456789abcdef01234567.00112233445566778899aabbccddeeff");
    assert_true(bk_hold_parse_public_id(pub, id, token));
    assert_string_equal(id, h.id);
    assert_string_equal(token, h.token);
    assert_false(bk_hold_parse_public_id("hold_0123456789abcdef01234567", id, token));
    assert_false(bk_hold_parse_public_id("hold_0123456789ABCDEF01234567.00112233445566778899aabbccddeeff", id, token));
    assert_false(bk_hold_parse_public_id("sb-appt-1", id, token));
    assert_true(bk_hold_is_hold_id("hold_x"));
    assert_false(bk_hold_is_hold_id("sb-appt-1"));
}

static void test_overlap_and_coverage(void **state)
{
    (void)state;
    assert_true(bk_intervals_overlap(600, 660, 630, 660));  /* 10:00-11:00 vs 10:30-11:00 */
    assert_false(bk_intervals_overlap(600, 660, 660, 720)); /* back to back */
    prov_opening_t o[] = {{600, 660}, {615, 675}, {630, 690}, {720, 780}};
    assert_true(bk_time_covered(o, 4, NULL, 600, 690));
    assert_false(bk_time_covered(o, 4, NULL, 600, 700)); /* 690-720 is busy */
    prov_opening_t own = {690, 720};
    assert_true(bk_time_covered(o, 4, &own, 600, 780));
    assert_false(bk_time_covered(o, 4, NULL, 590, 620));
}

static void test_fingerprint_ignores_key_order(void **state)
{
    (void)state;
    json_object *a = json_tokener_parse("{\"b\":1,\"a\":{\"y\":[1,\"x\"],\"x\":null}}");
    json_object *b = json_tokener_parse("{\"a\":{\"x\":null,\"y\":[1,\"x\"]},\"b\":1}");
    json_object *c = json_tokener_parse("{\"a\":{\"x\":null,\"y\":[1,\"x\"]},\"b\":2}");
    char *canon = bk_idem_canonical_json(a);
    assert_string_equal(canon, "{\"a\":{\"x\":null,\"y\":[1,\"x\"]},\"b\":1}");
    free(canon);
    char fa[65], fb[65], fc[65], fd[65];
    assert_int_equal(bk_idem_fingerprint("/r", a, fa), 0);
    assert_int_equal(bk_idem_fingerprint("/r", b, fb), 0);
    assert_int_equal(bk_idem_fingerprint("/r", c, fc), 0);
    assert_int_equal(bk_idem_fingerprint("/other", a, fd), 0);
    assert_string_equal(fa, fb);
    assert_string_not_equal(fa, fc);
    assert_string_not_equal(fa, fd);
    json_object_put(a), json_object_put(b), json_object_put(c);
}

static void test_appointments_order(void **state)
{
    (void)state;
    bk_appointment_t v[9];
    memset(v, 0, sizeof(v));
    int64_t starts[9] = {50, 10, 200, 20, 150, 30, 40, 120, 60};
    for (int i = 0; i < 9; i++) v[i].start = starts[i];
    size_t keep = bk_appointments_order(v, 9, 100);
    assert_int_equal(keep, 3 + 5);
    int64_t want[8] = {120, 150, 200, 60, 50, 40, 30, 20};
    for (int i = 0; i < 8; i++) assert_int_equal(v[i].start, want[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hold_ids),
        cmocka_unit_test(test_overlap_and_coverage),
        cmocka_unit_test(test_fingerprint_ignores_key_order),
        cmocka_unit_test(test_appointments_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
