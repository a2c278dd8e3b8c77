/* tests/unit/cliniko_adapter_test.c: the Cliniko adapter (prov_cliniko_ops) on a real uv loop against
 * tests/fakes/fake_cliniko.py: settings, catalog (paging, huge IDs, Rails zone, prices), availability in 7-day
 * calls, 404-empty as not bookable, patients, appointment writes, and the status mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fake_cliniko_client.h"
#include "providers/http_client.h"
#include "providers/provider.h"
#include "tz/tz.h"

extern const prov_ops_t prov_cliniko_ops;
static const prov_ops_t *ops = &prov_cliniko_ops;

#define B1 "1665207664587580001"
#define B2 "1665207664587580002"
#define P1 "1665207664587580011"
#define P2 "1665207664587580012"
#define P3 "1665207664587580013"
#define T1 "1665207664587580021"
#define T2 "1665207664587580022"
#define PATIENT_PETER "1665207664587580101"

static char base[128];

/* ---- the fake server (tests/unit/fake_cliniko_client.c) ---------------------------------------------------- */

static int start_fake(void **state)
{
    if (fake_cliniko_start("k-au1") != 0) return -1;
    snprintf(base, sizeof(base), "%s", fake_cliniko_base());
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return 0;
}

static int stop_fake(void **state)
{
    fake_cliniko_stop();
    curl_global_cleanup();
    return 0;
}

static json_object *fake_call(const char *method, const char *path, const char *body)
{
    json_object *o = fake_cliniko_call(method, path, body);
    assert_non_null(o);
    return o;
}

static void control(const char *json)
{
    fake_cliniko_control(json);
}

/* Requests the fake received whose "METHOD /path" contains `needle`. */
static int hits(const char *needle)
{
    return fake_cliniko_hits(needle, false);
}

/* The recorded writes, as JSON text. */
static char *writes(void)
{
    json_object *s = fake_call("GET", "/__stats", NULL), *w;
    char *out = strdup(json_object_object_get_ex(s, "writes", &w)
                           ? json_object_to_json_string_ext(w, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
                           : "[]");
    json_object_put(s);
    return out;
}

static int reset(void **state)
{
    control("{\"reset\":true,\"reset_stats\":true}");
    return 0;
}

/* ---- loop and instance ------------------------------------------------------------------------------------ */

typedef struct env {
    uv_loop_t loop;
    prov_env_t penv;
    void *inst;
} env_t;

static void *make_instance(const char *extra)
{
    char json[512], why[256] = "";
    snprintf(json, sizeof(json), "{\"api_key\":\"k-au1\",\"base_url\":\"%s/v1/\",\"rate_limit_per_minute\":6000%s}", base,
             extra != NULL ? extra : "");
    json_object *settings = json_tokener_parse(json);
    void *inst = ops->create("t1", settings, ".", why, sizeof(why));
    json_object_put(settings);
    if (inst == NULL) fprintf(stderr, "create failed: %s\n", why);
    return inst;
}

static void env_open(env_t *e, const char *extra)
{
    assert_int_equal(uv_loop_init(&e->loop), 0);
    e->penv.loop = &e->loop;
    e->penv.store = NULL;
    e->penv.http = prov_http_create(&e->loop);
    assert_non_null(e->penv.http);
    e->inst = make_instance(extra);
    assert_non_null(e->inst);
}

static void env_close(env_t *e)
{
    prov_http_destroy(e->penv.http);
    uv_run(&e->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&e->loop), 0);
    ops->destroy(e->inst);
}

static void wait_for(env_t *e, const int *done)
{
    while (!*done && uv_run(&e->loop, UV_RUN_ONCE) != 0) {
    }
    assert_true(*done);
}

/* ---- callbacks that keep what they got -------------------------------------------------------------------- */

typedef struct got {
    int done;
    prov_status_t st;
    bk_catalog_t *catalog;
    prov_opening_t openings[400];
    size_t count;
    char id[64], phone[32], staff[64];
    bk_appt_state_t state;
    int64_t start, end;
    bool conflict;
} got_t;

static void on_catalog(prov_status_t st, bk_catalog_t *c, void *data)
{
    got_t *g = data;
    g->done++;
    g->st = st;
    g->catalog = c;
}

