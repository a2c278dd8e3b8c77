#!/usr/bin/env python3
"""tests/it/test_metrics.py: GET /metrics of the real binary, on the config's metrics address only: scraped while
threads send requests (counters move by exactly what was sent, per route template and status), histograms
consistent, EMR calls of a Cliniko tenant counted by operation and outcome against tests/fakes/fake_cliniko.py's
own count (a failure included), holds and booking outcomes, refusals (missing/wrong key, rate limit), a Redis
restart counted as a reconnect, the optional bearer token, and every scrape parsed by a strict parser
(tests/it/prom_text.py)."""

import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))
import harness as H  # noqa: E402
import prom_text  # noqa: E402
import clock  # noqa: E402

KEY, CL_KEY, LIM_KEY = "it-metrics-key-5e2c81", "it-metrics-cliniko-key-9a07", "it-metrics-limited-key-33d1"
CLINIKO_KEY = "it-metrics-cliniko-secret-au1"
TOKEN = "it-metrics-scrape-token-4f1b"
STAFF, TX, LOC = "pr-zoe-martin", "tx-initial-physio", "loc-sydney"
REDIS = SERVER = FAKE = None
FAKE_URL = None
METRICS_PORT = None


def start_fake():
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "fakes", "fake_cliniko.py"), "--port", "0",
                             "--api-key", CLINIKO_KEY], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return proc, "http://127.0.0.1:%d" % int(proc.stdout.readline().decode().split()[1])


def fake(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(FAKE_URL + path, method=method, data=data), timeout=5) as r:
        return json.loads(r.read() or b"null")


def fake_requests():
    """The fake's count of API requests (its /__ control routes left out)."""
    return sum(n for k, n in fake("GET", "/__stats")["requests"].items() if "/__" not in k)


def setUpModule():
    global REDIS, SERVER, FAKE, FAKE_URL, METRICS_PORT
    FAKE, FAKE_URL = start_fake()
    REDIS = H.Redis(aof=False).start()  # the last test restarts it empty
    METRICS_PORT = H.free_port()
    sandbox = {"provider": "sandbox", "time_zone": "Australia/Sydney", "locale": "en-AU", "country": "AU"}
    SERVER = H.Frontdesk({
        "metrics": {"listen": "127.0.0.1:%d" % METRICS_PORT, "token_sha256": H.sha256_hex(TOKEN)},
        "slot_secret": "it-metrics-slot-secret-0123456789",
        "tenants": [
            dict(sandbox, id="mx", api_key_sha256=H.sha256_hex(KEY), rate_limit={"per_second": 5000, "burst": 5000}),
            dict(sandbox, id="lim", api_key_sha256=H.sha256_hex(LIM_KEY), rate_limit={"per_second": 1, "burst": 2}),
            {"id": "cl", "api_key_sha256": H.sha256_hex(CL_KEY), "provider": "cliniko", "country": "US",
             "provider_settings": {"api_key": CLINIKO_KEY, "base_url": FAKE_URL + "/v1", "timeout_ms": 2000,
                                   "connect_timeout_ms": 500, "rate_limit_per_minute": 100000},
             "policy": {"min_notice_minutes": 0, "max_days_ahead": 30},
             "rate_limit": {"per_second": 1000, "burst": 2000}}]}, REDIS).start()


def tearDownModule():
    H.shut_down(SERVER, REDIS)
    if FAKE is not None:
        FAKE.kill()
        FAKE.wait()


def scrape_raw(path="/metrics", token=TOKEN, method="GET"):
    headers = {"authorization": "Bearer " + token} if token is not None else {}
    return H.request(METRICS_PORT, method, path, headers=headers)


def scrape():
    r = scrape_raw()
    assert r.status == 200, r
    text = r.body.decode() if isinstance(r.body, bytes) else r.body
    return prom_text.parse(text)


def requests_of(e, route, code):
    return e.value("frontdesk_http_requests_total", route=route, code=code)


