/* tests/unit/cliniko_decode_test.c: the Cliniko decoders against the vendor's example payloads
 * (tests/fixtures/cliniko/, copied from the shared fixtures), huge IDs, links, garbage and wrong types. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/cliniko_decode.h"
#include "tz/tz.h"

static char *fixture(const char *name, size_t *len)
{
    const char *dir = getenv("FD_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/tests/fixtures/cliniko/%s", dir != NULL ? dir : ".", name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

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

static void test_businesses_fixture(void **state)
{
    size_t len;
    char *body = fixture("businesses_list.json", &len);
    prov_cliniko_page_t page;
    assert_int_equal(prov_cliniko_page_parse(body, len, "businesses", &page), 0);
    assert_int_equal(page.count, 1);
    assert_string_equal(page.next, "");
    prov_cliniko_business_t b;
    assert_int_equal(prov_cliniko_business_decode(json_object_array_get_idx(page.items, 0), &b), 0);
    assert_string_equal(b.loc.id, "514810976554457178");
    assert_string_equal(b.loc.name, "Healthy Times"); /* display_name is null */
    assert_string_equal(b.loc.line1, "20 Smith Street");
    assert_string_equal(b.loc.city, "Smithytown");
    assert_string_equal(b.loc.region, "Victoria");
    assert_string_equal(b.loc.postal_code, "3000");
    assert_string_equal(b.loc.country, "AU");
    assert_null(b.loc.time_zone);
    assert_true(b.online);
    assert_false(b.archived);
    assert_false(b.has_type_ids);
    prov_cliniko_business_clear(&b);
    prov_cliniko_page_clear(&page);
    free(body);
}

static void test_practitioners_fixture(void **state)
{
    size_t len;
    char *body = fixture("practitioners_list.json", &len);
    prov_cliniko_page_t page;
    assert_int_equal(prov_cliniko_page_parse(body, len, "practitioners", &page), 0); /* total_entries a string */
    bk_staff_t s;
    bool active;
    assert_int_equal(prov_cliniko_practitioner_decode(json_object_array_get_idx(page.items, 0), &s, &active), 0);
    assert_string_equal(s.id, "514810972972521916");
    assert_string_equal(s.first_name, "Randy");
    assert_string_equal(s.last_name, "Savage");
    assert_string_equal(s.title, "Mr");
    assert_int_equal(s.disciplines.count, 1);
    assert_string_equal(s.disciplines.items[0], "Osteopath");
    assert_true(s.ai_enabled);
    assert_true(active);
    prov_cliniko_staff_clear(&s);
    prov_cliniko_page_clear(&page);
    free(body);
}

static void test_appointment_types_fixture(void **state)
{
    size_t len;
    char *body = fixture("appointment_types_list.json", &len);
    prov_cliniko_page_t page;
    assert_int_equal(prov_cliniko_page_parse(body, len, "appointment_types", &page), 0);
    bk_catalog_treatment_t t;
    char billable[PROV_CLINIKO_ID_CAP];
    bool online, archived;
    assert_int_equal(prov_cliniko_appointment_type_decode(json_object_array_get_idx(page.items, 0), &t, billable,
                                                          sizeof(billable), &online, &archived),
                     0);
    assert_string_equal(t.id, "514810976034364376");
    assert_string_equal(t.name, "Initial Consultation");
    assert_int_equal(t.duration_minutes, 60);
    assert_string_equal(billable, "3");
    assert_true(online);
    assert_false(archived);
    prov_cliniko_treatment_clear(&t);
    prov_cliniko_page_clear(&page);
    free(body);
}

static void test_available_times_fixture(void **state)
{
    size_t len;
    char *body = fixture("available_times.json", &len);
    prov_cliniko_page_t page;
    assert_int_equal(prov_cliniko_page_parse(body, len, "available_times", &page), 0);
    assert_int_equal(page.count, 1);
    int64_t start;
    assert_int_equal(prov_cliniko_available_time_decode(json_object_array_get_idx(page.items, 0), &start), 0);
    assert_int_equal(start, instant("2013-05-21T08:45:00Z"));
    prov_cliniko_page_clear(&page);
    free(body);
}

