#!/usr/bin/env python3
"""tests/it/test_voice_book.py: GET /voice/book on the sandbox, as scripted voice-agent conversations over HTTP:
booking a slot_id offered by /ai_brain/fetchAvailabilityNext7Days, booking by names as a caller says them (a typo
in the practitioner, an accent-free name), an ambiguous first name, an agent retrying (twice, and five identical
requests at once) getting one appointment, Idempotency-Key replays, a slot taken since it was offered (409 with
alternatives that are really free), a booking on a 2027 daylight-saving change day spoken in local time, and the
400s an agent can fix. Every answer's `message` must be one short sentence without ISO times, ids or markdown.
Expectations come from the clinic file and the availability routes, never from constants.
"""

import datetime as dt
import json
import os
import re
import sys
import threading
import unittest
import urllib.parse
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402
import avail_support as A  # noqa: E402

KEY = "it-voice-book-key-5e21a9"
DST_KEY = "it-voice-book-dst-key-0c77"
SECRET = "it-voice-book-slot-secret-0123456789"
REDIS = SERVER = None
CLINIC = CATALOG = None
DST_ZONE = "Australia/Sydney"
# Sydney's next end and start of daylight saving, two or more days after the suite's clock (tests/it/clock.py)
DST_DAYS = tuple(day for day, _ in A.next_dst_changes(DST_ZONE))


def dst_clinic():
    return {"clinic": {"name": "DST Voice Clinic", "country": "AU", "locale": "en-AU"},
            "locations": [{"id": "loc-dst", "name": "Harbour Night Clinic", "time_zone": DST_ZONE,
                           "address": {"line1": "1 Test Street", "city": "Sydney", "country": "AU"}}],
            "practitioners": [{"id": "pr-dana", "first_name": "Dana", "last_name": "Night", "schedules": [
                {"location_id": "loc-dst", "weekly": [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                                                       "intervals": [{"start": "00:00", "end": "18:00"}]}]}]}],
            "treatments": [{"id": "tx-check", "name": "Night Check", "duration_minutes": 30,
                            "price": {"amount": 50, "currency": "AUD"}, "practitioner_ids": ["pr-dana"]}],
            "policy": {"min_notice_minutes": 0, "max_days_ahead": 366, "slot_step_minutes": 15}}


def setUpModule():
    global REDIS, SERVER, CLINIC, CATALOG
    CLINIC = H.demo_clinic()
    CATALOG = H.Catalog(CLINIC)
    REDIS = H.Redis().start()
    base = {"locale": "en-AU", "country": "AU", "time_zone": "Australia/Sydney",
            "rate_limit": {"per_second": 5000, "burst": 5000}}
    tenants = [dict(base, id="vb", api_key_sha256=H.sha256_hex(KEY)),
               dict(base, id="vdst", api_key_sha256=H.sha256_hex(DST_KEY), provider="sandbox",
                    provider_settings={"clinic_file": "dst_clinic.json"})]
    SERVER = H.Frontdesk({"tenants": tenants, "slot_secret": SECRET}, REDIS,
                         files={"dst_clinic.json": dst_clinic()}).start()


def tearDownModule():
    H.shut_down(SERVER, REDIS)


ISO = re.compile(r"\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}|\d{2}:\d{2}:\d{2}")
IDS = re.compile(r"sb-appt|pt-|pr-|tx-|loc-|hold_|bk-\d")
MARKDOWN = re.compile(r"[*_#`\[\]{}<>|]")
_phone_seq = [100]


def new_phone():
    _phone_seq[0] += 1
    return "+614915%05d" % _phone_seq[0]


def staff_name(pid):
    p = next(p for p in CLINIC["practitioners"] if p["id"] == pid)
    return " ".join(x for x in (p.get("title"), p["first_name"], p["last_name"]) if x)


