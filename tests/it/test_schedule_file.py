#!/usr/bin/env python3
"""tests/it/test_schedule_file.py: clinics whose EMR Frontdesk cannot read or write (SimplePractice, TherapyNotes,
PtEverywhere, PromptEMR) served from a schedule the clinic keeps in the sandbox clinic file format (provider
"schedule", tenant field "emr" naming the real EMR): the catalog and the openings are the file's, in the
location's DST zone, the file's own bookings are not offered, the caller's details are kept as Frontdesk's own
patient record, a booking becomes a booking request (never an appointment in the EMR),
and bad settings are refused at start with their JSON path. Expectations come from avail_support.ClinicModel."""

import datetime as dt
import os
import sys
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
import avail_support as A  # noqa: E402
import clock  # noqa: E402

ZONE = "America/New_York"
WEEK = [{"days": list(A.WEEKDAYS), "intervals": [{"start": "00:00", "end": "24:00"}]}]
SCHEDULE = {
    "clinic": {"name": "Maple Counselling", "country": "US", "locale": "en-US"},
    "locations": [{"id": "loc-main", "name": "Maple Counselling Brooklyn", "time_zone": ZONE,
                   "address": {"line1": "1 Court St", "city": "Brooklyn", "country": "US"}}],
    "practitioners": [
        {"id": "pr-rosa-diaz", "first_name": "Rosa", "last_name": "Diaz", "title": "Dr",
         "schedules": [{"location_id": "loc-main", "weekly": WEEK}]},
    ],
    "treatments": [
        {"id": "tx-intake", "name": "Intake Session", "duration_minutes": 60,
         "price": {"amount": 150, "currency": "USD"}, "practitioner_ids": ["pr-rosa-diaz"]},
    ],
    "policy": {"min_notice_minutes": 0, "max_days_ahead": 366, "slot_step_minutes": 60},
}
EMRS = ("simplepractice", "therapynotes", "pteverywhere", "promptemr")
KEYS = {emr: "it-schedule-%s-key-2f8c" % emr for emr in EMRS}
REDIS = SERVER = None


def booked_start():
    """A booking kept in the file, three days ahead at 10:00 local (so that time is not offered)."""
    from zoneinfo import ZoneInfo
    day = clock.today(ZoneInfo(ZONE)) + dt.timedelta(days=3)
    return day, dt.datetime.combine(day, dt.time(10, 0), ZoneInfo(ZONE))


def clinic_file():
    day, at = booked_start()
    return dict(SCHEDULE, bookings=[{"practitioner_id": "pr-rosa-diaz", "treatment_id": "tx-intake",
                                     "location_id": "loc-main", "start": at.isoformat()}])


def tenant(emr, **settings):
    return {"id": emr, "api_key_sha256": H.sha256_hex(KEYS[emr]), "provider": "schedule", "emr": emr,
            "country": "US", "time_zone": ZONE,
            "provider_settings": dict({"schedule_file": "schedule.json"}, **settings),
            "rate_limit": {"per_second": 1000, "burst": 2000}}


def setUpModule():
    global REDIS, SERVER
    REDIS = H.Redis().start()
    SERVER = H.Frontdesk({"tenants": [tenant(e) for e in EMRS], "slot_secret": "it-schedule-slot-secret-51aa"},
                         REDIS, workers=2, files={"schedule.json": clinic_file()}).start()


def tearDownModule():
    H.shut_down(SERVER, REDIS)