static void test_patients_fixture(void **state)
{
    const char *files[] = {"patients_list.json", "patient_get.json", "patient_create_response.json"};
    for (int f = 0; f < 3; f++) {
        size_t len;
        char *body = fixture(files[f], &len);
        json_object *root;
        assert_int_equal(prov_cliniko_parse_object(body, len, &root), 0);
        json_object *item = root, *arr;
        if (json_object_object_get_ex(root, "patients", &arr)) item = json_object_array_get_idx(arr, 0);
        bk_patient_t p;
        bk_strings_t phones;
        bool archived = true;
        assert_int_equal(prov_cliniko_patient_decode(item, &p, &phones, &archived), 0);
        assert_string_equal(p.id, "1"); /* an integer in the 2022 docs */
        assert_false(archived);          /* archived_at is "" */
        assert_null(p.phone);
        if (f < 2) {
            assert_string_equal(p.first_name, "Peter");
            assert_string_equal(p.last_name, "Patientman");
            assert_string_equal(p.email, "peter@example.com");
            assert_string_equal(p.dob, "2001-05-26");
            assert_int_equal(phones.count, 2);
            assert_string_equal(phones.items[0], "61444444444");
            assert_true(prov_cliniko_phone_matches(phones.items[0], "+61444444444"));
        } else {
            assert_null(p.dob); /* "" */
            assert_null(p.email);
            assert_int_equal(phones.count, 0);
        }
        for (size_t i = 0; i < phones.count; i++) free(phones.items[i]);
        free(phones.items);
        bk_patient_clear(&p);
        json_object_put(root);
        free(body);
    }
}

static void test_appointments_fixture(void **state)
{
    size_t len;
    char *body = fixture("individual_appointments_list.json", &len);
    prov_cliniko_page_t page;
    assert_int_equal(prov_cliniko_page_parse(body, len, "individual_appointments", &page), 0);
    assert_string_equal(page.next, "https://api.au1.cliniko.com/v1/individual_appointments?page=2");
    bk_appointment_t a;
    bool deleted = true;
    assert_int_equal(prov_cliniko_appointment_decode(json_object_array_get_idx(page.items, 0), &a, &deleted), 0);
    assert_string_equal(a.id, "1");
    assert_string_equal(a.patient_id, "82");
    assert_string_equal(a.staff_id, "1");
    assert_string_equal(a.treatment_id, "2");
    assert_string_equal(a.location_id, "1");
    assert_int_equal(a.start, instant("2016-07-21T03:45:00Z"));
    assert_int_equal(a.end, instant("2016-07-21T04:30:00Z"));
    assert_int_equal(a.state, BK_APPT_BOOKED);
    assert_false(deleted);
    bk_appointment_clear(&a);
    prov_cliniko_page_clear(&page);
    free(body);

    body = fixture("individual_appointments_cancelled_list.json", &len);
    assert_int_equal(prov_cliniko_page_parse(body, len, "individual_appointments", &page), 0);
    assert_int_equal(prov_cliniko_appointment_decode(json_object_array_get_idx(page.items, 0), &a, &deleted), 0);
    assert_int_equal(a.state, BK_APPT_CANCELLED);
    bk_appointment_clear(&a);
    prov_cliniko_page_clear(&page);
    free(body);

    const char *singles[] = {"individual_appointment_get.json", "individual_appointment_create_response.json"};
    for (int i = 0; i < 2; i++) {
        body = fixture(singles[i], &len);
        assert_int_equal(prov_cliniko_appointment_body_decode(body, len, &a), 0);
        assert_string_equal(a.id, "1");
        assert_int_equal(a.state, BK_APPT_BOOKED);
        bk_appointment_clear(&a);
        free(body);
    }
}