static void on_openings(prov_status_t st, const prov_opening_t *o, size_t n, void *data)
{
    got_t *g = data;
    g->done++;
    g->st = st;
    g->count = n;
    for (size_t i = 0; i < n && i < 400; i++) g->openings[i] = o[i];
}

static void on_patients(prov_status_t st, const bk_patient_t *p, size_t n, void *data)
{
    got_t *g = data;
    g->done++;
    g->st = st;
    g->count = n;
    if (n > 0) {
        snprintf(g->id, sizeof(g->id), "%s", p[0].id);
        snprintf(g->phone, sizeof(g->phone), "%s", p[0].phone != NULL ? p[0].phone : "");
    }
}

static void on_patient(prov_status_t st, const bk_patient_t *p, void *data)
{
    got_t *g = data;
    g->done++;
    g->st = st;
    if (p != NULL) {
        snprintf(g->id, sizeof(g->id), "%s", p->id);
        snprintf(g->phone, sizeof(g->phone), "%s", p->phone != NULL ? p->phone : "");
    }
}

static void on_appointment(prov_status_t st, const bk_appointment_t *a, void *data)
{
    got_t *g = data;
    g->done++;
    g->st = st;
    if (a != NULL) {
        snprintf(g->id, sizeof(g->id), "%s", a->id);
        snprintf(g->staff, sizeof(g->staff), "%s", a->staff_id != NULL ? a->staff_id : "");
        g->state = a->state;
        g->start = a->start;
        g->end = a->end;
    }
}

static void on_appointments(prov_status_t st, const bk_appointment_t *a, size_t n, void *data)
{
    got_t *g = data;
    g->done++;
    g->st = st;
    g->count = n;
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i].id, g->id) == 0) g->state = a[i].state;
}

static void on_conflict(prov_status_t st, bool conflict, void *data)
{
    got_t *g = data;
    g->done++;
    g->st = st;
    g->conflict = conflict;
}