class Endpoint(unittest.TestCase):
    def test_public_port_has_no_metrics(self):
        r = SERVER.get("/metrics")
        self.assertEqual((r.status, r.body["error"]["code"]), (404, "not_found"), r)
        r = scrape_raw()
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8")
        self.assertEqual(scrape_raw("/healthz").status, 404)
        self.assertEqual(scrape_raw(method="POST").status, 405)

    def test_token_is_required_when_configured(self):
        for token in (None, "not-the-token"):
            r = scrape_raw(token=token)
            self.assertEqual((r.status, r.body["error"]["code"]), (401, "unauthorized"), r)
            self.assertEqual(r.header("www-authenticate"), "Bearer")

    def test_every_family_is_described_before_any_sample(self):
        e = scrape()
        for family in ("frontdesk_http_requests_total", "frontdesk_http_request_duration_seconds",
                       "frontdesk_emr_requests_total", "frontdesk_emr_request_duration_seconds",
                       "frontdesk_cache_lookups_total", "frontdesk_holds_live", "frontdesk_bookings_total",
                       "frontdesk_booking_requests_total",
                       "frontdesk_events_queued_total", "frontdesk_events_delivered_total",
                       "frontdesk_events_dead_total", "frontdesk_redis_errors_total",
                       "frontdesk_redis_reconnects_total", "frontdesk_rate_limited_total",
                       "frontdesk_auth_failures_total"):
            self.assertIn(family, e.families())
            self.assertTrue(e.helps.get(family), family)
        self.assertEqual(e.types["frontdesk_http_request_duration_seconds"], "histogram")
        self.assertEqual(e.types["frontdesk_holds_live"], "gauge")

    def test_parser_is_strict(self):
        """The parser the other tests rely on refuses what Prometheus would not take from us."""
        good = "# TYPE a_total counter\na_total{x=\"1\"} 2\n"
        prom_text.parse(good)
        for bad in (good[:-1], "a_total 1\n", "# TYPE a_total counter\na_total{x=\"1\"} 1\na_total{x=\"1\"} 2\n",
                    "# TYPE a counter\na 1\n",
                    "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
                    "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n"):
            with self.assertRaises(prom_text.FormatError, msg=bad):
                prom_text.parse(bad)


class UnderLoad(unittest.TestCase):
    def test_counters_move_by_what_was_sent(self):
        plan = [("GET", "/healthz", None, "/healthz", "200")] * 60 + \
               [("GET", "/voice/clinic-info", KEY, "/voice/clinic-info", "200")] * 30 + \
               [("GET", "/no/such/route", None, "unmatched", "404")] * 25 + \
               [("GET", "/voice/clinic-info", None, "/voice/clinic-info", "401")] * 8 + \
               [("GET", "/voice/clinic-info", "it-metrics-wrong-key", "/voice/clinic-info", "401")] * 4 + \
               [("POST", "/ai_brain/events/evt_1/replay", KEY, "/ai_brain/events/{id}/replay", "404")] * 5
        before = scrape()
        got = collections.Counter()
        lock = threading.Lock()

        def send(items):
            for method, path, key, route, code in items:
                r = SERVER.request(method, path, None if method == "GET" else {}, key=key)
                with lock:
                    got[(route, str(r.status))] += 1
        threads = [threading.Thread(target=send, args=(plan[i::6],)) for i in range(6)]
        for t in threads:
            t.start()
        scrapes = []
        while any(t.is_alive() for t in threads):  # scrapes during the load parse and never go backwards
            scrapes.append(scrape())
        for t in threads:
            t.join()
        after = scrape()
        self.assertEqual(got, collections.Counter((p[3], p[4]) for p in plan))
        for a, b in zip([before] + scrapes, scrapes + [after]):
            for key, v in a.samples.items():
                if a.types.get(key[0]) == "counter" or key[0].endswith(("_bucket", "_count", "_sum")):
                    self.assertGreaterEqual(b.samples.get(key, 0.0), v, key)
        for (route, code), n in got.items():
            self.assertEqual(requests_of(after, route, code) - requests_of(before, route, code), n, (route, code))
        for route in ("/healthz", "/voice/clinic-info"):
            buckets, total, count = after.histogram("frontdesk_http_request_duration_seconds", route=route)
            _, _, count0 = before.histogram("frontdesk_http_request_duration_seconds", route=route)
            self.assertEqual(count - count0, sum(n for (r, _), n in got.items() if r == route))
            self.assertEqual([b[0] for b in buckets][-1], float("inf"))
            self.assertIn(1.0, [b[0] for b in buckets], "a bucket at the 1 s voice deadline")
            self.assertGreater(total, 0)
        for reason, n in (("missing_key", 8), ("wrong_key", 4)):
            delta = after.value("frontdesk_auth_failures_total", reason=reason) - \
                before.value("frontdesk_auth_failures_total", reason=reason)
            self.assertEqual(delta, n, reason)
        raw = [k for k in after.samples if "evt_1" in str(k) or "no/such" in str(k)]
        self.assertEqual(raw, [], "a raw path became a label")

    def test_rate_limited_requests_are_counted(self):
        before = scrape()
        statuses = [SERVER.get("/voice/clinic-info", key=LIM_KEY).status for _ in range(8)]
        after = scrape()
        self.assertIn(429, statuses)
        self.assertEqual(after.value("frontdesk_rate_limited_total", limit="tenant") -
                         before.value("frontdesk_rate_limited_total", limit="tenant"), statuses.count(429))
        self.assertEqual(requests_of(after, "/voice/clinic-info", "429") -
                         requests_of(before, "/voice/clinic-info", "429"), statuses.count(429))


