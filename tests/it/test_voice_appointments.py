#!/usr/bin/env python3
"""tests/it/test_voice_appointments.py: GET /voice/patientAppointments, /voice/cancel and /voice/reschedule on the
sandbox. patientAppointments: a caller who booked two appointments (through the /ai_brain routes) hears both,
soonest first, found by phone said as a national number or by first and last name; a cancelled one is not read out;
an unknown caller and bad input get clear answers. cancel: a caller with two upcoming appointments cancelling by
phone is asked which (409 which_appointment listing them), then cancels by appointment_id; a family sharing one
phone narrows by name; the last one is cancelled by phone alone; unknown ids are 404. reschedule: into a free time
(the old time is free again), into a taken one (409, the original kept and said). Every answer's message is one
short sentence without ISO times, ids or markdown."""

import datetime as dt
import os
import re
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

KEY = "it-voice-appts-key-3c5e"
CHANGE_KEY = "it-voice-change-key-81aa"
FAMILY_PHONE = "+61491570999"
CALLER = {"first_name": "Maeve", "last_name": "Caller", "phone": "+61491570456"}
REDIS = SERVER = None
BOOKED = []


def post(route, body):
    r = SERVER.post("/ai_brain/" + route, body, key=KEY)
    assert r.status in (200, 201), r
    return r.body


def setUpModule():
    global REDIS, SERVER
    clinic = H.demo_clinic()
    REDIS = H.Redis().start()
    family = dict(clinic)
    family["patients"] = clinic["patients"] + [
        {"id": "pt-ana-family", "first_name": "Ana", "last_name": "Family", "phone": FAMILY_PHONE},
        {"id": "pt-ben-family", "first_name": "Ben", "last_name": "Family", "phone": FAMILY_PHONE}]
    change = {"id": "vc", "api_key_sha256": H.sha256_hex(CHANGE_KEY), "country": "AU", "locale": "en-AU",
              "time_zone": "Australia/Sydney", "provider": "sandbox",
              "provider_settings": {"clinic_file": "family_clinic.json"},
              "rate_limit": {"per_second": 1000, "burst": 2000}}
    SERVER = H.Frontdesk({"tenants": [{"id": "va", "api_key_sha256": H.sha256_hex(KEY), "country": "AU",
                                       "locale": "en-AU", "rate_limit": {"per_second": 1000, "burst": 2000}},
                                      change],
                          "slot_secret": "it-voice-appts-secret-12"}, REDIS,
                         files={"family_clinic.json": family}).start()
    patient = post("lookup-create-patient", CALLER)["patient"]["id"]
    p = next(p for p in clinic["practitioners"] if p.get("ai_enabled", True) and p.get("treatment_ids"))
    slots = post("fetchAvailabilityNext7Days", {"staff_member_id": p["id"], "treatment_id": p["treatment_ids"][0]})[
        "slots"]
    days = {}
    for s in slots:
        days.setdefault(s["start_local"][:10], s)
    chosen = sorted(days.values(), key=lambda s: s["start_at"])[:3]
    assert len(chosen) == 3, "the demo clinic should offer three days"
    for s in chosen:
        hold = post("createAppt", {"patient_id": patient, "slot_id": s["slot_id"]})["appointment"]
        BOOKED.append(post("bookAppt", {"appointment_id": hold["id"]})["appointment"])
    post("cancelAppt", {"appointment_id": BOOKED[2]["id"]})


def tearDownModule():
    H.shut_down(SERVER, REDIS)


class PatientAppointments(unittest.TestCase):
    def ask(self, **params):
        r = SERVER.get("/voice/patientAppointments?" + urllib.parse.urlencode(params), key=KEY)
        self.assertNotEqual(r.status, 500, r)
        return r

    def check(self, r):
        self.assertEqual(r.status, 200, r)
        got = r.body["appointments"]
        self.assertEqual([a["id"] for a in got], [a["id"] for a in BOOKED[:2]], "booked ones, soonest first")
        message = r.body["message"]
        self.assertTrue(message.startswith("You have 2 upcoming appointments"), message)
        for a in got:
            self.assertIn(a["spoken"], message)
            self.assertIn(a["staff_member_name"], message)
        self.assertIsNone(re.search(r"\d{4}-\d{2}-\d{2}|sb-appt|pt-", message), message)

    def test_by_phone_said_as_a_national_number(self):
        national = "0" + CALLER["phone"][3:]
        self.check(self.ask(phone=national))
        self.check(self.ask(phone=CALLER["phone"]))

    def test_by_names(self):
        self.check(self.ask(first_name=CALLER["first_name"], last_name=CALLER["last_name"]))

    def test_unknown_caller(self):
        r = self.ask(phone="0400 000 000")
        self.assertEqual((r.status, r.body["appointments"]), (200, []), r)
        self.assertIn("couldn't find", r.body["message"])

    def test_bad_input(self):
        r = self.ask(first_name="Maeve")
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]), (400, "missing_field",
                                                                                         "last_name"), r)
        r = self.ask()
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]), (400, "missing_field",
                                                                                         "phone"), r)
        r = self.ask(phone="call me maybe")
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]), (400, "invalid_field",
                                                                                         "phone"), r)


