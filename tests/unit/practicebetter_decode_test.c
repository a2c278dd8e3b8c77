/* tests/unit/practicebetter_decode_test.c: the Practice Better decoders: list pages (items, hasMore, the next
 * before_id, the members list's other key, bare arrays), what each error answer means (a taken time known only by
 * its text), the token endpoint's answer, members, client records, sessions and openings in the shapes clients
 * show, and the local wall time a write carries across Sydney's DST changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "providers/cliniko_decode.h"
#include "providers/practicebetter_decode.h"
#include "tz/tz.h"

static int64_t instant(const char *iso)
{
    int64_t t;
    assert_int_equal(tz_parse_iso(iso, strlen(iso), NULL, &t, NULL, 0), 0);
    return t;
}

static json_object *parse(const char *s)
{
    json_object *o;
    assert_int_equal(prov_cliniko_parse_object(s, strlen(s), &o), 0);
    return o;
}

static void test_pages(void **state)
{
    (void)state;
    prov_pb_page_t page;
    const char *full = "{\"count\":2,\"hasMore\":true,\"items\":[{\"id\":\"5f1a01\"},{\"id\":\"5f1a00\"}]}";
    assert_int_equal(prov_pb_page_parse(full, strlen(full), NULL, &page), 0);
    assert_true(page.has_more);
    assert_int_equal(json_object_array_length(page.items), 2);
    assert_string_equal(page.last_id, "5f1a00");
    prov_pb_page_clear(&page);
    const char *members = "{\"members\":[{\"id\":\"m1\"}]}"; /* no hasMore: the last page */
    assert_int_equal(prov_pb_page_parse(members, strlen(members), "members", &page), 0);
    assert_false(page.has_more);
    assert_string_equal(page.last_id, "m1");
    prov_pb_page_clear(&page);
    const char *bare = "[]";
    assert_int_equal(prov_pb_page_parse(bare, strlen(bare), NULL, &page), 0);
    assert_string_equal(page.last_id, "");
    prov_pb_page_clear(&page);
    const char *bad[] = {"{\"items\":{}}", "{\"items\":[{\"id\":\"a/b\"}]}", "{\"hasMore\":\"yes\",\"items\":[]}",
                         "<html>", "{\"items\":[]} trailing", "{\"data\":[]}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(prov_pb_page_parse(bad[i], strlen(bad[i]), NULL, &page), -1);
}

static void test_error_status(void **state)
{
    (void)state;
    const char *taken = "{\"error\":\"validation_error\",\"message\":\"The selected time SLOT is unavailable\"}";
    const char *conflict = "{\"message\":\"Session conflicts with another session\"}";
    const char *dup = "{\"error\":\"duplicate_email\",\"message\":\"A client with this email already exists\"}";
    const char *missing = "{\"error\":\"item_not_found\"}";
    assert_int_equal(prov_pb_error_status(400, taken, strlen(taken), false), PROV_CONFLICT);
    assert_int_equal(prov_pb_error_status(422, conflict, strlen(conflict), false), PROV_CONFLICT);
    assert_int_equal(prov_pb_error_status(409, "", 0, false), PROV_CONFLICT);
    assert_int_equal(prov_pb_error_status(400, dup, strlen(dup), false), PROV_REJECTED);
    assert_int_equal(prov_pb_error_status(404, missing, strlen(missing), true), PROV_NOT_FOUND);
    assert_int_equal(prov_pb_error_status(404, missing, strlen(missing), false), PROV_UPSTREAM);
    assert_int_equal(prov_pb_error_status(429, "", 0, false), PROV_RATE_LIMITED);
    assert_int_equal(prov_pb_error_status(403, taken, strlen(taken), false), PROV_UPSTREAM);
    assert_int_equal(prov_pb_error_status(500, taken, strlen(taken), false), PROV_UPSTREAM);
}

