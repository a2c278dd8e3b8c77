#!/usr/bin/env python3
"""tests/it/test_practicebetter.py: the real binary with Practice Better tenants against
tests/fakes/fake_practicebetter.py (expiring OAuth tokens, 5 requests a second with bursts of 20, lists newest
first, local wall time plus a Windows zone on writes) and a real redis-server: the /voice and /ai_brain routes work
unchanged; one access token serves every worker of two processes and is replaced once when refused; twenty
callers at once across two processes never push the EMR past its limit; bad settings are refused at start with
their JSON path. Expectations come from the fake's seed (imported), never from constants written here."""

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import unittest
import urllib.parse
import urllib.request
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))
sys.path.insert(0, os.path.join(HERE, "..", "conformance"))
import harness as H  # noqa: E402
import prom_text  # noqa: E402
import fake_practicebetter as F  # noqa: E402
import clock  # noqa: E402
from profiles import practicebetter as P  # noqa: E402  (the tenant settings the conformance column uses)

KEYS = {"pb": "it-pb-tenant-key-6a1f", "tk": "it-pb-token-tenant-key-20c4", "burst": "it-pb-burst-tenant-77e1"}
REDIS = SERVER = FAKE = None
FAKE_URL = METRICS_PORT = None
METRICS_TOKEN = "it-pb-metrics-token-51aa"
SEED = F.State()
ZONE = ZoneInfo(F.ZONE)
UTC = dt.timezone.utc
JANE, SAM = SEED.members[0]["id"], SEED.members[1]["id"]
INITIAL = next(sid for sid, s in SEED.services.items() if s["name"] == "Initial Consultation")


def start_fake():
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "fakes", "fake_practicebetter.py"), "--port",
                             "0", "--client-id", P.CLIENT_ID, "--client-secret", P.CLIENT_SECRET],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=dict(os.environ,
                                                                                         **clock.service_env()))
    return proc, "http://127.0.0.1:%d" % int(proc.stdout.readline().decode().split()[1])


def fake(method, path, body=None):
    req = urllib.request.Request(FAKE_URL + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read() or b"null")


def control(**kw):
    return fake("POST", "/__control", kw)


def stats():
    return fake("GET", "/__stats")


def tenant(tid, **settings):
    return {"id": tid, "api_key_sha256": H.sha256_hex(KEYS[tid]), "provider": "practicebetter", "country": "AU",
            "time_zone": F.ZONE, "provider_settings": P.settings(FAKE_URL, **settings),
            "policy": {"min_notice_minutes": 0, "max_days_ahead": 366},
            "rate_limit": {"per_second": 1000, "burst": 2000}}


def config(metrics=False):
    c = {"tenants": [tenant("pb"), tenant("tk"), tenant("burst")], "slot_secret": "it-pb-slot-secret-1234"}
    if metrics:
        c["metrics"] = {"listen": "127.0.0.1:%d" % METRICS_PORT, "token_sha256": H.sha256_hex(METRICS_TOKEN)}
    return c


def setUpModule():
    global REDIS, SERVER, FAKE, FAKE_URL, METRICS_PORT
    FAKE, FAKE_URL = start_fake()
    REDIS = H.Redis().start()
    METRICS_PORT = H.free_port()
    SERVER = H.Frontdesk(config(metrics=True), REDIS, workers=2).start()


def emr_requests_counted():
    """frontdesk_emr_requests_total of provider practicebetter on the module's server."""
    r = H.request(METRICS_PORT, "GET", "/metrics", headers={"authorization": "Bearer " + METRICS_TOKEN})
    text = r.body.decode() if isinstance(r.body, bytes) else r.body
    return prom_text.parse(text).total("frontdesk_emr_requests_total", provider="practicebetter")


def tearDownModule():
    try:
        H.shut_down(SERVER, REDIS)
    finally:
        FAKE.terminate()
        FAKE.wait(5)


def next_weekday(days_ahead=2):
    d = clock.today(ZONE) + dt.timedelta(days=days_ahead)
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d