static void test_states(void **state)
{
    const char *base = "{\"id\":\"7\",\"starts_at\":\"2026-01-01T10:00:00Z\",\"ends_at\":\"2026-01-01T10:30:00Z\",";
    struct {
        const char *tail;
        bk_appt_state_t state;
        bool deleted;
    } cases[] = {
        {"\"did_not_arrive\":true}", BK_APPT_NO_SHOW, false},
        {"\"patient_arrived\":true}", BK_APPT_ARRIVED, false},
        {"\"cancelled_at\":\"2026-01-01T09:00:00Z\",\"did_not_arrive\":true}", BK_APPT_CANCELLED, false},
        {"\"deleted_at\":\"2026-01-01T09:00:00Z\"}", BK_APPT_BOOKED, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[512];
        snprintf(buf, sizeof(buf), "%s%s", base, cases[i].tail);
        json_object *o = parse(buf);
        bk_appointment_t a;
        bool deleted;
        assert_int_equal(prov_cliniko_appointment_decode(o, &a, &deleted), 0);
        assert_int_equal(a.state, cases[i].state);
        assert_int_equal(deleted, cases[i].deleted);
        assert_null(a.patient_id);
        bk_appointment_clear(&a);
        json_object_put(o);
    }
}

static void test_conflicts_and_settings(void **state)
{
    size_t len;
    char *body = fixture("individual_appointment_conflicts.json", &len);
    bool exist = false;
    assert_int_equal(prov_cliniko_conflicts_decode(body, len, &exist), 0);
    assert_true(exist);
    free(body);
    assert_int_equal(prov_cliniko_conflicts_decode("{\"conflicts\":{\"exist\":false}}", 29, &exist), 0);
    assert_false(exist);
    assert_int_equal(prov_cliniko_conflicts_decode("{\"conflicts\":{\"exist\":\"no\"}}", 28, &exist), -1);
    assert_int_equal(prov_cliniko_conflicts_decode("{\"conflicts\":true}", 18, &exist), -1);

    const char *files[] = {"settings.json", "settings_public.json"};
    for (int i = 0; i < 2; i++) {
        body = fixture(files[i], &len);
        prov_cliniko_settings_t s;
        assert_int_equal(prov_cliniko_settings_decode(body, len, &s), 0);
        assert_string_equal(s.tz_label, "Eastern Time (US & Canada)");
        assert_string_equal(s.country_code, "US"); /* from "United States" */
        assert_string_equal(prov_cliniko_currency_of(s.country_code), "USD");
        free(body);
    }
    prov_cliniko_settings_t s;
    assert_int_equal(prov_cliniko_settings_decode("{}", 2, &s), 0);
    assert_string_equal(s.tz_label, "");
    assert_string_equal(prov_cliniko_currency_of(s.country_code), "AUD");
}

static void test_huge_ids(void **state)
{
    char id[PROV_CLINIKO_ID_CAP];
    json_object *o = parse("{\"a\":\"1665207664587580802\",\"b\":9007199254740993,\"c\":1.5,\"d\":-3,"
                           "\"e\":\"12/../x\",\"f\":\"\",\"g\":true,\"h\":18446744073709551615,"
                           "\"i\":\"1234567890123456789012345678901234567890123456789012345678901234\"}");
    json_object *v;
    json_object_object_get_ex(o, "a", &v);
    assert_int_equal(prov_cliniko_id(v, id, sizeof(id)), 0);
    assert_string_equal(id, "1665207664587580802");
    json_object_object_get_ex(o, "b", &v); /* 2^53 + 1: a double would give ...992 */
    assert_int_equal(prov_cliniko_id(v, id, sizeof(id)), 0);
    assert_string_equal(id, "9007199254740993");
    json_object_object_get_ex(o, "h", &v);
    assert_int_equal(prov_cliniko_id(v, id, sizeof(id)), 0);
    assert_string_equal(id, "18446744073709551615");
    const char *bad[] = {"c", "d", "e", "f", "g", "i"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_object_object_get_ex(o, bad[i], &v);
        assert_int_equal(prov_cliniko_id(v, id, sizeof(id)), -1);
    }
    assert_int_equal(prov_cliniko_id(NULL, id, sizeof(id)), -1);
    json_object_put(o);

    o = parse("{\"id\":\"1665207664587580802\",\"business_name\":\"X\"}");
    prov_cliniko_business_t b;
    assert_int_equal(prov_cliniko_business_decode(o, &b), 0);
    assert_string_equal(b.loc.id, "1665207664587580802");
    prov_cliniko_business_clear(&b);
    json_object_put(o);
}

static void test_links(void **state)
{
    char id[PROV_CLINIKO_ID_CAP];
    assert_int_equal(prov_cliniko_id_from_url("https://api.au1.cliniko.com/v1/practitioners/123?page=1", id, sizeof(id)), 0);
    assert_string_equal(id, "123");
    assert_int_equal(prov_cliniko_id_from_url("/businesses/1665207664587580802/", id, sizeof(id)), 0);
    assert_string_equal(id, "1665207664587580802");
    assert_int_equal(prov_cliniko_id_from_url("https://x/v1/patients/1#frag", id, sizeof(id)), 0);
    assert_string_equal(id, "1");
    assert_int_equal(prov_cliniko_id_from_url("", id, sizeof(id)), -1);
    assert_int_equal(prov_cliniko_id_from_url("https://x/v1/patients/a%20b", id, sizeof(id)), -1);
    assert_int_equal(prov_cliniko_id_from_url(NULL, id, sizeof(id)), -1);

    json_object *o = parse("{\"patient\":{\"links\":{\"self\":\"https://x/v1/patients/99\"}},\"practitioner\":{\"links\":"
                           "{}},\"business\":{\"links\":{\"self\":7}},\"appointment_type\":\"/appointment_types/5\"}");
    assert_int_equal(prov_cliniko_link_id(o, "patient", id, sizeof(id)), 0);
    assert_string_equal(id, "99");
    assert_int_equal(prov_cliniko_link_id(o, "practitioner", id, sizeof(id)), -1);
    assert_int_equal(prov_cliniko_link_id(o, "business", id, sizeof(id)), -1);
    assert_int_equal(prov_cliniko_link_id(o, "appointment_type", id, sizeof(id)), -1);
    assert_int_equal(prov_cliniko_link_id(o, "nothing", id, sizeof(id)), -1);
    json_object_put(o);

    char url[PROV_CLINIKO_URL_CAP];
    const char *base = "https://api.au1.cliniko.com/v1";
    assert_int_equal(prov_cliniko_resolve_next("https://api.au1.cliniko.com/v1/patients?page=2", base, url, sizeof(url)), 0);
    assert_string_equal(url, "https://api.au1.cliniko.com/v1/patients?page=2");
    assert_int_equal(prov_cliniko_resolve_next("/businesses/1/x?page=2", base, url, sizeof(url)), 0);
    assert_string_equal(url, "https://api.au1.cliniko.com/v1/businesses/1/x?page=2");
    assert_int_equal(prov_cliniko_resolve_next("https://evil.example/v1/patients?page=2", base, url, sizeof(url)), -1);
    assert_int_equal(prov_cliniko_resolve_next("https://api.au1.cliniko.com/v1evil/x", base, url, sizeof(url)), -1);
    assert_int_equal(prov_cliniko_resolve_next("//evil.example/x", base, url, sizeof(url)), -1);
    assert_int_equal(prov_cliniko_resolve_next("https://api.au1.cliniko.com/v1/x\r\nHost: y", base, url, sizeof(url)), -1);
}

static void test_garbage(void **state)
{
    const char *bad[] = {"", "{", "[]", "{} x", "null", "\"s\"", "{\"a\":1,}", "<html>", "{\"a\":tru}"};
    json_object *o;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(prov_cliniko_parse_object(bad[i], strlen(bad[i]), &o), -1);
    assert_int_equal(prov_cliniko_parse_object("{} \n", 4, &o), 0);
    json_object_put(o);
    /* nesting deeper than the limit */
    char deep[400];
    size_t n = 0;
    deep[n++] = '{';
    deep[n++] = '"';
    deep[n++] = 'a';
    deep[n++] = '"';
    deep[n++] = ':';
    for (int i = 0; i < 100; i++) deep[n++] = '[';
    for (int i = 0; i < 100; i++) deep[n++] = ']';
    deep[n++] = '}';
    assert_int_equal(prov_cliniko_parse_object(deep, n, &o), -1);

    prov_cliniko_page_t page;
    assert_int_equal(prov_cliniko_page_parse("{\"businesses\":{}}", 17, "businesses", &page), -1);
    assert_int_equal(prov_cliniko_page_parse("{\"patients\":[]}", 15, "businesses", &page), -1);
    assert_int_equal(prov_cliniko_page_parse("{\"patients\":[],\"links\":{\"next\":5}}", 34, "patients", &page), 0);
    assert_string_equal(page.next, "");
    prov_cliniko_page_clear(&page);
    bk_appointment_t a;
    assert_int_equal(prov_cliniko_appointment_body_decode("{\"id\":\"1\"}", 10, &a), -1); /* no starts_at */
    assert_int_equal(prov_cliniko_appointment_body_decode("garbage", 7, &a), -1);
}

static void test_wrong_types(void **state)
{
    json_object *o = parse("{\"id\":true,\"business_name\":5}");
    prov_cliniko_business_t b;
    assert_int_equal(prov_cliniko_business_decode(o, &b), -1);
    json_object_put(o);
    o = parse("{\"id\":\"1\",\"business_name\":5,\"show_in_online_bookings\":\"yes\",\"appointment_type_ids\":[\"2\",3,null,"
              "\"2\"],\"time_zone_identifier\":\"../../etc/passwd x\"}");
    assert_int_equal(prov_cliniko_business_decode(o, &b), 0);
    assert_string_equal(b.loc.name, "1"); /* no usable name: the id */
    assert_true(b.online);                /* a non-boolean is the default */
    assert_int_equal(b.type_ids.count, 2);
    assert_null(b.loc.time_zone);
    prov_cliniko_business_clear(&b);
    json_object_put(o);

    bk_catalog_treatment_t t;
    char billable[PROV_CLINIKO_ID_CAP];
    bool online, archived;
    const char *types[] = {"{\"id\":\"1\",\"duration_in_minutes\":\"60\"}", "{\"id\":\"1\",\"duration_in_minutes\":0}",
                           "{\"id\":\"1\",\"duration_in_minutes\":99999999999}", "{\"id\":\"1\"}", "[]"};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        json_object *x = json_tokener_parse(types[i]);
        assert_int_equal(prov_cliniko_appointment_type_decode(x, &t, billable, sizeof(billable), &online, &archived), -1);
        json_object_put(x);
    }
    bk_patient_t p;
    bk_strings_t phones;
    o = parse("{\"id\":\"5\",\"date_of_birth\":\"2001-02-30\",\"patient_phone_numbers\":[{\"number\":5},\"x\",{\"number\":\"0400\"}]}");
    assert_int_equal(prov_cliniko_patient_decode(o, &p, &phones, &archived), 0);
    assert_null(p.dob);
    assert_int_equal(phones.count, 1);
    free(phones.items[0]);
    free(phones.items);
    bk_patient_clear(&p);
    json_object_put(o);
    int64_t start;
    o = parse("{\"appointment_start\":\"2013-05-21 08:45\"}");
    assert_int_equal(prov_cliniko_available_time_decode(o, &start), -1);
    json_object_put(o);
}

