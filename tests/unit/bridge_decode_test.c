/* tests/unit/bridge_decode_test.c: the EMR bridge's pure pieces: the request signature (a vector computed with
 * Python's hmac, as an integrator would check it), the capabilities as PROV_CAP_* bits (write: false is
 * PROV_CAP_NO_WRITE), and the shape checks of catalog, openings, patients and appointments, each refusal naming
 * the field; and the provider status of each HTTP answer code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "providers/bridge_decode.h"
#include "providers/bridge_sign.h"
#include "tz/tz.h"

static json_object *parse(const char *s)
{
    json_object *o = json_tokener_parse(s);
    assert_non_null(o);
    return o;
}

static void test_signature_matches_an_independent_hmac(void **state)
{
    (void)state;
    const char *secret = "unit-test-shared-secret";
    const char *body = "{\"operation\":\"catalog\"}";
    char sig[BRIDGE_SIGNATURE_CAP];
    assert_int_equal(bridge_sign(secret, strlen(secret), 1700000000, body, strlen(body), sig), 0);
    assert_string_equal(sig, "v1=bb7be56dcf4f93be45390b16eb168135af5b80bd309d66a0b743383c2ce57af1");
    assert_int_equal(bridge_sign(secret, strlen(secret), 1700000000, "", 0, sig), 0);
    assert_string_equal(sig, "v1=ae9f8c8362aae40ee43bedafecf8144f1a7cae5ef2d923ca8867f6d4ec11519d");
    char other[BRIDGE_SIGNATURE_CAP];
    assert_int_equal(bridge_sign(secret, strlen(secret), 1700000001, body, strlen(body), other), 0);
    assert_string_not_equal(other, "v1=bb7be56dcf4f93be45390b16eb168135af5b80bd309d66a0b743383c2ce57af1");
}

static void test_capabilities(void **state)
{
    (void)state;
    unsigned caps = 0;
    const char *what = NULL;
    json_object *o = parse("{\"contract\":1,\"write\":true,\"native_hold\":false,\"phone_search\":true,"
                           "\"conflict_probe\":true,\"reschedule\":false,\"cancel_reason_required\":false}");
    assert_int_equal(bridge_capabilities_decode(o, &caps, &what), 0);
    assert_int_equal(caps, PROV_CAP_PHONE_SEARCH | PROV_CAP_CONFLICT_PROBE);
    json_object_put(o);
    o = parse("{\"contract\":1,\"write\":false,\"native_hold\":true,\"phone_search\":false,"
              "\"conflict_probe\":false,\"reschedule\":true,\"cancel_reason_required\":true}");
    assert_int_equal(bridge_capabilities_decode(o, &caps, &what), 0);
    assert_int_equal(caps, PROV_CAP_NO_WRITE | PROV_CAP_NATIVE_HOLD | PROV_CAP_NATIVE_RESCHEDULE |
                               PROV_CAP_CANCEL_REASON_REQUIRED);
    json_object_put(o);
    o = parse("{\"contract\":1,\"write\":\"yes\"}");
    assert_int_equal(bridge_capabilities_decode(o, &caps, &what), -1);
    assert_non_null(strstr(what, "write"));
    json_object_put(o);
    o = parse("{\"contract\":1,\"write\":true,\"native_hold\":false}"); /* a flag missing */
    assert_int_equal(bridge_capabilities_decode(o, &caps, &what), -1);
    json_object_put(o);
    o = parse("{\"contract\":2,\"write\":true}"); /* a contract we do not speak */
    assert_int_equal(bridge_capabilities_decode(o, &caps, &what), -1);
    assert_non_null(strstr(what, "contract"));
    json_object_put(o);
}

static void test_hold_id(void **state)
{
    (void)state;
    char id[BRIDGE_ID_CAP];
    const char *what = NULL;
    json_object *o = parse("{\"hold_id\":\"hd-1001\"}");
    assert_int_equal(bridge_hold_id_decode(o, id, &what), 0);
    assert_string_equal(id, "hd-1001");
    json_object_put(o);
    const char *bad[] = {"{}", "{\"hold_id\":\"\"}", "{\"hold_id\":17}", "{\"hold_id\":\"a\\nb\"}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        o = parse(bad[i]);
        assert_int_equal(bridge_hold_id_decode(o, id, &what), -1);
        assert_non_null(strstr(what, "hold_id"));
        json_object_put(o);
    }
}