class Case(unittest.TestCase):
    key = KEY
    _used = set()

    def voice(self, route, params, headers=None, key=None):
        h = {"x-api-key": key or self.key}
        h.update(headers or {})
        r = SERVER.request("GET", "/voice/" + route + "?" + urllib.parse.urlencode(params), None, h, timeout=20)
        self.assertNotEqual(r.status, 500, r)
        self.assertTrue(r.is_json, r)
        self.check_message(r)
        return r

    def check_message(self, r):
        """Every voice answer carries one sentence an agent can read aloud."""
        if os.environ.get("FD_IT_SHOW"):
            print(r.status, r.body.get("message") or r.body.get("error", {}).get("message"))
        message = r.body.get("message") if r.status < 500 else r.body["error"]["message"]
        if message is None:  # errors answered by the shared readers carry it in the error object
            message = r.body["error"]["message"]
        self.assertIsInstance(message, str, r)
        self.assertLess(len(message.split()), 30, message)
        self.assertIsNone(ISO.search(message), message)
        self.assertIsNone(IDS.search(message), message)
        self.assertIsNone(MARKDOWN.search(message), message)
        self.assertLessEqual(len(re.findall(r"[.?!](\s|$)", message)), 1, "one sentence: " + message)

    def post(self, route, body, key=None):
        r = SERVER.post("/ai_brain/" + route, body, key=key or self.key, timeout=20)
        self.assertIn(r.status, (200, 201), r)
        return r.body

    def slots(self, staff, treatment, location=None):
        body = {"staff_member_id": staff, "treatment_id": treatment}
        if location:
            body["locationId"] = location
        return self.post("fetchAvailabilityNext7Days", body)["slots"]

    def fresh_slot(self, staff="pr-sam-nguyen", treatment="tx-initial-physio", location=None, exclude_first=False):
        """A slot no other test of this module used (slots an hour apart, so nothing overlaps)."""
        slots = self.slots(staff, treatment, location)
        for s in reversed(slots):
            t = s["start_at"]
            stamp = dt.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
            if all(abs(stamp - u) >= 2 * 3600 for (p, u) in Case._used if p == staff):
                Case._used.add((staff, stamp))
                return s
        self.skipTest("no free slot left this week")

    def caller(self, phone=None, first="Ivy", last="Caller"):
        return {"first_name": first, "last_name": last, "phone": phone or new_phone()}

    def booked(self, r):
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body["booked"], r)
        a = r.body["appointment"]
        self.assertEqual(a["state"], "booked", r)
        self.assertIn(a["spoken"], r.body["message"])
        if a.get("staff_member_name"):
            self.assertIn(a["staff_member_name"], r.body["message"])
        return a

    def appointments_of(self, phone):
        return self.post("fetchPatientsAppointments", {"phone": phone})["appointments"]


class BySlotId(Case):
    def test_book_the_offered_slot(self):
        slot = self.fresh_slot()
        who = self.caller()
        a = self.booked(self.voice("book", dict(who, slot_id=slot["slot_id"])))
        self.assertEqual((a["start_at"], a["end_at"], a["staff_member_id"], a["treatment_id"], a["location_id"]),
                         (slot["start_at"], slot["end_at"], slot["staff_member_id"], slot["treatment_id"],
                          slot["location_id"]))
        self.assertEqual(a["staff_member_name"], staff_name("pr-sam-nguyen"))
        self.assertTrue(r"You're booked" in self.voice("book", dict(who, slot_id=slot["slot_id"])).body["message"])
        # the caller hears it back, and the slot left availability
        heard = self.voice("patientAppointments", {"phone": who["phone"]})
        self.assertEqual([x["id"] for x in heard.body["appointments"]], [a["id"]])
        self.assertNotIn(slot["start_at"], [s["start_at"] for s in self.slots("pr-sam-nguyen", "tx-initial-physio")])

    def test_forged_slot_id(self):
        slot = self.fresh_slot()
        forged = slot["slot_id"][:-3] + ("AAA" if not slot["slot_id"].endswith("AAA") else "BBB")
        r = self.voice("book", dict(self.caller(), slot_id=forged))
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]), (400, "invalid_slot_id",
                                                                                         "slot_id"), r)


