#!/usr/bin/env python3
"""tests/it/test_voice_cliniko_changes.py: scripted voice conversations over GET /voice/patientAppointments,
/voice/cancel and /voice/reschedule with a Cliniko tenant (the fake, whose own records and write log are the
truth). Appointments are booked through GET /voice/book (the front desk's one straight into the fake's API).
Cliniko has no phone search, so a caller is found by the phone said with their name (compared against the numbers
Cliniko holds), or by name alone; a phone alone gets 400 asking the agent for the name. patientAppointments:
the caller's appointments as Cliniko holds them, soonest first, one cancelled at the front desk left out,
nothing for someone else's number. cancel: by appointment_id
(Cliniko's cancel is written once, a second cancel is 409), by phone with one upcoming appointment, and with two
(409 which_appointment listing both, nothing written, then cancel the chosen one by id). reschedule: into a free
time (the same Cliniko appointment now starts at the new time), into a time the front desk took (409, the
appointment untouched in Cliniko). Cliniko failing the cancel (500) is a 502 and the appointment stays booked;
Cliniko slower than the tenant's timeout is a 504 inside the voice deadline, and the agent's retry settles it.
Every `message` is one short sentence (under 30 words, no ISO times, ids, underscores or markdown) whose spoken
times agree with the structured fields."""

import datetime as dt
import os
import re
import sys
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
import test_cliniko as C  # noqa: E402  (the fake's process, control calls and seed data)

SEED = C.SEED
ISO = re.compile(r"\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}|\d{2}:\d{2}:\d{2}")
LONG_NUMBER = re.compile(r"\d{5,}")  # Cliniko ids are 19 digits
MARKDOWN = re.compile(r"[*_#`\[\]{}<>|]")


def setUpModule():
    C.setUpModule()


def tearDownModule():
    C.tearDownModule()


def in_cliniko(appointment_id):
    status, a = C.cliniko_api("GET", "/individual_appointments/" + appointment_id)
    assert status == 200, (status, appointment_id)
    return a


def writes():
    return [(w["method"], w["path"]) for w in C.fake("GET", "/__stats")["writes"]]