static void test_prices(void **state)
{
    struct {
        const char *json;
        int rc;
        int64_t minor;
    } cases[] = {{"\"120.50\"", 0, 12050}, {"\"85\"", 0, 8500},   {"85", 0, 8500},     {"\"1.5\"", 0, 150},
                 {"12.34", 0, 1234},       {"\"abc\"", -1, 0},    {"\"-1\"", -1, 0},   {"-2", -1, 0},
                 {"\"1.\"", -1, 0},        {"\".5\"", -1, 0},     {"null", -1, 0},     {"\"99999999999999999999\"", -1, 0}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_object *v = json_tokener_parse(cases[i].json);
        int64_t m = -7;
        assert_int_equal(prov_cliniko_price_minor(v, &m), cases[i].rc);
        if (cases[i].rc == 0) assert_int_equal(m, cases[i].minor);
        json_object_put(v);
    }
}

static void test_shards(void **state)
{
    char url[128];
    assert_int_equal(prov_cliniko_base_url_for_key("MS0xMjM0NTY3ODkw", url, sizeof(url)), 0);
    assert_string_equal(url, "https://api.au1.cliniko.com/v1");
    assert_int_equal(prov_cliniko_base_url_for_key("MS0xMjM0NTY3ODkw-uk1", url, sizeof(url)), 0);
    assert_string_equal(url, "https://api.uk1.cliniko.com/v1");
    assert_int_equal(prov_cliniko_base_url_for_key("abc-AU4", url, sizeof(url)), 0);
    assert_string_equal(url, "https://api.au4.cliniko.com/v1");
    assert_int_equal(prov_cliniko_base_url_for_key("abc-us12", url, sizeof(url)), 0);
    const char *bad[] = {"abc-", "abc-x", "abc-au", "abc-1au", "abc-au123", "abc-evil.com/x", "abc-a1b"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(prov_cliniko_base_url_for_key(bad[i], url, sizeof(url)), -1);
}

static void test_phones(void **state)
{
    assert_true(prov_cliniko_phone_matches("0412 345 678", "+61412345678"));
    assert_true(prov_cliniko_phone_matches("61444444444", "+61444444444"));
    assert_true(prov_cliniko_phone_matches("+1 (555) 010-2000", "+15550102000"));
    assert_true(prov_cliniko_phone_matches("555-010-2000", "+15550102000"));
    assert_true(prov_cliniko_phone_matches("0061 412 345 678", "+61412345678"));
    assert_false(prov_cliniko_phone_matches("0412 345 679", "+61412345678"));
    assert_false(prov_cliniko_phone_matches("345 678", "+61412345678"));
    assert_false(prov_cliniko_phone_matches("", "+61412345678"));
    assert_false(prov_cliniko_phone_matches(NULL, "+61412345678"));
    assert_false(prov_cliniko_phone_matches("2345678", "+61412345678")); /* 5 digits would be the country code */
    char out[24];
    assert_int_equal(prov_cliniko_phone_e164("+61 444 444 444", out, sizeof(out)), 0);
    assert_string_equal(out, "+61444444444");
    assert_int_equal(prov_cliniko_phone_e164("0061444444444", out, sizeof(out)), 0);
    assert_string_equal(out, "+61444444444");
    assert_int_equal(prov_cliniko_phone_e164("0412 345 678", out, sizeof(out)), -1);
    assert_int_equal(prov_cliniko_phone_e164("61444444444", out, sizeof(out)), -1);
    assert_int_equal(prov_cliniko_phone_e164("+1234", out, sizeof(out)), -1);
}

static void test_cancel_reasons_and_escape(void **state)
{
    assert_int_equal(prov_cliniko_cancel_reason_code(NULL), 50);
    assert_int_equal(prov_cliniko_cancel_reason_code("Feeling better now"), 10);
    assert_int_equal(prov_cliniko_cancel_reason_code("condition got worse"), 20);
    assert_int_equal(prov_cliniko_cancel_reason_code("I'm sick"), 30);
    assert_int_equal(prov_cliniko_cancel_reason_code("covid positive"), 31);
    assert_int_equal(prov_cliniko_cancel_reason_code("travelling, away next week"), 40);
    assert_int_equal(prov_cliniko_cancel_reason_code("work meeting"), 60);
    assert_int_equal(prov_cliniko_cancel_reason_code("changed my mind"), 50);
    char buf[64] = "x=";
    assert_int_equal(prov_cliniko_query_escape(buf, sizeof(buf), "email:=a+b@x.com"), 0);
    assert_string_equal(buf, "x=email%3A%3Da%2Bb%40x.com");
    char small[8] = "";
    assert_int_equal(prov_cliniko_query_escape(small, sizeof(small), "abc def"), -1);
    assert_true(strlen(small) < sizeof(small));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_businesses_fixture),      cmocka_unit_test(test_practitioners_fixture),
        cmocka_unit_test(test_appointment_types_fixture), cmocka_unit_test(test_available_times_fixture),
        cmocka_unit_test(test_patients_fixture),        cmocka_unit_test(test_appointments_fixture),
        cmocka_unit_test(test_states),                  cmocka_unit_test(test_conflicts_and_settings),
        cmocka_unit_test(test_huge_ids),                cmocka_unit_test(test_links),
        cmocka_unit_test(test_garbage),                 cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_prices),                  cmocka_unit_test(test_shards),
        cmocka_unit_test(test_phones),                  cmocka_unit_test(test_cancel_reasons_and_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
