/* tests/unit/http_client_test.c: the shared HTTP client on a real uv loop against tests/fakes/fake_cliniko.py:
 * deadlines, retries of reads only, 429 with Retry-After, the response cap, coalescing, cancel, rate buckets,
 * in-flight caps and queues, destroy with transfers in flight. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <json.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_cliniko_client.h"
#include "providers/http_client.h"

static char base[128];

/* ---- the fake server (tests/unit/fake_cliniko_client.c) ---------------------------------------------------- */

static int start_fake(void **state)
{
    if (fake_cliniko_start("k-au1") != 0) return -1;
    snprintf(base, sizeof(base), "%s", fake_cliniko_base());
    return 0;
}

static int stop_fake(void **state)
{
    fake_cliniko_stop();
    return 0;
}

static void control(const char *json)
{
    fake_cliniko_control(json);
}

static int hits(const char *key)
{
    return fake_cliniko_hits(key, true);
}

static int reset(void **state)
{
    control("{\"reset\":true,\"reset_stats\":true}");
    return 0;
}

/* ---- running requests ------------------------------------------------------------------------------------- */

typedef struct result {
    int calls;
    prov_http_status_t status;
    long code;
    int attempts;
    bool shared;
    int64_t retry_after_ms;
    size_t body_len;
    char body[256];
    uint64_t at_ms;
    uv_loop_t *loop;
} result_t;

static void on_done(const prov_http_response_t *r, void *data)
{
    result_t *res = data;
    res->calls++;
    res->status = r->status;
    res->code = r->code;
    res->attempts = r->attempts;
    res->shared = r->shared;
    res->retry_after_ms = r->retry_after_ms;
    res->body_len = r->body_len;
    snprintf(res->body, sizeof(res->body), "%s", r->body);
    res->at_ms = uv_now(res->loop);
}

static const char *const headers[] = {"Authorization: Basic ay1hdTE6", "Accept: application/json",
                                      "User-Agent: Frontdesk tests (ops@frontdesk.example)", NULL};

typedef struct env {
    uv_loop_t loop;
    prov_http_t *http;
} env_t;

static void env_open(env_t *e)
{
    assert_int_equal(uv_loop_init(&e->loop), 0);
    e->http = prov_http_create(&e->loop);
    assert_non_null(e->http);
}

static void env_close(env_t *e)
{
    prov_http_destroy(e->http);
    uv_run(&e->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&e->loop), 0);
}

static prov_http_request_t get_req(const char *path, char *url, size_t cap)
{
    snprintf(url, cap, "%s%s", base, path);
    return (prov_http_request_t){.method = "GET", .url = url, .headers = headers, .credential = "k", .idempotent = true};
}

static void run_until(env_t *e, const int *count, int want)
{
    while (*count < want && uv_run(&e->loop, UV_RUN_ONCE) != 0) {
    }
}

static void on_stop_timer(uv_timer_t *t)
{
    uv_stop(t->loop);
}

