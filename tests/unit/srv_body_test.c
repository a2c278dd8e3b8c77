/* Unit tests: request bodies: media types, size limit, strict JSON, empty bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "server/body.h"

static api_error_t parse(const char *type, const char *body, size_t len, json_object **out, char *msg)
{
    return srv_body_parse(type, type ? strlen(type) : 0, body, len, out, msg, 256);
}

static void json_object_is_accepted(void **state)
{
    json_object *o;
    char msg[256];
    const char *b = "{\"locationId\":\"loc-syd\"}";
    assert_int_equal(parse("application/json; charset=utf-8", b, strlen(b), &o, msg), API_ERR__COUNT);
    assert_non_null(o);
    json_object *v;
    assert_true(json_object_object_get_ex(o, "locationId", &v));
    json_object_put(o);
    assert_int_equal(parse("Application/Vnd.Api+JSON", b, strlen(b), &o, msg), API_ERR__COUNT);
    json_object_put(o);
    assert_int_equal(parse(NULL, b, strlen(b), &o, msg), API_ERR__COUNT);
    json_object_put(o);
}

static void curl_form_default_with_json_is_accepted(void **state)
{
    json_object *o;
    char msg[256];
    assert_int_equal(parse("application/x-www-form-urlencoded", "{}", 2, &o, msg), API_ERR__COUNT);
    json_object_put(o);
    assert_int_equal(parse("application/x-www-form-urlencoded", "a=1&b=2", 7, &o, msg), API_ERR_UNSUPPORTED_MEDIA_TYPE);
    assert_null(o);
}

static void other_media_types_are_415(void **state)
{
    json_object *o;
    char msg[256];
    assert_int_equal(parse("text/plain", "{}", 2, &o, msg), API_ERR_UNSUPPORTED_MEDIA_TYPE);
    assert_int_equal(parse("multipart/form-data; boundary=x", "{}", 2, &o, msg), API_ERR_UNSUPPORTED_MEDIA_TYPE);
    assert_int_equal(parse("application/xml", "{}", 2, &o, msg), API_ERR_UNSUPPORTED_MEDIA_TYPE);
}

static void size_limit_is_64_kib(void **state)
{
    json_object *o;
    char msg[256];
    size_t n = SRV_MAX_BODY_BYTES;
    char *b = malloc(n + 1);
    memset(b, ' ', n + 1);
    b[0] = '{';
    b[n - 1] = '}';
    assert_int_equal(parse("application/json", b, n, &o, msg), API_ERR__COUNT);
    json_object_put(o);
    b[n - 1] = ' ';
    b[n] = '}';
    assert_int_equal(parse("application/json", b, n + 1, &o, msg), API_ERR_BODY_TOO_LARGE);
    assert_null(o);
    free(b);
}

static void empty_body_is_an_empty_object(void **state)
{
    json_object *o;
    char msg[256];
    assert_int_equal(parse("application/json", NULL, 0, &o, msg), API_ERR__COUNT);
    assert_int_equal(json_object_object_length(o), 0);
    json_object_put(o);
    assert_int_equal(parse("application/json", " \r\n", 3, &o, msg), API_ERR__COUNT);
    json_object_put(o);
}

static void bad_json_is_400_with_a_reason(void **state)
{
    static const char *const bad[] = {"{\"a\":1} xx", "{\"a\":", "[1,2]", "\"text\"", "{'a':1}", "nul"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_object *o;
        char msg[256];
        assert_int_equal(parse("application/json", bad[i], strlen(bad[i]), &o, msg), API_ERR_INVALID_JSON);
        assert_null(o);
        assert_true(strlen(msg) > 10);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_object_is_accepted),       cmocka_unit_test(curl_form_default_with_json_is_accepted),
        cmocka_unit_test(other_media_types_are_415),     cmocka_unit_test(size_limit_is_64_kib),
        cmocka_unit_test(empty_body_is_an_empty_object), cmocka_unit_test(bad_json_is_400_with_a_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