class Booking(unittest.TestCase):
    def post(self, route, body):
        return SERVER.request("POST", "/ai_brain/" + route, body, {"x-api-key": KEY}, timeout=20)

    def test_holds_and_booking_outcomes(self):
        iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
        now = clock.now_s()
        r = self.post("fetchAvailabilityForRange", {"staff_member_id": STAFF, "treatment_id": TX, "locationId": LOC,
                                                    "start_at": iso(now), "end_at": iso(now + 28 * 86400)})
        self.assertEqual(r.status, 200, r)
        slot = r.body["slots"][-1]
        p = self.post("lookup-create-patient", {"first_name": "Metric", "last_name": "Counted",
                                                "phone": "0412 000 931"})
        self.assertIn(p.status, (200, 201), p)
        pid = p.body["patient"]["id"]
        before = scrape()
        held = self.post("createAppt", {"patient_id": pid, "slot_id": slot["slot_id"]})
        self.assertEqual(held.status, 201, held)
        again = self.post("createAppt", {"patient_id": pid, "slot_id": slot["slot_id"]})
        self.assertEqual(again.status, 409, again)
        mid = scrape()
        self.assertEqual(mid.value("frontdesk_holds_total", outcome="placed") -
                         before.value("frontdesk_holds_total", outcome="placed"), 1)
        self.assertEqual(mid.value("frontdesk_holds_total", outcome="taken") -
                         before.value("frontdesk_holds_total", outcome="taken"), 1)
        self.assertGreaterEqual(mid.value("frontdesk_holds_live"), 1)
        booked = self.post("bookAppt", {"appointment_id": held.body["appointment"]["id"]})
        self.assertEqual(booked.status, 200, booked)
        gone = self.post("bookAppt", {"appointment_id": "hold_" + "0" * 24 + "." + "0" * 32})
        self.assertEqual((gone.status, gone.body["error"]["code"]), (409, "hold_expired"), gone)
        after = scrape()
        for outcome, n in (("done", 1), ("conflict", 1), ("failed", 0)):
            self.assertEqual(after.value("frontdesk_bookings_total", operation="book", outcome=outcome) -
                             mid.value("frontdesk_bookings_total", operation="book", outcome=outcome), n, outcome)