/* Runs the loop for `ms` milliseconds whatever else is pending. */
static void run_for(env_t *e, uint64_t ms)
{
    uv_timer_t t;
    uv_timer_init(&e->loop, &t);
    uv_timer_start(&t, on_stop_timer, ms, 0);
    uv_run(&e->loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(&e->loop, UV_RUN_NOWAIT);
}

static void run_one(env_t *e, const prov_http_request_t *rq, result_t *res)
{
    memset(res, 0, sizeof(*res));
    res->loop = &e->loop;
    assert_int_equal(prov_http_request(e->http, rq, on_done, res, NULL), 0);
    assert_int_equal(res->calls, 0); /* never from inside the call */
    run_until(e, &res->calls, 1);
    assert_int_equal(res->calls, 1);
}

/* ---- tests ------------------------------------------------------------------------------------------------- */

static void test_get_and_status(void **state)
{
    env_t e;
    env_open(&e);
    char url[256];
    result_t r;
    prov_http_request_t rq = get_req("/v1/businesses", url, sizeof(url));
    run_one(&e, &rq, &r);
    assert_int_equal(r.status, PROV_HTTP_OK);
    assert_int_equal(r.code, 200);
    assert_int_equal(r.attempts, 1);
    assert_non_null(strstr(r.body, "\"businesses\""));
    rq.headers = NULL; /* no auth: 401 is an answer, not a transport failure */
    run_one(&e, &rq, &r);
    assert_int_equal(r.status, PROV_HTTP_OK);
    assert_int_equal(r.code, 401);
    env_close(&e);
}

static void test_deadline(void **state)
{
    control("{\"delay_ms\":1500}");
    env_t e;
    env_open(&e);
    char url[256];
    result_t r;
    prov_http_request_t rq = get_req("/v1/user", url, sizeof(url));
    rq.timeout_ms = 300;
    uint64_t t0 = uv_now(&e.loop);
    uv_update_time(&e.loop);
    t0 = uv_now(&e.loop);
    run_one(&e, &rq, &r);
    assert_int_equal(r.status, PROV_HTTP_TIMEOUT);
    uint64_t took = r.at_ms - t0;
    assert_true(took >= 280 && took <= 450);
    assert_int_equal(r.attempts, 1);
    env_close(&e);
}

static void test_retries_reads_only(void **state)
{
    control("{\"fail_status\":503,\"fail_count\":2}");
    env_t e;
    env_open(&e);
    char url[256];
    result_t r;
    prov_http_request_t rq = get_req("/v1/businesses", url, sizeof(url));
    run_one(&e, &rq, &r);
    assert_int_equal(r.code, 200);
    assert_int_equal(r.attempts, 3);
    assert_int_equal(hits("GET /v1/businesses"), 3);

    control("{\"fail_status\":503,\"fail_count\":3}"); /* more failures than retries: the last 503 is answered */
    run_one(&e, &rq, &r);
    assert_int_equal(r.status, PROV_HTTP_OK);
    assert_int_equal(r.code, 503);
    assert_int_equal(r.attempts, 3);

    control("{\"fail_status\":503,\"fail_count\":1}");
    snprintf(url, sizeof(url), "%s/v1/patients", base);
    prov_http_request_t post = {.method = "POST", .url = url, .headers = headers, .body = "{}", .body_len = 2,
                                .credential = "k"};
    run_one(&e, &post, &r);
    assert_int_equal(r.code, 503);
    assert_int_equal(r.attempts, 1);
    assert_int_equal(hits("POST /v1/patients"), 1);
    env_close(&e);
}

static void test_429_retry_after(void **state)
{
    control("{\"fail_status\":429,\"fail_count\":1,\"retry_after\":1}");
    env_t e;
    env_open(&e);
    char url[256];
    result_t r;
    prov_http_request_t rq = get_req("/v1/user", url, sizeof(url));
    rq.timeout_ms = 4000;
    uv_update_time(&e.loop);
    uint64_t t0 = uv_now(&e.loop);
    run_one(&e, &rq, &r);
    assert_int_equal(r.code, 200);
    assert_int_equal(r.attempts, 2);
    assert_true(r.at_ms - t0 >= 950);

    /* A wait longer than the deadline: rate-limited at once, with the wait to pass on. */
    control("{\"fail_status\":429,\"fail_count\":1,\"retry_after\":30}");
    rq.timeout_ms = 2000;
    uv_update_time(&e.loop);
    t0 = uv_now(&e.loop);
    run_one(&e, &rq, &r);
    assert_int_equal(r.status, PROV_HTTP_RATE_LIMITED);
    assert_int_equal(r.code, 429);
    assert_true(r.retry_after_ms >= 29000 && r.retry_after_ms <= 30000);
    assert_true(r.at_ms - t0 < 500);

    /* X-RateLimit-Reset alone (the fake's rate limit) */
    control("{\"reset\":true,\"rate_limit_per_minute\":1}");
    run_one(&e, &rq, &r);
    assert_int_equal(r.code, 200);
    run_one(&e, &rq, &r);
    assert_int_equal(r.status, PROV_HTTP_RATE_LIMITED);
    assert_true(r.retry_after_ms > 0 && r.retry_after_ms <= 61000);
    env_close(&e);
}

static void test_response_cap(void **state)
{
    env_t e;
    env_open(&e);
    char url[256];
    result_t r;
    prov_http_request_t rq = get_req("/v1/businesses", url, sizeof(url));
    rq.max_response_bytes = 1000;
    run_one(&e, &rq, &r);
    assert_int_equal(r.status, PROV_HTTP_TOO_LARGE);
    assert_int_equal(r.body_len, 0);
    control("{\"oversize\":true}"); /* 5 MiB against the 4 MiB default */
    rq.max_response_bytes = 0;
    run_one(&e, &rq, &r);
    assert_int_equal(r.status, PROV_HTTP_TOO_LARGE);
    env_close(&e);
}

static void test_coalescing(void **state)
{
    control("{\"delay_ms\":200}");
    env_t e;
    env_open(&e);
    char url[256];
    result_t r[10];
    prov_http_request_t rq = get_req("/v1/practitioners", url, sizeof(url));
    int done = 0;
    for (int i = 0; i < 10; i++) {
        memset(&r[i], 0, sizeof(r[i]));
        r[i].loop = &e.loop;
        assert_int_equal(prov_http_request(e.http, &rq, on_done, &r[i], NULL), 0);
    }
    while (done < 10 && uv_run(&e.loop, UV_RUN_ONCE) != 0)
        for (int i = done = 0; i < 10; i++) done += r[i].calls;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(r[i].calls, 1);
        assert_int_equal(r[i].code, 200);
        assert_true(r[i].shared);
    }
    assert_int_equal(hits("GET /v1/practitioners"), 1);
    uint64_t attempts, coalesced;
    prov_http_stats(e.http, &attempts, &coalesced);
    assert_int_equal(attempts, 1);
    assert_int_equal(coalesced, 9);
    /* a different credential does not share */
    result_t a, b;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.loop = b.loop = &e.loop;
    assert_int_equal(prov_http_request(e.http, &rq, on_done, &a, NULL), 0);
    rq.credential = "other";
    assert_int_equal(prov_http_request(e.http, &rq, on_done, &b, NULL), 0);
    int sum = 0;
    while (sum < 2 && uv_run(&e.loop, UV_RUN_ONCE) != 0) sum = a.calls + b.calls;
    assert_false(a.shared);
    assert_int_equal(hits("GET /v1/practitioners"), 3);
    env_close(&e);
}

