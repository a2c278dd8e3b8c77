#!/usr/bin/env python3
"""tests/it/test_jane.py: the real binary with a Jane tenant against tests/fakes/fake_jane.py (a clinic's public
online-booking site in America/Vancouver: catalog lists, openings with offsets and durations in seconds, HTML for
unknown paths, Rack-style 429s) and a real redis-server: the catalog and availability routes and /voice/bestSlot
answer from Jane's public data, across both of Vancouver's DST changes; the site is read politely (Frontdesk's
User-Agent, a bounded number of requests at once); Jane is never written, and a booking is refused with a
request (the time held, the clinic told; see booking/requests.h) while the caller's details are kept as Frontdesk's own patient record.
Expectations come from the fake's own seed data and rules (imported), never from constants written here."""

import datetime as dt
import json
import os
import subprocess
import sys
import unittest
import urllib.parse
import urllib.request
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))
import harness as H  # noqa: E402
import fake_jane as F  # noqa: E402
import clock  # noqa: E402
import avail_support as A  # noqa: E402

KEYS = {"jn": "it-jane-tenant-key-4b7e", "one": "it-jane-one-location-key-91d3", "slow": "it-jane-slow-key-0c5a",
        "rl": "it-jane-rate-limited-key-6e20", "near": "it-jane-two-weeks-key-3a9b"}
REDIS = SERVER = FAKE = None
FAKE_URL = None
ZONE = ZoneInfo(F.ZONE)
UTC = dt.timezone.utc
F.HOURS, F.EVERY_DAY = (0, 1440), True  # the fake below runs with these rules: expectations use the same


def start_fake():
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "fakes", "fake_jane.py"), "--port", "0",
                             "--hours", "00:00-24:00", "--every-day"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=dict(os.environ, **clock.service_env()))
    return proc, "http://127.0.0.1:%d" % int(proc.stdout.readline().decode().split()[1])


def fake(method, path, body=None):
    req = urllib.request.Request(FAKE_URL + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read() or b"null")


def control(**kw):
    fake("POST", "/__control", kw)


def stats():
    return fake("GET", "/__stats")


def tenant(tid, days_ahead=366, **settings):
    # The suite reads cold often: the default pace (60 a minute) is raised here; the 429 has its own test.
    return {"id": tid, "api_key_sha256": H.sha256_hex(KEYS[tid]), "provider": "jane", "emr": "jane", "country": "CA",
            "time_zone": F.ZONE,
            "provider_settings": dict({"base_url": FAKE_URL, "timeout_ms": 1500, "connect_timeout_ms": 500,
                                       "rate_limit_per_minute": 600}, **settings),
            "policy": {"min_notice_minutes": 0, "max_days_ahead": days_ahead},
            "rate_limit": {"per_second": 1000, "burst": 2000}}


def setUpModule():
    global REDIS, SERVER, FAKE, FAKE_URL
    FAKE, FAKE_URL = start_fake()
    REDIS = H.Redis().start()
    SERVER = H.Frontdesk({"tenants": [tenant("jn"), tenant("one", location_ids=[2]),
                                      tenant("slow", max_in_flight=2), tenant("rl"),
                                      tenant("near", days_ahead=14)],
                          "slot_secret": "it-jane-slot-secret-7d1f"}, REDIS, workers=2).start()


def tearDownModule():
    H.shut_down(SERVER, REDIS)
    if FAKE is not None:
        H._reap(FAKE)


def utc_ms(text):
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def expected_starts(treatment_id, date):
    seconds = next(t["treatment_duration"] for t in F.TREATMENTS if t["id"] == treatment_id)
    now = clock.now_ms()
    return [int(t.timestamp() * 1000) for t in F.day_starts(ZONE, date, seconds) if t.timestamp() * 1000 >= now]


