/* tests/unit/nookal_decode_test.c: the Nookal decoders: the success and failure envelopes (HTTP 200 either way)
 * and what each failure means, loose IDs, booleans and numbers, records in Nookal's shapes, free periods in both
 * readings of their undocumented shape, and local times across Sydney's DST changes (a gap skipped, a repeated
 * hour read as its first occurrence on read and write). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "providers/cliniko_decode.h"
#include "providers/nookal_decode.h"
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

static int reply(const char *body, bool record, prov_nookal_reply_t *out)
{
    return prov_nookal_reply_parse(body, strlen(body), record, out);
}

static void test_success_envelope_and_paging(void **state)
{
    (void)state;
    prov_nookal_reply_t r;
    assert_int_equal(reply("{\"status\":\"success\",\"data\":{\"api_call\":\"getLocations\",\"results\":{\"locations\":"
                           "[{\"ID\":\"1\"}]}},\"details\":{\"currentItems\":1,\"totalItems\":3},\"settings\":"
                           "{\"currentPage\":\"1\",\"nextPage\":\"2\",\"pageLength\":1}}",
                           false, &r),
                     0);
    assert_true(r.success);
    assert_int_equal(r.next_page, 2); /* "2" as a string */
    assert_non_null(prov_nookal_results_array(&r, "locations"));
    assert_null(prov_nookal_results_array(&r, "practitioners"));
    prov_nookal_reply_clear(&r);
    assert_int_equal(reply("{\"status\":\"success\",\"data\":{\"results\":{}},\"settings\":{\"currentPage\":1,"
                           "\"nextPage\":null}}",
                           false, &r),
                     0);
    assert_int_equal(r.next_page, 0); /* the last page */
    prov_nookal_reply_clear(&r);
    assert_int_equal(
        reply("{\"status\":\"success\",\"data\":{\"results\":{}},\"settings\":{\"nextPage\":3}}", false, &r), 0);
    assert_int_equal(r.next_page, 3);
    prov_nookal_reply_clear(&r);
}

static void test_failure_envelopes(void **state)
{
    (void)state;
    static const struct {
        const char *message;
        bool record;
        prov_status_t want;
        bool auth;
    } cases[] = {
        {"Invalid API key", false, PROV_UPSTREAM, true},
        {"Unauthorised access", true, PROV_UPSTREAM, true},
        {"Too many requests", false, PROV_RATE_LIMITED, false},
        {"The appointment overlaps an existing booking of the practitioner", false, PROV_CONFLICT, false},
        {"Appointment already cancelled", true, PROV_CONFLICT, false},
        {"No patients found", true, PROV_NOT_FOUND, false},
        {"Patient not found", false, PROV_UPSTREAM, false}, /* not a record lookup: our request was wrong */
        {"Invalid patient ID", true, PROV_NOT_FOUND, false},
        {"Invalid date range", true, PROV_UPSTREAM, false},
        {"Something went wrong", true, PROV_UPSTREAM, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char body[512];
        snprintf(
            body, sizeof(body),
            "{\"status\":\"failure\",\"details\":{\"errorMessage\":\"%s\",\"errorCode\":\"L000_1\",\"alerts\":[]}}",
            cases[i].message);
        prov_nookal_reply_t r;
        assert_int_equal(reply(body, cases[i].record, &r), 0);
        assert_false(r.success);
        assert_null(r.results);
        assert_int_equal(r.failure, cases[i].want);
        assert_int_equal(r.auth_failure, cases[i].auth);
        assert_string_equal(r.error_code, "L000_1");
        prov_nookal_reply_clear(&r);
    }
    prov_nookal_reply_t r; /* a failure without details is still a failure, never a success */
    assert_int_equal(reply("{\"status\":\"failure\"}", true, &r), 0);
    assert_int_equal(r.failure, PROV_UPSTREAM);
    prov_nookal_reply_clear(&r);
    assert_int_equal(
        reply("{\"status\":\"failure\",\"details\":{\"errorMessage\":\"x\",\"errorCode\":\"a\\\"b\"}}", true, &r), 0);
    assert_string_equal(r.error_code, "a?b"); /* safe to log */
    prov_nookal_reply_clear(&r);
}

static void test_garbage(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "<html>502 Bad Gateway</html>",
        "",
        "{}",
        "[]",
        "{\"status\":\"ok\"}",
        "{\"status\":\"success\"}",                           /* no data.results */
        "{\"status\":\"success\",\"data\":{\"results\":[]}}", /* results not an object */
        "{\"status\":\"success\",\"data\":{\"results\":{}}} trailing",
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        prov_nookal_reply_t r;
        assert_int_equal(reply(bodies[i], false, &r), -1);
    }
}

