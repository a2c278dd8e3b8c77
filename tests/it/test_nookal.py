#!/usr/bin/env python3
"""tests/it/test_nookal.py: the real binary with a Nookal tenant against tests/fakes/fake_nookal.py (RPC methods
with the key in the form body, HTTP 200 failure envelopes, loose ids and booleans, page/page_length/nextPage,
local times in a DST zone) and a real redis-server: the /ai_brain and /voice routes work unchanged (catalog,
availability across Sydney's DST changes, bestSlot, book, cancel, reschedule, the patient's appointments), and
Nookal's failures reach the caller as the statuses an agent can act on. Expectations come from the fake's own
seed data and rules (imported), never from constants written here."""

import datetime as dt
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.parse
import urllib.request
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))
import harness as H  # noqa: E402
import fake_nookal as F  # noqa: E402
import clock  # noqa: E402

NOOKAL_KEY = "it-nookal-secret-api-key-3f9a"
KEYS = {"nk": "it-nookal-tenant-key-81c2", "rl": "it-nookal-ratelimited-tenant-6d0e"}
REDIS = SERVER = FAKE = None
FAKE_URL = None
SEED = F.State()
UTC = dt.timezone.utc


def start_fake():
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "fakes", "fake_nookal.py"), "--port", "0",
                             "--api-key", NOOKAL_KEY], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return proc, "http://127.0.0.1:%d" % int(proc.stdout.readline().decode().split()[1])


def fake(method, path, body=None):
    req = urllib.request.Request(FAKE_URL + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read() or b"null")


def control(**kw):
    fake("POST", "/__control", kw)


def calls(method):
    return fake("GET", "/__stats")["requests"].get(method, 0)


def writes(method):
    return [w["params"] for w in fake("GET", "/__stats")["writes"] if w["method"] == method]


def tenant(tid, **settings):
    return {"id": tid, "api_key_sha256": H.sha256_hex(KEYS[tid]), "provider": "nookal", "country": "AU",
            "time_zone": "Australia/Sydney",
            # The suite makes many cold reads a minute: the default pacing (120 a minute) is raised here;
            # Nookal's 429 is covered by test_rate_limited_nookal.
            "provider_settings": dict({"api_key": NOOKAL_KEY, "base_url": FAKE_URL + "/production/v2",
                                       "timeout_ms": 1000, "connect_timeout_ms": 500,
                                       "rate_limit_per_minute": 100000}, **settings),
            "policy": {"min_notice_minutes": 0, "max_days_ahead": 366},
            "rate_limit": {"per_second": 1000, "burst": 2000}}


def setUpModule():
    global REDIS, SERVER, FAKE, FAKE_URL
    FAKE, FAKE_URL = start_fake()
    REDIS = H.Redis().start()
    SERVER = H.Frontdesk({"tenants": [tenant("nk"), tenant("rl")], "slot_secret": "it-nookal-slot-secret-4242"},
                         REDIS, workers=2).start()


def tearDownModule():
    try:
        H.shut_down(SERVER, REDIS)
    finally:
        FAKE.terminate()
        FAKE.wait(5)


def sydney():
    return ZoneInfo(SEED.locations["1"]["Timezone"])


def next_weekday(zone, days_ahead=2):
    d = clock.today(zone) + dt.timedelta(days=days_ahead)
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d


def dst_sundays(zone):
    """The next Sunday on which zone's offset changes (spring forward, fall back), both within 400 days."""
    out, d = {}, clock.today(zone) + dt.timedelta(days=1)
    for _ in range(400):
        if d.weekday() == 6:
            a = dt.datetime(d.year, d.month, d.day, tzinfo=zone).utcoffset()
            b = (dt.datetime(d.year, d.month, d.day, tzinfo=zone) + dt.timedelta(hours=12)).utcoffset()
            if a != b:
                out.setdefault("forward" if b > a else "back", d)
        d += dt.timedelta(days=1)
    return out