class ByNames(Case):
    def local(self, slot):
        return slot["start_local"][:19]  # the wall-clock time, offset dropped: read in the location's zone

    def test_typo_in_practitioner(self):
        slot = self.fresh_slot("pr-sam-nguyen", "tx-followup-physio")
        r = self.voice("book", dict(self.caller(), staff_member_name="Sam Nguyn", treatment_name="follow up physio",
                                    clinic_location_name="Sydney", start_at=self.local(slot)))
        a = self.booked(r)
        self.assertEqual((a["staff_member_id"], a["treatment_id"], a["start_at"]),
                         ("pr-sam-nguyen", "tx-followup-physio", slot["start_at"]))

    def test_accent_free_name_at_the_other_location(self):
        vancouver = next(l for l in CLINIC["locations"] if l["time_zone"] == "America/Vancouver")
        slot = self.fresh_slot("pr-zoe-martin", "tx-pilates", vancouver["id"])
        r = self.voice("book", dict(self.caller(), staff_member_name="zoe martin", treatment_name="pilates",
                                    clinic_location_name="vancouver", start_at=self.local(slot)))
        a = self.booked(r)
        self.assertEqual((a["staff_member_id"], a["location_id"], a["start_at"]),
                         ("pr-zoe-martin", vancouver["id"], slot["start_at"]))
        self.assertEqual(a["start_local"], slot["start_local"])

    def test_time_zone_of_the_caller(self):
        slot = self.fresh_slot("pr-sam-nguyen", "tx-followup-physio")
        start = dt.datetime.strptime(slot["start_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
        in_perth = start.astimezone(ZoneInfo("Australia/Perth")).strftime("%Y-%m-%dT%H:%M:%S")
        a = self.booked(self.voice("book", dict(self.caller(), staff_member_id="pr-sam-nguyen",
                                                treatment_id="tx-followup-physio", clinic_location_id="loc-sydney",
                                                start_at=in_perth, time_zone="Perth")))
        self.assertEqual(a["start_at"], slot["start_at"])

    def test_ambiguous_first_name(self):
        r = self.voice("book", dict(self.caller(), staff_member_name="Sam", treatment_name="quick check-in",
                                    clinic_location_name="Sydney", start_at="2030-01-01T10:00:00"))
        self.assertEqual((r.status, r.body["error"]["code"]), (422, "ambiguous_name"), r)
        sams = {p["id"] for p in CLINIC["practitioners"] if p["first_name"] == "Sam" and p.get("ai_enabled", True)}
        self.assertEqual({c["id"] for c in r.body["error"]["candidates"]}, sams)


class Retries(Case):
    def test_agent_retries_without_a_key(self):
        slot = self.fresh_slot()
        who = self.caller()
        first = self.booked(self.voice("book", dict(who, slot_id=slot["slot_id"])))
        again = self.voice("book", dict(who, slot_id=slot["slot_id"]))
        self.assertEqual(self.booked(again)["id"], first["id"])
        self.assertTrue(again.body.get("replayed"), again)
        # said with names this time: the same practitioner and start, so the same booking
        by_names = self.voice("book", dict(who, staff_member_name="Dr Sam Nguyen", treatment_name="initial physio",
                                           start_at=slot["start_at"]))
        self.assertEqual(self.booked(by_names)["id"], first["id"])
        mine = [a for a in self.appointments_of(who["phone"]) if a["state"] == "booked"]
        self.assertEqual([a["id"] for a in mine], [first["id"]])
        # the guard lives 10 minutes
        ttls = [REDIS.command("PTTL", k) for k in REDIS.command("KEYS", "fd:{vb}:vbook:*")]
        self.assertTrue(ttls and all(0 < t <= 600000 for t in ttls), ttls)

    def test_five_identical_requests_at_once(self):
        slot = self.fresh_slot()
        who = self.caller()
        out = [None] * 5

        def run(i):
            out[i] = SERVER.request("GET", "/voice/book?" + urllib.parse.urlencode(dict(who, slot_id=slot["slot_id"])),
                                    None, {"x-api-key": KEY}, timeout=20)
        threads = [threading.Thread(target=run, args=(i,)) for i in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ids = {self.booked(r)["id"] for r in out}
        self.assertEqual(len(ids), 1, [r.body for r in out])
        self.assertEqual(sum(1 for r in out if not r.body.get("replayed")), 1, "one request booked, four waited")
        mine = [a for a in self.appointments_of(who["phone"]) if a["state"] == "booked"]
        self.assertEqual([a["id"] for a in mine], list(ids))
        # one patient too, not five
        r = SERVER.post("/ai_brain/lookup-create-patient", dict(who), key=KEY)
        self.assertEqual(r.status, 200, r)

    def test_idempotency_key(self):
        slot = self.fresh_slot()
        who = self.caller()
        h = {"Idempotency-Key": "vb-idem-" + who["phone"]}
        first = self.voice("book", dict(who, slot_id=slot["slot_id"]), headers=h)
        a = self.booked(first)
        replay = self.voice("book", dict(who, slot_id=slot["slot_id"]), headers=h)
        self.assertEqual(replay.header("idempotent-replayed"), "true", replay)
        self.assertEqual(replay.body, first.body)
        other = self.voice("book", dict(who, slot_id=slot["slot_id"], last_name="Other"), headers=h)
        self.assertEqual((other.status, other.body["error"]["code"]), (422, "idempotency_key_reused"), other)
        self.assertEqual(len([x for x in self.appointments_of(who["phone"]) if x["id"] == a["id"]]), 1)


class Taken(Case):
    def test_taken_slot_offers_free_alternatives(self):
        slot = self.fresh_slot()
        self.booked(self.voice("book", dict(self.caller(), slot_id=slot["slot_id"])))
        r = self.voice("book", dict(self.caller(first="Late"), slot_id=slot["slot_id"]))
        self.assertEqual((r.status, r.body["error"]["code"], r.body["booked"]), (409, "slot_taken", False), r)
        alts = r.body["alternatives"]
        self.assertTrue(1 <= len(alts) <= 2, r.body)
        message = r.body["message"]
        self.assertIn(alts[0]["spoken"], message)
        for alt in alts:
            self.assertNotEqual((alt["staff_member_id"], alt["start_at"]), (slot["staff_member_id"], slot["start_at"]))
            self.assertIn(alt["staff_member_name"], message if alt is alts[0] else alt["staff_member_name"])
            self.assertEqual(alt["treatment_id"], slot["treatment_id"])
            free = [s["start_at"] for s in self.slots(alt["staff_member_id"], alt["treatment_id"],
                                                        alt["location_id"])]
            if alt["start_at"] < max(free + [""]):  # inside the 7 days the availability route shows
                self.assertIn(alt["start_at"], free, alt)
        # no free slot of anyone offering it is nearer than the first alternative (same practitioner first)
        # and the alternative can be booked by its slot_id
        self.booked(self.voice("book", dict(self.caller(first="Late"), slot_id=alts[0]["slot_id"])))


class DaylightSaving(Case):
    key = DST_KEY

    def test_booking_on_change_days_spoken_in_local_time(self):
        zone = ZoneInfo(DST_ZONE)
        for day in DST_DAYS:
            before = dt.datetime(day.year, day.month, day.day, 0, 30, tzinfo=zone)
            after = dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=zone)
            self.assertNotEqual(before.utcoffset(), after.utcoffset(), "%s is a change day" % day)
            who = self.caller()
            r = self.voice("book", dict(who, staff_member_name="dana", treatment_name="night check",
                                        start_at=after.strftime("%Y-%m-%dT%H:%M:%S")))
            a = self.booked(r)
            utc = after.astimezone(dt.timezone.utc)
            self.assertEqual(a["start_at"], utc.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
            self.assertEqual(a["start_local"], after.isoformat())
            self.assertIn("9:00", a["spoken"])
            self.assertIn(str(day.day), a["spoken"])
            self.assertIn(day.strftime("%B"), a["spoken"])
            # an explicit instant in UTC lands on the same local clock as zoneinfo says
            at = dt.datetime(day.year, day.month, day.day, 4, 0, tzinfo=zone)
            b = self.booked(self.voice("book", dict(who, staff_member_name="Dana Night", treatment_name="check",
                                                    start_at=at.astimezone(dt.timezone.utc).strftime(
                                                        "%Y-%m-%dT%H:%M:%SZ"))))
            self.assertEqual(b["start_local"], at.isoformat())
            self.assertIn("4:00", b["spoken"])


class Errors(Case):
    def test_missing_first_name(self):
        slot = self.fresh_slot()
        who = self.caller()
        del who["first_name"]
        r = self.voice("book", dict(who, slot_id=slot["slot_id"]))
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]), (400, "missing_field",
                                                                                         "first_name"), r)
        self.assertIn("first name", r.body["message"])

    def test_bad_phone(self):
        r = self.voice("book", dict(self.caller(phone="call me maybe"), slot_id="x"))
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]), (400, "invalid_field",
                                                                                         "phone"), r)

    def test_no_contact(self):
        who = self.caller()
        del who["phone"]
        r = self.voice("book", dict(who, slot_id="x"))
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]), (400, "missing_field",
                                                                                         "phone"), r)

    def test_unknown_practitioner(self):
        r = self.voice("book", dict(self.caller(), staff_member_name="Gandalf", treatment_name="pilates",
                                    start_at="2030-01-01T10:00:00"))
        self.assertEqual((r.status, r.body["error"]["code"]), (422, "unknown_staff"), r)

    def test_unknown_appointment(self):
        r = self.voice("cancel", {"appointment_id": "sb-appt-999999"})
        self.assertEqual((r.status, r.body["error"]["code"]), (404, "not_found"), r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
