#!/usr/bin/env python3
"""tests/it/test_voice_bestslot_cliniko.py: GET /voice/bestSlot conversations with a Cliniko tenant, against the
fake (openings on weekdays from 9:00 to 17:00 in the account's zone, US Eastern, on a grid of the treatment's
length, minus its appointments): a practitioner's name said with a typo and the zone said as "eastern"; a time
asked for in the caller's own words and zone; two practitioners sharing a surname (422 ambiguous_name listing
both, then the one the caller picks); and booking what was offered through /voice/book, after which the same
question, asked at once, no longer offers it. Expectations come from the fake's seed data and rules."""

import datetime as dt
import os
import re
import sys
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
import test_cliniko as C  # noqa: E402  (the fake's process, control calls and seed data)
import clock  # noqa: E402

SEED = C.SEED
ZONE = SEED.account_zone()
ISO = re.compile(r"\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}")


def setUpModule():
    C.setUpModule()


def tearDownModule():
    C.tearDownModule()


def utc(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def practitioner(last_name):
    return next(p for p in SEED.practitioners.values() if p["last_name"] == last_name)


def treatment(name):
    return next(t for t in SEED.types.values() if t["name"] == name)


def first_opening(minutes, after):
    """The fake's first opening of a treatment lasting `minutes` starting after `after` (UTC)."""
    day = after.astimezone(ZONE).date()
    while True:
        if day.weekday() < 5:
            s = dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZONE)
            while s + dt.timedelta(minutes=minutes) <= dt.datetime(day.year, day.month, day.day, 17, 0, tzinfo=ZONE):
                if s > after:
                    return s.astimezone(dt.timezone.utc)
                s += dt.timedelta(minutes=minutes)
        day += dt.timedelta(days=1)


def weekday_ahead(days):
    """A weekday at least `days` local days from today in the account's zone."""
    d = clock.now(ZONE).date() + dt.timedelta(days=days)
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d


class BestSlotCliniko(unittest.TestCase):
    def setUp(self):
        C.control(reset=True, reset_stats=True)
        for k in C.REDIS.command("KEYS", "fd:{cl}:*"):
            C.REDIS.command("DEL", k)

    def best(self, **params):
        r = H.request(C.SERVER.port, "GET", "/voice/bestSlot?" + urllib.parse.urlencode(params), None,
                      {"x-api-key": C.KEYS["cl"]}, timeout=20)
        self.assertNotEqual(r.status, 500, r)
        message = r.body.get("message") or r.body["error"]["message"]
        self.assertLess(len(message.split()), 30, message)
        self.assertIsNone(ISO.search(message), message)
        self.assertIsNone(re.search(r"\d{6,}", message), message)  # no Cliniko ids
        return r

    def assert_local(self, slot):
        """start_local and spoken are start_at on the account's wall clock."""
        local = utc(slot["start_at"]).astimezone(ZONE)
        self.assertEqual(slot["start_local"], local.isoformat(), slot)
        clock = "%d:%02d %s" % ((local.hour % 12) or 12, local.minute, "AM" if local.hour < 12 else "PM")
        self.assertIn(clock, slot["spoken"], slot)

    def test_a_typo_in_the_practitioner_and_a_spoken_zone(self):
        # Both give the initial consultation at the same times: each name, said with a typo, gets its own.
        initial = treatment("Initial Consultation")
        for said, last_name, full in (("Dr Randi Savage", "Savage", "Randy Savage"),
                                      ("Sarrah Lee", "Lee", "Sarah Lee")):
            before = clock.now(dt.timezone.utc)
            r = self.best(treatment_name="initial consult", staff_member_name=said, time_zone="eastern")
            self.assertEqual(r.status, 200, r)
            self.assertIs(r.body["available"], True, r)
            slot = r.body["slot"]
            self.assertEqual((slot["staff_member_id"], slot["treatment_id"]),
                             (practitioner(last_name)["id"], initial["id"]), r.body)
            self.assertEqual(utc(r.body["start_at"]), first_opening(initial["duration_in_minutes"], before))
            self.assertEqual(utc(slot["end_at"]) - utc(slot["start_at"]),
                             dt.timedelta(minutes=initial["duration_in_minutes"]))
            self.assert_local(slot)
            self.assertIn(full, r.body["message"])
            self.assertIn(r.body["spoken"], r.body["message"])
            for alt in r.body["alternatives"]:
                self.assert_local(alt)

    def test_a_time_asked_for_in_the_callers_words(self):
        day = weekday_ahead(2)
        r = self.best(treatment_name="initial consultation", time_zone="Eastern Time",
                      requested_time_utc="%sT10:00:00" % day.isoformat())  # no offset: read in the caller's zone
        self.assertEqual(r.status, 200, r)
        want = dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=ZONE)
        self.assertEqual(utc(r.body["start_at"]), want.astimezone(dt.timezone.utc), r.body)
        self.assert_local(r.body["slot"])
        self.assertIn("10:00 AM", r.body["message"])

    def test_a_shared_surname_is_asked_about(self):
        C.control(seed_practitioners=2)  # "Extra0 Staff" and "Extra1 Staff" give the initial consultation
        staff = {p["id"]: p for p in C.listed("/practitioners?per_page=100", "practitioners")
                 if p["last_name"] == "Staff"}
        self.assertEqual(len(staff), 2)
        r = self.best(treatment_name="initial consultation", time_zone="eastern", staff_member_name="Staff")
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]),
                         (422, "ambiguous_name", "staff_member_name"), r)
        self.assertEqual({c["id"] for c in r.body["error"]["candidates"]}, set(staff))
        picked = next(p for p in staff.values() if p["first_name"] == "Extra1")
        r = self.best(treatment_name="initial consultation", time_zone="eastern", staff_member_name="extra 1 staff")
        self.assertEqual((r.status, r.body["slot"]["staff_member_id"]), (200, picked["id"]), r)

    def test_a_booked_offer_is_not_offered_again(self):
        day = weekday_ahead(3)
        ask = dict(treatment_name="follow up", time_zone="eastern", requested_time_utc="%sT14:00:00" % day)
        offer = self.best(**ask)
        self.assertEqual(offer.status, 200, offer)
        taken = (offer.body["slot"]["staff_member_id"], offer.body["start_at"])
        paula = next(p for p in SEED.patients.values() if p["first_name"] == "Paula")
        booked = H.request(C.SERVER.port, "GET", "/voice/book?" + urllib.parse.urlencode(
            {"slot_id": offer.body["slot_id"], "first_name": paula["first_name"], "last_name": paula["last_name"],
             "email": paula["email"]}), None, {"x-api-key": C.KEYS["cl"]}, timeout=20)
        self.assertEqual(booked.status, 200, booked)
        held = [a for a in C.listed("/individual_appointments?per_page=100", "individual_appointments")
                if a["cancelled_at"] is None]
        self.assertEqual([(a["practitioner"]["links"]["self"].rsplit("/", 1)[1], utc(a["starts_at"])) for a in held],
                         [(taken[0], utc(taken[1]))])
        again = self.best(**ask)  # asked at once, through either worker
        self.assertEqual(again.status, 200, again)
        offered = [again.body["slot"]] + again.body["alternatives"]
        self.assertNotIn(taken, [(s["staff_member_id"], s["start_at"]) for s in offered], again.body)


if __name__ == "__main__":
    unittest.main(verbosity=2)