def utc(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def caller_with_a_phone():
    """A seeded Cliniko patient with a number in the tenant's country (US): (patient, number as Cliniko has it)."""
    for p in SEED.patients.values():
        for n in p["patient_phone_numbers"]:
            if n["number"].startswith("+1"):
                return p, n["number"]
    raise AssertionError("the fake seeds no patient with a US number")


def said(r):
    """The sentence the agent says: `message`, or `error.message` (all a 504 carries)."""
    return r.body.get("message") or r.body["error"]["message"]


class VoiceClinikoChanges(unittest.TestCase):
    def setUp(self):
        C.control(reset=True, reset_stats=True)
        for k in C.REDIS.command("KEYS", "fd:{cl}:*"):
            C.REDIS.command("DEL", k)
        self.business = C.online_businesses()[0]["id"]
        self.patient, self.phone = caller_with_a_phone()
        self.e164 = "+" + re.sub(r"\D", "", self.phone)  # as the agent passes it on
        self.other = next(p for p in SEED.patients.values() if p["id"] != self.patient["id"])
        self._slots = None

    # ---- the conversation ---------------------------------------------------------------------------------------

    def voice(self, route, **params):
        r = H.request(C.SERVER.port, "GET", "/voice/%s?%s" % (route, urllib.parse.urlencode(params)), None,
                      {"x-api-key": C.KEYS["cl"]}, timeout=20)
        self.assertNotEqual(r.status, 500, r)
        self.assertIsInstance(r.body, dict, r)
        message = said(r)
        self.assertLess(len(message.split()), 30, message)
        for bad in (ISO, LONG_NUMBER, MARKDOWN):
            self.assertIsNone(bad.search(message), message)
        for a in r.body.get("appointments", []) + [r.body[k] for k in ("appointment",) if k in r.body]:
            self.assert_spoken(a)
        return r

    def assert_spoken(self, a):
        """The appointment's start_local and spoken time are its start_at on the clinic's wall clock."""
        local = utc(a["start_at"]).astimezone(SEED.account_zone())
        self.assertEqual(a["start_local"], local.isoformat(), a)
        clock = "%d:%02d %s" % ((local.hour % 12) or 12, local.minute, "AM" if local.hour < 12 else "PM")
        self.assertIn(clock, a["spoken"], a)
        self.assertIn("%s %d" % (local.strftime("%B"), local.day), a["spoken"], a)
        self.assertIn(local.strftime("%A"), a["spoken"], a)

    def caller(self, **extra):
        """The caller as they identify on the phone: their number and their name."""
        return dict(phone=self.e164, first_name=self.patient["first_name"], last_name=self.patient["last_name"],
                    **extra)

    def slots(self):
        if self._slots is None:
            self._slots = C.offered_slots(self.business)
            self.assertGreaterEqual(len(self._slots), 6, "the fake offers too little in that window")
        return self._slots

    def book(self, index):
        slot = self.slots()[index]
        p = self.patient
        r = self.voice("book", slot_id=slot["slot_id"], first_name=p["first_name"], last_name=p["last_name"],
                       email=p["email"], phone=self.phone)
        self.assertEqual(r.status, 200, r)
        a = r.body["appointment"]
        self.assertEqual((a["start_at"], a["patient_id"]), (slot["start_at"], p["id"]), r)
        return a

    def assert_booked_in_cliniko(self, a, cancelled=False):
        """Cliniko holds the appointment at a's time, cancelled or not."""
        held = in_cliniko(a["id"])
        self.assertEqual((utc(held["starts_at"]), utc(held["ends_at"])), (utc(a["start_at"]), utc(a["end_at"])),
                         held)
        self.assertEqual(held["cancelled_at"] is not None, cancelled, held)
        return held

    def upcoming_in_cliniko(self):
        """The caller's not-cancelled appointments as Cliniko lists them, soonest first."""
        status, page = C.cliniko_api("GET", "/individual_appointments?per_page=100&" + urllib.parse.urlencode(
            {"q[]": "patient_id:=" + self.patient["id"]}))
        self.assertEqual(status, 200)
        return [a for a in sorted(page["individual_appointments"], key=lambda a: utc(a["starts_at"]))
                if a["cancelled_at"] is None]

    # ---- patientAppointments ------------------------------------------------------------------------------------

    def assert_read_out(self, r, expected):
        """r answers the Cliniko appointments `expected` (soonest first), each said in the message."""
        self.assertEqual(r.status, 200, r)
        got = r.body["appointments"]
        self.assertEqual([(a["id"], utc(a["start_at"])) for a in got],
                         [(a["id"], utc(a["starts_at"])) for a in expected])
        message = r.body["message"]
        self.assertTrue(message.startswith("You have %d upcoming appointment" % len(expected)), message)
        for a in got:
            self.assertIn("%s with %s" % (a["spoken"], a["staff_member_name"]), message)

    def test_patient_appointments_by_phone_with_name_and_by_name(self):
        later, sooner = self.book(4), self.book(1)
        self.assertLess(utc(sooner["start_at"]), utc(later["start_at"]))
        expected = self.upcoming_in_cliniko()
        self.assertEqual([a["id"] for a in expected], [sooner["id"], later["id"]])
        self.assert_read_out(self.voice("patientAppointments", **self.caller()), expected)
        self.assert_read_out(self.voice("patientAppointments", phone=self.phone, first_name=self.patient["first_name"],
                                        last_name=self.patient["last_name"]), expected)
        self.assert_read_out(self.voice("patientAppointments", first_name=self.patient["first_name"].upper(),
                                        last_name=self.patient["last_name"]), expected)
        # The front desk cancels the sooner one in Cliniko: it is no longer read out.
        status, _ = C.cliniko_api("PATCH", "/individual_appointments/%s/cancel" % sooner["id"],
                                  {"cancellation_reason": 50})
        self.assertEqual(status, 204)
        self.assert_read_out(self.voice("patientAppointments", **self.caller()), self.upcoming_in_cliniko())
        self.assertEqual([a["id"] for a in self.upcoming_in_cliniko()], [later["id"]])
        # The right name with someone else's number finds nothing.
        r = self.voice("patientAppointments", **dict(self.caller(), phone="(212) 555-0199"))
        self.assertEqual((r.status, r.body["appointments"]), (200, []), r)
        self.assertIn("couldn't find", r.body["message"])
        # Listing writes nothing to Cliniko.
        creates = [("POST", "/v1/individual_appointments")] * 2
        self.assertEqual(writes(), creates + [("PATCH", "/v1/individual_appointments/%s/cancel" % sooner["id"])])

    def test_a_phone_alone_asks_for_the_name(self):
        # Cliniko cannot search by phone: rather than "no appointments" (false) or a guess, the agent is told to
        # ask the caller's name, and nothing reaches Cliniko's write side.
        a = self.book(2)
        for route, extra in (("patientAppointments", {}), ("cancel", {}),
                             ("reschedule", {"new_start_at": a["start_at"]})):
            r = self.voice(route, phone=self.e164, **extra)
            self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]),
                             (400, "missing_field", "last_name"), r)
            self.assertIn("name", r.body["error"]["message"])
        self.assertEqual(writes(), [("POST", "/v1/individual_appointments")])
        self.assertEqual([x["id"] for x in self.upcoming_in_cliniko()], [a["id"]])

    # ---- cancel -------------------------------------------------------------------------------------------------

    def assert_cancelled_answer(self, r, a):
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.body["cancelled"], r.body["appointment"]["id"], r.body["appointment"]["state"]),
                         (True, a["id"], "cancelled"), r)
        self.assertEqual(r.body["appointment"]["start_at"], a["start_at"])
        self.assertEqual(r.body["message"], "Your appointment %s with %s is cancelled." % (
            a["spoken"], a["staff_member_name"]))

    def test_cancel_by_appointment_id(self):
        a = self.book(0)
        r = self.voice("cancel", appointment_id=a["id"], cancelled_reason="feeling better")
        self.assert_cancelled_answer(r, a)
        held = self.assert_booked_in_cliniko(a, cancelled=True)
        self.assertEqual(held["cancellation_note"], "feeling better")
        cancel = ("PATCH", "/v1/individual_appointments/%s/cancel" % a["id"])
        self.assertEqual(writes().count(cancel), 1, writes())
        again = self.voice("cancel", appointment_id=a["id"])
        self.assertEqual((again.status, again.body["error"]["code"]), (409, "already_cancelled"), again)
        self.assertIn("already cancelled", again.body["message"])
        self.assertEqual(writes().count(cancel), 1, "a second cancel must not reach Cliniko")

    def test_cancel_by_phone_with_one_upcoming(self):
        a = self.book(2)
        r = self.voice("cancel", **self.caller())
        self.assert_cancelled_answer(r, a)
        self.assert_booked_in_cliniko(a, cancelled=True)
        self.assertEqual(writes(), [("POST", "/v1/individual_appointments"),
                                    ("PATCH", "/v1/individual_appointments/%s/cancel" % a["id"])])
        r = self.voice("cancel", **self.caller())
        self.assertEqual((r.status, r.body["error"]["code"]), (404, "not_found"), r)
        self.assertIn("couldn't find", r.body["message"])

    def test_cancel_by_phone_with_two_upcoming_asks_which(self):
        later, sooner = self.book(5), self.book(0)
        r = self.voice("cancel", **self.caller())
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]),
                         (409, "which_appointment", "appointment_id"), r)
        self.assertEqual([x["id"] for x in r.body["appointments"]], [sooner["id"], later["id"]])
        message = r.body["message"]
        self.assertTrue(message.startswith("Which appointment"), message)
        for x in (sooner, later):
            self.assertIn("%s with %s" % (x["spoken"], x["staff_member_name"]), message)
            self.assert_booked_in_cliniko(x)
        self.assertEqual(writes(), [("POST", "/v1/individual_appointments")] * 2, "asking must not cancel anything")
        # The caller picks the later one.
        r = self.voice("cancel", appointment_id=later["id"])
        self.assert_cancelled_answer(r, later)
        self.assert_booked_in_cliniko(later, cancelled=True)
        self.assert_booked_in_cliniko(sooner)
        self.assertEqual([a["id"] for a in self.upcoming_in_cliniko()], [sooner["id"]])
        self.assert_read_out(self.voice("patientAppointments", **self.caller()), self.upcoming_in_cliniko())
        self.assertEqual([w for w in writes() if w[0] != "POST"],
                         [("PATCH", "/v1/individual_appointments/%s/cancel" % later["id"])])

    # ---- reschedule ---------------------------------------------------------------------------------------------

    def test_reschedule_into_a_free_time(self):
        a = self.book(0)
        new = self.slots()[3]
        r = self.voice("reschedule", appointment_id=a["id"], new_start_at=new["start_local"][:19])
        self.assertEqual((r.status, r.body["rescheduled"]), (200, True), r)
        moved = r.body["appointment"]
        self.assertEqual((moved["id"], moved["start_at"], moved["staff_member_id"], moved["state"]),
                         (a["id"], new["start_at"], a["staff_member_id"], "booked"), r)
        self.assertEqual(r.body["message"], "You're now booked for %s with %s." % (moved["spoken"],
                                                                                   moved["staff_member_name"]))
        self.assertNotEqual(moved["spoken"], a["spoken"])
        # Cliniko holds the same appointment at the new time, for the treatment's length.
        held = in_cliniko(a["id"])
        duration = SEED.types[a["treatment_id"]]["duration_in_minutes"]
        self.assertEqual((utc(held["starts_at"]), utc(held["ends_at"]) - utc(held["starts_at"]), held["cancelled_at"]),
                         (utc(new["start_at"]), dt.timedelta(minutes=duration), None), held)
        self.assertEqual([x["id"] for x in self.upcoming_in_cliniko()], [a["id"]])
        self.assertEqual(writes(), [("POST", "/v1/individual_appointments"),
                                    ("PATCH", "/v1/individual_appointments/%s" % a["id"])])
        self.assert_read_out(self.voice("patientAppointments", **self.caller()), self.upcoming_in_cliniko())

    def test_reschedule_into_a_taken_time_keeps_the_original(self):
        a = self.book(0)
        taken = self.slots()[2]
        # The front desk books someone else at that time straight into Cliniko.
        status, theirs = C.cliniko_api("POST", "/individual_appointments", {
            "starts_at": taken["start_at"].replace(".000Z", "Z"), "ends_at": taken["end_at"].replace(".000Z", "Z"),
            "patient_id": self.other["id"], "practitioner_id": taken["staff_member_id"],
            "appointment_type_id": taken["treatment_id"], "business_id": self.business})
        self.assertEqual(status, 201)
        r = self.voice("reschedule", **self.caller(new_start_at=taken["start_local"][:19]))
        self.assertEqual(r.status, 409, r)
        self.assertIn(r.body["error"]["code"], ("slot_taken", "slot_unavailable"), r)
        self.assertIs(r.body["rescheduled"], False)
        kept = r.body["appointment"]
        self.assertEqual((kept["id"], kept["start_at"]), (a["id"], a["start_at"]))
        self.assertIn(a["spoken"], r.body["message"])
        self.assertIn("isn't free", r.body["message"])
        self.assertLess(len(r.body["message"].split()), 30, "a sentence an agent can say in one breath")
        if r.body["alternatives"]:  # the nearest free time is always said, in a shorter form when it must be
            self.assertIn(r.body["alternatives"][0]["spoken"], r.body["message"])
        self.assert_booked_in_cliniko(a)
        self.assertEqual(utc(in_cliniko(theirs["id"])["starts_at"]), utc(taken["start_at"]))
        self.assertEqual(writes(), [("POST", "/v1/individual_appointments")] * 2, "nothing moved in Cliniko")

    # ---- Cliniko failing ----------------------------------------------------------------------------------------

    def test_cancel_when_cliniko_fails(self):
        a = self.book(1)
        C.control(fail_status=500, fail_path="/cancel")
        r = self.voice("cancel", appointment_id=a["id"])
        self.assertEqual((r.status, r.body["error"]["code"]), (502, "emr_error"), r)
        self.assertIn("try again", r.body["message"])
        self.assert_booked_in_cliniko(a)
        self.assertEqual([x["id"] for x in self.upcoming_in_cliniko()], [a["id"]])
        self.assertEqual(writes(), [("POST", "/v1/individual_appointments")])
        # Cliniko recovers: the caller's cancel goes through.
        C.control(fail_status=0)
        self.assert_cancelled_answer(self.voice("cancel", appointment_id=a["id"]), a)
        self.assert_booked_in_cliniko(a, cancelled=True)

    def test_cancel_when_cliniko_is_slower_than_the_timeout(self):
        a = self.book(1)
        C.control(delay_ms=1500)  # slower than the tenant's 1 s timeout
        started = time.monotonic()
        r = self.voice("cancel", appointment_id=a["id"])
        took = time.monotonic() - started
        self.assertEqual((r.status, r.body["error"]["code"]), (504, "emr_timeout"), r)
        self.assertLess(took, 2.0, "answered inside the voice deadline")
        self.assertIn("ask me again", said(r))
        self.assertNotIn("cancelled", said(r), "it must not claim the cancel happened")
        C.control(delay_ms=0)
        time.sleep(1.0)  # the fake finishes the slow write, as Cliniko would
        # The agent asks again: the caller hears it is cancelled, as Cliniko now holds it.
        self.assert_cancelled_answer(self.voice("cancel", appointment_id=a["id"]), a)
        self.assert_booked_in_cliniko(a, cancelled=True)
        self.assertEqual(self.upcoming_in_cliniko(), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
