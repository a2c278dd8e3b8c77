/* tests/unit/bk_phone_test.c: the E.164 phone normaliser and e-mail lower-casing (core/phone.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/phone.h"

static void expect(const char *in, const char *country, const char *want)
{
    char out[BK_PHONE_CAP], why[128];
    int rc = bk_phone_normalize(in, country, out, why, sizeof(why));
    if (want == NULL) {
        assert_int_equal(rc, -1);
        assert_true(why[0] != '\0');
    } else {
        assert_int_equal(rc, 0);
        assert_string_equal(out, want);
    }
}

static void test_national(void **state)
{
    (void)state;
    expect("0412 345 678", "AU", "+61412345678");
    expect("(02) 9157 0156", "AU", "+61291570156");
    expect("412345678", "AU", "+61412345678");
    expect("61 412 345 678", "AU", "+61412345678");
    expect("(415) 555-0100", "US", "+14155550100");
    expect("1-604-555-0187", "CA", "+16045550187");
    expect("07700 900123", "GB", "+447700900123");
    expect("07700 900123", "uk", "+447700900123");
    expect("021 123 4567", "NZ", "+64211234567");
    expect("09 123 4567", "NZ", "+6491234567");
}

static void test_international(void **state)
{
    (void)state;
    expect("+61 412 345 678", "US", "+61412345678");
    expect("+1 (604) 555-0187", NULL, "+16045550187");
    expect("0011 61 412 345 678", "AU", "+61412345678");
    expect("011 44 7700 900123", "US", "+447700900123");
    expect("00 64 21 123 4567", "GB", "+64211234567");
}

static void test_refused(void **state)
{
    (void)state;
    expect("0412 345 678", NULL, NULL);   /* national without a country */
    expect("0412 345 678", "FR", NULL);   /* a country we do not know */
    expect("041234", "AU", NULL);         /* too short */
    expect("(115) 555-0100", "US", NULL); /* area code starting with 1 */
    expect("+1234", NULL, NULL);          /* too short */
    expect("+1234567890123456", NULL, NULL);
    expect("0412 abc 678", "AU", NULL);
    expect("", "AU", NULL);
    expect("++61412345678", NULL, NULL);
}

static void test_email(void **state)
{
    (void)state;
    char out[BK_EMAIL_CAP];
    assert_int_equal(bk_email_normalize("  Olivia.Smith@Example.COM ", out), 0);
    assert_string_equal(out, "olivia.smith@example.com");
    assert_int_equal(bk_email_normalize("no-at.example.com", out), -1);
    assert_int_equal(bk_email_normalize("a@b", out), -1);
    assert_int_equal(bk_email_normalize("a b@c.com", out), -1);
    assert_int_equal(bk_email_normalize("a@@c.com", out), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_national),
        cmocka_unit_test(test_international),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_email),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