class JaneTest(unittest.TestCase):
    def setUp(self):
        control(reset=True, reset_stats=True)
        for k in REDIS.command("KEYS", "fd:{*}:*"):
            REDIS.command("DEL", k)

    def post(self, route, body, tenant="jn"):
        r = SERVER.post("/ai_brain/" + route, body, key=KEYS[tenant])
        self.assertNotEqual(r.status, 500, r)
        return r

    def voice(self, route, params, tenant="jn"):
        r = SERVER.get("/voice/%s?%s" % (route, urllib.parse.urlencode(params)), key=KEYS[tenant], timeout=20)
        self.assertNotEqual(r.status, 500, r)
        return r

    def day(self, staff, treatment, location, date, tenant="jn", days=1):
        r = self.post("fetchAvailabilityForRange", {
            "staff_member_id": str(staff), "treatment_id": str(treatment), "locationId": str(location),
            "start_at": date.isoformat() + "T00:00:00",
            "end_at": (date + dt.timedelta(days=days)).isoformat() + "T00:00:00"}, tenant)
        self.assertEqual(r.status, 200, r)
        return r.body["slots"]

    # ---- catalog -------------------------------------------------------------------------------------------
    def test_catalog_is_the_public_booking_sites(self):
        for shape in ("object", "array"):  # treatments come as {"treatments": [...]} or a bare list
            self.setUp()
            control(treatments_shape=shape)
            locs = self.post("fetchAllLocations", {}).body["locations"]
            self.assertEqual([(l["id"], l["name"], l["time_zone"]) for l in locs],
                             [(str(l["id"]), l["name"], l["time_zone"]) for l in F.LOCATIONS])
            staff = {s["id"]: s for s in self.post("fetchAllStaff", {}).body["staff"]}
            self.assertEqual(set(staff), {str(s["id"]) for s in F.STAFF})
            ava = staff["11"]
            self.assertEqual((ava["title"], ava["first_name"], ava["last_name"]), ("Dr", "Ava", "Stone"))
            self.assertEqual(ava["disciplines"], ["Physiotherapy"])
            self.assertEqual(ava["location_ids"], ["1", "2"])
            self.assertEqual(sorted(ava["treatment_ids"]), ["101", "102"])
            treatments = {t["id"]: t for t in self.post("fetchAllTreatments", {}).body["treatments"]}
            for t in F.TREATMENTS:
                got = treatments[str(t["id"])]
                self.assertEqual(got["duration_minutes"] * 60, t["treatment_duration"], shape)  # seconds on the wire
                self.assertEqual(got["price"], {"amount": float(t["price"]), "currency": "CAD"})
                self.assertEqual(got["staff_ids"], [str(x) for x in t["staff_member_ids"]])
        self.assertEqual(stats()["requests"].get("/api/v2/treatments"), 1)  # the second read was the cache's

    def test_location_ids_limit_the_clinic_to_those_locations(self):
        locs = self.post("fetchAllLocations", {}, tenant="one").body["locations"]
        self.assertEqual([l["id"] for l in locs], ["2"])
        staff = self.post("fetchAllStaff", {}, tenant="one").body["staff"]
        self.assertEqual([s["id"] for s in staff if "2" in s["location_ids"]], ["11"])

    # ---- availability --------------------------------------------------------------------------------------
    def test_availability_is_the_openings(self):
        date = clock.today(ZONE) + dt.timedelta(days=3)
        slots = self.day(11, 102, 1, date)
        self.assertEqual([utc_ms(s["start_at"]) for s in slots], expected_starts(102, date))
        for s in slots:
            self.assertEqual(utc_ms(s["end_at"]) - utc_ms(s["start_at"]), 1800 * 1000)  # duration in seconds
        r = self.post("fetchAvailabilityForRange", {"staff_member_id": "12", "treatment_id": "102", "locationId": "1",
                                                    "start_at": date.isoformat() + "T00:00:00",
                                                    "end_at": (date + dt.timedelta(days=1)).isoformat() + "T00:00:00"})
        self.assertEqual((r.status, r.body["error"]["code"]), (422, "not_offered"), r)  # Ben does not give it

    def test_availability_across_vancouvers_dst_changes(self):
        for date, minutes in A.next_dst_changes(F.ZONE, 2):
            slots = self.day(11, 101, 1, date)
            starts = [utc_ms(s["start_at"]) for s in slots]
            self.assertEqual(starts, expected_starts(101, date), date)
            walls = [dt.datetime.fromtimestamp(x / 1000, UTC).astimezone(ZONE) for x in starts]
            for s, w in zip(slots, walls):
                self.assertEqual(s["start_local"], w.isoformat(timespec="seconds"))
            hours = [w.hour for w in walls]
            if minutes > 0:  # spring: 02:00-02:59 does not exist, so that day has 23 hours of openings
                self.assertNotIn(2, hours)
                self.assertEqual(len(starts), 23)
            else:  # autumn: 01:00-01:59 happens twice, each offered with its own offset
                self.assertEqual(hours.count(1), 2)
                self.assertEqual(len({s["start_local"] for s in slots if s["start_local"][11:13] == "01"}), 2)
                self.assertEqual(len(starts), 25)

    def test_the_clinics_own_bookings_are_not_offered(self):
        date = clock.today(ZONE) + dt.timedelta(days=4)
        first = self.day(11, 101, 1, date)[5]
        control(busy=[{"staff_member_id": 11, "start_at": first["start_at"], "end_at": first["end_at"]}])
        for k in REDIS.command("KEYS", "fd:{jn}:avail*"):
            REDIS.command("DEL", k)
        self.assertNotIn(first["start_at"], [s["start_at"] for s in self.day(11, 101, 1, date)])

    def test_best_slot_from_the_openings(self):
        date = clock.today(ZONE) + dt.timedelta(days=2)
        at = dt.datetime.combine(date, dt.time(14, 0), ZONE)
        r = self.voice("bestSlot", {"treatment_name": "Physiotherapy Follow-up", "time_zone": F.ZONE,
                                    "staff_member_name": "Ava Stone", "clinic_location_name": "Kitsilano Physio",
                                    "requested_time_utc": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")},
                       tenant="near")  # a two-week horizon: the weeks of openings bestSlot reads within its deadline
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body["available"], r.body)
        self.assertEqual(utc_ms(r.body["start_at"]), int(at.timestamp() * 1000))
        self.assertIn(utc_ms(r.body["start_at"]), expected_starts(102, date))
        self.assertIn("Ava Stone", r.body["message"])

    # ---- politeness ----------------------------------------------------------------------------------------
    def test_the_site_is_read_politely(self):
        control(delay_ms=150)  # long enough that unbounded requests would overlap
        date = clock.today(ZONE) + dt.timedelta(days=1)
        slots = self.day(11, 102, 1, date, tenant="slow", days=31)  # five weeks: five openings requests
        self.assertTrue(slots)
        s = stats()
        self.assertEqual(s["requests"]["/api/v2/openings"], 5)
        self.assertLessEqual(s["max_concurrent"], 2)  # max_in_flight
        self.assertTrue(all(ua.startswith("Frontdesk/") for ua in s["user_agents"]), s["user_agents"])

    def test_a_rate_limited_site_is_a_503_with_retry_after(self):
        control(rate_limit=1, retry_after=20)  # its own tenant: the site's 429 pauses that tenant's reads
        r = self.post("fetchAllStaff", {}, tenant="rl")
        self.assertEqual((r.status, r.body["error"]["code"]), (503, "emr_rate_limited"), r)
        self.assertTrue(1 <= int(r.header("retry-after")) <= 21, r.header("retry-after"))

    def test_an_html_page_is_an_emr_error(self):
        control(fail_status=500)
        r = self.post("fetchAllLocations", {})
        self.assertEqual((r.status, r.body["error"]["code"]), (502, "emr_error"), r)
        self.assertNotIn("sorry", r.body["error"]["message"])

    # ---- writes ----------------------------------------------------------------------------------------------
    def test_a_booking_becomes_a_request_and_jane_is_never_written(self):
        date = clock.today(ZONE) + dt.timedelta(days=2)
        slot = self.day(11, 102, 1, date)[0]
        p = self.post("lookup-create-patient", {"first_name": "Mia", "last_name": "Chan", "phone": "+16045550188",
                                                "email": "mia.chan@example.com"})
        self.assertEqual(p.status, 201, p)  # Frontdesk's own record: Jane has no public patient API
        again = self.post("lookup-create-patient", {"first_name": "Mia", "last_name": "Chan",
                                                    "phone": "604 555 0188"})
        self.assertEqual((again.status, again.body["patient"]["id"]), (200, p.body["patient"]["id"]))
        hold = self.post("createAppt", {"patient_id": p.body["patient"]["id"], "slot_id": slot["slot_id"]})
        self.assertEqual(hold.status, 201, hold)
        b = self.post("bookAppt", {"appointment_id": hold.body["appointment"]["id"]})
        self.assertEqual((b.status, b.body["appointment"]["state"]), (200, "requested"), b)
        v = self.voice("book", {"slot_id": self.day(11, 102, 1, date)[1]["slot_id"], "first_name": "Mia",
                                "last_name": "Chan", "phone": "+16045550188"})
        self.assertEqual((v.status, v.body["booked"], v.body["requested"]), (200, False, True), v)
        self.assertIn("requested", v.body["message"], v)
        self.assertEqual(fake("GET", "/__state")["appointments"], [])
        self.assertFalse([p for p in stats()["requests"] if not p.startswith("/api/v2/")], "a write reached Jane")

    def test_settings_are_refused_at_start_with_their_path(self):
        for setting, value in (("subdomain", "Bad_Clinic"), ("base_url", "ftp://clinic.example"),
                               ("location_ids", [1, "two words"]), ("max_in_flight", 50), ("password", "x")):
            bad = tenant("jn", **{setting: value})
            server = H.Frontdesk({"tenants": [bad], "slot_secret": "it-jane-slot-secret-7d1f"}, REDIS, workers=1)
            try:
                with self.assertRaises(RuntimeError) as refused:
                    server.start(timeout=5)
                self.assertIn("tenants[0].provider_settings.%s" % setting, str(refused.exception))
            finally:
                server.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