class Emr(unittest.TestCase):
    def staff(self):
        return SERVER.request("POST", "/ai_brain/fetchAllStaff", {}, {"x-api-key": CL_KEY}, timeout=20)

    def cold(self):
        for k in REDIS.command("KEYS", "fd:{cl}:*"):
            REDIS.command("DEL", k)

    def test_calls_counted_by_operation_and_outcome(self):
        fake("POST", "/__control", {"reset": True})
        self.cold()
        before, calls0 = scrape(), fake_requests()
        r = self.staff()
        self.assertEqual(r.status, 200, r)
        ok = scrape()
        calls = fake_requests() - calls0
        self.assertGreater(calls, 0)
        counted = ok.total("frontdesk_emr_requests_total", provider="cliniko") - \
            before.total("frontdesk_emr_requests_total", provider="cliniko")
        self.assertEqual(counted, calls, "one count per call Cliniko saw")
        self.assertEqual(ok.total("frontdesk_emr_requests_total", provider="cliniko", outcome="ok") -
                         before.total("frontdesk_emr_requests_total", provider="cliniko", outcome="ok"), calls)
        practitioners = ok.value("frontdesk_emr_requests_total", provider="cliniko", operation="list_practitioners",
                                 outcome="ok")
        self.assertGreater(practitioners, 0)
        _, _, n = ok.histogram("frontdesk_emr_request_duration_seconds", provider="cliniko",
                               operation="list_practitioners")
        self.assertEqual(n, practitioners)

        fake("POST", "/__control", {"fail_status": 400})  # not retried: each call is one request
        self.cold()
        calls0 = fake_requests()
        r = self.staff()
        fake("POST", "/__control", {"reset": True})
        self.assertEqual((r.status, r.body["error"]["code"]), (502, "emr_error"), r)
        failed = scrape()
        calls = fake_requests() - calls0
        self.assertGreater(calls, 0)
        self.assertEqual(failed.total("frontdesk_emr_requests_total", provider="cliniko", outcome="client_error") -
                         ok.total("frontdesk_emr_requests_total", provider="cliniko", outcome="client_error"), calls)
        self.assertEqual(requests_of(failed, "/ai_brain/fetchAllStaff", "502") -
                         requests_of(ok, "/ai_brain/fetchAllStaff", "502"), 1)

    def test_catalog_cache_hit_after_miss(self):
        self.cold()
        before = scrape()
        self.assertEqual(self.staff().status, 200)
        self.assertEqual(self.staff().status, 200)
        after = scrape()
        d = lambda result: (after.value("frontdesk_cache_lookups_total", cache="catalog", result=result) -  # noqa
                            before.value("frontdesk_cache_lookups_total", cache="catalog", result=result))
        self.assertGreaterEqual(d("miss"), 1)
        self.assertGreaterEqual(d("hit"), 1)


class ZRedisRestart(unittest.TestCase):  # last: Redis comes back empty
    def test_reconnect_is_counted(self):
        before = scrape()
        REDIS.restart(down_seconds=0.5)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and SERVER.get("/readyz").status != 200:
            time.sleep(0.1)
        time.sleep(0.3)
        after = scrape()
        d = lambda name: after.value(name) - before.value(name)  # noqa: E731
        self.assertGreaterEqual(d("frontdesk_redis_connections_lost_total"), 2, "each worker lost its connection")
        self.assertGreaterEqual(d("frontdesk_redis_reconnects_total"), 2, "and found it again")


class AfterReload(unittest.TestCase):
    """Issue 17: the metrics answer after a reload: the same address keeps serving, the counts carry on from
    where they were (never reset, never backwards), and a tenant the reload added is counted like the others."""

    def test_counts_carry_on_across_a_reload_that_adds_a_tenant(self):
        added_key = "it-metrics-added-key-77c2"
        before = scrape()
        cfg = dict(SERVER.config)
        cfg["tenants"] = list(cfg["tenants"]) + [{
            "id": "mx-added", "api_key_sha256": H.sha256_hex(added_key), "provider": "sandbox",
            "time_zone": "Australia/Sydney", "locale": "en-AU", "country": "AU"}]
        with open(SERVER.config_path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(cfg, f)
        os.replace(SERVER.config_path + ".tmp", SERVER.config_path)
        SERVER.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while SERVER.post("/ai_brain/fetchAllLocations", {}, key=added_key).status != 200:
            self.assertLess(time.monotonic(), deadline, "the added tenant was not served:\n" + SERVER.stderr()[-2000:])
            time.sleep(0.05)
        for _ in range(5):
            self.assertEqual(SERVER.post("/ai_brain/fetchAllLocations", {}, key=added_key).status, 200)
        after = scrape()
        route = "/ai_brain/fetchAllLocations"
        self.assertGreaterEqual(requests_of(after, route, "200") - requests_of(before, route, "200"), 6)
        for name in ("frontdesk_http_requests_total", "frontdesk_auth_failures_total"):
            self.assertGreaterEqual(after.total(name), before.total(name), name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