static void on_done(prov_status_t st, void *data)
{
    got_t *g = data;
    g->done++;
    g->st = st;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The next weekday at 10:00 New York time, at least 2 days ahead. */
static int64_t next_weekday_10am(int days_ahead)
{
    const tz_zone_t *z = tz_zone_load("America/New_York");
    int y, m, d;
    tz_local_date(z, now_ms(), &y, &m, &d);
    int64_t day = tz_days_from_civil(y, m, d) + days_ahead;
    for (;;) {
        tz_civil_from_days(day, &y, &m, &d);
        if (tz_weekday(y, m, d) <= 5) break;
        day++;
    }
    tz_civil_t c = {y, m, d, 10, 0, 0, 0};
    int64_t t;
    assert_int_equal(tz_from_local(z, &c, TZ_OVERLAP_FIRST, &t, NULL), 0);
    return t;
}

/* ---- tests ------------------------------------------------------------------------------------------------- */

static void expect_create_error(const char *json, const char *field)
{
    char why[256] = "";
    json_object *s = json != NULL ? json_tokener_parse(json) : NULL;
    assert_null(ops->create("t1", s, ".", why, sizeof(why)));
    json_object_put(s);
    if (strstr(why, field) == NULL) fail_msg("'%s' does not name %s", why, field);
    assert_null(strstr(why, "secret-key")); /* never echo the key */
}

static void test_settings(void **state)
{
    expect_create_error(NULL, "api_key");
    expect_create_error("{}", "api_key");
    expect_create_error("{\"api_key\":\"secret-key-zz\"}", "api_key"); /* not a shard */
    expect_create_error("{\"api_key\":\"secret-key-au1\",\"user_agent\":\"\"}", "user_agent");
    expect_create_error("{\"api_key\":\"secret-key-au1\",\"user_agent\":\"a\\nb\"}", "user_agent");
    expect_create_error("{\"api_key\":\"secret-key-au1\",\"base_url\":\"ftp://x\"}", "base_url");
    /* a fragment cannot make a request: refused as by every adapter (prov_setting_base_url) */
    expect_create_error("{\"api_key\":\"secret-key-au1\",\"base_url\":\"https://x.example/v1#a\"}", "base_url");
    expect_create_error("{\"api_key\":\"secret-key-au1\",\"rate_limit_per_minute\":\"200\"}", "rate_limit_per_minute");
    expect_create_error("{\"api_key\":\"secret-key-au1\",\"rate_limit_per_minute\":0}", "rate_limit_per_minute");
    expect_create_error("{\"api_key\":\"secret-key-au1\",\"business_ids\":[1.5]}", "business_ids");
    expect_create_error("{\"api_key\":\"secret-key-au1\",\"business_ids\":[]}", "business_ids");
    expect_create_error("{\"api_key\":\"secret-key-au1\",\"colour\":\"red\"}", "colour");
    expect_create_error("{\"api_key_env\":\"FD_TEST_SURELY_UNSET_VAR\"}", "api_key_env");
    expect_create_error("{\"api_key\":\"secret-key-au1\",\"api_key_env\":\"X\"}", "api_key");

    char why[256];
    setenv("FD_TEST_CLINIKO_KEY", "MS0xMjM-uk1", 1);
    json_object *s = json_tokener_parse("{\"api_key_env\":\"FD_TEST_CLINIKO_KEY\",\"business_ids\":[\"" B1 "\"]}");
    void *inst = ops->create("t1", s, ".", why, sizeof(why));
    json_object_put(s);
    assert_non_null(inst);
    assert_int_equal(ops->knows_location(inst, B1), -1);
    assert_int_equal(ops->knows_location(inst, B2), 0);
    ops->destroy(inst);
    assert_string_equal(ops->name, "cliniko");
    assert_true(ops->capabilities & PROV_CAP_CONFLICT_PROBE);
    assert_true(ops->capabilities & PROV_CAP_CANCEL_REASON_REQUIRED);
    assert_false(ops->capabilities & PROV_CAP_PHONE_SEARCH);
}

static const bk_staff_t *staff_of(const bk_catalog_t *c, const char *id)
{
    long i = bk_catalog_find_staff(c, id);
    assert_true(i >= 0);
    return &c->staff[i];
}

static void test_catalog(void **state)
{
    control("{\"page_size_cap\":1}"); /* every list comes in pages of one */
    env_t e;
    env_open(&e, NULL);
    got_t g = {0};
    uv_update_time(&e.loop);
    uint64_t t0 = uv_now(&e.loop);
    assert_int_equal(ops->fetch_catalog(e.inst, &e.penv, on_catalog, &g), 0);
    wait_for(&e, &g.done);
    uint64_t paged_ms = uv_now(&e.loop) - t0;
    assert_int_equal(g.st, PROV_OK);
    bk_catalog_t *c = g.catalog;
    assert_non_null(c);
    assert_int_equal(c->location_count, 2); /* the business not shown online is left out */
    assert_string_equal(c->locations[0].id, B1);
    assert_string_equal(c->locations[0].time_zone, "America/New_York"); /* "Eastern Time (US & Canada)" */
    assert_string_equal(c->locations[1].name, "Uptown");
    assert_int_equal(c->staff_count, 3);
    const bk_staff_t *p1 = staff_of(c, P1);
    assert_string_equal(p1->first_name, "Randy");
    assert_string_equal(p1->disciplines.items[0], "Osteopath");
    assert_true(p1->ai_enabled);
    assert_false(staff_of(c, P3)->ai_enabled);
    assert_int_equal(p1->location_ids.count, 2);
    assert_true(bk_strings_contains(&p1->treatment_ids, T1) && bk_strings_contains(&p1->treatment_ids, T2));
    assert_int_equal(c->treatment_count, 2); /* the type not shown online is left out */
    long t1 = bk_catalog_find_treatment(c, T1), t2 = bk_catalog_find_treatment(c, T2);
    assert_true(t1 >= 0 && t2 >= 0);
    assert_int_equal(c->treatments[t1].duration_minutes, 60);
    assert_int_equal(c->treatments[t1].price_minor, 12050);
    assert_string_equal(c->treatments[t1].currency, "USD");
    assert_int_equal(c->treatments[t1].staff_ids.count, 2);
    assert_int_equal(c->treatments[t1].location_ids.count, 2);
    assert_int_equal(c->treatments[t2].location_ids.count, 1); /* Uptown offers only T1 */
    assert_int_equal(hits("GET /v1/businesses"), 3 + 3 + 1); /* 3 pages of one + practitioners of B1 (3), B2 (1) */
    bk_catalog_free(c);

    control("{\"page_size_cap\":0,\"reset_stats\":true}");
    memset(&g, 0, sizeof(g));
    uv_update_time(&e.loop);
    t0 = uv_now(&e.loop);
    assert_int_equal(ops->fetch_catalog(e.inst, &e.penv, on_catalog, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.st, PROV_OK);
    printf("catalog fetch: %llu ms in %d requests (%llu ms paged by one)\n",
           (unsigned long long)(uv_now(&e.loop) - t0), hits("GET "), (unsigned long long)paged_ms);
    bk_catalog_free(g.catalog);

    /* business_ids restricts the locations */
    ops->destroy(e.inst);
    e.inst = make_instance(",\"business_ids\":[\"" B2 "\"]");
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->fetch_catalog(e.inst, &e.penv, on_catalog, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.catalog->location_count, 1);
    assert_string_equal(g.catalog->locations[0].id, B2);
    bk_catalog_free(g.catalog);
    env_close(&e);
}

static void query_from(prov_availability_query_t *q, int64_t day_offset, int days)
{
    const tz_zone_t *z = tz_zone_load("America/New_York");
    int y, m, d;
    tz_local_date(z, now_ms(), &y, &m, &d);
    tz_civil_from_days(tz_days_from_civil(y, m, d) + day_offset, &q->year, &q->month, &q->day);
    q->days = days;
}

static void test_availability(void **state)
{
    env_t e;
    env_open(&e, NULL);
    prov_availability_query_t q = {.staff_id = P1, .treatment_id = T1, .location_id = B1, .duration_minutes = 60,
                                   .time_zone = "America/New_York"};
    query_from(&q, 1, 20);
    got_t g = {0};
    assert_int_equal(ops->fetch_availability(e.inst, &e.penv, &q, on_openings, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.st, PROV_OK);
    assert_int_equal(hits("available_times"), 3); /* 20 days = 7 + 7 + 6 */
    const tz_zone_t *z = tz_zone_load("America/New_York");
    int64_t start, end;
    tz_day_start(z, q.year, q.month, q.day, &start);
    int weekdays = 0;
    for (int i = 0; i < 20; i++) {
        int y, m, d;
        tz_civil_from_days(tz_days_from_civil(q.year, q.month, q.day) + i, &y, &m, &d);
        if (tz_weekday(y, m, d) <= 5) weekdays++;
        if (i == 19) tz_day_end(z, y, m, d, &end);
    }
    assert_int_equal(g.count, (size_t)weekdays * 8);
    for (size_t i = 0; i < g.count; i++) {
        assert_int_equal(g.openings[i].end - g.openings[i].start, 3600000);
        assert_true(g.openings[i].start >= start && g.openings[i].start < end);
        if (i > 0) assert_true(g.openings[i].start > g.openings[i - 1].start);
    }

    /* from yesterday: clamped to today (Cliniko would answer 400) */
    control("{\"reset_stats\":true}");
    query_from(&q, -1, 3);
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->fetch_availability(e.inst, &e.penv, &q, on_openings, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.st, PROV_OK);
    assert_int_equal(hits("available_times"), 1);

    /* entirely past: no request at all */
    query_from(&q, -10, 3);
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->fetch_availability(e.inst, &e.penv, &q, on_openings, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.st, PROV_OK);
    assert_int_equal(g.count, 0);
    assert_int_equal(hits("available_times"), 1);

    /* not bookable online: 404 with an empty body */
    q.staff_id = P3;
    q.treatment_id = T2;
    query_from(&q, 1, 3);
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->fetch_availability(e.inst, &e.penv, &q, on_openings, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.st, PROV_REJECTED);
    /* an unknown practitioner: 404 with a body */
    q.staff_id = "42";
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->fetch_availability(e.inst, &e.penv, &q, on_openings, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.st, PROV_NOT_FOUND);
    /* an id that is not an id is refused synchronously */
    q.staff_id = "../settings";
    assert_int_equal(ops->fetch_availability(e.inst, &e.penv, &q, on_openings, &g), -1);
    env_close(&e);
}

static void test_patients(void **state)
{
    env_t e;
    env_open(&e, NULL);
    got_t g = {0};
    prov_patient_query_t q = {.phone = "+61412345678", .last_name = "Patientman"};
    assert_int_equal(ops->find_patients(e.inst, &e.penv, &q, on_patients, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.st, PROV_OK);
    assert_int_equal(g.count, 1); /* Paula has the same last name, another phone */
    assert_string_equal(g.id, PATIENT_PETER);
    assert_string_equal(g.phone, "+61412345678");

    q = (prov_patient_query_t){.email = "paula@example.com"};
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->find_patients(e.inst, &e.penv, &q, on_patients, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.count, 1);
    assert_string_equal(g.phone, "+15550102000");

    control("{\"reset_stats\":true}");
    q = (prov_patient_query_t){.phone = "+61412345678"};
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->find_patients(e.inst, &e.penv, &q, on_patients, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.st, PROV_REJECTED);
    assert_int_equal(hits("GET "), 0);

    bk_patient_t p = {.first_name = "Zoë", .last_name = "New", .phone = "+61400000001", .email = "zoe@example.com"};
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->create_patient(e.inst, &e.penv, &p, on_patient, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.st, PROV_OK);
    char *w = writes();
    assert_non_null(strstr(w, "\"patient_phone_numbers\":[{\"phone_type\":\"Mobile\",\"number\":\"+61400000001\"}]"));
    free(w);
    char id[64];
    snprintf(id, sizeof(id), "%s", g.id);
    q = (prov_patient_query_t){.last_name = "new", .first_name = "Zoë", .phone = "+61400000001"};
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->find_patients(e.inst, &e.penv, &q, on_patients, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.count, 1);
    assert_string_equal(g.id, id);
    env_close(&e);
}

static void test_appointments(void **state)
{
    env_t e;
    env_open(&e, NULL);
    int64_t start = next_weekday_10am(2);
    bk_appointment_t a = {.start = start, .end = start + 3600000, .patient_id = PATIENT_PETER, .staff_id = P1,
                          .treatment_id = T1, .location_id = B1};
    got_t g = {0};
    assert_int_equal(ops->create_appointment(e.inst, &e.penv, &a, on_appointment, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.st, PROV_OK);
    assert_int_equal(g.state, BK_APPT_BOOKED);
    assert_int_equal(g.start, start);
    char first[64];
    snprintf(first, sizeof(first), "%s", g.id);
    char *w = writes();
    assert_non_null(strstr(w, "\"patient_id\":\"" PATIENT_PETER "\"")); /* IDs travel as strings */
    free(w);

    /* the same slot again: Cliniko accepts it, the conflict probe tells */
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->create_appointment(e.inst, &e.penv, &a, on_appointment, &g), 0);
    wait_for(&e, &g.done);
    char second[64];
    snprintf(second, sizeof(second), "%s", g.id);
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->probe_conflicts(e.inst, &e.penv, second, on_conflict, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.st, PROV_OK);
    assert_true(g.conflict);
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->delete_appointment(e.inst, &e.penv, second, on_done, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.st, PROV_OK);
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->probe_conflicts(e.inst, &e.penv, first, on_conflict, &g), 0);
    wait_for(&e, &g.done);
    assert_false(g.conflict);

    /* the slot is gone from availability */
    prov_availability_query_t q = {.staff_id = P1, .treatment_id = T1, .location_id = B1, .duration_minutes = 60,
                                   .time_zone = "America/New_York", .days = 1};
    tz_local_date(tz_zone_load("America/New_York"), start, &q.year, &q.month, &q.day);
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->fetch_availability(e.inst, &e.penv, &q, on_openings, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.count, 7);
    for (size_t i = 0; i < g.count; i++) assert_true(g.openings[i].start != start);

    /* reschedule to 14:00 with another practitioner */
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->reschedule_appointment(e.inst, &e.penv, first, start + 4 * 3600000, start + 5 * 3600000, P2,
                                                 on_appointment, &g),
                     0);
    wait_for(&e, &g.done);
    assert_int_equal(g.st, PROV_OK);
    assert_int_equal(g.start, start + 4 * 3600000);
    assert_string_equal(g.staff, P2);

    /* list, cancel, list */
    memset(&g, 0, sizeof(g));
    snprintf(g.id, sizeof(g.id), "%s", first);
    g.state = BK_APPT_PROVISIONAL;
    assert_int_equal(ops->list_appointments(e.inst, &e.penv, PATIENT_PETER, start - 3600000, on_appointments, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.st, PROV_OK);
    assert_int_equal(g.count, 1);
    assert_int_equal(g.state, BK_APPT_BOOKED);
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->cancel_appointment(e.inst, &e.penv, first, "Feeling better, thanks", on_appointment, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.st, PROV_OK);
    assert_int_equal(g.state, BK_APPT_CANCELLED);
    assert_string_equal(g.id, first);
    assert_int_equal(g.start, start + 4 * 3600000); /* read back after the 204 */
    w = writes();
    assert_non_null(strstr(w, "\"cancellation_reason\":10"));
    assert_non_null(strstr(w, "\"method\":\"DELETE\""));
    free(w);
    memset(&g, 0, sizeof(g));
    snprintf(g.id, sizeof(g.id), "%s", first);
    assert_int_equal(ops->list_appointments(e.inst, &e.penv, PATIENT_PETER, start - 3600000, on_appointments, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.count, 1);
    assert_int_equal(g.state, BK_APPT_CANCELLED);

    /* records that do not exist */
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->cancel_appointment(e.inst, &e.penv, "999", NULL, on_appointment, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.st, PROV_NOT_FOUND);
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->delete_appointment(e.inst, &e.penv, second, on_done, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.st, PROV_NOT_FOUND);
    /* 422: an unknown practitioner */
    a.staff_id = "12345";
    memset(&g, 0, sizeof(g));
    assert_int_equal(ops->create_appointment(e.inst, &e.penv, &a, on_appointment, &g), 0);
    wait_for(&e, &g.done);
    assert_int_equal(g.st, PROV_REJECTED);
    env_close(&e);
}

static prov_status_t catalog_status(env_t *e)
{
    got_t g = {0};
    assert_int_equal(ops->fetch_catalog(e->inst, &e->penv, on_catalog, &g), 0);
    wait_for(e, &g.done);
    bk_catalog_free(g.catalog);
    return g.st;
}

static void test_status_mapping(void **state)
{
    env_t e;
    env_open(&e, ",\"timeout_ms\":1500");
    control("{\"fail_status\":500}");
    assert_int_equal(catalog_status(&e), PROV_UPSTREAM);
    control("{\"fail_status\":0,\"garbage\":true}");
    assert_int_equal(catalog_status(&e), PROV_UPSTREAM);
    control("{\"garbage\":false,\"oversize\":true}");
    assert_int_equal(catalog_status(&e), PROV_UPSTREAM);
    control("{\"oversize\":false,\"delay_ms\":2000}");
    assert_int_equal(catalog_status(&e), PROV_TIMEOUT);
    control("{\"delay_ms\":0,\"fail_status\":429,\"retry_after\":30}");
    assert_int_equal(catalog_status(&e), PROV_RATE_LIMITED);
    control("{\"reset\":true}");
    assert_int_equal(catalog_status(&e), PROV_RATE_LIMITED); /* the bucket still honours the 429's wait */
    ops->destroy(e.inst);

    char json[256], why[128];
    snprintf(json, sizeof(json), "{\"api_key\":\"wrong-au1\",\"base_url\":\"%s/v1\"}", base);
    json_object *s = json_tokener_parse(json);
    e.inst = ops->create("t1", s, ".", why, sizeof(why));
    json_object_put(s);
    assert_int_equal(catalog_status(&e), PROV_UPSTREAM); /* 401: the clinic's key, not the caller's fault */
    ops->destroy(e.inst);
    snprintf(json, sizeof(json), "{\"api_key\":\"k-au1\",\"base_url\":\"http://127.0.0.1:1/v1\"}");
    s = json_tokener_parse(json);
    e.inst = ops->create("t1", s, ".", why, sizeof(why));
    json_object_put(s);
    assert_int_equal(catalog_status(&e), PROV_UNAVAILABLE); /* connection refused */
    env_close(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings),
        cmocka_unit_test_setup(test_catalog, reset),
        cmocka_unit_test_setup(test_availability, reset),
        cmocka_unit_test_setup(test_patients, reset),
        cmocka_unit_test_setup(test_appointments, reset),
        cmocka_unit_test_setup(test_status_mapping, reset),
    };
    return cmocka_run_group_tests(tests, start_fake, stop_fake);
}
