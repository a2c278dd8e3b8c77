/* tests/unit/sb_clinic_test.c: the sandbox clinic file: the demo and example load clean, every kind of bad file is
 * refused with the JSON path in the message, warnings are listed, day hours and generated bookings behave. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "providers/sandbox_clinic.h"

/* A small valid clinic every mutation test starts from. 2026-06-01 and 2026-06-08 are Mondays. */
static const char MIN_CLINIC[] =
    "{\"clinic\": {\"name\": \"Test Clinic\", \"country\": \"AU\"},"
    " \"locations\": ["
    "  {\"id\": \"l1\", \"name\": \"Main\", \"address\": {\"line1\": \"1 Main St\", \"city\": \"Sydney\", \"country\": "
    "\"AU\"}, \"time_zone\": \"Australia/Sydney\"},"
    "  {\"id\": \"l2\", \"name\": \"West\", \"address\": {\"line1\": \"2 West St\", \"city\": \"Perth\", \"country\": "
    "\"AU\"}, \"time_zone\": \"Australia/Perth\"}],"
    " \"practitioners\": ["
    "  {\"id\": \"p1\", \"first_name\": \"Ann\", \"last_name\": \"Lee\", \"treatment_ids\": [\"t1\"],"
    "   \"schedules\": ["
    "    {\"location_id\": \"l1\", \"weekly\": [{\"days\": [\"mon\", \"tue\"], \"intervals\": [{\"start\": \"09:00\", "
    "\"end\": \"12:00\"}, {\"start\": \"13:00\", \"end\": \"17:00\"}]}]},"
    "    {\"location_id\": \"l2\", \"weekly\": [{\"days\": [\"wed\"], \"intervals\": [{\"start\": \"09:00\", \"end\": "
    "\"17:00\"}]}]}],"
    "   \"overrides\": [{\"date\": \"2026-06-01\", \"location_id\": \"l1\", \"intervals\": [{\"start\": \"10:00\", "
    "\"end\": \"11:00\"}]}, {\"date\": \"2026-06-02\", \"closed\": true}]},"
    "  {\"id\": \"p2\", \"first_name\": \"Bo\", \"last_name\": \"Kim\", \"schedules\": [{\"location_id\": \"l1\", "
    "\"weekly\": [{\"days\": [\"mon\"], \"intervals\": [{\"start\": \"08:00\", \"end\": \"16:00\"}]}]}]}],"
    " \"treatments\": [{\"id\": \"t1\", \"name\": \"Consult\", \"duration_minutes\": 30, \"price\": {\"amount\": 50, "
    "\"currency\": \"AUD\"}, \"practitioner_ids\": [\"p2\"]}],"
    " \"patients\": [{\"id\": \"c1\", \"first_name\": \"Cy\", \"last_name\": \"Doe\", \"phone\": \"+61491570156\"}],"
    " \"bookings\": [{\"practitioner_id\": \"p1\", \"treatment_id\": \"t1\", \"location_id\": \"l1\", \"start\": "
    "\"2026-06-08T09:00:00+10:00\", \"patient_id\": \"c1\"}],"
    " \"policy\": {\"slot_step_minutes\": 15}}";

/* ---- helpers ----------------------------------------------------------------------------------------------- */

