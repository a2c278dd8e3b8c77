#!/usr/bin/env python3
"""tests/it/test_halaxy.py: the real binary with Halaxy tenants against tests/fakes/fake_halaxy.py (OAuth2 tokens
that die, FHIR Bundles paged through link next, prefixed ids, $find/$book, merge-patch, OperationOutcome errors,
429 with retry-after) and a real redis-server: the catalog and availability routes, a whole /voice conversation
(clinic-info, bestSlot, book, patientAppointments, reschedule, cancel) and the /ai_brain two-step booking, the
token fetched once for two workers and two processes, refreshed before it dies and after a 401, Halaxy's 429 as
503 emr_rate_limited with Retry-After, revoked credentials as a 502 with an operator's log line without the
secret, and bad settings refused at start with their JSON path. Expectations come from the fake's seed data."""

import concurrent.futures
import datetime as dt
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))
import harness as H  # noqa: E402
import fake_halaxy as F  # noqa: E402
import clock  # noqa: E402

CLIENT_ID, CLIENT_SECRET = "it-halaxy-client-7f3a", "it-halaxy-secret-c41d9e"
KEYS = {"hx": "it-halaxy-tenant-key-1b2c", "rl": "it-halaxy-ratelimited-key-93d1",
        "rv": "it-halaxy-revoked-key-55e0"}
REDIS = SERVER = FAKE = None
FAKE_URL = None
SEED = F.State()
ZONE = F.ZONE


def start_fake():
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "fakes", "fake_halaxy.py"), "--port", "0",
                             "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=dict(os.environ))
    port = int(proc.stdout.readline().decode().split()[1])
    return proc, "http://127.0.0.1:%d" % port


def fake(method, path, body=None):
    req = urllib.request.Request(FAKE_URL + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read() or b"null")


def control(**kw):
    fake("POST", "/__control", kw)


def stats():
    return fake("GET", "/__stats")


def tenant(tid, **settings):
    s = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "base_url": FAKE_URL + "/main",
         "time_zone": "Australia/Sydney", "timeout_ms": 1500, "connect_timeout_ms": 500}
    s.update(settings)
    return {"id": tid, "api_key_sha256": H.sha256_hex(KEYS.get(tid, "unused-" + tid)), "provider": "halaxy",
            "country": "AU", "time_zone": "Australia/Sydney", "provider_settings": s,
            "policy": {"min_notice_minutes": 0, "max_days_ahead": 14, "availability_ttl_seconds": 1},
            "rate_limit": {"per_second": 1000, "burst": 2000}}


def config():
    return {"tenants": [tenant("hx"), tenant("rl"), tenant("rv")], "slot_secret": "it-halaxy-slot-secret-123"}


def drop_shared_token():
    for k in REDIS.command("KEYS", "fd:halaxy:*"):
        REDIS.command("DEL", k)


def setUpModule():
    global REDIS, SERVER, FAKE, FAKE_URL
    FAKE, FAKE_URL = start_fake()
    REDIS = H.Redis().start()
    SERVER = H.Frontdesk(config(), REDIS, workers=2).start()


def tearDownModule():
    try:
        H.shut_down(SERVER, REDIS)
    finally:
        FAKE.terminate()
        FAKE.wait(5)


def post(route, body, tenant_id="hx", server=None):
    return (server or SERVER).post("/ai_brain/" + route, body, key=KEYS[tenant_id], timeout=20)


def voice(path, params, tenant_id="hx"):
    return SERVER.get("/voice/%s?%s" % (path, urllib.parse.urlencode(params)), key=KEYS[tenant_id], timeout=20)


def clinics():
    return sorted(k for k in SEED.orgs if k.startswith("CL-"))


def offered(practitioner, clinic):
    """The seeded services a practitioner gives online at a clinic."""
    return {s for r in SEED.roles.values() if r["practitioner"] == practitioner and r["org"] == clinic
            for s in r["services"] if SEED.services[s]["online"]}


