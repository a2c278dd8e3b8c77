/* Unit tests: query-string decoding (+, %XX, bounds, malformed escapes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "server/query.h"

static void decodes_plus_and_escapes(void **state)
{
    char out[64];
    const char *in = "Dr.+Zo%C3%AB+Mart%c3%adn%2C%20physio";
    assert_int_equal(srv_query_decode(in, strlen(in), out, sizeof(out)), (long)strlen("Dr. Zoë Martín, physio"));
    assert_string_equal(out, "Dr. Zoë Martín, physio");
    assert_int_equal(srv_query_decode("%2B61%20400", 11, out, sizeof(out)), 7);
    assert_string_equal(out, "+61 400");
    assert_int_equal(srv_query_decode("", 0, out, sizeof(out)), 0);
    assert_string_equal(out, "");
}

static void refuses_malformed(void **state)
{
    char out[8];
    static const char *const bad[] = {"%", "%4", "%zz", "a%0", "%00", "abcdefgh"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(srv_query_decode(bad[i], strlen(bad[i]), out, sizeof(out)), -1);
    assert_int_equal(srv_query_decode("abcdefg", 7, out, sizeof(out)), 7); /* exactly fits with the NUL */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_plus_and_escapes),
        cmocka_unit_test(refuses_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