static void test_cancel(void **state)
{
    control("{\"delay_ms\":300}");
    env_t e;
    env_open(&e);
    char url[256];
    prov_http_request_t rq = get_req("/v1/user", url, sizeof(url));
    result_t a, b;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.loop = b.loop = &e.loop;
    prov_http_req_t *ha, *hb;
    assert_int_equal(prov_http_request(e.http, &rq, on_done, &a, &ha), 0);
    assert_int_equal(prov_http_request(e.http, &rq, on_done, &b, &hb), 0); /* shares a's transfer */
    uv_run(&e.loop, UV_RUN_NOWAIT);
    prov_http_cancel(ha);
    run_until(&e, &b.calls, 1);
    assert_int_equal(a.calls, 0);
    assert_int_equal(b.calls, 1);
    assert_int_equal(b.code, 200);
    /* the only subscriber goes away: the transfer is aborted, nothing is called */
    assert_int_equal(prov_http_request(e.http, &rq, on_done, &a, &ha), 0);
    uv_run(&e.loop, UV_RUN_NOWAIT);
    prov_http_cancel(ha);
    run_for(&e, 600);
    assert_int_equal(a.calls, 0);
    env_close(&e);
}

static void test_connection_refused(void **state)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &sl), 0);
    close(s); /* nobody listens there now */
    env_t e;
    env_open(&e);
    char url[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/user", ntohs(sa.sin_port));
    prov_http_request_t rq = {.method = "GET", .url = url, .headers = headers, .idempotent = true};
    result_t r;
    run_one(&e, &rq, &r);
    assert_int_equal(r.status, PROV_HTTP_UNAVAILABLE);
    assert_int_equal(r.attempts, 3);
    rq.idempotent = false;
    run_one(&e, &rq, &r);
    assert_int_equal(r.status, PROV_HTTP_UNAVAILABLE);
    assert_int_equal(r.attempts, 1);
    assert_int_equal(prov_http_request(e.http, &(prov_http_request_t){.method = "GET", .url = "ftp://x/"}, on_done, &r,
                                       NULL),
                     -1);
    env_close(&e);
}