def expected_slots(staff, location, date, duration):
    """The starts (UTC ISO) the service should offer: the fake's free periods that date, cut into openings of
    the treatment's duration as a client must (fake_nookal.openings)."""
    zone = ZoneInfo(SEED.locations[location]["Timezone"])
    with SEED.lock:
        periods = SEED.free(staff, location, date)
    return [t.strftime("%Y-%m-%dT%H:%M:%S.000Z") for t in F.openings(zone, date, periods, duration)]


def day_range(zone, date):
    """[start, end) of a local date in UTC (midnight exists in every zone used here)."""
    start = dt.datetime.combine(date, dt.time(), zone)
    end = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


class Nookal(unittest.TestCase):
    def setUp(self):
        control(reset=True, reset_stats=True)
        global SEED
        SEED = F.State()
        for k in REDIS.command("KEYS", "fd:{nk}:*") + REDIS.command("KEYS", "fd:{rl}:*"):
            REDIS.command("DEL", k)

    def post(self, route, body, tenant="nk"):
        r = SERVER.post("/ai_brain/" + route, body, key=KEYS[tenant])
        self.assertNotEqual(r.status, 500, r)
        return r

    def voice(self, route, params, tenant="nk"):
        r = SERVER.get("/voice/%s?%s" % (route, urllib.parse.urlencode(params)), key=KEYS[tenant], timeout=20)
        self.assertNotEqual(r.status, 500, r)
        return r

    def availability(self, staff, treatment, location, date):
        zone = ZoneInfo(SEED.locations[location]["Timezone"])
        frm, to = day_range(zone, date)
        r = self.post("fetchAvailabilityForRange", {"staff_member_id": staff, "treatment_id": treatment,
                                                    "locationId": location, "start_at": frm.isoformat(),
                                                    "end_at": to.isoformat()})
        self.assertEqual(r.status, 200, r)
        return r.body["slots"]

    # ---- catalog -------------------------------------------------------------------------------------------
    def test_catalog_from_loose_types(self):
        r = self.post("fetchAllLocations", {})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([(l["id"], l["time_zone"]) for l in r.body["locations"]],
                         [(str(l["ID"]), l["Timezone"]) for l in SEED.locations.values()])
        staff = {s["id"]: s for s in self.post("fetchAllStaff", {}).body["staff"]}
        active = {str(p["ID"]) for p in SEED.practitioners.values() if str(p["status"]) == "1"}
        self.assertEqual(set(staff), active)  # "status": "0" (and 0) is inactive, "1" and 1 active
        for sid, s in staff.items():
            p = SEED.practitioners[sid]
            self.assertEqual(s["location_ids"], [str(x) for x in p["locations"]])  # [1] and ["1"] alike
            self.assertEqual(s["ai_enabled"], p["ShowInDiary"] == "1")
        treatments = {t["id"]: t for t in self.post("fetchAllTreatments", {}).body["treatments"]}
        self.assertEqual(set(treatments), {str(s["ID"]) for s in SEED.services.values()})
        for tid, t in treatments.items():
            svc = SEED.services[tid]
            self.assertEqual(t["duration_minutes"], int(svc["Duration"]))  # "60" and 30 alike
            self.assertEqual(t["price"], {"amount": float(svc["Price"]), "currency": "AUD"})
            locs = svc["Locations"] if isinstance(svc["Locations"], list) else svc["Locations"].split(",")
            self.assertEqual(t["location_ids"], [str(x) for x in locs])

    def test_paging_follows_next_page(self):
        control(page_size_cap=1)
        staff = self.post("fetchAllStaff", {}).body["staff"]
        self.assertEqual(len(staff), sum(1 for p in SEED.practitioners.values() if str(p["status"]) == "1"))
        self.assertEqual(calls("getPractitioners"), len(SEED.practitioners))  # one record a page

    def test_settings_are_refused_at_start_with_their_path(self):
        for setting, value in (("base_url", "ftp://nookal.example"), ("location_ids", ["1", "two words"]),
                               ("api_key", "")):
            bad = tenant("nk", **{setting: value})
            server = H.Frontdesk({"tenants": [bad], "slot_secret": "it-nookal-slot-secret-4242"}, REDIS, workers=1)
            try:
                with self.assertRaises(RuntimeError) as refused:
                    server.start(timeout=5)
                self.assertIn("tenants[0].provider_settings.%s" % setting, str(refused.exception))
                self.assertNotIn(NOOKAL_KEY, str(refused.exception))
            finally:
                server.close()

    # ---- availability --------------------------------------------------------------------------------------
    def test_availability_is_the_free_time_in_the_locations_zone(self):
        for location in ("1", "2"):  # Sydney and Perth: each location's own zone
            date = next_weekday(ZoneInfo(SEED.locations[location]["Timezone"]))
            slots = self.availability("1", "1", location, date)
            self.assertEqual([s["start_at"] for s in slots], expected_slots("1", location, date, 60))
            self.assertTrue(slots)

    def test_availability_across_sydneys_dst_changes(self):
        zone = sydney()
        for kind, date in sorted(dst_sundays(zone).items()):
            slots = self.availability("2", "2", "1", date)  # Sam works Sundays 00:00-06:00 local
            starts = [s["start_at"] for s in slots]
            self.assertEqual(starts, expected_slots("2", "1", date, 30), kind)
            local = [dt.datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(zone) for s in starts]
            walls = [(t.hour, t.minute) for t in local]
            self.assertEqual(len(walls), len(set(walls)), "%s: a repeated local time offered twice" % kind)
            if kind == "forward":  # 02:00-02:59 does not exist that night
                self.assertFalse([w for w in walls if w[0] == 2], walls)
                self.assertEqual(len(starts), 10)  # 6 hours of wall time, 5 real hours, 30 minutes each
            else:
                self.assertEqual(len(starts), 12)  # 02:00-02:59 happens twice: offered once

    # ---- booking through /voice ----------------------------------------------------------------------------
    def best(self, **extra):
        params = {"treatment_name": "Initial Consultation", "time_zone": "Australia/Sydney",
                  "staff_member_name": "Jane Citizen", "clinic_location_name": "Harbour Physio"}
        params.update(extra)
        r = self.voice("bestSlot", params)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body["available"], r.body)
        return r.body

    def book(self, slot_id, patient="101"):
        p = SEED.patients[patient]
        r = self.voice("book", {"slot_id": slot_id, "first_name": p["FirstName"], "last_name": p["LastName"],
                                "email": p["Email"]})
        return r

    def test_voice_best_slot_then_book_writes_local_time(self):
        date = next_weekday(sydney())
        at = dt.datetime.combine(date, dt.time(14, 0), sydney())
        best = self.best(requested_time_utc=at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.assertEqual(best["start_at"], at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"))
        r = self.book(best["slot_id"])
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body["booked"])
        made = writes("addAppointmentBooking")
        self.assertEqual(len(made), 1)
        self.assertEqual((made[0]["appointment_date"], made[0]["start_time"]), (date.isoformat(), "14:00"))
        self.assertNotIn("allow_overlap_bookings", made[0])
        held = {a["id"]: a for a in fake("GET", "/__state")["appointments"]}
        appt = held[r.body["appointment"]["id"]]  # appointment_id came back as a number: kept as "5001"
        self.assertEqual(appt["start_ms"], int(at.timestamp() * 1000))
        self.assertEqual(appt["staff_id"], "1")

    def test_cancel_and_the_patients_appointments(self):
        date = next_weekday(sydney())
        best = self.best(requested_time_utc=dt.datetime.combine(date, dt.time(15, 0), sydney()).isoformat())
        booked = self.book(best["slot_id"])
        self.assertEqual(booked.status, 200, booked)
        p = SEED.patients["101"]
        listed = self.post("fetchPatientsAppointments", {"email": p["Email"]})
        self.assertEqual(listed.status, 200, listed)
        ids = {a["id"]: a["state"] for a in listed.body["appointments"]}
        seeded = {a["ID"]: a for a in SEED.appointments.values() if str(a["patientID"]) == "101"}
        for aid, a in seeded.items():
            self.assertEqual(ids.get(aid), "cancelled" if a["cancelled"] == "1" else "booked", (aid, ids))
        self.assertEqual(ids.get(booked.body["appointment"]["id"]), "booked")
        # A seeded appointment Frontdesk only listed, and the one it booked, both cancel.
        live = next(aid for aid, a in seeded.items() if a["cancelled"] == "0")
        for aid in (live, booked.body["appointment"]["id"]):
            r = self.voice("cancel", {"appointment_id": aid})
            self.assertEqual(r.status, 200, r)
            self.assertTrue(r.body["cancelled"])
        state = {a["id"]: a["cancelled"] for a in fake("GET", "/__state")["appointments"]}
        self.assertTrue(state[live] and state[booked.body["appointment"]["id"]])
        self.assertEqual([w["patient_id"] for w in writes("cancelAppointment")], ["101", "101"])
        again = self.post("cancelAppt", {"appointment_id": live})
        self.assertEqual((again.status, again.body["error"]["code"]), (409, "already_cancelled"), again)

    def test_reschedule_into_a_free_and_a_taken_time(self):
        date = next_weekday(sydney())
        first = self.best(requested_time_utc=dt.datetime.combine(date, dt.time(13, 0), sydney()).isoformat())
        booked = self.book(first["slot_id"])
        self.assertEqual(booked.status, 200, booked)
        aid = booked.body["appointment"]["id"]
        taken = next(a for a in SEED.appointments.values() if a["practitionerID"] == "1" and a["cancelled"] == "0")
        taken_at = F.local_instant(sydney(), F.parse_date(taken["appointmentDate"]),
                                   F.parse_hhmm(taken["appointmentStartTime"]))
        r = self.voice("reschedule", {"appointment_id": aid, "new_start_at": taken_at.isoformat()})
        self.assertEqual((r.status, r.body["rescheduled"]), (409, False), r)
        new_at = dt.datetime.combine(date, dt.time(16, 0), sydney())
        r = self.voice("reschedule", {"appointment_id": aid, "new_start_at": new_at.isoformat()})
        self.assertEqual(r.status, 200, r)
        state = {a["id"]: a for a in fake("GET", "/__state")["appointments"]}
        moved = state[r.body["appointment"]["id"]]
        self.assertEqual((moved["start_ms"], moved["cancelled"]), (int(new_at.timestamp() * 1000), False))
        self.assertTrue(state[aid]["cancelled"])  # no native rebook: a new booking, then the old one cancelled

    def test_a_time_booked_since_it_was_offered_is_not_written(self):
        date = next_weekday(sydney())
        best = self.best(requested_time_utc=dt.datetime.combine(date, dt.time(11, 0), sydney()).isoformat())
        self.front_desk_books_behind_our_back(best)
        control(reset_stats=True)
        r = self.book(best["slot_id"], patient="102")
        self.assertIn((r.status, r.body["error"]["code"]), ((409, "slot_taken"), (409, "slot_unavailable")), r)
        self.assertEqual(writes("addAppointmentBooking"), [], "the fresh check before writing saw it")

    def raced_booking(self, hour):
        """Books an offered time that the front desk takes while our write is on its way: (answer, the live
        appointments Nookal holds at that time)."""
        date = next_weekday(sydney())
        best = self.best(requested_time_utc=dt.datetime.combine(date, dt.time(hour, 0), sydney()).isoformat())
        control(race_next=1)
        r = self.book(best["slot_id"])
        start = int(dt.datetime.fromisoformat(best["start_at"].replace("Z", "+00:00")).timestamp() * 1000)
        live = [a for a in fake("GET", "/__state")["appointments"]
                if not a["cancelled"] and a["start_ms"] == start and a["staff_id"] == "1"]
        return r, live

    def test_a_clash_nookal_refuses_is_slot_taken(self):
        r, live = self.raced_booking(11)
        self.assertEqual((r.status, r.body["error"]["code"]), (409, "slot_taken"), r)
        self.assertEqual(len(live), 1, "exactly one appointment holds that time")
        self.assertEqual(writes("cancelAppointment"), [])

    def test_the_conflict_probe_catches_a_clash_nookal_lets_through(self):
        control(overlap_guard=False)  # a Nookal that does not check clashes itself
        r, live = self.raced_booking(10)
        self.assertEqual((r.status, r.body["error"]["code"]), (409, "slot_taken"), r)
        self.assertEqual(len(live), 1, "ours was rolled back; the front desk's stands")
        self.assertEqual(len(writes("cancelAppointment")), 1)

    def front_desk_books_behind_our_back(self, best):
        """Books the offered time straight into Nookal, as the clinic's front desk would, after Frontdesk
        offered (and cached) it."""
        start = dt.datetime.fromisoformat(best["start_at"].replace("Z", "+00:00")).astimezone(sydney())
        form = urllib.parse.urlencode({"api_key": NOOKAL_KEY, "location_id": "1", "patient_id": "101",
                                       "appointment_date": start.date().isoformat(),
                                       "start_time": start.strftime("%H:%M"), "practitioner_id": "1",
                                       "appointment_type_id": "1"}).encode()
        with urllib.request.urlopen(FAKE_URL + "/production/v2/addAppointmentBooking", form, timeout=5) as resp:
            self.assertEqual(json.loads(resp.read())["status"], "success")

    # ---- failures ------------------------------------------------------------------------------------------
    def test_revoked_key_is_a_502_and_an_operator_log_line(self):
        control(revoke=True)
        r = self.post("fetchAllStaff", {})
        self.assertEqual((r.status, r.body["error"]["code"]), (502, "emr_error"), r)
        self.assertNotIn("API key", r.body["error"]["message"])  # the caller is not told our internals
        lines = [o for _, o in SERVER.log_lines() if isinstance(o, dict) and o.get("provider") == "nookal"]
        self.assertTrue(lines, "no operator line naming the provider")
        line = lines[-1]
        self.assertEqual(line["tenant"], "nk")
        self.assertIn("provider_settings", line["action"])
        self.assertNotIn(NOOKAL_KEY, SERVER.stderr())

    def test_failure_envelopes_map_to_statuses(self):
        control(fail_status=503)
        r = self.post("fetchAllStaff", {})
        self.assertEqual((r.status, r.body["error"]["code"]), (502, "emr_error"), r)
        self.assertGreaterEqual(calls("getLocations"), 2, "a read is retried after a 5xx")
        control(reset=True)
        control(delay_ms=1500)
        t0 = time.monotonic()
        r = self.post("fetchAllTreatments", {})
        self.assertEqual((r.status, r.body["error"]["code"]), (504, "emr_timeout"), r)
        self.assertLess(time.monotonic() - t0, 1.45)

    def test_rate_limited_nookal(self):
        control(rate_limit=2, retry_after=40)
        r = self.post("fetchAllStaff", {}, tenant="rl")
        self.assertEqual((r.status, r.body["error"]["code"]), (503, "emr_rate_limited"), r)
        self.assertTrue(30 <= int(r.header("retry-after")) <= 40, r.header("retry-after"))

    def test_a_lost_answer_is_found_not_written_twice(self):
        date = next_weekday(sydney())
        best = self.best(requested_time_utc=dt.datetime.combine(date, dt.time(12, 0), sydney()).isoformat())
        control(lose_answer=1)
        first = self.book(best["slot_id"])
        self.assertIn(first.status, (502, 503, 504), first)
        retry = self.book(best["slot_id"])
        self.assertEqual(retry.status, 200, retry)
        self.assertEqual(len(writes("addAppointmentBooking")), 1, "the retry found the committed booking")


if __name__ == "__main__":
    unittest.main(verbosity=2)
