/* Unit tests: the config's "metrics" (server/config_metrics.h): a good one is read, every bad one is refused with
 * its JSON path, and the metrics address may never be the public one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json.h>
#include <stdio.h>
#include <string.h>

#include "server/config_metrics.h"

#define DIGEST "531ca6a6e2734f82584233ca789740fa958669c25d46191d500fcd21c246b2a9"

static bool read_text(const char *text, const char *public_address, int public_port, srv_metrics_config_t *out,
                      char *why, size_t cap)
{
    json_object *v = json_tokener_parse(text);
    assert_non_null(v);
    bool ok = srv_config_read_metrics(v, public_address, public_port, out, why, cap);
    json_object_put(v);
    return ok;
}

static void expect_error(const char *text, const char *expected)
{
    char why[256] = "";
    srv_metrics_config_t m;
    bool ok = read_text(text, "127.0.0.1", 8080, &m, why, sizeof(why));
    if (ok || strstr(why, expected) == NULL) {
        fprintf(stderr, "metrics %s\n  expected error containing: %s\n  got: %s\n", text, expected,
                ok ? "(read)" : why);
        fail();
    }
}

static void a_good_one_is_read(void **state)
{
    char why[256] = "";
    srv_metrics_config_t m;
    assert_true(read_text("{\"listen\":\"127.0.0.1:9464\"}", "127.0.0.1", 8080, &m, why, sizeof(why)));
    assert_true(m.enabled);
    assert_string_equal(m.address, "127.0.0.1");
    assert_int_equal(m.port, 9464);
    assert_false(m.token);
    assert_true(read_text("{\"listen\":\"10.0.0.5:8080\",\"token_sha256\":\"" DIGEST "\"}", "127.0.0.1", 8080, &m, why,
                          sizeof(why)));
    assert_true(m.token);
    assert_int_equal(m.token_digest[0], 0x53);
    assert_int_equal(m.token_digest[31], 0xa9);
}

static void bad_ones_are_named(void **state)
{
    expect_error("[]", "metrics: must be an object");
    expect_error("{}", "metrics.listen: is required");
    expect_error("{\"listen\":\"127.0.0.1\"}", "metrics.listen: must be IPv4:port");
    expect_error("{\"listen\":\"localhost:9464\"}", "metrics.listen: must be IPv4:port");
    expect_error("{\"listen\":\"127.0.0.1:0\"}", "metrics.listen: must be IPv4:port");
    expect_error("{\"listen\":\"127.0.0.1:70000\"}", "metrics.listen: must be IPv4:port");
    expect_error("{\"listen\":\"127.0.0.1:94x\"}", "metrics.listen: must be IPv4:port");
    expect_error("{\"listen\":9464}", "metrics.listen: must be IPv4:port");
    expect_error("{\"listen\":\"127.0.0.1:9464\",\"port\":1}", "metrics.port: unknown field");
    expect_error("{\"listen\":\"127.0.0.1:9464\",\"token_sha256\":\"abc\"}", "metrics.token_sha256: must be 64 hex");
    expect_error("{\"listen\":\"127.0.0.1:9464\",\"token_sha256\":\"" DIGEST "x\"}", "metrics.token_sha256");
}

static void never_the_public_address(void **state)
{
    expect_error("{\"listen\":\"127.0.0.1:8080\"}", "metrics.listen: must not be the public listen address");
    expect_error("{\"listen\":\"0.0.0.0:8080\"}", "metrics.listen: must not be the public listen address");
    char why[256] = "";
    srv_metrics_config_t m;
    assert_false(read_text("{\"listen\":\"127.0.0.1:8080\"}", "0.0.0.0", 8080, &m, why, sizeof(why)));
    assert_true(read_text("{\"listen\":\"127.0.0.2:8080\"}", "127.0.0.1", 8080, &m, why, sizeof(why)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_good_one_is_read),
        cmocka_unit_test(bad_ones_are_named),
        cmocka_unit_test(never_the_public_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