class ScheduleFileTest(unittest.TestCase):
    def post(self, route, body, emr="simplepractice"):
        r = SERVER.post("/ai_brain/" + route, body, key=KEYS[emr])
        self.assertNotEqual(r.status, 500, r)
        return r

    def voice(self, route, params, emr="simplepractice"):
        r = SERVER.get("/voice/%s?%s" % (route, urllib.parse.urlencode(params)), key=KEYS[emr], timeout=20)
        self.assertNotEqual(r.status, 500, r)
        return r

    def day(self, date, emr="simplepractice"):
        r = self.post("fetchAvailabilityForRange", {
            "staff_member_id": "pr-rosa-diaz", "treatment_id": "tx-intake", "locationId": "loc-main",
            "start_at": date.isoformat() + "T00:00:00",
            "end_at": (date + dt.timedelta(days=1)).isoformat() + "T00:00:00"}, emr)
        self.assertEqual(r.status, 200, r)
        return r.body["slots"]

    def test_every_emr_label_serves_the_files_catalog(self):
        for emr in EMRS:
            staff = self.post("fetchAllStaff", {}, emr).body["staff"]
            self.assertEqual([(s["id"], s["name"]) for s in staff], [("pr-rosa-diaz", "Dr Rosa Diaz")], emr)
            t = self.post("fetchAllTreatments", {}, emr).body["treatments"]
            self.assertEqual([(x["id"], x["duration_minutes"]) for x in t], [("tx-intake", 60)], emr)

    def test_openings_are_the_files_hours_across_dst(self):
        model = A.ClinicModel(clinic_file())
        for date, minutes in A.next_dst_changes(ZONE, 2):
            starts = [A.parse_utc(s["start_at"]) for s in self.day(date)]
            expected = [s for s, _ in model.day_slots("pr-rosa-diaz", "tx-intake", "loc-main", date)
                        if s >= clock.now_ms()]
            self.assertEqual(starts, expected, "%s (%+d min)" % (date, minutes))
            self.assertEqual(len(expected), 23 if minutes > 0 else 25)  # the repeated hour twice, the skipped never

    def test_the_files_bookings_are_not_offered(self):
        day, at = booked_start()
        starts = [A.parse_utc(s["start_at"]) for s in self.day(day, "therapynotes")]
        self.assertNotIn(int(at.timestamp() * 1000), starts)
        self.assertIn(int(at.timestamp() * 1000) + 3600 * 1000, starts)

    def test_a_booking_becomes_a_request_and_nothing_is_written(self):
        day, _ = booked_start()
        slot = self.day(day + dt.timedelta(days=1), "pteverywhere")[0]
        p = self.post("lookup-create-patient", {"first_name": "Ana", "last_name": "Ruiz", "phone": "+12125550143"},
                      "pteverywhere")
        self.assertEqual(p.status, 201, p)
        pid = p.body["patient"]["id"]
        hold = self.post("createAppt", {"patient_id": pid, "slot_id": slot["slot_id"]}, "pteverywhere")
        self.assertEqual(hold.status, 201, hold)
        b = self.post("bookAppt", {"appointment_id": hold.body["appointment"]["id"]}, "pteverywhere")
        self.assertEqual((b.status, b.body["appointment"]["state"]), (200, "requested"), b)
        theirs = self.day(day + dt.timedelta(days=1), "promptemr")[0]  # slot ids are the tenant's own
        v = self.voice("book", {"slot_id": theirs["slot_id"], "first_name": "Ana", "last_name": "Ruiz",
                                "phone": "+12125550143"}, "promptemr")
        self.assertEqual((v.status, v.body["booked"], v.body["requested"]), (200, False, True), v)
        self.assertIn("requested", v.body["message"], v)
        listed = self.post("fetchPatientsAppointments", {"patient_id": pid}, "pteverywhere")
        self.assertEqual(listed.status, 200, listed)
        self.assertEqual([a for a in listed.body["appointments"] if a["state"] == "booked"], [])

    def test_bad_settings_are_refused_at_start_with_their_path(self):
        cases = ((tenant("simplepractice", schedule_file="missing.json"), "tenants[0].provider_settings.schedule_file"),
                 (dict(tenant("simplepractice"), provider_settings={}), "tenants[0].provider_settings.schedule_file"),
                 (tenant("simplepractice", clinic_file="schedule.json"), "tenants[0].provider_settings.clinic_file"),
                 (dict(tenant("simplepractice"), emr="athenahealth"), "tenants[0].emr"))
        for bad, path in cases:
            server = H.Frontdesk({"tenants": [bad], "slot_secret": "it-schedule-slot-secret-51aa"}, REDIS, workers=1,
                                 files={"schedule.json": clinic_file()})
            try:
                with self.assertRaises(RuntimeError) as refused:
                    server.start(timeout=5)
                self.assertIn(path, str(refused.exception))
            finally:
                server.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