static void test_bucket(void **state)
{
    prov_http_bucket_t *bucket = prov_http_bucket_create(60, 2); /* one a second, bursts of 2 */
    env_t e;
    env_open(&e);
    char url[256];
    prov_http_request_t rq = get_req("/v1/user", url, sizeof(url));
    rq.bucket = bucket;
    rq.idempotent = false;
    rq.timeout_ms = 500;
    result_t r[3];
    for (int i = 0; i < 3; i++) {
        memset(&r[i], 0, sizeof(r[i]));
        r[i].loop = &e.loop;
        assert_int_equal(prov_http_request(e.http, &rq, on_done, &r[i], NULL), 0);
    }
    int done = 0;
    while (done < 3 && uv_run(&e.loop, UV_RUN_ONCE) != 0) done = r[0].calls + r[1].calls + r[2].calls;
    assert_int_equal(r[0].code, 200);
    assert_int_equal(r[1].code, 200);
    assert_int_equal(r[2].status, PROV_HTTP_RATE_LIMITED); /* the next token is ~1 s away: past the deadline */
    assert_int_equal(r[2].attempts, 0);
    assert_true(r[2].retry_after_ms > 0);
    rq.timeout_ms = 3000; /* now it fits: it waits for the token */
    uv_update_time(&e.loop);
    uint64_t t0 = uv_now(&e.loop);
    run_one(&e, &rq, &r[0]);
    assert_int_equal(r[0].code, 200);
    assert_true(r[0].at_ms - t0 >= 300);
    env_close(&e);
    prov_http_bucket_destroy(bucket);
}

static void test_in_flight_cap_and_queue(void **state)
{
    control("{\"delay_ms\":100}");
    env_t e;
    env_open(&e);
    enum { N = PROV_HTTP_MAX_QUEUED + 4 };
    static result_t r[N];
    static char urls[N][200];
    for (int i = 0; i < N; i++) {
        memset(&r[i], 0, sizeof(r[i]));
        r[i].loop = &e.loop;
        snprintf(urls[i], sizeof(urls[i]), "%s/v1/user?i=%d", base, i);
        prov_http_request_t rq = {.method = "GET", .url = urls[i], .headers = headers, .credential = "capped",
                                  .max_in_flight = 1, .idempotent = true, .timeout_ms = 450};
        assert_int_equal(prov_http_request(e.http, &rq, on_done, &r[i], NULL), 0);
    }
    int done = 0;
    while (done < N && uv_run(&e.loop, UV_RUN_ONCE) != 0)
        for (int i = done = 0; i < N; i++) done += r[i].calls;
    int ok = 0, full = 0, late = 0;
    for (int i = 0; i < N; i++) {
        assert_int_equal(r[i].calls, 1);
        if (r[i].status == PROV_HTTP_OK) ok++;
        else if (r[i].status == PROV_HTTP_UNAVAILABLE) full++;
        else if (r[i].status == PROV_HTTP_TIMEOUT) late++;
    }
    /* one at a time at ~100 ms each within 450 ms; the queue holds PROV_HTTP_MAX_QUEUED, the rest fail at once */
    assert_true(ok >= 3 && ok <= 5);
    assert_int_equal(full, N - 1 - PROV_HTTP_MAX_QUEUED);
    assert_int_equal(ok + full + late, N);
    env_close(&e);
}