static void test_loose_scalars(void **state)
{
    (void)state;
    json_object *o = parse("{\"a\":\"1\",\"b\":1,\"c\":-1,\"d\":1.5,\"e\":\"a b\",\"f\":\"0\",\"g\":true,\"h\":\"2\","
                           "\"i\":null,\"j\":\"30\",\"k\":\"x\",\"l\":0,\"m\":\"Yes\",\"n\":\" 45 \"}");
    json_object *v;
    char id[PROV_NOOKAL_ID_CAP];
#define F(k) (json_object_object_get_ex(o, k, &v) ? v : NULL)
    assert_int_equal(prov_nookal_id(F("a"), id, sizeof(id)), 0);
    assert_string_equal(id, "1");
    assert_int_equal(prov_nookal_id(F("b"), id, sizeof(id)), 0);
    assert_string_equal(id, "1"); /* "1" and 1 are one ID */
    assert_int_equal(prov_nookal_id(F("c"), id, sizeof(id)), -1);
    assert_int_equal(prov_nookal_id(F("d"), id, sizeof(id)), -1);
    assert_int_equal(prov_nookal_id(F("e"), id, sizeof(id)), -1);
    assert_int_equal(prov_nookal_id(F("i"), id, sizeof(id)), -1);
    bool b = true;
    assert_int_equal(prov_nookal_bool(F("f"), &b), 0);
    assert_false(b);
    assert_int_equal(prov_nookal_bool(F("a"), &b), 0);
    assert_true(b);
    b = false;
    assert_int_equal(prov_nookal_bool(F("b"), &b), 0);
    assert_true(b);
    assert_int_equal(prov_nookal_bool(F("l"), &b), 0);
    assert_false(b);
    assert_int_equal(prov_nookal_bool(F("g"), &b), 0);
    assert_true(b);
    assert_int_equal(prov_nookal_bool(F("m"), &b), 0);
    assert_int_equal(prov_nookal_bool(F("h"), &b), -1);
    assert_int_equal(prov_nookal_bool(F("i"), &b), -1);
    assert_int_equal(prov_nookal_bool(NULL, &b), -1);
    int64_t n;
    assert_int_equal(prov_nookal_int(F("j"), &n), 0);
    assert_int_equal(n, 30);
    assert_int_equal(prov_nookal_int(F("b"), &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(prov_nookal_int(F("n"), &n), 0);
    assert_int_equal(n, 45);
    assert_int_equal(prov_nookal_int(F("k"), &n), -1);
    assert_int_equal(prov_nookal_int(F("d"), &n), -1);
#undef F
    json_object_put(o);
}

static void location_free(bk_location_t *l)
{
    free(l->id), free(l->name), free(l->line1), free(l->city), free(l->region), free(l->postal_code);
    free(l->country), free(l->phone), free(l->time_zone), free(l->booking_url);
}

static void test_records(void **state)
{
    (void)state;
    json_object *loc = parse("{\"ID\":\"1\",\"Name\":\"Foo\",\"AddressLine1\":\"42 Foo Street\",\"City\":\"New York\","
                             "\"State\":null,\"Country\":\"USA\",\"Postcode\":\"123456\",\"Telephone\":\"62749939\","
                             "\"Timezone\":\"Asia/Singapore\",\"lockNewPatientsToLocation\":\"0\"}");
    bk_location_t l;
    assert_int_equal(prov_nookal_location_decode(loc, &l), 0);
    assert_string_equal(l.id, "1");
    assert_string_equal(l.time_zone, "Asia/Singapore");
    assert_null(l.region);
    location_free(&l);
    json_object_put(loc);
    loc = parse("{\"ID\":2,\"Name\":\"Nowhere\",\"Timezone\":\"Mars/Olympus\"}");
    assert_int_equal(prov_nookal_location_decode(loc, &l), 0);
    assert_null(l.time_zone); /* an unreadable zone is none: the location is left out of the catalog */
    location_free(&l);
    json_object_put(loc);

    json_object *pr = parse("{\"Email\":\"john.doe@example.com\",\"FirstName\":\"John\",\"ID\":\"1\",\"LastName\":"
                            "\"Doe\",\"Speciality\":\"Doctor\",\"Title\":\"Dr\",\"locations\":[1,\"2\"],"
                            "\"ShowInDiary\":\"0\",\"status\":\"0\"}");
    bk_staff_t s;
    bool active = true;
    assert_int_equal(prov_nookal_practitioner_decode(pr, &s, &active), 0);
    assert_string_equal(s.id, "1");
    assert_int_equal(s.location_ids.count, 2);
    assert_string_equal(s.location_ids.items[0], "1");
    assert_string_equal(s.location_ids.items[1], "2");
    assert_string_equal(s.disciplines.items[0], "Doctor");
    assert_false(s.ai_enabled);
    assert_false(active);
    prov_cliniko_staff_clear(&s);
    json_object_put(pr);

    json_object *svc = parse("{\"ID\":7,\"Name\":\"Initial\",\"Duration\":\"45\",\"Price\":\"95.50\","
                             "\"Locations\":\"1, 2\"}");
    bk_catalog_treatment_t t;
    assert_int_equal(prov_nookal_service_decode(svc, &t), 0);
    assert_string_equal(t.id, "7");
    assert_int_equal(t.duration_minutes, 45);
    assert_int_equal(t.price_minor, 9550);
    assert_int_equal(t.location_ids.count, 2);
    prov_cliniko_treatment_clear(&t);
    json_object_put(svc);
    svc = parse("{\"ID\":8,\"Name\":\"Broken\",\"Duration\":\"\"}");
    assert_int_equal(prov_nookal_service_decode(svc, &t), -1);
    json_object_put(svc);

    json_object *pt = parse("{\"ID\":\"101\",\"FirstName\":\"Mia\",\"LastName\":\"Wong\",\"DOB\":\"1988-02-14\","
                            "\"Email\":\"mia@example.com\",\"Mobile\":\"0412 345 678\",\"Home\":null,\"Work\":\"\","
                            "\"active\":\"1\",\"deceased\":\"0\"}");
    bk_patient_t p;
    bk_strings_t phones;
    assert_int_equal(prov_nookal_patient_decode(pt, &p, &phones, &active), 0);
    assert_true(active);
    assert_string_equal(p.dob, "1988-02-14");
    assert_int_equal(phones.count, 1);
    assert_true(prov_cliniko_phone_matches(phones.items[0], "+61412345678"));
    for (size_t i = 0; i < phones.count; i++) free(phones.items[i]);
    free(phones.items);
    bk_patient_clear(&p);
    json_object_put(pt);
}

static void test_local_times_across_dst(void **state)
{
    (void)state;
    const tz_zone_t *syd = tz_zone_load("Australia/Sydney");
    assert_non_null(syd);
    int64_t t;
    /* 2027-10-03: 02:00 AEST jumps to 03:00 AEDT. 02:30 does not exist: nothing is read or written there. */
    assert_int_equal(prov_nookal_from_local(syd, 2027, 10, 3, 150, &t), -1);
    assert_int_equal(prov_nookal_from_local(syd, 2027, 10, 3, 180, &t), 0);
    assert_int_equal(t, instant("2027-10-02T16:00:00Z"));
    /* 2027-04-04: 03:00 AEDT falls back to 02:00 AEST. 02:30 happens twice: the first (AEDT) is meant. */
    assert_int_equal(prov_nookal_from_local(syd, 2027, 4, 4, 150, &t), 0);
    assert_int_equal(t, instant("2027-04-03T15:30:00Z"));
    int y, m, d, minute;
    assert_int_equal(prov_nookal_to_local(syd, instant("2027-04-03T15:30:00Z"), &y, &m, &d, &minute), 0);
    assert_int_equal(y * 10000 + m * 100 + d, 20270404);
    assert_int_equal(minute, 150);
    /* The second 02:30 (AEST) cannot be written: Nookal would read it as the first. */
    assert_int_equal(prov_nookal_to_local(syd, instant("2027-04-03T16:30:00Z"), &y, &m, &d, &minute), -1);
    assert_int_equal(prov_nookal_to_local(syd, instant("2027-04-03T16:30:30Z"), &y, &m, &d, &minute), -1);
    char date[11], time[6];
    prov_nookal_format_local(2027, 4, 4, 150, date, time);
    assert_string_equal(date, "2027-04-04");
    assert_string_equal(time, "02:30");
    int mod;
    assert_int_equal(prov_nookal_parse_time("09:30:00", &mod), 0);
    assert_int_equal(mod, 570);
    assert_int_equal(prov_nookal_parse_time("24:00", &mod), 0);
    assert_int_equal(prov_nookal_parse_time("09:30:15", &mod), -1);
    assert_int_equal(prov_nookal_parse_time("9:30", &mod), -1);
    assert_int_equal(prov_nookal_parse_date("2027-02-29", &y, &m, &d), -1);

    /* A free night 00:00-06:00 on each change day, cut into 30-minute openings. */
    prov_opening_t o[32];
    prov_nookal_free_t spring = {2027, 10, 3, 0, 360}, autumn = {2027, 4, 4, 0, 360};
    size_t n = prov_nookal_split_free(syd, &spring, 30, o, 32);
    assert_int_equal(n, 10); /* five real hours */
    for (size_t i = 0; i < n; i++) {
        tz_civil_t c;
        tz_to_local(syd, o[i].start, &c, NULL);
        assert_int_not_equal(c.hour, 2);
        assert_int_equal(o[i].end - o[i].start, 30 * TZ_MS_PER_MINUTE);
    }
    n = prov_nookal_split_free(syd, &autumn, 30, o, 32);
    assert_int_equal(n, 12); /* seven real hours, the repeated 02:00 and 02:30 offered once */
    assert_int_equal(o[4].start, instant("2027-04-03T15:00:00Z")); /* the first 02:00 */
    assert_int_equal(o[6].start, instant("2027-04-03T17:00:00Z")); /* then 03:00 AEST */

    json_object *a = parse("{\"ID\":\"9\",\"patientID\":101,\"appointmentDate\":\"2027-04-04\","
                           "\"appointmentStartTime\":\"02:30:00\",\"appointmentEndTime\":\"03:00:00\",\"locationID\":1,"
                           "\"appointmentTypeID\":\"2\",\"practitionerID\":\"3\",\"cancelled\":\"1\",\"DNA\":\"0\"}");
    bk_appointment_t appt;
    char loc[PROV_NOOKAL_ID_CAP];
    assert_int_equal(prov_nookal_appointment_location(a, loc, sizeof(loc)), 0);
    assert_string_equal(loc, "1");
    assert_int_equal(prov_nookal_appointment_decode(a, syd, &appt), 0);
    assert_int_equal(appt.start, instant("2027-04-03T15:30:00Z"));
    assert_int_equal(appt.end - appt.start, 30 * TZ_MS_PER_MINUTE);
    assert_int_equal(appt.state, BK_APPT_CANCELLED);
    assert_string_equal(appt.patient_id, "101");
    bk_appointment_clear(&appt);
    json_object_put(a);
    a = parse("{\"ID\":\"9\",\"patientID\":1,\"appointmentDate\":\"2027-10-03\",\"appointmentStartTime\":\"02:30\","
              "\"appointmentEndTime\":\"03:00\",\"locationID\":1,\"practitionerID\":3}");
    assert_int_equal(prov_nookal_appointment_decode(a, syd, &appt), -1); /* a start that never happened */
    json_object_put(a);
}

static void test_free_periods_in_both_shapes(void **state)
{
    (void)state;
    prov_nookal_free_t f[8];
    prov_nookal_reply_t r;
    assert_int_equal(
        reply("{\"status\":\"success\",\"data\":{\"results\":{\"availabilities\":[{\"date\":\"2027-03-15\","
              "\"start_time\":\"09:00\",\"end_time\":\"12:30\"}]}}}",
              true, &r),
        0);
    assert_int_equal(prov_nookal_free_decode(&r, f, 8), 1);
    assert_int_equal(f[0].day, 15);
    assert_int_equal(f[0].start_minute, 540);
    assert_int_equal(f[0].end_minute, 750);
    prov_nookal_reply_clear(&r);
    assert_int_equal(reply("{\"status\":\"success\",\"data\":{\"results\":{\"availabilities\":{\"2027-03-16\":[{"
                           "\"start\":\"13:00:00\",\"end\":\"14:00:00\"}],\"2027-03-17\":null}}}}",
                           true, &r),
                     0);
    assert_int_equal(prov_nookal_free_decode(&r, f, 8), 1);
    assert_int_equal(f[0].day, 16);
    assert_int_equal(f[0].start_minute, 780);
    prov_nookal_reply_clear(&r);
    assert_int_equal(reply("{\"status\":\"success\",\"data\":{\"results\":{\"availabilities\":null}}}", true, &r), 0);
    assert_int_equal(prov_nookal_free_decode(&r, f, 8), 0);
    prov_nookal_reply_clear(&r);
    assert_int_equal(
        reply("{\"status\":\"success\",\"data\":{\"results\":{\"availabilities\":[{\"date\":\"2027-03-15\","
              "\"start_time\":\"12:00\",\"end_time\":\"09:00\"}]}}}",
              true, &r),
        0);
    assert_int_equal(prov_nookal_free_decode(&r, f, 8), -1); /* ends before it starts */
    prov_nookal_reply_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_success_envelope_and_paging),
        cmocka_unit_test(test_failure_envelopes),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_loose_scalars),
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_local_times_across_dst),
        cmocka_unit_test(test_free_periods_in_both_shapes),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tz_shutdown();
    return rc;
}