# ---- cancel and reschedule ----------------------------------------------------------------------------------------

ISO = re.compile(r"\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}|\d{2}:\d{2}:\d{2}")
IDS = re.compile(r"sb-appt|pt-|pr-|tx-|loc-|hold_|bk-\d")
_phones = [0]


def new_phone():
    _phones[0] += 1
    return "+614915712%02d" % _phones[0]


class Change(unittest.TestCase):
    _used = set()

    def voice(self, route, **params):
        r = SERVER.get("/voice/" + route + "?" + urllib.parse.urlencode(params), key=CHANGE_KEY)
        self.assertNotEqual(r.status, 500, r)
        message = r.body.get("message") or r.body["error"]["message"]
        self.assertLess(len(message.split()), 30, message)
        self.assertIsNone(ISO.search(message), message)
        self.assertIsNone(IDS.search(message), message)
        self.assertIsNone(re.search(r"[*_#`\[\]{}<>|]", message), message)
        return r

    def slot(self, staff="pr-zoe-martin", treatment="tx-followup-physio", day_apart=True):
        """A free slot of staff at least an hour away from every slot these tests used."""
        r = SERVER.post("/ai_brain/fetchAvailabilityNext7Days", {"staff_member_id": staff, "treatment_id": treatment,
                                                                 "locationId": "loc-sydney"}, key=CHANGE_KEY)
        self.assertEqual(r.status, 200, r)
        for s in r.body["slots"]:
            t = dt.datetime.strptime(s["start_at"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
            if all(abs(t - u) >= 3600 for (p, u) in Change._used if p == staff):
                Change._used.add((staff, t))
                return s
        self.skipTest("no free slot left")

    def book(self, phone, first="Cal", last="Caller", slot=None):
        slot = slot or self.slot()
        r = self.voice("book", first_name=first, last_name=last, phone=phone, slot_id=slot["slot_id"])
        self.assertEqual(r.status, 200, r)
        return r.body["appointment"]

    def upcoming(self, phone):
        r = self.voice("patientAppointments", phone=phone)
        self.assertEqual(r.status, 200, r)
        return r.body["appointments"]

    def test_two_upcoming_ask_which_then_cancel_by_id(self):
        phone = new_phone()
        a, b = sorted([self.book(phone), self.book(phone)], key=lambda x: x["start_at"])
        r = self.voice("cancel", phone=phone)
        self.assertEqual((r.status, r.body["error"]["code"]), (409, "which_appointment"), r)
        listed = r.body["appointments"]
        self.assertEqual([x["id"] for x in listed], [a["id"], b["id"]])
        for x in listed:
            self.assertIn(x["spoken"], r.body["message"])
            self.assertIn(x["staff_member_name"], r.body["message"])
        r = self.voice("cancel", appointment_id=a["id"], cancelled_reason="feeling better")
        self.assertEqual((r.status, r.body["cancelled"], r.body["appointment"]["state"]), (200, True, "cancelled"), r)
        self.assertIn(a["spoken"], r.body["message"])
        self.assertEqual([x["id"] for x in self.upcoming(phone)], [b["id"]])
        r = self.voice("cancel", appointment_id=a["id"])
        self.assertEqual((r.status, r.body["error"]["code"]), (409, "already_cancelled"), r)
        # one left: cancelling by phone alone cancels it
        r = self.voice("cancel", phone="0" + phone[3:])
        self.assertEqual((r.status, r.body["appointment"]["id"]), (200, b["id"]), r)
        r = self.voice("cancel", phone=phone)
        self.assertEqual((r.status, r.body["error"]["code"]), (404, "not_found"), r)
        self.assertIn("couldn't find", r.body["message"])

    def test_family_phone_narrowed_by_name(self):
        ana = self.book(FAMILY_PHONE, "Ana", "Family")
        ben = self.book(FAMILY_PHONE, "Ben", "Family")
        self.assertNotEqual(ana["patient_id"], ben["patient_id"])
        r = self.voice("cancel", phone=FAMILY_PHONE)
        self.assertEqual((r.status, r.body["error"]["code"]), (409, "which_appointment"), r)
        r = self.voice("cancel", phone=FAMILY_PHONE, first_name="bén", last_name="FAMILY")
        self.assertEqual((r.status, r.body["appointment"]["id"]), (200, ben["id"]), r)
        self.assertEqual([x["id"] for x in self.upcoming(FAMILY_PHONE)], [ana["id"]])
        r = self.voice("cancel", phone=FAMILY_PHONE, first_name="Cara", last_name="Family")
        self.assertEqual((r.status, r.body["error"]["code"]), (404, "not_found"), r)

    def test_reschedule_into_a_free_time(self):
        phone = new_phone()
        old_slot = self.slot()
        a = self.book(phone, slot=old_slot)
        new = self.slot()
        r = self.voice("reschedule", appointment_id=a["id"], new_start_at=new["start_local"][:19])
        self.assertEqual((r.status, r.body["rescheduled"]), (200, True), r)
        moved = r.body["appointment"]
        self.assertEqual((moved["start_at"], moved["staff_member_id"]), (new["start_at"], a["staff_member_id"]))
        self.assertIn(moved["spoken"], r.body["message"])
        self.assertEqual([(x["start_at"]) for x in self.upcoming(phone)], [new["start_at"]])
        free = SERVER.post("/ai_brain/fetchAvailabilityNext7Days", {"staff_member_id": "pr-zoe-martin",
                                                                    "treatment_id": "tx-followup-physio",
                                                                    "locationId": "loc-sydney"}, key=CHANGE_KEY)
        self.assertIn(old_slot["start_at"], [s["start_at"] for s in free.body["slots"]], "the old time is free again")

    def test_reschedule_into_a_taken_time_keeps_the_original(self):
        mine, theirs = new_phone(), new_phone()
        a = self.book(mine)
        b = self.book(theirs, "Other", "Person")
        r = self.voice("reschedule", phone=mine, new_start_at=b["start_at"])
        self.assertEqual(r.status, 409, r)
        self.assertIn(r.body["error"]["code"], ("slot_taken", "slot_unavailable"))
        self.assertIn(a["spoken"], r.body["message"])
        self.assertEqual([(x["id"], x["start_at"]) for x in self.upcoming(mine)], [(a["id"], a["start_at"])])
        self.assertEqual([x["id"] for x in self.upcoming(theirs)], [b["id"]])
        # The nearest free times around the one asked for are offered, said in the message, and really free.
        alts = r.body["alternatives"]
        self.assertTrue(1 <= len(alts) <= 2, r.body)
        self.assertIn(alts[0]["spoken"], r.body["message"])
        self.assertLess(len(r.body["message"].split()), 30, "a sentence an agent can say in one breath")
        for alt in alts:
            self.assertTrue(alt["slot_id"], alt)
            self.assertNotEqual((alt["staff_member_id"], alt["start_at"]), (b["staff_member_id"], b["start_at"]))
        moved = self.voice("reschedule", appointment_id=a["id"], new_start_at=alts[0]["start_at"],
                           staff_member_id=alts[0]["staff_member_id"])
        self.assertEqual((moved.status, moved.body["appointment"]["start_at"]), (200, alts[0]["start_at"]), moved)

    def test_errors(self):
        r = self.voice("cancel", appointment_id="sb-appt-424242")
        self.assertEqual((r.status, r.body["error"]["code"]), (404, "not_found"), r)
        r = self.voice("reschedule", appointment_id="sb-appt-424242", new_start_at="2030-01-01T10:00:00")
        self.assertEqual((r.status, r.body["error"]["code"]), (404, "not_found"), r)
        r = self.voice("cancel")
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]),
                         (400, "missing_field", "appointment_id"), r)
        r = self.voice("reschedule", appointment_id="sb-appt-1")
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]),
                         (400, "missing_field", "new_start_at"), r)
        r = self.voice("cancel", phone="not a phone")
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]), (400, "invalid_field",
                                                                                         "phone"), r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
