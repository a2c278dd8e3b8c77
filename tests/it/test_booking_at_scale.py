"""tests/it/test_booking_at_scale.py: the sandbox's double-booking check and availability once 6,000 bookings
exist (30 practitioners of a clinic file, booked through GET /voice/book by 8 callers at once): a booked time is
refused and gone from availability, a free one is accepted; 32 callers on one free slot through two frontdesk
processes sharing Redis give one booking and 31 answers 409 slot_taken with alternatives; bookings kept in the
older one-set layout (before the per-practitioner busy sets) still block their times after an upgrade; and two
tenants on one clinic file, one of them reloaded onto a changed file, each answer from their own file.
"""

import datetime as dt
import json
import os
import signal
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402
import clock  # noqa: E402

KEY = "it-booking-scale-key-7d41c2"
TWIN_KEY = "it-booking-scale-twin-key-90aa"
SECRET = "it-booking-scale-slot-secret-0123456789"
PRACTITIONERS = 30
PER_PRACTITIONER = 200
REDIS = SERVER = OTHER = None
CUTOFF = 0  # UTC ms: the slots the test books start from here (setUpModule)
SLOTS = {}  # practitioner id -> the week's slots from CUTOFF on, before any booking
BOOKED = {}  # practitioner id -> slots booked in setUpModule


