/* tests/unit/halaxy_decode_test.c: the Halaxy FHIR decoders: Bundles and their next links, references (relative,
 * absolute, versioned, of the wrong type), clinics, practitioners, roles, services with their extensions, patients,
 * appointments with the per-patient participant status, $find proposals, OperationOutcome -> provider status, and
 * the token answer (15 minutes believed over the 3600 s it says). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "providers/cliniko_decode.h"
#include "providers/halaxy_decode.h"
#include "tz/tz.h"

static json_object *parse(const char *s)
{
    json_object *o;
    assert_int_equal(prov_cliniko_parse_object(s, strlen(s), &o), 0);
    return o;
}

static int64_t instant(const char *iso)
{
    int64_t t;
    assert_int_equal(tz_parse_iso(iso, strlen(iso), NULL, &t, NULL, 0), 0);
    return t;
}

static void test_bundle_pages(void **state)
{
    (void)state;
    const char *page = "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":3,"
                       "\"link\":[{\"relation\":\"self\",\"url\":\"https://x/main/Patient?page=1\"},"
                       "{\"relation\":\"next\",\"url\":\"https://x/main/Patient?page=2\"}],"
                       "\"entry\":[{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"1\"}},"
                       "{\"fullUrl\":\"https://x/main/Patient/2\",\"resource\":{\"resourceType\":\"Patient\",\"id\":\"2\"}}]}";
    prov_halaxy_bundle_t b;
    assert_int_equal(prov_halaxy_bundle_parse(page, strlen(page), &b), 0);
    assert_int_equal(b.count, 2);
    assert_string_equal(b.next, "https://x/main/Patient?page=2");
    prov_halaxy_bundle_clear(&b);
    const char *last = "{\"resourceType\":\"Bundle\",\"link\":[{\"relation\":\"self\",\"url\":\"u\"}]}";
    assert_int_equal(prov_halaxy_bundle_parse(last, strlen(last), &b), 0);
    assert_int_equal(b.count, 0);
    assert_string_equal(b.next, "");
    prov_halaxy_bundle_clear(&b);
    const char *outcome = "{\"resourceType\":\"OperationOutcome\",\"issue\":[]}";
    assert_int_equal(prov_halaxy_bundle_parse(outcome, strlen(outcome), &b), -1);
    const char *no_resource = "{\"resourceType\":\"Bundle\",\"entry\":[{\"fullUrl\":\"u\"}]}";
    assert_int_equal(prov_halaxy_bundle_parse(no_resource, strlen(no_resource), &b), -1);
    assert_int_equal(prov_halaxy_bundle_parse("<html>", 6, &b), -1);
}

static void test_references(void **state)
{
    (void)state;
    char id[PROV_HALAXY_ID_CAP];
    assert_int_equal(prov_halaxy_ref_id("Patient/123", "Patient", id, sizeof(id)), 0);
    assert_string_equal(id, "123");
    assert_int_equal(prov_halaxy_ref_id("https://au-api.halaxy.com/main/PractitionerRole/PR-1234567",
                                        "PractitionerRole", id, sizeof(id)),
                     0);
    assert_string_equal(id, "PR-1234567");
    assert_int_equal(prov_halaxy_ref_id("https://h/main/Appointment/9/_history/2", "Appointment", id, sizeof(id)), 0);
    assert_string_equal(id, "9");
    /* "Role" is not "PractitionerRole": the whole segment must be the type */
    assert_int_equal(prov_halaxy_ref_id("https://h/main/PractitionerRole/PR-1", "Role", id, sizeof(id)), -1);
    assert_int_equal(prov_halaxy_ref_id("Practitioner/PR-1", "PractitionerRole", id, sizeof(id)), -1);
    assert_int_equal(prov_halaxy_ref_id("Patient/1?x=1", "Patient", id, sizeof(id)), -1);
    assert_int_equal(prov_halaxy_ref_id("Patient/", "Patient", id, sizeof(id)), -1);
    assert_int_equal(prov_halaxy_ref_id("123", "Patient", id, sizeof(id)), -1);
    assert_true(prov_halaxy_valid_id("CL-123456"));
    assert_false(prov_halaxy_valid_id("../x"));
    assert_false(prov_halaxy_valid_id(""));
}

