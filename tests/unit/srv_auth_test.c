/* Unit tests: API key digests and the tenant a key belongs to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "server/auth.h"

static void digest_matches_known_sha256(void **state)
{
    unsigned char d[32];
    char hex[65];
    srv_key_digest("abc", 3, d);
    srv_digest_hex(d, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    srv_key_digest("", 0, d);
    srv_digest_hex(d, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void finds_the_tenant_of_a_key(void **state)
{
    bk_tenant_t tenants[3];
    memset(tenants, 0, sizeof(tenants));
    tenants[0].id = "a";
    tenants[1].id = "b";
    tenants[2].id = "c";
    srv_key_digest("key-a", 5, tenants[0].key_digests[0]);
    srv_key_digest("key-b", 5, tenants[1].key_digests[0]);
    srv_key_digest("key-c", 5, tenants[2].key_digests[0]);
    tenants[0].key_count = tenants[1].key_count = tenants[2].key_count = 1;
    srv_config_t config = {.tenants = tenants, .tenant_count = 3};
    assert_ptr_equal(srv_auth_tenant(&config, "key-b", 5), &tenants[1]);
    assert_ptr_equal(srv_auth_tenant(&config, "key-c", 5), &tenants[2]);
    assert_null(srv_auth_tenant(&config, "key-d", 5));
    assert_null(srv_auth_tenant(&config, "key-b ", 6));
    assert_null(srv_auth_tenant(&config, "", 0));
    assert_null(srv_auth_tenant(&config, NULL, 0));
}

static void either_key_of_a_rotation_finds_its_tenant(void **state)
{
    bk_tenant_t tenants[2];
    memset(tenants, 0, sizeof(tenants));
    srv_key_digest("key-a", 5, tenants[0].key_digests[0]);
    srv_key_digest("old-b", 5, tenants[1].key_digests[0]);
    srv_key_digest("new-b", 5, tenants[1].key_digests[1]);
    tenants[0].key_count = 1;
    tenants[1].key_count = 2;
    srv_config_t config = {.tenants = tenants, .tenant_count = 2};
    assert_ptr_equal(srv_auth_tenant(&config, "old-b", 5), &tenants[1]);
    assert_ptr_equal(srv_auth_tenant(&config, "new-b", 5), &tenants[1]);
    assert_ptr_equal(srv_auth_tenant(&config, "key-a", 5), &tenants[0]);
    tenants[1].key_count = 1; /* the old key alone after the rotation */
    assert_null(srv_auth_tenant(&config, "new-b", 5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(digest_matches_known_sha256),
        cmocka_unit_test(finds_the_tenant_of_a_key),
        cmocka_unit_test(either_key_of_a_rotation_finds_its_tenant),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