#define LOCATION(zone)                                                                                                 \
    "{\"locations\":[{\"id\":\"loc-1\",\"name\":\"R\",\"time_zone\":\"" zone "\"}],\"staff\":[{\"id\":\"st-1\","       \
    "\"disciplines\":[],\"treatment_ids\":[\"tr-1\"],\"location_ids\":[\"loc-1\"],\"ai_enabled\":true}],"

static void test_catalog(void **state)
{
    (void)state;
    bk_catalog_t *c = NULL;
    const char *what = NULL;
    json_object *o = parse(LOCATION("Australia/Melbourne") "\"treatments\":[{\"id\":\"tr-1\",\"duration_minutes\":60,"
                                                           "\"staff_ids\":[\"st-1\"],\"location_ids\":[\"loc-1\"]}]}");
    assert_int_equal(bridge_catalog_decode(o, &c, &what), 0);
    assert_int_equal(c->location_count, 1);
    assert_string_equal(c->locations[0].time_zone, "Australia/Melbourne");
    assert_true(c->staff[0].ai_enabled);
    assert_int_equal(c->treatments[0].duration_minutes, 60);
    bk_catalog_free(c);
    json_object_put(o);
    o = parse(LOCATION("Mars/Olympus") "\"treatments\":[]}");
    assert_int_equal(bridge_catalog_decode(o, &c, &what), -1);
    assert_null(c);
    assert_non_null(strstr(what, "time_zone"));
    json_object_put(o);
    o = parse(LOCATION("UTC") "\"treatments\":[{\"id\":\"tr-1\",\"duration_minutes\":0,\"staff_ids\":[],"
                              "\"location_ids\":[]}]}");
    assert_int_equal(bridge_catalog_decode(o, &c, &what), -1);
    assert_non_null(strstr(what, "duration_minutes"));
    json_object_put(o);
    o = parse("{\"locations\":\"soon\",\"staff\":[],\"treatments\":[]}");
    assert_int_equal(bridge_catalog_decode(o, &c, &what), -1);
    json_object_put(o);
}

static void test_openings(void **state)
{
    (void)state;
    prov_opening_t *v = NULL;
    size_t n = 0;
    const char *what = NULL;
    json_object *o =
        parse("{\"openings\":[{\"start\":\"2027-03-15T10:00:00+11:00\",\"end\":\"2027-03-15T11:00:00+11:00\"},"
              "{\"start\":\"2027-03-14T22:00:00Z\",\"end\":\"2027-03-14T23:00:00Z\"},"
              "{\"start\":\"2027-03-15T09:00:00+11:00\",\"end\":\"2027-03-15T12:00:00+11:00\"}]}");
    assert_int_equal(bridge_openings_decode(o, 60, &v, &n, &what), 0);
    assert_int_equal(n, 2); /* 09:00+11:00 and 22:00Z are one start: sorted, without repeats */
    assert_true(v[0].start < v[1].start);
    free(v);
    json_object_put(o);
    o = parse("{\"openings\":[{\"start\":\"2027-03-15T10:00:00\",\"end\":\"2027-03-15T11:00:00\"}]}");
    assert_int_equal(bridge_openings_decode(o, 60, &v, &n, &what), -1); /* no offset: which instant? */
    assert_null(v);
    json_object_put(o);
    o = parse("{\"openings\":[{\"start\":\"2027-03-15T10:00:00Z\",\"end\":\"2027-03-15T10:30:00Z\"}]}");
    assert_int_equal(bridge_openings_decode(o, 60, &v, &n, &what), -1); /* shorter than the treatment */
    json_object_put(o);
    o = parse("{\"openings\":[]}");
    assert_int_equal(bridge_openings_decode(o, 60, &v, &n, &what), 0);
    assert_int_equal(n, 0);
    json_object_put(o);
}