static void test_clinic_practitioner_role(void **state)
{
    (void)state;
    json_object *o = parse("{\"resourceType\":\"Organization\",\"id\":\"CL-100001\",\"name\":\"Harbour Physio\","
                           "\"address\":[{\"line\":[\"12 George St\"],\"city\":\"Sydney\",\"state\":\"NSW\","
                           "\"postalCode\":\"2000\",\"country\":\"AU\"}],"
                           "\"telecom\":[{\"system\":\"phone\",\"value\":\"+61290001000\"}]}");
    bk_location_t loc;
    bool clinic;
    assert_int_equal(prov_halaxy_organization_decode(o, &loc, &clinic), 0);
    assert_true(clinic);
    assert_string_equal(loc.id, "CL-100001");
    assert_string_equal(loc.line1, "12 George St");
    assert_string_equal(loc.region, "NSW");
    assert_string_equal(loc.phone, "+61290001000");
    prov_halaxy_location_clear(&loc);
    json_object_put(o);
    o = parse("{\"resourceType\":\"Organization\",\"id\":\"OG-1\",\"name\":\"Group\"}");
    assert_int_equal(prov_halaxy_organization_decode(o, &loc, &clinic), 0);
    assert_false(clinic); /* a practice group is no location */
    prov_halaxy_location_clear(&loc);
    json_object_put(o);

    o = parse("{\"resourceType\":\"Practitioner\",\"id\":\"PR-1\",\"active\":false,"
              "\"name\":[{\"given\":[\"Sarah\",\"Jane\"],\"family\":\"Lee\",\"prefix\":[\"Dr\"]}]}");
    bk_staff_t s;
    bool active;
    assert_int_equal(prov_halaxy_practitioner_decode(o, &s, &active), 0);
    assert_false(active);
    assert_string_equal(s.first_name, "Sarah");
    assert_string_equal(s.last_name, "Lee");
    assert_string_equal(s.title, "Dr");
    prov_cliniko_staff_clear(&s);
    json_object_put(o);

    o = parse("{\"resourceType\":\"PractitionerRole\",\"id\":\"PR-2\","
              "\"practitioner\":{\"reference\":\"https://h/main/Practitioner/PR-1\"},"
              "\"organization\":{\"reference\":\"Organization/CL-100001\"},"
              "\"healthcareService\":[{\"reference\":\"HealthcareService/558363\"},{\"reference\":\"Location/9\"},"
              "{\"reference\":\"HealthcareService/558363\"}]}");
    prov_halaxy_role_t role;
    assert_int_equal(prov_halaxy_role_decode(o, &role), 0);
    assert_string_equal(role.practitioner, "PR-1");
    assert_string_equal(role.organization, "CL-100001");
    assert_int_equal(role.services.count, 1);
    assert_string_equal(role.services.items[0], "558363");
    assert_true(role.active);
    prov_halaxy_role_clear(&role);
    json_object_put(o);
    o = parse("{\"resourceType\":\"PractitionerRole\",\"id\":\"PR-2\"}");
    assert_int_equal(prov_halaxy_role_decode(o, &role), -1);
    json_object_put(o);
}

static void test_services(void **state)
{
    (void)state;
    json_object *o = parse("{\"resourceType\":\"HealthcareService\",\"id\":\"558363\",\"name\":\"Initial\",\"extension\":["
                           "{\"url\":\"https://t/healthcare-service-duration\",\"valueQuantity\":{\"value\":60,"
                           "\"unit\":\"minute\"}},{\"url\":\"https://t/healthcare-service-allow-online-booking\","
                           "\"valueBoolean\":false}]}");
    bk_catalog_treatment_t t;
    bool bookable;
    assert_int_equal(prov_halaxy_service_decode(o, &t, &bookable), 0);
    assert_int_equal(t.duration_minutes, 60);
    assert_false(bookable);
    prov_cliniko_treatment_clear(&t);
    json_object_put(o);
    o = parse("{\"resourceType\":\"HealthcareService\",\"id\":\"5\",\"name\":\"No duration\"}");
    assert_int_equal(prov_halaxy_service_decode(o, &t, &bookable), -1);
    json_object_put(o);
    o = parse("{\"resourceType\":\"HealthcareService\",\"id\":\"5\",\"name\":\"x\",\"extension\":[{\"url\":\"d\","
              "\"valueQuantity\":{\"value\":30.5,\"unit\":\"minute\"}}]}");
    assert_int_equal(prov_halaxy_service_decode(o, &t, &bookable), -1); /* not whole minutes */
    json_object_put(o);
}