class PracticeBetterTest(unittest.TestCase):
    def setUp(self):
        control(reset=True, reset_stats=True)

    def post(self, route, body, tenant="pb", server=None):
        return (server or SERVER).post("/ai_brain/" + route, body, key=KEYS[tenant], timeout=20)

    def voice(self, route, params, tenant="pb"):
        return SERVER.get("/voice/%s?%s" % (route, urllib.parse.urlencode(params)), key=KEYS[tenant], timeout=20)

    def test_voice_best_slot_book_and_cancel_unchanged(self):
        counted = emr_requests_counted()
        info = self.voice("clinic-info", {})
        self.assertEqual(info.status, 200, info)
        self.assertIn("Harbour Wellness", json.dumps(info.body))
        date = next_weekday()
        at = dt.datetime.combine(date, dt.time(14, 0), ZONE)
        best = self.voice("bestSlot", {"treatment_name": "Initial Consultation", "time_zone": F.ZONE,
                                       "staff_member_name": "Jane Citizen", "clinic_location_name": "Harbour Wellness",
                                       "requested_time_utc": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")})
        self.assertEqual(best.status, 200, best)
        self.assertEqual(best.body["start_at"], at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"))
        mia = SEED.clients[0]["profile"]
        r = self.voice("book", {"slot_id": best.body["slot_id"], "first_name": mia["firstName"],
                                "last_name": mia["lastName"], "email": mia["emailAddress"]})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body["booked"], r.body)
        made = [w["body"] for w in stats()["writes"] if w["path"] == "/consultant/sessions"]
        self.assertEqual(len(made), 1)
        # Local wall time with no offset, and Sydney's Windows name as ICU gives it.
        self.assertEqual(made[0]["sessionDate"], "%sT14:00:00" % date.isoformat())
        self.assertEqual(made[0]["timeZone"], "AUS Eastern Standard Time")
        self.assertEqual((made[0]["asConsultantId"], made[0]["serviceId"], made[0]["duration"]), (JANE, INITIAL, 3600))
        held = {a["id"]: a for a in fake("GET", "/__state")["appointments"]}
        appt = held[r.body["appointment"]["id"]]
        self.assertEqual((appt["start_ms"], appt["staff_id"]), (int(at.timestamp() * 1000), JANE))
        c = self.post("cancelAppt", {"appointment_id": r.body["appointment"]["id"]})
        self.assertEqual(c.status, 200, c)
        self.assertEqual(emr_requests_counted() - counted, stats()["total"], "every EMR request in /metrics")
        self.assertTrue(fake("GET", "/__state")["appointments"] and
                        {a["id"]: a for a in fake("GET", "/__state")["appointments"]}[appt["id"]]["cancelled"])

    def availability(self, tenant, staff, date, days, server=None):
        start = dt.datetime.combine(date, dt.time(0, 0), ZONE)
        end = dt.datetime.combine(date + dt.timedelta(days=days), dt.time(0, 0), ZONE)
        return self.post("fetchAvailabilityForRange", {
            "staff_member_id": staff, "treatment_id": INITIAL, "locationId": "main",
            "start_at": start.isoformat(), "end_at": end.isoformat()}, tenant=tenant, server=server)

    def test_one_token_for_every_worker_and_process_replaced_once_when_refused(self):
        second = H.Frontdesk(config(), REDIS, workers=2).start()
        try:
            results = []

            def caller(i):  # distinct dates: no answer can be shared, every caller needs the token
                r = self.availability("tk", JANE, next_weekday(3 + 7 * i), 1, server=second if i % 2 else SERVER)
                results.append(r.status)

            threads = [threading.Thread(target=caller, args=(i,)) for i in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(results, [200] * 8)
            self.assertEqual(stats()["token_grants"], 1, "one token for 2 processes x 2 workers")
            control(expire_tokens=True)  # Practice Better now refuses it: 401, a new token, the call made again
            for server in (SERVER, second):
                r = self.availability("tk", SAM, next_weekday(80), 1, server=server)
                self.assertEqual(r.status, 200, r)
            self.assertEqual(stats()["token_grants"], 2, "one refresh, shared")
            self.assertEqual(stats()["requests"].get("POST /oauth2/token"), 2)
        finally:
            second.close()

    def test_twenty_callers_across_two_processes_stay_under_the_limit(self):
        second = H.Frontdesk(config(), REDIS, workers=2).start()
        try:
            results = []

            def caller(i):  # three weeks each, distinct dates: 3 requests a caller, 60 in all, none shared
                r = self.availability("burst", JANE if i % 2 else SAM, next_weekday(2 + 21 * i), 21,
                                      server=second if i % 2 else SERVER)
                results.append((r.status, r.body.get("error", {}).get("code"), r.headers.get("retry-after")))

            threads = [threading.Thread(target=caller, args=(i,)) for i in range(20)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            second.close()
        s = stats()
        self.assertEqual(s["rate_limited"], 0, "the EMR answered 429")
        arrivals = sorted(s["arrivals_ms"])
        self.assertGreater(len(arrivals), 20, "the burst was not even reached: the test proves nothing")
        for i in range(len(arrivals)):  # a token bucket of 20 refilled at 5/s: no window holds more
            for j in range(i, len(arrivals)):
                allowed = 20 + 5 * (arrivals[j] - arrivals[i]) / 1000.0 + 1  # +1: a request's own jitter
                self.assertLessEqual(j - i + 1, allowed, "%d requests in %d ms" % (j - i + 1,
                                                                                 arrivals[j] - arrivals[i]))
        self.assertIn(200, [r[0] for r in results])
        for status, code, retry_after in results:  # a caller is answered, or told when to try again: never a 429
            self.assertIn(status, (200, 503), results)
            if status == 503:
                self.assertEqual(code, "emr_rate_limited")
                self.assertTrue(retry_after and int(retry_after) >= 1, results)

    def test_settings_are_refused_at_start_with_their_path(self):
        cases = (("location", {"id": "main", "name": "X", "time_zone": "Mars/Olympus"}, "location.time_zone"),
                 ("services", [], "services"),
                 ("services", [{"id": INITIAL, "name": "Initial"}], "services[0].duration_minutes"),
                 ("base_url", "ftp://pb.example", "base_url"),
                 ("client_secret", "", "client_secret"))
        for setting, value, path in cases:
            bad = tenant("pb", **{setting: value})
            server = H.Frontdesk({"tenants": [bad], "slot_secret": "it-pb-slot-secret-1234"}, REDIS, workers=1)
            try:
                with self.assertRaises(RuntimeError) as refused:
                    server.start(timeout=5)
                self.assertIn("tenants[0].provider_settings.%s" % path, str(refused.exception))
                self.assertNotIn(P.CLIENT_SECRET, str(refused.exception))
            finally:
                server.close()

    def test_revoked_client_is_a_502_and_an_operator_line_without_the_secret(self):
        control(revoke=True)
        r = self.post("fetchAllStaff", {})
        self.assertEqual(r.status, 502, r)
        self.assertEqual(r.body["error"]["code"], "emr_error")
        lines = [o for _, o in SERVER.log_lines() if isinstance(o, dict) and o.get("provider") == "practicebetter"]
        self.assertTrue(any(o.get("tenant") == "pb" and "credential" in o.get("msg", "") for o in lines), lines)
        self.assertNotIn(P.CLIENT_SECRET, SERVER.stderr())


if __name__ == "__main__":
    unittest.main()