static void test_patients_and_appointments(void **state)
{
    (void)state;
    const char *what = NULL;
    bk_patient_t p;
    json_object *o = parse("{\"id\":\"pt-1\",\"first_name\":\"Ana\",\"phone\":null,\"dob\":\"1990-05-04\"}");
    assert_int_equal(bridge_patient_decode(o, &p, &what), 0);
    assert_string_equal(p.id, "pt-1");
    assert_null(p.phone);
    bk_patient_clear(&p);
    json_object_put(o);
    o = parse("{\"id\":501,\"first_name\":\"Ana\"}"); /* ids are strings */
    assert_int_equal(bridge_patient_decode(o, &p, &what), -1);
    assert_non_null(strstr(what, "id"));
    json_object_put(o);
    bk_appointment_t a;
    o = parse("{\"id\":\"ap-1\",\"state\":\"booked\",\"start\":\"2027-03-15T09:00:00+11:00\","
              "\"end\":\"2027-03-15T10:00:00+11:00\",\"patient_id\":\"pt-1\",\"staff_id\":\"st-1\","
              "\"treatment_id\":\"tr-1\",\"location_id\":\"loc-1\"}");
    assert_int_equal(bridge_appointment_decode(o, &a, &what), 0);
    assert_int_equal(a.state, BK_APPT_BOOKED);
    assert_int_equal(a.end - a.start, 3600000);
    bk_appointment_clear(&a);
    json_object_object_add(o, "state", json_object_new_string("confirmed"));
    assert_int_equal(bridge_appointment_decode(o, &a, &what), -1);
    assert_non_null(strstr(what, "state"));
    json_object_object_add(o, "state", json_object_new_string("cancelled"));
    json_object_object_add(o, "end", json_object_new_string("2027-03-15T08:00:00+11:00"));
    assert_int_equal(bridge_appointment_decode(o, &a, &what), -1);
    assert_non_null(strstr(what, "end"));
    json_object_put(o);
    bk_patient_t *list = NULL;
    size_t n = 9;
    o = parse("{\"patients\":[{\"id\":\"pt-1\"},{\"id\":\"pt-2\",\"email\":\"a@example.com\"}]}");
    assert_int_equal(bridge_patients_decode(o, &list, &n, &what), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[1].email, "a@example.com");
    for (size_t i = 0; i < n; i++) bk_patient_clear(&list[i]);
    free(list);
    json_object_put(o);
    o = parse("{\"patients\":[{\"id\":\"pt-1\"},{\"id\":\"pt-2\",\"email\":7}]}"); /* one bad: all refused */
    assert_int_equal(bridge_patients_decode(o, &list, &n, &what), -1);
    assert_null(list);
    assert_int_equal(n, 0);
    json_object_put(o);
    bk_appointment_t *appts = NULL;
    o = parse("{\"appointments\":{}}");
    assert_int_equal(bridge_appointments_decode(o, &appts, &n, &what), -1);
    assert_non_null(strstr(what, "appointments"));
    json_object_put(o);
}

static void test_status_of(void **state)
{
    (void)state;
    assert_int_equal(bridge_status_of(201), PROV_OK);
    assert_int_equal(bridge_status_of(404), PROV_NOT_FOUND);
    assert_int_equal(bridge_status_of(409), PROV_CONFLICT);
    assert_int_equal(bridge_status_of(422), PROV_REJECTED);
    assert_int_equal(bridge_status_of(429), PROV_RATE_LIMITED);
    assert_int_equal(bridge_status_of(401), PROV_UPSTREAM);
    assert_int_equal(bridge_status_of(503), PROV_UPSTREAM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature_matches_an_independent_hmac),
        cmocka_unit_test(test_capabilities),
        cmocka_unit_test(test_hold_id),
        cmocka_unit_test(test_catalog),
        cmocka_unit_test(test_openings),
        cmocka_unit_test(test_patients_and_appointments),
        cmocka_unit_test(test_status_of),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tz_shutdown();
    return rc;
}