static void test_patient(void **state)
{
    (void)state;
    json_object *o = parse("{\"resourceType\":\"Patient\",\"id\":\"12345678\",\"name\":[{\"use\":\"official\","
                           "\"given\":[\"Peter\"],\"family\":\"Patientman\"}],\"telecom\":[{\"system\":\"email\","
                           "\"value\":\"peter@example.com\"},{\"system\":\"sms\",\"value\":\"+61412345678\"}],"
                           "\"birthDate\":\"2001-05-26\"}");
    bk_patient_t p;
    assert_int_equal(prov_halaxy_patient_decode(o, &p), 0);
    assert_string_equal(p.id, "12345678");
    assert_string_equal(p.phone, "+61412345678");
    assert_string_equal(p.email, "peter@example.com");
    assert_string_equal(p.dob, "2001-05-26");
    bk_patient_clear(&p);
    json_object_put(o);
    o = parse("{\"resourceType\":\"Patient\",\"id\":\"1\",\"birthDate\":\"2001\"}");
    assert_int_equal(prov_halaxy_patient_decode(o, &p), 0);
    assert_null(p.dob); /* a partial date is no date of birth */
    bk_patient_clear(&p);
    json_object_put(o);
}

static const char *appointment(const char *status, const char *participant_status)
{
    static char buf[2048];
    snprintf(buf, sizeof(buf),
             "{\"resourceType\":\"Appointment\",\"id\":\"900000001\",\"status\":\"%s\","
             "\"start\":\"2027-04-04T09:00:00+10:00\",\"end\":\"2027-04-04T10:00:00+10:00\",\"participant\":["
             "{\"actor\":{\"reference\":\"https://h/main/PractitionerRole/PR-2\"}},"
             "{\"actor\":{\"reference\":\"https://h/main/Patient/12345678\"},\"modifierExtension\":[{\"url\":"
             "\"" PROV_HALAXY_PARTICIPANT_STATUS_URL "\",\"valueCodeableConcept\":{\"coding\":[{\"code\":\"%s\"}]}}]},"
             "{\"actor\":{\"reference\":\"HealthcareService/558363\"}}]}",
             status, participant_status);
    return buf;
}

static void test_appointment_states(void **state)
{
    (void)state;
    static const struct {
        const char *status, *participant;
        bk_appt_state_t want;
    } cases[] = {{"booked", "booked", BK_APPT_BOOKED},       {"booked", "cancelled", BK_APPT_CANCELLED},
                 {"cancelled", "booked", BK_APPT_CANCELLED}, {"booked", "attended", BK_APPT_ARRIVED},
                 {"noshow", "booked", BK_APPT_NO_SHOW},      {"pending", "booked", BK_APPT_PROVISIONAL}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_object *o = parse(appointment(cases[i].status, cases[i].participant));
        bk_appointment_t a;
        char role[PROV_HALAXY_ID_CAP];
        assert_int_equal(prov_halaxy_appointment_decode(o, &a, role), 0);
        assert_int_equal(a.state, cases[i].want);
        assert_string_equal(role, "PR-2");
        assert_string_equal(a.patient_id, "12345678");
        assert_string_equal(a.treatment_id, "558363");
        assert_int_equal(a.start, instant("2027-04-03T23:00:00Z"));
        assert_int_equal(a.end - a.start, 3600000);
        bk_appointment_clear(&a);
        json_object_put(o);
    }
    /* a time without an offset is not an instant */
    json_object *o = parse("{\"resourceType\":\"Appointment\",\"id\":\"1\",\"start\":\"2027-04-04T09:00:00\","
                           "\"end\":\"2027-04-04T10:00:00\"}");
    bk_appointment_t a;
    char role[PROV_HALAXY_ID_CAP];
    assert_int_equal(prov_halaxy_appointment_decode(o, &a, role), -1);
    json_object_put(o);
}