static void test_token(void **state)
{
    (void)state;
    char token[64];
    int64_t exp = 0;
    const char *ok = "{\"access_token\":\"abc.DEF-123\",\"token_type\":\"Bearer\",\"expires_in\":3599}";
    assert_int_equal(prov_pb_token_decode(ok, strlen(ok), token, sizeof(token), &exp), 0);
    assert_string_equal(token, "abc.DEF-123");
    assert_int_equal(exp, 3599);
    const char *no_exp = "{\"access_token\":\"t\"}";
    assert_int_equal(prov_pb_token_decode(no_exp, strlen(no_exp), token, sizeof(token), &exp), 0);
    assert_int_equal(exp, 3600);
    const char *bad[] = {"{\"access_token\":\"has space\"}", "{\"access_token\":\"\"}", "{\"error\":\"invalid_client\"}",
                         "{\"access_token\":\"t\",\"expires_in\":-5}", "{\"access_token\":\"t\",\"expires_in\":\"x\"}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(prov_pb_token_decode(bad[i], strlen(bad[i]), token, sizeof(token), &exp), -1);
    char tiny[4];
    assert_int_equal(prov_pb_token_decode(ok, strlen(ok), tiny, sizeof(tiny), &exp), -1);
}

static void test_members(void **state)
{
    (void)state;
    json_object *o = parse("{\"id\":\"m2\",\"isPractitioner\":true,\"activationStatus\":\"activated\","
                           "\"profile\":{\"firstName\":\"Sam\",\"lastName\":\"Okafor\",\"emailAddress\":\"s@x.io\"}}");
    bk_staff_t s;
    bool bookable;
    assert_int_equal(prov_pb_member_decode(o, &s, &bookable), 0);
    assert_true(bookable);
    assert_string_equal(s.first_name, "Sam");
    assert_string_equal(s.email, "s@x.io");
    prov_cliniko_staff_clear(&s);
    json_object_put(o);
    o = parse("{\"id\":\"m3\",\"isPractitioner\":true,\"activationStatus\":\"invited\",\"firstName\":\"New\"}");
    assert_int_equal(prov_pb_member_decode(o, &s, &bookable), 0);
    assert_false(bookable);
    prov_cliniko_staff_clear(&s);
    json_object_put(o);
    o = parse("{\"id\":\"m4\",\"isPractitioner\":false,\"activationStatus\":\"activated\"}");
    assert_int_equal(prov_pb_member_decode(o, &s, &bookable), 0);
    assert_false(bookable);
    prov_cliniko_staff_clear(&s);
    json_object_put(o);
}

static void test_clients(void **state)
{
    (void)state;
    json_object *o = parse("{\"id\":\"c1\",\"status\":\"active\",\"profile\":{\"firstName\":\"Mia\",\"lastName\":"
                           "\"Wong\",\"emailAddress\":\"mia@x.io\",\"mobilePhone\":\"0412 345 678\",\"homePhone\":"
                           "\"+61 2 9000 0000\",\"dateOfBirth\":\"1988-02-14T00:00:00Z\"}}");
    bk_patient_t p;
    bk_strings_t phones;
    bool active;
    assert_int_equal(prov_pb_client_decode(o, &p, &phones, &active), 0);
    assert_true(active);
    assert_string_equal(p.dob, "1988-02-14");
    assert_int_equal(phones.count, 2);
    assert_true(prov_cliniko_phone_matches(phones.items[0], "+61412345678"));
    for (size_t i = 0; i < phones.count; i++) free(phones.items[i]);
    free(phones.items);
    bk_patient_clear(&p);
    json_object_put(o);
    o = parse("{\"id\":\"c2\",\"status\":\"archived\",\"profile\":{}}");
    assert_int_equal(prov_pb_client_decode(o, &p, &phones, &active), 0);
    assert_false(active);
    bk_patient_clear(&p);
    json_object_put(o);
    o = parse("{\"id\":\"../c3\",\"profile\":{}}");
    assert_int_equal(prov_pb_client_decode(o, &p, &phones, &active), -1);
    bk_patient_clear(&p);
    json_object_put(o);
}

static void test_sessions(void **state)
{
    (void)state;
    const tz_zone_t *sydney = tz_zone_load("Australia/Sydney");
    json_object *o = parse("{\"id\":\"s1\",\"sessionDate\":\"2027-03-15T03:00:00.000Z\",\"duration\":3600,"
                           "\"cancelled\":false,\"clientRecord\":{\"id\":\"c1\"},\"consultant\":{\"id\":\"m1\"},"
                           "\"service\":{\"id\":\"v1\"}}");
    bk_appointment_t a;
    assert_int_equal(prov_pb_session_decode(o, sydney, "main", &a), 0);
    assert_int_equal(a.start, instant("2027-03-15T03:00:00Z"));
    assert_int_equal(a.end, instant("2027-03-15T04:00:00Z"));
    assert_int_equal(a.state, BK_APPT_BOOKED);
    assert_string_equal(a.patient_id, "c1");
    assert_string_equal(a.staff_id, "m1");
    assert_string_equal(a.treatment_id, "v1");
    assert_string_equal(a.location_id, "main");
    bk_appointment_clear(&a);
    json_object_put(o);
    /* flat ids, an endDate, a local time without an offset (read in the zone), a cancelled status */
    o = parse("{\"id\":\"s2\",\"sessionDate\":\"2027-03-15T14:00:00\",\"endDate\":\"2027-03-15T14:30:00\","
              "\"status\":\"cancelled\",\"clientRecordId\":\"c1\",\"asConsultantId\":\"m1\"}");
    assert_int_equal(prov_pb_session_decode(o, sydney, "main", &a), 0);
    assert_int_equal(a.start, instant("2027-03-15T14:00:00+11:00"));
    assert_int_equal(a.end - a.start, 30 * 60000);
    assert_int_equal(a.state, BK_APPT_CANCELLED);
    assert_string_equal(a.treatment_id, "");
    bk_appointment_clear(&a);
    json_object_put(o);
    const char *bad[] = {"{\"id\":\"s3\",\"sessionDate\":\"soon\",\"duration\":60,\"clientRecordId\":\"c\","
                         "\"asConsultantId\":\"m\"}",
                         "{\"id\":\"s4\",\"sessionDate\":\"2027-03-15T03:00:00Z\",\"clientRecordId\":\"c\","
                         "\"asConsultantId\":\"m\"}",
                         "{\"id\":\"s5\",\"sessionDate\":\"2027-03-15T03:00:00Z\",\"duration\":60}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        o = parse(bad[i]);
        assert_int_equal(prov_pb_session_decode(o, sydney, "main", &a), -1);
        json_object_put(o);
    }
}

static void test_slots(void **state)
{
    (void)state;
    const tz_zone_t *sydney = tz_zone_load("Australia/Sydney");
    int64_t s, e;
    json_object *o = parse("{\"startTime\":\"2027-04-04T01:00:00+11:00\",\"endTime\":\"2027-04-04T01:00:00+10:00\"}");
    assert_int_equal(prov_pb_slot_decode(o, sydney, &s, &e), 0); /* the repeated hour: an hour in real time */
    assert_int_equal(e - s, 3600000);
    json_object_put(o);
    o = parse("{\"startDate\":\"2027-04-05T09:00:00Z\",\"endDate\":\"2027-04-05T09:00:00Z\"}");
    assert_int_equal(prov_pb_slot_decode(o, sydney, &s, &e), -1); /* empty */
    json_object_put(o);
}

static void test_local_wall_time(void **state)
{
    (void)state;
    const tz_zone_t *sydney = tz_zone_load("Australia/Sydney");
    char out[20];
    assert_int_equal(prov_pb_local_wall_time(sydney, instant("2027-03-15T03:00:00Z"), out), 0);
    assert_string_equal(out, "2027-03-15T14:00:00");
    /* 2027-10-03: 02:00 does not exist; 01:30 AEST then 03:00 AEDT */
    assert_int_equal(prov_pb_local_wall_time(sydney, instant("2027-10-02T16:00:00Z"), out), 0);
    assert_string_equal(out, "2027-10-03T03:00:00");
    /* 2027-04-04: 02:00-02:59 happens twice; only the first can be written as a wall time */
    assert_int_equal(prov_pb_local_wall_time(sydney, instant("2027-04-03T15:30:00Z"), out), 0);
    assert_string_equal(out, "2027-04-04T02:30:00");
    assert_int_equal(prov_pb_local_wall_time(sydney, instant("2027-04-03T16:30:00Z"), out), -1);
    assert_int_equal(prov_pb_local_wall_time(sydney, instant("2027-03-15T03:00:30Z"), out), -1); /* not a minute */
}

static void test_ids(void **state)
{
    (void)state;
    assert_true(prov_pb_valid_id("5f1a00000000000000000001"));
    assert_true(prov_pb_valid_id("a_b-C"));
    assert_false(prov_pb_valid_id(""));
    assert_false(prov_pb_valid_id(NULL));
    assert_false(prov_pb_valid_id("a/b"));
    assert_false(prov_pb_valid_id("a?b=1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pages),    cmocka_unit_test(test_error_status), cmocka_unit_test(test_token),
        cmocka_unit_test(test_members),  cmocka_unit_test(test_clients),      cmocka_unit_test(test_sessions),
        cmocka_unit_test(test_slots),    cmocka_unit_test(test_local_wall_time), cmocka_unit_test(test_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
