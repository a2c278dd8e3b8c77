/* Unit tests: the error table and its JSON rendering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json.h>
#include <string.h>

#include "booking/api_error.h"

static void renders_code_message_and_field(void **state)
{
    char buf[512];
    size_t len = api_error_render(API_ERR_LOCATION_FORBIDDEN, NULL, "locationId", buf, sizeof(buf));
    assert_int_equal(len, strlen(buf));
    json_object *root = json_tokener_parse(buf);
    assert_non_null(root);
    json_object *err, *v;
    assert_true(json_object_object_get_ex(root, "error", &err));
    assert_true(json_object_object_get_ex(err, "code", &v));
    assert_string_equal(json_object_get_string(v), "location_forbidden");
    assert_true(json_object_object_get_ex(err, "field", &v));
    assert_string_equal(json_object_get_string(v), "locationId");
    assert_true(json_object_object_get_ex(err, "message", &v));
    assert_string_equal(json_object_get_string(v), api_error_message(API_ERR_LOCATION_FORBIDDEN));
    json_object_put(root);
}

static void field_is_null_when_not_about_a_field(void **state)
{
    char buf[512];
    api_error_render(API_ERR_NOT_FOUND, NULL, NULL, buf, sizeof(buf));
    assert_non_null(strstr(buf, "\"field\":null"));
}

static void custom_message_is_escaped(void **state)
{
    char buf[512];
    api_error_render(API_ERR_INVALID_JSON, "bad \"quote\" and \\ slash", NULL, buf, sizeof(buf));
    json_object *root = json_tokener_parse(buf);
    assert_non_null(root);
    json_object *err, *v;
    json_object_object_get_ex(root, "error", &err);
    json_object_object_get_ex(err, "message", &v);
    assert_string_equal(json_object_get_string(v), "bad \"quote\" and \\ slash");
    json_object_put(root);
}

static void statuses_match_the_contract(void **state)
{
    assert_int_equal(api_error_status(API_ERR_INVALID_JSON), 400);
    assert_int_equal(api_error_status(API_ERR_UNAUTHORIZED), 401);
    assert_int_equal(api_error_status(API_ERR_BOOKING_NOT_ENABLED), 403);
    assert_string_equal(api_error_message(API_ERR_BOOKING_NOT_ENABLED), "This location is not enabled for booking");
    assert_int_equal(api_error_status(API_ERR_BODY_TOO_LARGE), 413);
    assert_int_equal(api_error_status(API_ERR_URI_TOO_LONG), 414);
    assert_int_equal(api_error_status(API_ERR_UNSUPPORTED_MEDIA_TYPE), 415);
    assert_int_equal(api_error_status(API_ERR_RATE_LIMITED), 429);
    assert_int_equal(api_error_status(API_ERR_EMR_ERROR), 502);
    assert_int_equal(api_error_status(API_ERR_REDIS_UNAVAILABLE), 503);
    assert_int_equal(api_error_status(API_ERR_EMR_TIMEOUT), 504);
    for (int e = 0; e < API_ERR__COUNT; e++) {
        const char *code = api_error_code((api_error_t)e);
        for (const char *c = code; *c; c++) assert_true((*c >= 'a' && *c <= 'z') || *c == '_');
        assert_true(api_error_status((api_error_t)e) >= 400 && api_error_status((api_error_t)e) < 600);
        assert_int_not_equal(api_error_status((api_error_t)e), 500);
    }
}

static void truncates_into_small_buffers(void **state)
{
    char buf[16];
    size_t len = api_error_render(API_ERR_NOT_FOUND, NULL, NULL, buf, sizeof(buf));
    assert_int_equal(len, 15);
    assert_int_equal(buf[15], '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(renders_code_message_and_field), cmocka_unit_test(field_is_null_when_not_about_a_field),
        cmocka_unit_test(custom_message_is_escaped), cmocka_unit_test(statuses_match_the_contract),
        cmocka_unit_test(truncates_into_small_buffers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