static void test_proposal(void **state)
{
    (void)state;
    json_object *o = parse("{\"resourceType\":\"Appointment\",\"status\":\"proposed\","
                           "\"start\":\"2027-10-03T08:00:00+11:00\",\"end\":\"2027-10-03T08:30:00+11:00\","
                           "\"participant\":[{\"actor\":{\"reference\":\"Location/1\"}},"
                           "{\"actor\":{\"reference\":\"PractitionerRole/PR-9\"}}]}");
    int64_t s, e;
    char role[PROV_HALAXY_ID_CAP];
    assert_int_equal(prov_halaxy_proposal_decode(o, &s, &e, role), 0);
    assert_int_equal(s, instant("2027-10-02T21:00:00Z"));
    assert_int_equal(e - s, 30 * 60000);
    assert_string_equal(role, "PR-9");
    json_object_put(o);
}

static prov_status_t status_of(long code, const char *body, bool record, char *issue)
{
    return prov_halaxy_status_of(code, body, body ? strlen(body) : 0, record, issue, 32);
}

#define OO(code) "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"" code "\"}]}"

static void test_operation_outcome(void **state)
{
    (void)state;
    char issue[32];
    assert_int_equal(status_of(200, "{}", false, issue), PROV_OK);
    assert_int_equal(status_of(201, NULL, false, issue), PROV_OK);
    assert_int_equal(status_of(404, OO("not-found"), true, issue), PROV_NOT_FOUND);
    assert_string_equal(issue, "not-found");
    assert_int_equal(status_of(404, OO("not-found"), false, issue), PROV_UPSTREAM);
    assert_int_equal(status_of(422, OO("business-rule"), false, issue), PROV_REJECTED);
    assert_int_equal(status_of(400, OO("conflict"), false, issue), PROV_CONFLICT);
    assert_int_equal(status_of(409, NULL, false, issue), PROV_CONFLICT);
    assert_int_equal(status_of(429, OO("throttled"), false, issue), PROV_RATE_LIMITED);
    assert_int_equal(status_of(401, OO("login"), false, issue), PROV_UPSTREAM);
    assert_int_equal(status_of(403, "<html>", false, issue), PROV_UPSTREAM);
    assert_string_equal(issue, "");
    assert_int_equal(status_of(500, OO("exception"), false, issue), PROV_UPSTREAM);
    assert_int_equal(status_of(503, OO("transient"), false, issue), PROV_UPSTREAM); /* an answer: 502 */
    /* an issue code is copied as a token only */
    assert_int_equal(status_of(400, OO("in\\\"valid"), false, issue), PROV_REJECTED);
    assert_string_equal(issue, "in");
}

static void test_token(void **state)
{
    (void)state;
    char tok[PROV_HALAXY_TOKEN_CAP];
    int life;
    const char *doc = "{\"token_type\":\"Bearer\",\"expires_in\":3600,\"access_token\":\"abc.def-123\"}";
    assert_int_equal(prov_halaxy_token_decode(doc, strlen(doc), tok, sizeof(tok), &life), 0);
    assert_string_equal(tok, "abc.def-123");
    assert_int_equal(life, 900); /* the documented 15 minutes, not the 3600 the answer says */
    const char *short_lived = "{\"token_type\":\"bearer\",\"expires_in\":\"120\",\"access_token\":\"t\"}";
    assert_int_equal(prov_halaxy_token_decode(short_lived, strlen(short_lived), tok, sizeof(tok), &life), 0);
    assert_int_equal(life, 120);
    const char *bad[] = {"{\"token_type\":\"Bearer\",\"expires_in\":900}",
                         "{\"token_type\":\"mac\",\"expires_in\":900,\"access_token\":\"t\"}",
                         "{\"access_token\":\"a b\"}", "{\"access_token\":\"t\",\"expires_in\":0}",
                         "{\"error\":\"invalid_client\"}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(prov_halaxy_token_decode(bad[i], strlen(bad[i]), tok, sizeof(tok), &life), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundle_pages),      cmocka_unit_test(test_references),
        cmocka_unit_test(test_clinic_practitioner_role), cmocka_unit_test(test_services),
        cmocka_unit_test(test_patient),           cmocka_unit_test(test_appointment_states),
        cmocka_unit_test(test_proposal),          cmocka_unit_test(test_operation_outcome),
        cmocka_unit_test(test_token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