static void test_destroy_in_flight(void **state)
{
    control("{\"delay_ms\":500}");
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    prov_http_t *http = prov_http_create(&loop);
    char url[256];
    prov_http_request_t rq = get_req("/v1/user", url, sizeof(url));
    result_t a, b;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.loop = b.loop = &loop;
    assert_int_equal(prov_http_request(http, &rq, on_done, &a, NULL), 0);
    rq.idempotent = false;
    assert_int_equal(prov_http_request(http, &rq, on_done, &b, NULL), 0);
    for (int i = 0; i < 20; i++) uv_run(&loop, UV_RUN_NOWAIT);
    prov_http_destroy(http);
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.status, PROV_HTTP_CANCELLED);
    assert_int_equal(b.calls, 1);
    assert_int_equal(b.status, PROV_HTTP_CANCELLED);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

typedef struct bench {
    env_t *e;
    int sent, done, ok, n;
    char url[200];
} bench_t;

static void bench_next(bench_t *b);

static void on_bench(const prov_http_response_t *r, void *data)
{
    bench_t *b = data;
    b->done++;
    if (r->status == PROV_HTTP_OK && r->code == 200) b->ok++;
    bench_next(b);
}

static void bench_next(bench_t *b)
{
    if (b->sent >= b->n) return;
    snprintf(b->url, sizeof(b->url), "%s/v1/user?i=%d", base, b->sent++);
    prov_http_request_t rq = {.method = "GET", .url = b->url, .headers = headers, .credential = "bench",
                              .idempotent = true, .timeout_ms = 20000};
    assert_int_equal(prov_http_request(b->e->http, &rq, on_bench, b, NULL), 0);
}

static void test_throughput(void **state)
{
    env_t e;
    env_open(&e);
    bench_t b = {.e = &e, .n = 2000};
    uv_update_time(&e.loop);
    uint64_t t0 = uv_now(&e.loop);
    for (int i = 0; i < PROV_HTTP_MAX_IN_FLIGHT; i++) bench_next(&b);
    run_until(&e, &b.done, b.n);
    uint64_t ms = uv_now(&e.loop) - t0;
    assert_int_equal(b.ok, b.n);
    uint64_t attempts;
    prov_http_stats(e.http, &attempts, NULL);
    assert_int_equal(attempts, b.n);
    printf("throughput: %d GETs, %d in flight, against fake_cliniko.py on loopback: %llu ms, %.0f requests/s\n", b.n,
           PROV_HTTP_MAX_IN_FLIGHT, (unsigned long long)ms, ms ? b.n * 1000.0 / (double)ms : 0.0);
    env_close(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_get_and_status, reset),
        cmocka_unit_test_setup(test_deadline, reset),
        cmocka_unit_test_setup(test_retries_reads_only, reset),
        cmocka_unit_test_setup(test_429_retry_after, reset),
        cmocka_unit_test_setup(test_response_cap, reset),
        cmocka_unit_test_setup(test_coalescing, reset),
        cmocka_unit_test_setup(test_cancel, reset),
        cmocka_unit_test_setup(test_connection_refused, reset),
        cmocka_unit_test_setup(test_bucket, reset),
        cmocka_unit_test_setup(test_in_flight_cap_and_queue, reset),
        cmocka_unit_test_setup(test_destroy_in_flight, reset),
        cmocka_unit_test_setup(test_throughput, reset),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = cmocka_run_group_tests(tests, start_fake, stop_fake);
    curl_global_cleanup();
    return rc;
}