def clinic(name="Scale Clinic"):
    return {"clinic": {"name": name, "country": "AU", "locale": "en-AU"},
            "locations": [{"id": "loc-scale", "name": "Scale Rooms", "time_zone": "Australia/Sydney",
                           "address": {"line1": "1 Scale St", "city": "Sydney", "country": "AU"}}],
            "practitioners": [{"id": "pr-%02d" % i, "first_name": "Pat", "last_name": "Scale%02d" % i,
                               "treatment_ids": ["tx-visit"],
                               "schedules": [{"location_id": "loc-scale", "weekly": [{
                                   "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                                   "intervals": [{"start": "00:00", "end": "23:30"}]}]}]}
                              for i in range(PRACTITIONERS)],
            "treatments": [{"id": "tx-visit", "name": "Scale Visit", "duration_minutes": 30,
                            "price": {"amount": 50, "currency": "AUD"}}],
            "policy": {"min_notice_minutes": 60, "max_days_ahead": 30, "slot_step_minutes": 30}}


def config():
    base = {"locale": "en-AU", "country": "AU", "time_zone": "Australia/Sydney", "provider": "sandbox",
            "rate_limit": {"per_second": 100000, "burst": 100000}}
    return {"tenants": [dict(base, id="scale", api_key_sha256=H.sha256_hex(KEY),
                             provider_settings={"clinic_file": "clinic.json"}),
                        dict(base, id="twin", api_key_sha256=H.sha256_hex(TWIN_KEY),
                             provider_settings={"clinic_file": "twin.json"})],
            "slot_secret": SECRET}


def utc_ms(text):
    """UTC ms of an ISO 8601 instant as the API writes it (2027-01-04T22:00:00.000Z)."""
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def later_than_cutoff(slots):
    """The slots from CUTOFF on: booking 6,000 takes a while, and the clinic's 60 minutes' notice closes the
    earliest times meanwhile."""
    return [s for s in slots if utc_ms(s["start_at"]) >= CUTOFF]


def slots_of(server, staff, key=KEY):
    r = server.post("/ai_brain/fetchAvailabilityNext7Days", {"staff_member_id": staff, "treatment_id": "tx-visit"},
                    key=key, timeout=30)
    assert r.status == 200, r
    return r.body["slots"]


def voice_book(server, slot_id, n):
    q = {"slot_id": slot_id, "first_name": "Caller", "last_name": "N%06d" % n, "phone": "+6148%07d" % n}
    return server.request("GET", "/voice/book?" + urllib.parse.urlencode(q), None, {"x-api-key": KEY}, timeout=60)


def setUpModule():
    global REDIS, SERVER, OTHER, CUTOFF
    CUTOFF = clock.now_ms() + 3 * 3600 * 1000
    REDIS = H.Redis().start()
    files = {"clinic.json": clinic(), "twin.json": clinic()}
    SERVER = H.Frontdesk(config(), REDIS, files=files).start()
    OTHER = H.Frontdesk(config(), REDIS, files=files).start()
    for i in range(PRACTITIONERS):
        staff = "pr-%02d" % i
        SLOTS[staff] = later_than_cutoff(slots_of(SERVER, staff))
        assert len(SLOTS[staff]) > PER_PRACTITIONER + 10, len(SLOTS[staff])
        BOOKED[staff] = SLOTS[staff][:PER_PRACTITIONER]
    work = [s for staff in sorted(BOOKED) for s in BOOKED[staff]]
    failures = []

    def run(part):
        for n in range(part, len(work), 8):
            r = voice_book(SERVER if n % 2 else OTHER, work[n]["slot_id"], n)
            if r.status != 200:
                failures.append(r)
    threads = [threading.Thread(target=run, args=(p,)) for p in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[:3]


def tearDownModule():
    for s in (OTHER, SERVER):
        if s is not None:
            s.close()
    if REDIS is not None:
        REDIS.close()


class AtSixThousand(unittest.TestCase):
    def test_booked_times_are_refused_and_gone_from_availability(self):
        for staff in ("pr-00", "pr-17", "pr-29"):
            left = {s["start_at"] for s in later_than_cutoff(slots_of(SERVER, staff))}
            taken = {s["start_at"] for s in BOOKED[staff]}
            self.assertFalse(left & taken, staff)
            self.assertEqual(left, {s["start_at"] for s in SLOTS[staff]} - taken, staff)
        r = voice_book(OTHER, BOOKED["pr-05"][7]["slot_id"], 900001)
        self.assertEqual((r.status, r.body["error"]["code"], r.body["booked"]), (409, "slot_taken", False), r)
        for alt in r.body["alternatives"]:
            self.assertNotIn(alt["start_at"], {s["start_at"] for s in BOOKED[alt["staff_member_id"]]}, alt)

    def test_a_free_time_is_accepted(self):
        slot = SLOTS["pr-11"][PER_PRACTITIONER + 1]
        r = voice_book(SERVER, slot["slot_id"], 900002)
        self.assertEqual((r.status, r.body["booked"]), (200, True), r)
        self.assertEqual((r.body["appointment"]["start_at"], r.body["appointment"]["staff_member_id"]),
                         (slot["start_at"], "pr-11"), r)

    def test_32_callers_on_one_slot_through_two_processes_book_it_once(self):
        slot = SLOTS["pr-23"][PER_PRACTITIONER + 2]
        out = [None] * 32

        def run(i):
            out[i] = voice_book(SERVER if i % 2 else OTHER, slot["slot_id"], 910000 + i)
        threads = [threading.Thread(target=run, args=(i,)) for i in range(32)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        won = [r for r in out if r.status == 200]
        lost = [r for r in out if r.status == 409]
        self.assertEqual((len(won), len(lost)), (1, 31), [(r.status, r.body) for r in out])
        self.assertEqual(won[0].body["appointment"]["start_at"], slot["start_at"])
        for r in lost:
            self.assertEqual((r.body["error"]["code"], r.body["booked"]), ("slot_taken", False), r)
            self.assertTrue(r.body["alternatives"], r)
            self.assertIn(r.body["alternatives"][0]["spoken"], r.body["message"], r)
            self.assertNotEqual(r.body["alternatives"][0]["start_at"], slot["start_at"], r)
        left = {s["start_at"] for s in slots_of(OTHER, "pr-23")}
        self.assertNotIn(slot["start_at"], left)

    def test_bookings_of_the_older_layout_still_block_their_times(self):
        # What an older version left: one busy set for the clinic and the plain digest (no per-practitioner sets).
        slot = SLOTS["pr-02"][PER_PRACTITIONER + 3]
        self.assertEqual(voice_book(SERVER, slot["slot_id"], 920001).status, 200)
        digest = REDIS.command("GET", "fd:{scale}:sandbox:digest")
        digest = digest.decode() if isinstance(digest, bytes) else digest
        self.assertTrue(digest.endswith(":by-staff"), digest)
        for i in range(PRACTITIONERS):
            REDIS.command("DEL", "fd:{scale}:sandbox:busy:pr-%02d" % i)
        REDIS.command("SET", "fd:{scale}:sandbox:digest", digest[:-len(":by-staff")])
        # ... and, as after hold_seconds, no holds: only the sandbox's own records keep the times.
        for pattern in ("fd:{scale}:avail*", "fd:{scale}:hold*"):
            for key in REDIS.command("KEYS", pattern):
                REDIS.command("DEL", key)
        r = voice_book(OTHER, slot["slot_id"], 920002)
        self.assertEqual((r.status, r.body["error"]["code"]), (409, "slot_taken"), r)
        r = voice_book(SERVER, BOOKED["pr-02"][0]["slot_id"], 920003)
        self.assertEqual((r.status, r.body["error"]["code"]), (409, "slot_taken"), r)
        self.assertNotIn(slot["start_at"], {s["start_at"] for s in slots_of(SERVER, "pr-02")})


class SharedClinicFile(unittest.TestCase):
    def reload(self, server):
        count = sum(1 for _, o in server.log_lines() if isinstance(o, dict) and
                    o.get("msg", "").startswith("config reload"))
        server.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if sum(1 for _, o in server.log_lines() if isinstance(o, dict) and
                   o.get("msg", "").startswith("config reload")) > count:
                return
            time.sleep(0.02)
        self.fail("no reload line within 10 s")

    def test_tenants_on_one_file_keep_their_own_after_one_is_reloaded_onto_another(self):
        for server in (SERVER, OTHER):
            self.assertTrue(slots_of(server, "pr-10", TWIN_KEY))
        changed = clinic("Twin Clinic")
        changed["practitioners"] = changed["practitioners"][:3]
        for server in (SERVER, OTHER):
            with open(os.path.join(server.dir, "twin.json"), "w") as f:
                json.dump(changed, f)
            self.reload(server)
        for server in (SERVER, OTHER):
            r = server.post("/ai_brain/fetchAvailabilityNext7Days", {"staff_member_id": "pr-10",
                                                                     "treatment_id": "tx-visit"}, key=TWIN_KEY)
            self.assertTrue(r.status != 200 or r.body["slots"] == [], r)
            self.assertTrue(slots_of(server, "pr-10", KEY))
            self.assertTrue(slots_of(server, "pr-01", TWIN_KEY))


if __name__ == "__main__":
    unittest.main(verbosity=2)
