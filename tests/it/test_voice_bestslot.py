#!/usr/bin/env python3
"""tests/it/test_voice_bestslot.py: GET /voice/bestSlot as a voice agent uses it, against the sandbox. Expectations
come from the availability routes (the same engine) and the clinic file, never from constants: with no other
wish the best slot is the earliest opening of any AI-bookable practitioner; a requested time picks the nearest
one; a part of day is honoured; a named practitioner (said with a typo, or without accents) is honoured; "Sam"
alone is ambiguous; a fully booked named practitioner points at another one; nothing free says so."""

import copy
import datetime as dt
import os
import re
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

KEYS = {"demo": "it-voice-best-demo-51ab", "busy": "it-voice-best-busy-7e02", "empty": "it-voice-best-empty-0c9d"}
REDIS = SERVER = None
CLINIC = CATALOG = None


def busy_clinic():
    """Two practitioners offer one treatment; Ana has hours, Ben works no day at all (fully booked)."""
    c = copy.deepcopy(H.demo_clinic())
    loc = c["locations"][0]
    c["locations"] = [loc]
    week = [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "intervals": [{"start": "09:00", "end": "12:00"}]}]
    c["practitioners"] = [
        {"id": "pr-ana", "first_name": "Ana", "last_name": "Busy", "email": "ana@x.example", "ai_enabled": True,
         "treatment_ids": ["tx-one"], "schedules": [{"location_id": loc["id"], "weekly": week}]},
        {"id": "pr-ben", "first_name": "Ben", "last_name": "Full", "email": "ben@x.example", "ai_enabled": True,
         "treatment_ids": ["tx-one"], "schedules": [{"location_id": loc["id"], "weekly": []}]}]
    c["treatments"] = [{"id": "tx-one", "name": "Osteo Session", "duration_minutes": 30,
                        "price": {"amount": 80, "currency": "AUD"}}]
    c["bookings"], c["patients"] = [], []
    c.pop("generated_bookings", None)
    return c


def empty_clinic():
    """Nobody works any day: nothing to offer."""
    c = busy_clinic()
    for p in c["practitioners"]:
        p["schedules"][0]["weekly"] = []
    return c


def setUpModule():
    global REDIS, SERVER, CLINIC, CATALOG
    CLINIC = H.demo_clinic()
    CATALOG = H.Catalog(CLINIC)
    REDIS = H.Redis().start()
    tenants = [{"id": "demo", "api_key_sha256": H.sha256_hex(KEYS["demo"]), "country": "AU", "locale": "en-AU",
                "rate_limit": {"per_second": 1000, "burst": 2000}},
               {"id": "busy", "api_key_sha256": H.sha256_hex(KEYS["busy"]), "country": "AU", "locale": "en-AU",
                "provider_settings": {"clinic_file": "busy.json"}},
               {"id": "empty", "api_key_sha256": H.sha256_hex(KEYS["empty"]), "country": "AU", "locale": "en-AU",
                "provider_settings": {"clinic_file": "empty.json"}}]
    SERVER = H.Frontdesk({"tenants": tenants, "slot_secret": "it-voice-best-secret-123"}, REDIS,
                         files={"busy.json": busy_clinic(), "empty.json": empty_clinic()}).start()


def tearDownModule():
    H.shut_down(SERVER, REDIS)


