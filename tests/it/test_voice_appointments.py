#!/usr/bin/env python3
"""tests/it/test_voice_appointments.py: GET /voice/patientAppointments on the sandbox: a caller who booked two
appointments (through the /ai_brain routes) hears both, soonest first, found by phone said as a national number
or by first and last name; a cancelled one is not read out; an unknown caller and bad input get clear answers."""

import os
import re
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

KEY = "it-voice-appts-key-3c5e"
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
    SERVER = H.Frontdesk({"tenants": [{"id": "va", "api_key_sha256": H.sha256_hex(KEY), "country": "AU",
                                       "locale": "en-AU", "rate_limit": {"per_second": 1000, "burst": 2000}}],
                          "slot_secret": "it-voice-appts-secret-12"}, REDIS).start()
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


if __name__ == "__main__":
    unittest.main(verbosity=2)
