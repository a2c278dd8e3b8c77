/* Unit tests: config validation: every bad field is refused with its path; defaults are filled in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/config.h"

#define DIGEST "531ca6a6e2734f82584233ca789740fa958669c25d46191d500fcd21c246b2a9"
#define DIGEST2 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static char dir[256];

static int make_dir(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/fd-config-test-XXXXXX");
    return mkdtemp(dir) != NULL ? 0 : -1;
}

static int remove_dir(void **state)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/config.json", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/tenants.json", dir);
    unlink(path);
    rmdir(dir);
    return 0;
}

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static srv_config_t *load(const char *text, char *why)
{
    write_file("config.json", text);
    char path[512];
    snprintf(path, sizeof(path), "%s/config.json", dir);
    return srv_config_load(path, why, 1024);
}

static void expect_error(const char *text, const char *expected)
{
    char why[1024] = "";
    srv_config_t *c = load(text, why);
    if (c != NULL || strstr(why, expected) == NULL) {
        fprintf(stderr, "config %s\n  expected error containing: %s\n  got: %s\n", text, expected, why);
        srv_config_free(c);
        fail();
    }
}

static void minimal_config_gets_defaults(void **state)
{
    char why[1024];
    srv_config_t *c = load("{\"redis\":\"127.0.0.1:6379\",\"tenants\":[{\"id\":\"demo\",\"api_key_sha256\":\"" DIGEST
                           "\"}]}",
                           why);
    assert_non_null(c);
    assert_string_equal(c->listen_address, "127.0.0.1");
    assert_int_equal(c->port, 8080);
    assert_true(c->workers >= 1);
    assert_int_equal(c->tenant_count, 1);
    const bk_tenant_t *t = &c->tenants[0];
    assert_true(t->ai_booking);
    assert_int_equal(t->policy.hold_seconds, 300);
    assert_int_equal(t->policy.max_days_ahead, 30);
    assert_int_equal(t->policy.catalog_ttl_seconds, 900);
    assert_int_equal(t->policy.voice_deadline_ms, 2000);
    assert_int_equal(t->rate_burst, 40);
    assert_non_null(t->provider);
    srv_config_free(c);
}

static void tenants_may_live_in_their_own_file(void **state)
{
    write_file("tenants.json", "[{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST "\"},{\"id\":\"b\",\"api_key_sha256\":\"" DIGEST2
                               "\",\"ai_booking\":false}]");
    char why[1024];
    srv_config_t *c = load("{\"redis\":\"/tmp/redis.sock\",\"tenants\":\"tenants.json\",\"workers\":3}", why);
    assert_non_null(c);
    assert_int_equal(c->tenant_count, 2);
    assert_false(c->tenants[1].ai_booking);
    assert_int_equal(c->workers, 3);
    srv_config_free(c);
}

#define DIGEST3 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ROTATING(keys) "{\"redis\":\"127.0.0.1:6379\",\"tenants\":[{\"id\":\"a\"," keys "}]}"

static void a_tenant_may_hold_two_keys_for_a_rotation(void **state)
{
    char why[1024];
    srv_config_t *c = load(ROTATING("\"api_key_sha256\":\"" DIGEST "\",\"api_keys_sha256\":[\"" DIGEST2 "\"]"), why);
    assert_non_null(c);
    assert_int_equal(c->tenants[0].key_count, 2);
    srv_config_free(c);
    c = load(ROTATING("\"api_keys_sha256\":[\"" DIGEST "\",\"" DIGEST2 "\"]"), why);
    assert_non_null(c);
    assert_int_equal(c->tenants[0].key_count, 2);
    srv_config_free(c);
    expect_error(ROTATING("\"provider\":\"sandbox\""), "tenants[0].api_key_sha256: is required");
    expect_error(ROTATING("\"api_keys_sha256\":[]"), "tenants[0].api_keys_sha256: must be a non-empty array");
    expect_error(ROTATING("\"api_keys_sha256\":\"" DIGEST "\""), "tenants[0].api_keys_sha256: must be a non-empty");
    expect_error(ROTATING("\"api_keys_sha256\":[\"" DIGEST "\",\"abc\"]"),
                 "tenants[0].api_keys_sha256[1]: must be 64 hex digits");
    expect_error(ROTATING("\"api_keys_sha256\":[\"" DIGEST "\",\"" DIGEST "\"]"),
                 "tenants[0].api_keys_sha256[1]: repeats a key of this tenant");
    expect_error(ROTATING("\"api_key_sha256\":\"" DIGEST "\",\"api_keys_sha256\":[\"" DIGEST "\"]"),
                 "tenants[0].api_keys_sha256[0]: repeats a key of this tenant");
    expect_error(ROTATING("\"api_keys_sha256\":[\"" DIGEST "\",\"" DIGEST2 "\",\"" DIGEST3 "\"]"),
                 "tenants[0].api_keys_sha256[2]: is one key too many");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST
                 "\"},{\"id\":\"b\",\"api_keys_sha256\":[\"" DIGEST2 "\",\"" DIGEST "\"]}]}",
                 "tenants[1].api_keys_sha256: is the same key as another tenant's");
}

#define GHL(tokens) ROTATING("\"api_key_sha256\":\"" DIGEST "\",\"ghl_webhook_tokens_sha256\":" tokens)

static void a_tenant_may_hold_two_ghl_tokens(void **state)
{
    char why[1024];
    srv_config_t *c = load(GHL("[\"" DIGEST2 "\",\"" DIGEST3 "\"]"), why);
    assert_non_null(c);
    assert_int_equal(c->tenants[0].ghl_token_count, 2);
    srv_config_free(c);
    expect_error(GHL("[]"), "tenants[0].ghl_webhook_tokens_sha256: must be an array of one or two");
    expect_error(GHL("[\"" DIGEST2 "\",\"xyz\"]"), "tenants[0].ghl_webhook_tokens_sha256: [1] must be 64 hex");
    expect_error(GHL("[\"" DIGEST2 "\",\"" DIGEST2 "\"]"),
                 "tenants[0].ghl_webhook_tokens_sha256: [1] repeats a token of this tenant");
    expect_error(GHL("[\"" DIGEST "\",\"" DIGEST2 "\",\"" DIGEST3 "\"]"),
                 "tenants[0].ghl_webhook_tokens_sha256: must be an array of one or two");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST
                 "\",\"ghl_webhook_tokens_sha256\":[\"" DIGEST3 "\"]},{\"id\":\"b\",\"api_key_sha256\":\"" DIGEST2
                 "\",\"ghl_webhook_tokens_sha256\":[\"" DIGEST3 "\"]}]}",
                 "tenants[1].ghl_webhook_tokens_sha256: holds the same token as another tenant's");
}

#define TENANT_A ",\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST "\"}]}"

static void redis_may_name_a_sentinel_set(void **state)
{
    char why[1024];
    srv_config_t *c = load("{\"redis\":{\"sentinels\":[\"127.0.0.1:26379\",\"10.0.0.2:26380\"],\"master\":\"m-1\"}"
                           TENANT_A, why);
    assert_non_null(c);
    assert_string_equal(c->redis_address, "sentinel:m-1@127.0.0.1:26379,10.0.0.2:26380");
    srv_config_free(c);
    c = load("{\"redis\":\"127.0.0.1:6379\",\"redis_min_replicas\":2" TENANT_A, why);
    assert_non_null(c);
    assert_string_equal(c->redis_address, "127.0.0.1:6379?min_replicas=2");
    srv_config_free(c);
    expect_error("{\"redis\":{\"sentinels\":[\"127.0.0.1:26379\"]}" TENANT_A, "redis.master: is required");
    expect_error("{\"redis\":{\"sentinels\":[],\"master\":\"m\"}" TENANT_A, "redis.sentinels: must be a non-empty");
    expect_error("{\"redis\":{\"sentinels\":[\"127.0.0.1:26379\",\"/tmp/s.sock\"],\"master\":\"m\"}" TENANT_A,
                 "redis.sentinels[1]: must be host:port");
    expect_error("{\"redis\":{\"sentinels\":[\"127.0.0.1:26379\"],\"master\":\"m x\"}" TENANT_A,
                 "redis.master: master must be");
    expect_error("{\"redis\":{\"sentinel\":[],\"master\":\"m\"}" TENANT_A, "redis.sentinel: unknown field");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"redis_min_replicas\":17" TENANT_A,
                 "redis_min_replicas: must be between 0 and 16");
}

static void bad_fields_are_named(void **state)
{
    expect_error("{\"redis\":\"127.0.0.1:6379\"}", "tenants: is required");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"tenants\":[]}", "tenants: must be a non-empty array");
    expect_error("{\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST "\"}]}", "redis: is required");
    expect_error("{\"redis\":\"localhost\",\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST "\"}]}",
                 "redis: must be host:port");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"listen\":{\"port\":70000},\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":"
                 "\"" DIGEST "\"}]}",
                 "listen.port: must be between 1 and 65535");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"workers\":0,\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST
                 "\"}]}",
                 "workers: must be between 1 and 256");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"log_level\":\"loud\",\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST
                 "\"}]}",
                 "log_level: must be one of");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":\"abc\"}]}",
                 "tenants[0].api_key_sha256: must be 64 hex digits");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"tenants\":[{\"id\":\"a b\",\"api_key_sha256\":\"" DIGEST "\"}]}",
                 "tenants[0].id: may hold only");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST
                 "\",\"provider\":\"nope\"}]}",
                 "tenants[0].provider: unknown provider");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST
                 "\"},{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST2 "\"}]}",
                 "tenants[1].id: duplicates");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST
                 "\"},{\"id\":\"b\",\"api_key_sha256\":\"" DIGEST "\"}]}",
                 "tenants[1].api_key_sha256: is the same key");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST
                 "\",\"default_location\":\"nowhere\"}]}",
                 "tenants[0].default_location: is not a location of this clinic");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST
                 "\",\"locations\":[\"nowhere\"]}]}",
                 "tenants[0].locations[0]: is not a location of this clinic");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST
                 "\",\"policy\":{\"hold_seconds\":\"300\"}}]}",
                 "tenants[0].policy.hold_seconds: must be an integer");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST
                 "\",\"policy\":{\"voice_deadline_ms\":100}}]}",
                 "tenants[0].policy.voice_deadline_ms: must be between 500 and 10000");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST
                 "\",\"polcy\":{}}]}",
                 "tenants[0].polcy: unknown field");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST
                 "\",\"country\":\"Australia\"}]}",
                 "tenants[0].country: must be an ISO 3166");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"tenants\":[{\"id\":\"a\",\"api_key_sha256\":\"" DIGEST
                 "\",\"provider_settings\":{\"clinic_file\":\"missing.json\"}}]}",
                 "tenants[0].provider_settings.clinic_file");
    expect_error("{\"redis\":\"127.0.0.1:6379\",\"tenants\":\"missing.json\"}", "tenants: cannot open");
    expect_error("{\"redis\":\"127.0.0.1:6379\", \"tenants\": [", "not valid JSON");
    expect_error("[1]", "(root): must be a JSON object");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(minimal_config_gets_defaults),
        cmocka_unit_test(tenants_may_live_in_their_own_file),
        cmocka_unit_test(bad_fields_are_named),
        cmocka_unit_test(redis_may_name_a_sentinel_set),
        cmocka_unit_test(a_tenant_may_hold_two_keys_for_a_rotation),
        cmocka_unit_test(a_tenant_may_hold_two_ghl_tokens),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