class Halaxy(unittest.TestCase):
    def setUp(self):
        control(reset=True, reset_stats=True)
        for k in REDIS.command("KEYS", "fd:{hx}:*"):
            REDIS.command("DEL", k)

    def test_catalog(self):
        r = post("fetchAllLocations", {})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sorted(l["id"] for l in r.body["locations"]), clinics())  # the OG- group is no location
        self.assertEqual({l["time_zone"] for l in r.body["locations"]}, {"Australia/Sydney"})
        staff = post("fetchAllStaff", {"locationId": clinics()[0]}).body["staff"]
        active = {p for p, v in SEED.practitioners.items() if v["active"]
                  and any(r["practitioner"] == p and r["org"] == clinics()[0] for r in SEED.roles.values())}
        self.assertEqual({s["id"] for s in staff}, active)
        treatments = post("fetchAllTreatments", {"locationId": clinics()[0]}).body["treatments"]
        online = {k for k, v in SEED.services.items() if v["online"]}
        self.assertEqual({t["id"] for t in treatments}, online)
        minutes = {t["id"]: t["duration_minutes"] for t in treatments}
        self.assertEqual(minutes, {k: SEED.services[k]["minutes"] for k in online})

    def test_paging_follows_link_next(self):
        control(page_size_cap=1)
        r = post("fetchAllStaff", {"locationId": clinics()[0]})
        self.assertEqual(r.status, 200, r)
        self.assertGreaterEqual(stats()["requests"].get("GET /main/Practitioner", 0), len(SEED.practitioners))
        self.assertEqual(len(r.body["staff"]), 2)

    def test_availability_in_the_clinic_zone(self):
        day = clock.today(ZONE) + dt.timedelta(days=2)
        r = post("fetchAvailabilityForRange", {"staff_member_id": "PR-1000001", "treatment_id": "558363",
                                              "locationId": "CL-100001", "start_at": day.isoformat() + "T00:00:00",
                                              "end_at": day.isoformat() + "T23:59:00",
                                              "time_zone": "Australia/Sydney"})
        self.assertEqual(r.status, 200, r)
        starts = [dt.datetime.fromisoformat(s["start_at"].replace("Z", "+00:00")).astimezone(ZONE)
                  for s in r.body["slots"]]
        self.assertTrue(starts, r.body)
        self.assertEqual(starts[0].hour, F.OPEN_HOUR)
        self.assertTrue(all(s.date() == day for s in starts))
        self.assertGreaterEqual(stats()["requests"].get("GET /main/Appointment/$find", 0), 1)

    def test_voice_conversation(self):
        info = voice("clinic-info", {})
        self.assertEqual(info.status, 200, info)
        self.assertIn("Harbour Physio", info.body["message"])
        best = voice("bestSlot", {"treatment_name": "Initial Consultation", "time_zone": "Australia/Sydney",
                                  "staff_member_name": "Sarah Lee"})
        self.assertEqual(best.status, 200, best)
        self.assertTrue(best.body["available"], best.body)
        p = SEED.patients["12345678"]
        book = voice("book", {"slot_id": best.body["slot_id"], "first_name": p["given"], "last_name": p["family"],
                              "email": p["email"], "phone": p["phone"]})
        self.assertEqual(book.status, 200, book)
        held = [a for a in fake("GET", "/__state")["appointments"] if a["id"] == book.body["appointment"]["id"]]
        self.assertEqual(len(held), 1, held)
        self.assertEqual(held[0]["staff_id"], "PR-1000001")
        start = dt.datetime.fromisoformat(best.body["start_at"].replace("Z", "+00:00"))
        self.assertEqual(held[0]["start_ms"], int(start.timestamp() * 1000))
        books = [w for w in stats()["writes"] if w["path"] == "/main/Appointment/$book"]
        self.assertEqual(len(books), 1)
        self.assertEqual(books[0]["body"]["resourceType"], "Parameters")
        listed = voice("patientAppointments", {"phone": p["phone"], "first_name": p["given"],
                                               "last_name": p["family"]})
        self.assertEqual(listed.status, 200, listed)
        self.assertIn(book.body["appointment"]["id"], [a["id"] for a in listed.body["appointments"]])
        new_start = start + dt.timedelta(hours=2)
        moved = voice("reschedule", {"appointment_id": book.body["appointment"]["id"],
                                     "new_start_at": new_start.strftime("%Y-%m-%dT%H:%M:%SZ")})
        self.assertEqual(moved.status, 200, moved)
        state = {a["id"]: a for a in fake("GET", "/__state")["appointments"]}
        self.assertEqual(state[book.body["appointment"]["id"]]["start_ms"], int(new_start.timestamp() * 1000))
        patches = [w for w in stats()["writes"] if w["method"] == "PATCH"]
        self.assertTrue(patches and set(patches[-1]["body"]) >= {"start", "end"}, patches)
        gone = voice("cancel", {"appointment_id": book.body["appointment"]["id"]})
        self.assertEqual(gone.status, 200, gone)
        state = {a["id"]: a for a in fake("GET", "/__state")["appointments"]}
        self.assertTrue(state[book.body["appointment"]["id"]]["cancelled"])

    def test_two_step_booking_and_a_double_booking_withdrawn(self):
        day = clock.today(ZONE) + dt.timedelta(days=3)
        start = dt.datetime(day.year, day.month, day.day, 11, 0, tzinfo=ZONE)
        body = {"patient_id": "12345678", "staff_member_id": "PR-1000001", "treatment_id": "558364",
                "locationId": "CL-100001", "start_at": start.isoformat()}
        held = post("createAppt", body)
        self.assertEqual(held.status, 201, held)
        # Someone at the clinic books the same time straight into Halaxy meanwhile ($book does not refuse it).
        SEED_STATE = fake("GET", "/__state")["appointments"]
        self.assertEqual(len([a for a in SEED_STATE if not a["cancelled"]]), 1)
        control(reset_stats=True)
        token = json.loads(urllib.request.urlopen(urllib.request.Request(
            FAKE_URL + "/main/oauth/token", method="POST", headers={"Content-Type": "application/json"},
            data=json.dumps({"grant_type": "client_credentials", "client_id": CLIENT_ID,
                             "client_secret": CLIENT_SECRET}).encode()), timeout=5).read())["access_token"]
        params = {"resourceType": "Parameters", "parameter": [
            {"name": "appt-resource", "resource": {"resourceType": "Appointment", "start": start.isoformat(),
                                                   "end": (start + dt.timedelta(minutes=30)).isoformat(),
                                                   "participant": [{"actor": {"reference":
                                                                              "PractitionerRole/PR-2000001"}}]}},
            {"name": "patient-id", "valueReference": {"reference": "Patient/12345679"}},
            {"name": "healthcare-service-id", "valueReference": {"reference": "HealthcareService/558364"}}]}
        urllib.request.urlopen(urllib.request.Request(
            FAKE_URL + "/main/Appointment/$book", method="POST", data=json.dumps(params).encode(),
            headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"}), timeout=5).read()
        booked = post("bookAppt", {"appointment_id": held.body["appointment"]["id"]})
        self.assertEqual((booked.status, booked.body["error"]["code"]), (409, "slot_taken"), booked)
        live = [a for a in fake("GET", "/__state")["appointments"] if not a["cancelled"]
                and a["start_ms"] == int(start.timestamp() * 1000)]
        self.assertEqual(len(live), 1, "ours was withdrawn, the clinic's stays")

    def test_a_lost_book_answer_is_found_not_written_twice(self):
        day = clock.today(ZONE) + dt.timedelta(days=4)
        start = dt.datetime(day.year, day.month, day.day, 14, 0, tzinfo=ZONE)
        held = post("createAppt", {"patient_id": "12345678", "staff_member_id": "PR-1000002",
                                   "treatment_id": "558363", "locationId": "CL-100001",
                                   "start_at": start.isoformat()})
        self.assertEqual(held.status, 201, held)
        control(lose_answer=1)
        first = post("bookAppt", {"appointment_id": held.body["appointment"]["id"]})
        self.assertEqual(first.status, 504, (first, [w["path"] for w in stats()["writes"]]))
        again = post("bookAppt", {"appointment_id": held.body["appointment"]["id"]})
        self.assertEqual(again.status, 200, again)
        ours = [a for a in fake("GET", "/__state")["appointments"] if a["start_ms"] == int(start.timestamp() * 1000)]
        self.assertEqual(len(ours), 1, ours)
        self.assertEqual(again.body["appointment"]["id"], ours[0]["id"])

    def test_a_401_drops_the_token_and_refreshes_it_once(self):
        self.assertEqual(post("fetchPatientsAppointments", {"patient_id": "12345678"}).status, 200)
        control(expire_tokens=True, reset_stats=True)  # Halaxy forgot every token (revoked early, restarted)
        r = post("fetchPatientsAppointments", {"patient_id": "12345678"})
        self.assertEqual(r.status, 200, r)
        s = stats()
        self.assertEqual((s["unauthorized"], s["token_requests"]), (1, 1), s)
        r = post("fetchPatientsAppointments", {"patient_id": "12345679"})
        self.assertEqual((r.status, stats()["token_requests"]), (200, 1))

    def test_the_token_is_refreshed_before_it_dies(self):
        control(token_ttl=12, expire_tokens=True)  # tokens now live 12 s and say so
        self.assertEqual(post("fetchPatientsAppointments", {"patient_id": "12345678"}).status, 200)
        control(reset_stats=True)
        time.sleep(9.5)  # past three quarters of its life (9 s), well before its end (12 s)
        r = post("fetchPatientsAppointments", {"patient_id": "12345678"})
        self.assertEqual(r.status, 200, r)
        s = stats()
        self.assertEqual((s["token_requests"], s["unauthorized"]), (1, 0), s)
        control(token_ttl=900, expire_tokens=True)

    def test_halaxy_429_is_emr_rate_limited_with_retry_after(self):
        control(fail_status=429, retry_after=30, fail_count=50)
        r = post("fetchPatientsAppointments", {"patient_id": "12345678"}, tenant_id="rl")
        self.assertEqual((r.status, r.body["error"]["code"]), (503, "emr_rate_limited"), r)
        self.assertGreaterEqual(int(r.header("retry-after")), 20)
        self.assertLessEqual(int(r.header("retry-after")), 31)

    def test_revoked_credentials_are_a_502_and_a_log_line(self):
        control(revoke=True)
        r = post("fetchPatientsAppointments", {"patient_id": "12345678"}, tenant_id="rv")
        self.assertEqual((r.status, r.body["error"]["code"]), (502, "emr_error"), r)
        self.assertTrue(r.body["error"]["message"].endswith("."), r.body)
        found = None
        deadline = time.monotonic() + 3
        while found is None and time.monotonic() < deadline:
            found = next((o for _, o in SERVER.log_lines() if isinstance(o, dict) and o.get("provider") == "halaxy"
                          and o.get("tenant") == "rv" and "credential" in o.get("msg", "")), None)
            time.sleep(0.05)
        self.assertIsNotNone(found, "an operator's line naming the tenant and the provider")
        self.assertNotIn(CLIENT_SECRET, SERVER.stderr())
        control(revoke=False)


class SharedToken(unittest.TestCase):
    """Two processes of two workers each on one Redis: one token request for all of them."""

    def test_one_token_for_two_processes_of_two_workers(self):
        control(reset=True, reset_stats=True)
        drop_shared_token()
        cfg = {"tenants": [tenant("hx")], "slot_secret": "it-halaxy-slot-secret-123"}
        a = H.Frontdesk(cfg, REDIS, workers=2).start()
        b = H.Frontdesk(cfg, REDIS, workers=2).start()
        try:
            def call(i):
                server = a if i % 2 else b
                return post("fetchPatientsAppointments", {"patient_id": "12345678"}, server=server).status
            with concurrent.futures.ThreadPoolExecutor(16) as pool:
                statuses = list(pool.map(call, range(32)))
            self.assertEqual(statuses, [200] * 32)
            self.assertEqual(stats()["token_requests"], 1, stats())
        finally:
            a.close()
            b.close()


class Settings(unittest.TestCase):
    def refused(self, **settings):
        t = tenant("bad")
        t["provider_settings"] = dict(t["provider_settings"], **settings)
        for k in [k for k, v in settings.items() if v is None]:
            del t["provider_settings"][k]
        server = H.Frontdesk({"tenants": [t]}, REDIS)
        try:
            with self.assertRaises(RuntimeError) as e:
                server.start(timeout=5)
            return str(e.exception)
        finally:
            server.close()

    def test_bad_settings_are_refused_with_their_path(self):
        self.assertIn("provider_settings.time_zone", self.refused(time_zone=None))
        self.assertIn("provider_settings.region", self.refused(region="us"))
        self.assertIn("provider_settings.client_secret", self.refused(client_secret=None))
        text = self.refused(region="au")  # and base_url: one of the two
        self.assertIn("provider_settings.region", text)
        self.assertNotIn(CLIENT_SECRET, text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