def utc(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class BestSlot(unittest.TestCase):
    def best(self, tenant="demo", **params):
        r = SERVER.get("/voice/bestSlot?" + urllib.parse.urlencode(params), key=KEYS[tenant])
        self.assertNotEqual(r.status, 500, r)
        self.check_message(r)
        return r

    def check_message(self, r):
        message = r.body.get("message") if r.status == 200 else r.body["error"]["message"]
        self.assertTrue(message, r)
        if r.status == 200:
            self.assertLess(len(message.split()), 30, message)
            self.assertIsNone(re.search(r"\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}|pr-|tx-|loc-|[{}\[\]*#]", message), message)

    def openings(self, treatment_id):
        """Every opening of every AI-bookable practitioner offering the treatment, from the availability route."""
        out = []
        for p in CLINIC["practitioners"]:
            if not p.get("ai_enabled", True) or (str(p["id"]), treatment_id) not in CATALOG.links:
                continue
            for lid in CATALOG.staff_locations(p) & CATALOG.treatment_locations(
                    next(t for t in CLINIC["treatments"] if t["id"] == treatment_id)):
                start = dt.datetime.now(dt.timezone.utc)
                for chunk in range(2):  # 30-day horizon in two 16-day windows
                    frm, to = start + dt.timedelta(days=16 * chunk), start + dt.timedelta(days=16 * (chunk + 1))
                    r = SERVER.post("/ai_brain/fetchAvailabilityForRange",
                                    {"staff_member_id": p["id"], "treatment_id": treatment_id, "locationId": lid,
                                     "start_at": frm.isoformat(), "end_at": to.isoformat()}, key=KEYS["demo"])
                    self.assertEqual(r.status, 200, r)
                    out += r.body["slots"]
        return out

    def treatment(self, words):
        return next(t for t in CLINIC["treatments"] if all(w in t["name"].lower() for w in words))

    def test_plain_request_is_the_earliest_opening(self):
        t = self.treatment(["follow"])
        r = self.best(treatment_name="follow up physio", time_zone="Sydney time")
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.body["available"], True)
        earliest = min(utc(s["start_at"]) for s in self.openings(t["id"]))
        self.assertEqual(utc(r.body["start_at"]), earliest)
        self.assertEqual(r.body["slot_id"], r.body["slot"]["slot_id"])
        self.assertEqual(r.body["spoken"], r.body["slot"]["spoken"])
        self.assertEqual(r.body["slot"]["treatment_name"], t["name"])
        self.assertLessEqual(len(r.body["alternatives"]), 2)
        picked = [r.body["slot"]] + r.body["alternatives"]
        for i, a in enumerate(picked):  # genuinely different: another day, practitioner, or an hour apart
            for b in picked[:i]:
                self.assertTrue(a["start_local"][:10] != b["start_local"][:10] or
                                a["staff_member_id"] != b["staff_member_id"] or
                                abs(utc(a["start_at"]) - utc(b["start_at"])) >= dt.timedelta(hours=1), (a, b))

    def test_requested_time_picks_the_nearest(self):
        t = self.treatment(["follow"])
        slots = self.openings(t["id"])
        target = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=3, hours=5, minutes=7)
        r = self.best(treatment_name=t["name"], time_zone="AEST",
                      requested_time_utc=target.strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.assertEqual(r.status, 200, r)
        best = utc(r.body["start_at"])
        nearest = min(abs(utc(s["start_at"]) - target) for s in slots)
        self.assertEqual(abs(best - target), nearest)

    def test_part_of_day(self):
        for part, lo, hi in (("afternoon", 12, 17), ("morning", 0, 12)):
            r = self.best(treatment_name="follow up physio", time_zone="eastern", part_of_day=part)
            self.assertEqual(r.status, 200, r)
            hour = int(r.body["slot"]["start_local"][11:13])
            self.assertTrue(lo <= hour < hi, (part, r.body["slot"]["start_local"]))

    def test_named_practitioner_with_a_typo_and_without_accents(self):
        for said, first in (("sam nguyn", "Sam"), ("zoe martin", "Zoë")):
            p = next(p for p in CLINIC["practitioners"] if p["first_name"] == first and said.split()[1][:3] in
                     p["last_name"].lower().replace("í", "i"))
            t = next(t for t in CLINIC["treatments"] if (str(p["id"]), t["id"]) in CATALOG.links)
            r = self.best(treatment_name=t["name"], time_zone="AEST", staff_member_name=said)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.body["slot"]["staff_member_id"], p["id"], said)

    def test_ambiguous_first_name_asks(self):
        sams = {p["id"] for p in CLINIC["practitioners"] if p["first_name"] == "Sam" and p.get("ai_enabled", True)}
        self.assertGreaterEqual(len(sams), 2)
        r = self.best(treatment_name="quick", time_zone="AEST", staff_member_name="Sam")
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]),
                         (422, "ambiguous_name", "staff_member_name"), r)
        self.assertEqual({c["id"] for c in r.body["error"]["candidates"]}, sams)

    def test_named_practitioner_fully_booked_points_at_another(self):
        r = self.best(tenant="busy", treatment_name="osteo", time_zone="AEST", staff_member_name="Ben")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.body["available"], r.body["reason"]), (False, "named_staff_full"))
        self.assertEqual(r.body["next_available"]["staff_member_id"], "pr-ana")
        self.assertIn("Ben Full", r.body["message"])
        self.assertIn("Ana Busy", r.body["message"])

    def test_nothing_free(self):
        r = self.best(tenant="empty", treatment_name="osteo", time_zone="AEST")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.body["available"], r.body["reason"], r.body["next_available"]), (False, "no_openings", None))
        self.assertIn("no openings", r.body["message"])

    def test_part_of_day_is_a_wish_not_a_wall(self):
        r = self.best(tenant="busy", treatment_name="osteo", time_zone="AEST", part_of_day="evening")
        # Ana works mornings only: the soft part-of-day rule still offers a morning rather than nothing.
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.body["available"], True)
        self.assertLess(int(r.body["slot"]["start_local"][11:13]), 12)

    def test_errors(self):
        cases = [({"time_zone": "AEST"}, 400, "missing_field", "treatment_name"),
                 ({"treatment_name": "quick"}, 400, "missing_field", "time_zone"),
                 ({"treatment_name": "yoga on the moon", "time_zone": "AEST"}, 422, "unknown_treatment",
                  "treatment_name"),
                 ({"treatment_name": "quick", "time_zone": "Mars Standard"}, 400, "invalid_time_zone", "time_zone"),
                 ({"treatment_name": "quick", "time_zone": "AEST", "part_of_day": "noonish"}, 400, "invalid_field",
                  "part_of_day"),
                 ({"treatment_name": "quick", "time_zone": "AEST", "requested_time_utc": "tomorrow"}, 400,
                  "invalid_field", "requested_time_utc")]
        for params, status, code, field in cases:
            r = self.best(**params)
            self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]), (status, code, field),
                             (params, r))
        self.assertEqual(SERVER.get("/voice/bestSlot?treatment_name=quick&time_zone=AEST").status, 401)


if __name__ == "__main__":
    unittest.main(verbosity=2)