static char *read_repo_file(const char *rel, size_t *len)
{
    const char *root = getenv("FD_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", root != NULL ? root : ".", rel);
    FILE *f = fopen(path, "rb");
    if (f == NULL) fail_msg("cannot open %s (is FD_SOURCE_DIR set?)", path);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

static char *repo_path(const char *rel)
{
    const char *root = getenv("FD_SOURCE_DIR");
    char *path = malloc(4096);
    assert_non_null(path);
    snprintf(path, 4096, "%s/%s", root != NULL ? root : ".", rel);
    return path;
}

/* Walks "a.b[2].c" inside root: the container of the last segment, and that segment (key or index). */
static json_object *walk(json_object *root, const char *path, char *last_key, size_t *last_index, int *is_index)
{
    json_object *cur = root;
    const char *s = path;
    for (;;) {
        char key[128];
        size_t n = 0;
        int index = 0;
        size_t idx = 0;
        if (*s == '[') {
            index = 1;
            idx = strtoul(s + 1, NULL, 10);
            s = strchr(s, ']') + 1;
        } else {
            while (*s != '\0' && *s != '.' && *s != '[') key[n++] = *s++;
            key[n] = '\0';
        }
        if (*s == '.') s++;
        if (*s == '\0') {
            *is_index = index;
            *last_index = idx;
            snprintf(last_key, 128, "%s", key);
            return cur;
        }
        json_object *next = index ? json_object_array_get_idx(cur, idx) : NULL;
        if (!index && !json_object_object_get_ex(cur, key, &next)) next = NULL;
        if (next == NULL) fail_msg("no %s in the test clinic", path);
        cur = next;
    }
}

/* MIN_CLINIC with the value at `path` replaced by the JSON text `value` (NULL: removed). Caller frees. */
static char *mutate(const char *base, const char *path, const char *value)
{
    json_object *root = json_tokener_parse(base);
    assert_non_null(root);
    char key[128];
    size_t idx;
    int is_index;
    json_object *parent = walk(root, path, key, &idx, &is_index);
    json_object *v = value != NULL ? json_tokener_parse(value) : NULL;
    if (value != NULL && v == NULL && strcmp(value, "null") != 0) fail_msg("bad test value %s", value);
    if (is_index) {
        if (value == NULL)
            json_object_array_del_idx(parent, idx, 1);
        else
            json_object_array_put_idx(parent, idx, v);
    } else if (value == NULL) {
        json_object_object_del(parent, key);
    } else {
        json_object_object_add(parent, key, v);
    }
    char *out = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
    json_object_put(root);
    return out;
}

static int has_message(const sb_diag_t *d, const char *text)
{
    for (size_t i = 0; i < sb_diag_count(d); i++)
        if (strstr(sb_diag_message(d, i), text) != NULL) return 1;
    return 0;
}

static void print_diag(const sb_diag_t *d)
{
    char buf[8192];
    sb_diag_render(d, buf, sizeof(buf));
    print_message("%s\n", buf);
}

/* Parses json, expects refusal with an error message containing `expect`. */
static void expect_error_json(const char *json, const char *expect)
{
    sb_diag_t *d = sb_diag_new();
    sb_clinic_t *c = sb_clinic_parse(json, strlen(json), d);
    if (c != NULL || !has_message(d, expect)) {
        print_diag(d);
        fail_msg("expected an error containing \"%s\"", expect);
    }
    assert_true(sb_diag_error_count(d) > 0);
    sb_diag_free(d);
}

static void expect_error(const char *path, const char *value, const char *expect)
{
    char *json = mutate(MIN_CLINIC, path, value);
    expect_error_json(json, expect);
    free(json);
}

/* Parses json, expects success with a warning containing `expect`. */
static void expect_warning(const char *json, const char *expect)
{
    sb_diag_t *d = sb_diag_new();
    sb_clinic_t *c = sb_clinic_parse(json, strlen(json), d);
    if (c == NULL || !has_message(d, expect)) {
        print_diag(d);
        fail_msg("expected a warning containing \"%s\"", expect);
    }
    assert_int_equal(sb_diag_error_count(d), 0);
    sb_clinic_free(c);
    sb_diag_free(d);
}

static sb_clinic_t *parse_ok(const char *json, size_t len)
{
    sb_diag_t *d = sb_diag_new();
    sb_clinic_t *c = sb_clinic_parse(json, len, d);
    if (c == NULL || sb_diag_count(d) != 0) {
        print_diag(d);
        fail_msg("expected a clean parse");
    }
    sb_diag_free(d);
    return c;
}

/* ---- the shipped files ------------------------------------------------------------------------------------- */

static void test_demo_clean(void **state)
{
    (void)state;
    size_t len;
    char *json = read_repo_file("providers/sandbox/demo_clinic.json", &len);
    sb_clinic_t *c = parse_ok(json, len);
    assert_string_equal(c->name, "Harbour & Pine Physiotherapy");
    assert_string_equal(c->country, "AU");
    assert_int_equal(c->location_count, 2);
    assert_true(c->practitioner_count >= 6);
    assert_true(c->treatment_count >= 7);
    assert_true(c->booking_count >= 3);
    assert_true(c->generated.enabled);
    for (size_t i = 0; i < c->location_count; i++) assert_non_null(c->locations[i].zone);
    long zoe = sb_clinic_find_practitioner(c, "pr-zoe-martin");
    assert_true(zoe >= 0);
    assert_string_equal(c->practitioners[zoe].first_name, "Zo\xc3\xab");
    assert_int_equal(c->practitioners[zoe].schedule_count, 2);
    int ai_off = 0, sams = 0, min_d = 1000, max_d = 0;
    for (size_t i = 0; i < c->practitioner_count; i++) {
        ai_off += !c->practitioners[i].ai_enabled;
        sams += strcmp(c->practitioners[i].first_name, "Sam") == 0;
    }
    for (size_t i = 0; i < c->treatment_count; i++) {
        const sb_treatment_t *t = &c->treatments[i];
        if (t->duration_minutes < min_d) min_d = t->duration_minutes;
        if (t->duration_minutes > max_d) max_d = t->duration_minutes;
        assert_string_equal(t->currency, "AUD");
        assert_true(t->practitioner_count > 0);
        assert_true(t->location_count > 0);
    }
    assert_true(ai_off >= 1);
    assert_int_equal(sams, 2);
    assert_int_equal(min_d, 15);
    assert_int_equal(max_d, 90);
    long acu = sb_clinic_find_treatment(c, "tx-acupuncture");
    assert_int_equal(c->treatments[acu].price_minor, 9550);
    assert_int_equal(c->policy.hold_seconds, 300);
    assert_int_equal(sb_clinic_find_location(c, "loc-nowhere"), -1);
    sb_clinic_free(c);
    free(json);
}

static void test_example_clean(void **state)
{
    (void)state;
    char *path = repo_path("examples/clinic.example.json");
    sb_diag_t *d = sb_diag_new();
    sb_clinic_t *c = sb_clinic_load_file(path, d);
    if (c == NULL || sb_diag_count(d) != 0) print_diag(d);
    assert_non_null(c);
    assert_int_equal(sb_diag_count(d), 0);
    assert_true(c->practitioner_count >= 1);
    sb_clinic_free(c);
    sb_diag_free(d);
    free(path);
}

static void test_min_clinic(void **state)
{
    (void)state;
    sb_clinic_t *c = parse_ok(MIN_CLINIC, strlen(MIN_CLINIC));
    /* Defaults. */
    assert_int_equal(c->policy.min_notice_minutes, 120);
    assert_int_equal(c->policy.max_days_ahead, 30);
    assert_int_equal(c->policy.start_rule, SB_START_EVERY_STEP);
    assert_true(c->practitioners[0].ai_enabled);
    assert_null(c->locale);
    /* Links merge both directions: p2 offers t1 because t1 lists p2. */
    assert_int_equal(c->practitioners[1].treatment_count, 1);
    assert_string_equal(c->practitioners[1].treatment_ids[0], "t1");
    assert_int_equal(c->treatments[0].practitioner_count, 2);
    /* Default treatment locations: wherever its practitioners work. */
    assert_int_equal(c->treatments[0].location_count, 2);
    /* Booking: generated ID, end from the duration. */
    assert_string_equal(c->bookings[0].id, "booking-1");
    assert_int_equal(c->bookings[0].end - c->bookings[0].start, 30 * TZ_MS_PER_MINUTE);
    assert_int_equal(c->bookings[0].patient, 0);
    assert_int_equal(c->treatments[0].price_minor, 5000);
    sb_clinic_free(c);
}

/* ---- errors: one per kind, path in the message -------------------------------------------------------------- */

static void test_error_bad_time(void **state)
{
    (void)state;
    expect_error("practitioners[0].schedules[0].weekly[0].intervals[1].end", "\"25:00\"",
                 "practitioners[0].schedules[0].weekly[0].intervals[1].end: 25:00 is not a time");
    expect_error("practitioners[0].schedules[0].weekly[0].intervals[0].start", "\"9:00\"",
                 "practitioners[0].schedules[0].weekly[0].intervals[0].start: 9:00 is not a time");
    expect_error("practitioners[0].schedules[0].weekly[0].intervals[0].start", "\"24:00\"",
                 "intervals[0].start: 24:00 is only valid as an end");
    expect_error("practitioners[0].schedules[0].weekly[0].intervals[0].end", "\"08:00\"",
                 "practitioners[0].schedules[0].weekly[0].intervals[0].end: 08:00 is not after start 09:00");
    expect_error("practitioners[0].schedules[0].weekly[0].days[1]", "\"tuesday\"",
                 "practitioners[0].schedules[0].weekly[0].days[1]: tuesday is not a weekday");
    expect_error("practitioners[0].schedules[0].weekly[0].days[1]", "\"mon\"",
                 "practitioners[0].schedules[0].weekly[0].days[1]: mon is listed twice");
}

static void test_error_overlap(void **state)
{
    (void)state;
    expect_error("practitioners[0].schedules[0].weekly[1]",
                 "{\"days\": [\"tue\"], \"intervals\": [{\"start\": \"11:00\", \"end\": \"14:00\"}]}",
                 "practitioners[0].schedules[0].weekly[1].intervals[0]: 11:00-14:00 on tue overlaps 09:00-12:00 at "
                 "practitioners[0].schedules[0].weekly[0].intervals[0]");
    /* Across locations: one person, one place. */
    expect_error("practitioners[0].schedules[1].weekly[0].days", "[\"mon\", \"wed\"]",
                 "practitioners[0].schedules[1].weekly[0].intervals[0]: 09:00-17:00 on mon overlaps");
    expect_error("practitioners[0].overrides[0].intervals",
                 "[{\"start\": \"10:00\", \"end\": \"11:00\"}, {\"start\": \"10:30\", \"end\": \"12:00\"}]",
                 "practitioners[0].overrides[0].intervals: 10:30-12:00 overlaps 10:00-11:00");
}

static void test_error_types_and_required(void **state)
{
    (void)state;
    expect_error("practitioners[0].ai_enabled", "\"yes\"", "practitioners[0].ai_enabled: must be true or false");
    expect_error("treatments[0].duration_minutes", "\"30\"",
                 "treatments[0].duration_minutes: must be a whole number, not a string");
    expect_error("treatments[0].duration_minutes", "30.5", "treatments[0].duration_minutes: must be a whole number");
    expect_error("practitioners[0].first_name", "42", "practitioners[0].first_name: must be a string, not a number");
    expect_error("practitioners[0].id", "7", "practitioners[0].id: must be a string");
    expect_error("locations[0].address", "\"1 Main St\"", "locations[0].address: must be an object, not a string");
    expect_error("practitioners[0].schedules", "{}", "practitioners[0].schedules: must be an array");
    expect_error("treatments[0].name", NULL, "treatments[0].name: is required");
    expect_error("locations[1].time_zone", NULL, "locations[1].time_zone: is required");
    expect_error("bookings[0].start", NULL, "bookings[0].start: is required");
    expect_error("clinic", NULL, "clinic: is required");
    expect_error("locations", NULL, "locations: is required");
    expect_error("practitioners", "[]", "practitioners: must have at least 1 entry");
    expect_error("practitioners[1].last_name", "\"  \"", "practitioners[1].last_name: \"  \" must not be blank");
    expect_error("practitioners[1].last_name", "\"\"", "practitioners[1].last_name: must not be empty");
}

static void test_error_unknown_field(void **state)
{
    (void)state;
    expect_error("practitioners[0].emial", "\"ann@example.com\"",
                 "practitioners[0].emial: unknown field (did you mean email?)");
    expect_error("practitioners[0].schedules[0].weekly[0].intervals[0].stop", "\"10:00\"",
                 "practitioners[0].schedules[0].weekly[0].intervals[0].stop: unknown field");
    expect_error("policy.slot_minutes", "10", "policy.slot_minutes: unknown field");
    expect_error("extra", "1", "extra: unknown field");
}

static void test_error_duplicate_ids(void **state)
{
    (void)state;
    expect_error("practitioners[1].id", "\"p1\"", "practitioners[1].id: p1 is also the ID of practitioners[0]");
    expect_error("locations[1].id", "\"l1\"", "locations[1].id: l1 is also the ID of locations[0]");
    expect_error("bookings[1]",
                 "{\"id\": \"booking-1\", \"practitioner_id\": \"p2\", \"treatment_id\": \"t1\", \"location_id\": "
                 "\"l1\", \"start\": \"2026-06-08T09:00:00+10:00\"}",
                 "bookings[1].id: booking-1 is also the ID of bookings[0]");
    expect_error("practitioners[0].schedules[1].location_id", "\"l1\"",
                 "practitioners[0].schedules[1].location_id: l1 already has a schedule at schedules[0]");
    expect_error("practitioners[0].treatment_ids", "[\"t1\", \"t1\"]",
                 "practitioners[0].treatment_ids[1]: t1 is listed twice");
    expect_error("practitioners[0].overrides[2]",
                 "{\"date\": \"2026-06-02\", \"location_id\": \"l1\", \"closed\": true}",
                 "practitioners[0].overrides[2]: conflicts with overrides[1]");
    expect_error("locations[0].closures", "[{\"date\": \"2026-12-25\"}, {\"date\": \"2026-12-25\"}]",
                 "locations[0].closures[1].date: the date is already closed by closures[0]");
    expect_error("practitioners[1].id", "\"bad id!\"", "practitioners[1].id: bad id! is not an ID");
}

static void test_error_unknown_references(void **state)
{
    (void)state;
    expect_error("practitioners[0].treatment_ids[0]", "\"t9\"",
                 "practitioners[0].treatment_ids[0]: no treatment has the ID t9");
    expect_error("practitioners[0].schedules[0].location_id", "\"l9\"",
                 "practitioners[0].schedules[0].location_id: no location has the ID l9");
    expect_error("treatments[0].practitioner_ids[0]", "\"p9\"",
                 "treatments[0].practitioner_ids[0]: no practitioner has the ID p9");
    expect_error("treatments[0].location_ids", "[\"l1\", \"l7\"]",
                 "treatments[0].location_ids[1]: no location has the ID l7");
    expect_error("bookings[0].patient_id", "\"c9\"", "bookings[0].patient_id: no patient has the ID c9");
    expect_error("bookings[0].practitioner_id", "\"p9\"", "bookings[0].practitioner_id: no practitioner has the ID p9");
    expect_error("bookings[0].location_id", "\"l9\"", "bookings[0].location_id: no location has the ID l9");
    expect_error("practitioners[1].overrides",
                 "[{\"date\": \"2026-06-01\", \"location_id\": \"l2\", \"closed\": true}]",
                 "practitioners[1].overrides[0].location_id: the practitioner has no schedule at l2");
    expect_error("practitioners[0].overrides[0].location_id", NULL,
                 "practitioners[0].overrides[0].location_id: is required for other hours");
}

static void test_error_values(void **state)
{
    (void)state;
    expect_error("locations[1].time_zone", "\"Mars/Olympus\"",
                 "locations[1].time_zone: Mars/Olympus is not a time zone");
    expect_error("practitioners[0].overrides[1].date", "\"2026-02-30\"",
                 "practitioners[0].overrides[1].date: 2026-02-30 is not a date");
    expect_error("practitioners[0].overrides[1].date", "\"01/06/2026\"",
                 "practitioners[0].overrides[1].date: 01/06/2026 is not a date");
    expect_error("treatments[0].price.currency", "\"aud\"", "treatments[0].price.currency: aud is not a currency");
    expect_error("treatments[0].price.amount", "-1", "treatments[0].price.amount: -1 is out of range");
    expect_error("treatments[0].price.amount", "10.555",
                 "treatments[0].price.amount: 10.555 has more than 2 decimals for AUD");
    expect_error("treatments[0].duration_minutes", "3", "treatments[0].duration_minutes: 3 is out of range (5 to 480)");
    expect_error("treatments[0].duration_minutes", "481", "treatments[0].duration_minutes: 481 is out of range");
    expect_error("clinic.country", "\"Australia\"", "clinic.country: Australia is not a country code");
    expect_error("clinic.locale", "\"english\"", "clinic.locale: english is not a locale");
    expect_error("practitioners[0].email", "\"ann@\"", "practitioners[0].email: ann@ is not an email address");
    expect_error("locations[0].phone", "\"02 9157 0156\"", "locations[0].phone: 02 9157 0156 is not an E.164");
    expect_error("locations[0].booking_url", "\"ftp://x\"", "locations[0].booking_url: ftp://x is not an http(s) URL");
    expect_error("bookings[0].start", "\"2026-06-08T09:00:00\"",
                 "bookings[0].start: 2026-06-08T09:00:00 is not an instant (no offset");
    expect_error("bookings[0].end", "\"2026-06-08T08:00:00+10:00\"", "bookings[0].end: must be after start");
    expect_error("bookings[0].end", "\"2026-06-10T08:00:00+10:00\"", "bookings[0].end: the booking lasts more than 24");
    expect_error("policy.start_rule", "\"sometimes\"", "policy.start_rule: must be \"every_step\" or \"back_to_back\"");
    expect_error("policy.slot_step_minutes", "0", "policy.slot_step_minutes: 0 is out of range (5 to 240)");
    expect_error("generated_bookings", "{\"fill_ratio\": 0.95}", "generated_bookings.fill_ratio: 0.95 is out of range");
    expect_error("generated_bookings", "{\"seed\": 4}", "generated_bookings.fill_ratio: is required");
    expect_error("practitioners[0].overrides[1].closed", "false", "practitioners[0].overrides[1].closed: must be true");
    expect_error("practitioners[0].overrides[0].closed", "true",
                 "practitioners[0].overrides[0]: give either closed: true or intervals, not both");
    expect_error("practitioners[0].overrides[1].closed", NULL,
                 "practitioners[0].overrides[1]: needs closed: true or intervals");
}

static void test_error_patient_values_not_echoed(void **state)
{
    (void)state;
    char *json = mutate(MIN_CLINIC, "patients[0].phone", "\"0491 570 156\"");
    sb_diag_t *d = sb_diag_new();
    assert_null(sb_clinic_parse(json, strlen(json), d));
    assert_true(has_message(d, "patients[0].phone: is not an E.164 phone number"));
    assert_false(has_message(d, "0491 570 156"));
    sb_diag_free(d);
    free(json);
    expect_error("patients[0].dob", "\"1990-13-01\"", "patients[0].dob: is not a date");
    expect_error("patients[0].email", "\"cy.doe\"", "patients[0].email: is not an email address");
}

/* ---- the file as a whole ----------------------------------------------------------------------------------- */

static void test_error_file_level(void **state)
{
    (void)state;
    expect_error_json("[1, 2]", "$: must be a JSON object, not an array");
    expect_error_json("\"clinic\"", "$: must be a JSON object");
    expect_error_json("", "$: the JSON ends too early");
    expect_error_json("{\"clinic\": {", "$: the JSON ends too early");
    expect_error_json("{\"clinic\": }", "$: line 1, column 12: not valid JSON");
    expect_error_json("{\n  \"a\": 1,\n  \"b\": tru\n}", "$: line 3");
    expect_error_json("{\"a\": 1, }", "not valid JSON");
    expect_error_json("{\"a\": 1} // comment", "$: line 1, column 10: unexpected text after the JSON value");
    expect_error_json("{} {}", "unexpected text after the JSON value");
    expect_error_json("{\"a\": \"\xff\"}", "not valid JSON");
    /* Trailing garbage after the real clinic is refused, trailing whitespace is not. */
    size_t n = strlen(MIN_CLINIC);
    char *json = malloc(n + 8);
    memcpy(json, MIN_CLINIC, n);
    memcpy(json + n, " \n\tx", 4);
    sb_diag_t *d = sb_diag_new();
    assert_null(sb_clinic_parse(json, n + 4, d));
    assert_true(has_message(d, "unexpected text after the JSON value"));
    sb_diag_clear(d);
    sb_clinic_t *c = sb_clinic_parse(json, n + 3, d);
    assert_non_null(c);
    sb_clinic_free(c);
    /* An embedded NUL byte. */
    json[n] = '\0';
    sb_diag_clear(d);
    assert_null(sb_clinic_parse(json, n + 2, d));
    assert_true(has_message(d, "NUL byte"));
    sb_diag_free(d);
    free(json);
    /* A UTF-8 byte-order mark is fine. */
    char *bom = malloc(n + 3);
    memcpy(bom, "\xEF\xBB\xBF", 3);
    memcpy(bom + 3, MIN_CLINIC, n);
    c = parse_ok(bom, n + 3);
    sb_clinic_free(c);
    free(bom);
    /* NULL text, NULL diag. */
    assert_null(sb_clinic_parse(NULL, 0, NULL));
    assert_null(sb_clinic_parse("[]", 2, NULL));
}

static void test_file_too_big_and_missing(void **state)
{
    (void)state;
    char path[] = "/tmp/sb_clinic_big_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)SB_FILE_MAX_BYTES + 1), 0);
    close(fd);
    sb_diag_t *d = sb_diag_new();
    assert_null(sb_clinic_load_file(path, d));
    assert_true(has_message(d, "$: the file is larger than 16 MiB"));
    unlink(path);
    sb_diag_clear(d);
    assert_null(sb_clinic_load_file("/nonexistent/clinic.json", d));
    assert_true(has_message(d, "$: cannot open /nonexistent/clinic.json"));
    sb_diag_clear(d);
    assert_null(sb_clinic_parse(MIN_CLINIC, (size_t)SB_FILE_MAX_BYTES + 1, d)); /* length checked before reading */
    assert_true(has_message(d, "larger than 16 MiB"));
    sb_diag_free(d);
}

static void test_fixture_files(void **state)
{
    (void)state;
    static const struct {
        const char *file, *expect;
    } cases[] = {
        {"tests/unit/data/sb_bad_time.json",
         "practitioners[0].schedules[0].weekly[0].intervals[1].end: 25:00 is not a time"},
        {"tests/unit/data/sb_overlap_locations.json",
         "practitioners[0].schedules[1].weekly[0].intervals[0]: 10:00-14:00 on mon overlaps"},
        {"tests/unit/data/sb_unknown_refs.json",
         "treatments[0].practitioner_ids[1]: no practitioner has the ID pr-ghost"},
        {"tests/unit/data/sb_bad_zone.json", "locations[0].time_zone: Australia/Sidney is not a time zone"},
        {"tests/unit/data/sb_trailing_garbage.json", "unexpected text after the JSON value"},
        {"tests/unit/data/sb_not_object.json", "$: must be a JSON object, not an array"},
        {"tests/unit/data/sb_typo_field.json", "practitioners[0].shedules: unknown field (did you mean schedules?)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *path = repo_path(cases[i].file);
        sb_diag_t *d = sb_diag_new();
        sb_clinic_t *c = sb_clinic_load_file(path, d);
        if (c != NULL || !has_message(d, cases[i].expect)) {
            print_diag(d);
            fail_msg("%s: expected \"%s\"", cases[i].file, cases[i].expect);
        }
        sb_diag_free(d);
        free(path);
    }
}

static void test_error_cap_and_render(void **state)
{
    (void)state;
    /* 30 treatments with a bad currency: 30 errors found, 20 kept, the rest counted. */
    char *json = strdup(MIN_CLINIC);
    for (int i = 1; i <= 30; i++) {
        char path[64], value[200];
        snprintf(path, sizeof(path), "treatments[%d]", i);
        snprintf(value, sizeof(value),
                 "{\"id\": \"tx%d\", \"name\": \"T\", \"duration_minutes\": 30, \"price\": {\"amount\": 1, "
                 "\"currency\": \"usd\"}}",
                 i);
        char *next = mutate(json, path, value);
        free(json);
        json = next;
    }
    sb_diag_t *d = sb_diag_new();
    assert_null(sb_clinic_parse(json, strlen(json), d));
    assert_int_equal(sb_diag_error_count(d), 30);
    assert_int_equal(sb_diag_count(d), SB_DIAG_MAX_ERRORS);
    assert_string_equal(sb_diag_path(d, 0), "treatments[1].price.currency");
    assert_int_equal(sb_diag_severity(d, 0), SB_ERROR);
    assert_null(sb_diag_message(d, 99));
    char buf[4096];
    size_t need = sb_diag_render(d, buf, sizeof(buf));
    assert_true(need < sizeof(buf));
    assert_non_null(strstr(buf, "error: treatments[1].price.currency: usd is not a currency"));
    assert_non_null(strstr(buf, "... and 10 more errors"));
    char tiny[16];
    assert_int_equal(sb_diag_render(d, tiny, sizeof(tiny)), need); /* truncated, but says what it needs */
    assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
    sb_diag_free(d);
    free(json);
}

/* ---- warnings ---------------------------------------------------------------------------------------------- */

static void test_warnings(void **state)
{
    (void)state;
    /* Outside working hours (Monday 18:00 in Sydney). */
    char *json = mutate(MIN_CLINIC, "bookings[1]",
                        "{\"practitioner_id\": \"p1\", \"treatment_id\": \"t1\", \"location_id\": \"l1\", \"start\": "
                        "\"2026-06-08T08:00:00Z\"}");
    expect_warning(json, "bookings[1]: 2026-06-08 18:00 in Australia/Sydney is outside the working hours of p1 at l1");
    free(json);
    /* At the right hours but the wrong location. */
    json = mutate(MIN_CLINIC, "bookings[0].location_id", "\"l2\"");
    expect_warning(json, "bookings[0]: 2026-06-08 07:00 in Australia/Perth is outside the working hours of p1 at l2");
    free(json);
    /* Overlapping bookings of one practitioner. */
    json = mutate(MIN_CLINIC, "bookings[1]",
                  "{\"id\": \"b2\", \"practitioner_id\": \"p1\", \"treatment_id\": \"t1\", \"location_id\": \"l1\", "
                  "\"start\": \"2026-06-08T09:15:00+10:00\"}");
    expect_warning(json, "bookings[1]: overlaps bookings[0] (same practitioner, p1)");
    free(json);
    /* A practitioner with no schedule; a treatment nobody offers. */
    json = mutate(MIN_CLINIC, "practitioners[2]", "{\"id\": \"p3\", \"first_name\": \"Cal\", \"last_name\": \"Ng\"}");
    expect_warning(json, "practitioners[2]: p3 has no schedule, so is never available");
    free(json);
    json = mutate(MIN_CLINIC, "treatments[1]",
                  "{\"id\": \"t2\", \"name\": \"Orphan\", \"duration_minutes\": 20, \"price\": {\"amount\": 0, "
                  "\"currency\": \"AUD\"}}");
    expect_warning(json, "treatments[1]: no practitioner offers t2");
    free(json);
    /* A booking of a treatment the practitioner does not offer. */
    json = mutate(MIN_CLINIC, "treatments[1]",
                  "{\"id\": \"t2\", \"name\": \"Other\", \"duration_minutes\": 20, \"price\": {\"amount\": 0, "
                  "\"currency\": \"AUD\"}, \"practitioner_ids\": [\"p2\"]}");
    char *json2 = mutate(json, "bookings[0].treatment_id", "\"t2\"");
    expect_warning(json2, "bookings[0].treatment_id: p1 does not offer t2");
    free(json);
    free(json2);
    /* Warnings do not refuse the file, and render as "warning:" lines. */
    json = mutate(MIN_CLINIC, "practitioners[2]", "{\"id\": \"p3\", \"first_name\": \"Cal\", \"last_name\": \"Ng\"}");
    sb_diag_t *d = sb_diag_new();
    sb_clinic_t *c = sb_clinic_parse(json, strlen(json), d);
    assert_non_null(c);
    assert_int_equal(sb_diag_warning_count(d), 1);
    assert_int_equal(sb_diag_severity(d, 0), SB_WARNING);
    char buf[512];
    sb_diag_render(d, buf, sizeof(buf));
    assert_string_equal(buf, "warning: practitioners[2]: p3 has no schedule, so is never available");
    sb_clinic_free(c);
    sb_diag_free(d);
    free(json);
}

/* ---- day hours ----------------------------------------------------------------------------------------------- */

static void test_day_hours(void **state)
{
    (void)state;
    char *json = mutate(MIN_CLINIC, "locations[0].closures", "[{\"date\": \"2026-06-15\", \"reason\": \"Holiday\"}]");
    sb_clinic_t *c = parse_ok(json, strlen(json));
    sb_interval_t iv[SB_DAY_MAX_INTERVALS];
    /* A plain Tuesday: the weekly hours with the lunch break. */
    assert_int_equal(sb_clinic_day_hours(c, 0, 0, 2026, 6, 9, iv, SB_DAY_MAX_INTERVALS), 2);
    assert_int_equal(iv[0].start, 9 * 60);
    assert_int_equal(iv[0].end, 12 * 60);
    assert_int_equal(iv[1].start, 13 * 60);
    assert_int_equal(iv[1].end, 17 * 60);
    /* Override with other hours (Monday 2026-06-01 at l1). */
    assert_int_equal(sb_clinic_day_hours(c, 0, 0, 2026, 6, 1, iv, SB_DAY_MAX_INTERVALS), 1);
    assert_int_equal(iv[0].start, 10 * 60);
    assert_int_equal(iv[0].end, 11 * 60);
    /* Closed everywhere on 2026-06-02 (a Tuesday). */
    assert_int_equal(sb_clinic_day_hours(c, 0, 0, 2026, 6, 2, iv, SB_DAY_MAX_INTERVALS), 0);
    /* Location closure on Monday 2026-06-15 for everyone. */
    assert_int_equal(sb_clinic_day_hours(c, 0, 0, 2026, 6, 15, iv, SB_DAY_MAX_INTERVALS), 0);
    assert_int_equal(sb_clinic_day_hours(c, 1, 0, 2026, 6, 15, iv, SB_DAY_MAX_INTERVALS), 0);
    assert_int_equal(sb_clinic_day_hours(c, 1, 0, 2026, 6, 22, iv, SB_DAY_MAX_INTERVALS), 1);
    /* The other location on Wednesday; not on Monday. */
    assert_int_equal(sb_clinic_day_hours(c, 0, 1, 2026, 6, 3, iv, SB_DAY_MAX_INTERVALS), 1);
    assert_int_equal(sb_clinic_day_hours(c, 0, 1, 2026, 6, 8, iv, SB_DAY_MAX_INTERVALS), 0);
    /* p2 has no schedule at l2. */
    assert_int_equal(sb_clinic_day_hours(c, 1, 1, 2026, 6, 3, iv, SB_DAY_MAX_INTERVALS), 0);
    /* Wall-clock hours on DST change days (Sydney: 2026-04-05 back, 2026-10-04 forward; Mondays after). */
    assert_int_equal(sb_clinic_day_hours(c, 0, 0, 2026, 4, 6, iv, SB_DAY_MAX_INTERVALS), 2);
    assert_int_equal(iv[0].start, 9 * 60);
    assert_int_equal(sb_clinic_day_hours(c, 0, 0, 2026, 10, 5, iv, SB_DAY_MAX_INTERVALS), 2);
    assert_int_equal(iv[1].end, 17 * 60);
    /* Bad arguments. */
    assert_int_equal(sb_clinic_day_hours(c, 9, 0, 2026, 6, 9, iv, SB_DAY_MAX_INTERVALS), -1);
    assert_int_equal(sb_clinic_day_hours(c, 0, 9, 2026, 6, 9, iv, SB_DAY_MAX_INTERVALS), -1);
    assert_int_equal(sb_clinic_day_hours(c, 0, 0, 2026, 2, 29, iv, SB_DAY_MAX_INTERVALS), -1);
    assert_int_equal(sb_clinic_day_hours(c, 0, 0, 2026, 6, 9, iv, 1), -1);
    assert_int_equal(sb_clinic_schedule_of(c, 0, 1), 1);
    assert_int_equal(sb_clinic_schedule_of(c, 1, 1), -1);
    sb_clinic_free(c);
    free(json);
}

/* ---- generated bookings ------------------------------------------------------------------------------------ */

static void test_generated_bookings(void **state)
{
    (void)state;
    size_t len;
    char *json = read_repo_file("providers/sandbox/demo_clinic.json", &len);
    sb_clinic_t *c = parse_ok(json, len);
    long busy_total = 0, work_total = 0;
    int days_with = 0;
    for (size_t p = 0; p < c->practitioner_count; p++) {
        const sb_practitioner_t *pr = &c->practitioners[p];
        for (size_t k = 0; k < pr->schedule_count; k++) {
            size_t l = pr->schedules[k].location;
            for (int64_t dn = tz_days_from_civil(2026, 5, 1); dn < tz_days_from_civil(2026, 5, 1) + 90; dn++) {
                int y, m, d;
                tz_civil_from_days(dn, &y, &m, &d);
                sb_interval_t hours[SB_DAY_MAX_INTERVALS], a[SB_DAY_MAX_BUSY], b[SB_DAY_MAX_BUSY];
                int nh = sb_clinic_day_hours(c, p, l, y, m, d, hours, SB_DAY_MAX_INTERVALS);
                int na = sb_clinic_generated_busy(c, p, l, y, m, d, a, SB_DAY_MAX_BUSY);
                int nb = sb_clinic_generated_busy(c, p, l, y, m, d, b, SB_DAY_MAX_BUSY);
                assert_true(nh >= 0 && na >= 0);
                assert_int_equal(na, nb); /* deterministic */
                assert_memory_equal(a, b, (size_t)na * sizeof(sb_interval_t));
                for (int h = 0; h < nh; h++) work_total += hours[h].end - hours[h].start;
                days_with += na > 0;
                for (int i = 0; i < na; i++) {
                    busy_total += a[i].end - a[i].start;
                    if (i > 0) assert_true(a[i].start >= a[i - 1].end); /* sorted, no overlaps */
                    int inside = 0;
                    for (int h = 0; h < nh; h++) inside |= a[i].start >= hours[h].start && a[i].end <= hours[h].end;
                    assert_true(inside);
                    int len_ok = 0;
                    for (size_t t = 0; t < pr->treatment_count; t++)
                        len_ok |= c->treatments[pr->treatments[t]].duration_minutes == a[i].end - a[i].start;
                    assert_true(len_ok);
                }
            }
        }
    }
    double ratio = (double)busy_total / (double)work_total;
    print_message("generated fill over 90 days: %.3f (asked 0.35), %d busy days\n", ratio, days_with);
    assert_true(ratio > 0.2 && ratio < 0.5);
    /* Known answers do not drift (the demo looks the same on every machine and release). */
    sb_interval_t a[SB_DAY_MAX_BUSY];
    long sam = sb_clinic_find_practitioner(c, "pr-sam-nguyen");
    int n1 = sb_clinic_generated_busy(c, (size_t)sam, 0, 2026, 6, 1, a, SB_DAY_MAX_BUSY);
    assert_true(n1 > 0);
    /* Not working: none. A closed day: none. Cap too small: -1. */
    assert_int_equal(sb_clinic_generated_busy(c, (size_t)sam, 0, 2026, 6, 6, a, SB_DAY_MAX_BUSY), 0);
    assert_int_equal(sb_clinic_generated_busy(c, (size_t)sam, 0, 2026, 12, 25, a, SB_DAY_MAX_BUSY), 0);
    assert_int_equal(sb_clinic_generated_busy(c, (size_t)sam, 0, 2026, 6, 1, a, 0), -1);
    sb_clinic_free(c);
    free(json);
    /* Without generated_bookings: none. */
    c = parse_ok(MIN_CLINIC, strlen(MIN_CLINIC));
    assert_int_equal(sb_clinic_generated_busy(c, 0, 0, 2026, 6, 9, a, SB_DAY_MAX_BUSY), 0);
    sb_clinic_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_clean),
        cmocka_unit_test(test_example_clean),
        cmocka_unit_test(test_min_clinic),
        cmocka_unit_test(test_error_bad_time),
        cmocka_unit_test(test_error_overlap),
        cmocka_unit_test(test_error_types_and_required),
        cmocka_unit_test(test_error_unknown_field),
        cmocka_unit_test(test_error_duplicate_ids),
        cmocka_unit_test(test_error_unknown_references),
        cmocka_unit_test(test_error_values),
        cmocka_unit_test(test_error_patient_values_not_echoed),
        cmocka_unit_test(test_error_file_level),
        cmocka_unit_test(test_file_too_big_and_missing),
        cmocka_unit_test(test_fixture_files),
        cmocka_unit_test(test_error_cap_and_render),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_day_hours),
        cmocka_unit_test(test_generated_bookings),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tz_shutdown();
    return rc;
}
