#!/usr/bin/env python3
"""tests/it/test_booking.py: createAppt / bookAppt / cancelAppt / rescheduleAppt and Idempotency-Key on the sandbox,
over HTTP against a real redis-server: races for one slot (one and two processes, equal and overlapping lengths),
hold expiry, foreign holds, replays, reschedule into a taken slot, a Redis restart between hold and booking, and
booked time leaving availability. Expectations come from the answers of the availability routes, never constants.
"""

import collections
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402
import clock  # noqa: E402

KEY = "it-booking-key-7d1f0a3c55"
FAST_KEY = "it-booking-fast-key-2b9e41"
SECRET = "it-booking-slot-secret-0123456789"
STAFF, LONG_TX, SHORT_TX, LOC = "pr-zoe-martin", "tx-initial-physio", "tx-followup-physio", "loc-sydney"
REDIS = SERVER = None


def tenant(tid, key, **extra):
    t = {"id": tid, "api_key_sha256": H.sha256_hex(key), "provider": "sandbox", "time_zone": "Australia/Sydney",
         "locale": "en-AU", "country": "AU", "rate_limit": {"per_second": 5000, "burst": 5000}}
    t.update(extra)
    return t


def config():
    return {"tenants": [tenant("bk", KEY), tenant("fast", FAST_KEY, policy={"hold_seconds": 10})],
            "slot_secret": SECRET}


def setUpModule():
    global REDIS, SERVER
    REDIS = H.Redis(aof=False).start()  # test_redis_restart_between_hold_and_book loses everything
    SERVER = H.Frontdesk(config(), REDIS).start()


def tearDownModule():
    H.shut_down(SERVER, REDIS)


class Case(unittest.TestCase):
    key = KEY

    def post(self, route, body, key=None, headers=None, srv=None):
        h = {"x-api-key": key or self.key}
        h.update(headers or {})
        r = (srv or SERVER).request("POST", "/ai_brain/" + route, body, h, timeout=20)
        self.assertNotEqual(r.status, 500, r)
        if r.status >= 400:
            self.assertTrue(r.is_json and "error" in r.body, r)
        return r

    def patient(self, phone, key=None):
        r = self.post("lookup-create-patient", {"first_name": "Test", "last_name": "Patient" + phone[-4:],
                                                "phone": phone}, key)
        self.assertIn(r.status, (200, 201), r)
        return r.body["patient"]["id"]

    def slots(self, treatment=LONG_TX, key=None, staff=STAFF):
        now = clock.now_s()
        iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
        r = self.post("fetchAvailabilityForRange", {"staff_member_id": staff, "treatment_id": treatment,
                                                    "locationId": LOC, "start_at": iso(now),
                                                    "end_at": iso(now + 28 * 86400)}, key)
        self.assertEqual(r.status, 200, r)
        return r.body["slots"]

    # Slots are taken from the far end of the week and spread, so the tests do not step on each other.
    _used = set()

    def fresh_slot(self, treatment=LONG_TX, key=None, away=60):
        """A free slot at least `away` minutes from any slot another test used."""
        for s in reversed(self.slots(treatment, key)):
            t = H_time(s["start_at"])
            if all(abs(t - u) >= away * 60 for u in Case._used):
                Case._used.add(t)
                return s
        self.skipTest("no free slot left this week")

    def hold(self, slot, pid, key=None, headers=None, srv=None):
        return self.post("createAppt", {"patient_id": pid, "slot_id": slot["slot_id"]}, key, headers, srv)

    def error(self, r, status, code):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.body["error"]["code"], code, r)


def H_time(iso):
    import datetime
    return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()


def race(calls):
    out = [None] * len(calls)

    def run(i):
        out[i] = calls[i]()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


class Holds(Case):
    def test_fifty_callers_one_slot(self):
        pid = self.patient("0412 000 101")
        slot = self.fresh_slot()
        res = race([lambda: self.hold(slot, pid)] * 50)
        count = collections.Counter(r.status for r in res)
        self.assertEqual(count[201], 1, count)
        self.assertEqual(count[409], 49, count)
        for r in res:
            if r.status == 409:
                self.assertEqual(r.body["error"]["code"], "slot_taken")
        win = [r for r in res if r.status == 201][0].body["appointment"]
        self.assertEqual(win["state"], "provisional")
        self.assertEqual(win["start_at"], slot["start_at"])
        self.assertTrue(win["id"].startswith("hold_") and win["hold_token"] in win["id"])
        self.assertIn("hold_expires_at", win)

    def test_overlapping_lengths(self):
        """60-minute holds at T and 30-minute holds at T+30 of the same practitioner: one wins."""
        pid = self.patient("0412 000 102")
        slot = self.fresh_slot()
        start = H_time(slot["start_at"])
        short = [s for s in self.slots(SHORT_TX) if H_time(s["start_at"]) == start + 1800]
        if not short:
            self.skipTest("no 30-minute slot inside the 60-minute one")
        calls = [lambda: self.hold(slot, pid)] * 25 + [lambda: self.hold(short[0], pid)] * 25
        count = collections.Counter(r.status for r in race(calls))
        self.assertEqual((count[201], count[409]), (1, 49), count)

    def test_two_processes_one_redis(self):
        other = H.Frontdesk(config(), REDIS).start()
        try:
            pid = self.patient("0412 000 103")
            slot = self.fresh_slot()
            calls = [lambda: self.hold(slot, pid)] * 20 + [lambda: self.hold(slot, pid, srv=other)] * 20
            count = collections.Counter(r.status for r in race(calls))
            self.assertEqual((count[201], count[409]), (1, 39), count)
        finally:
            problem = other.stop_problem()
            other.close()
            self.assertIsNone(problem)

    def test_held_and_booked_slots_leave_availability(self):
        pid = self.patient("0412 000 104")
        slot = self.fresh_slot()
        r = self.hold(slot, pid)
        self.assertEqual(r.status, 201, r)
        starts = {s["start_at"] for s in self.slots()}
        self.assertNotIn(slot["start_at"], starts)
        b = self.post("bookAppt", {"appointment": r.body["appointment"]})
        self.assertEqual(b.status, 200, b)
        self.assertEqual(b.body["appointment"]["state"], "booked")
        self.assertNotIn(slot["start_at"], {s["start_at"] for s in self.slots()})
        # a new hold of the booked time is refused
        self.assertEqual(self.hold(slot, pid).status, 409)

    def test_hold_expires(self):
        pid = self.patient("0412 000 105", FAST_KEY)
        slot = self.fresh_slot(key=FAST_KEY)
        r = self.hold(slot, pid, FAST_KEY)
        self.assertEqual(r.status, 201, r)
        self.error(self.hold(slot, pid, FAST_KEY), 409, "slot_taken")
        time.sleep(10.5)
        self.error(self.post("bookAppt", {"appointment_id": r.body["appointment"]["id"]}, FAST_KEY), 409,
                   "hold_expired")
        again = self.hold(slot, pid, FAST_KEY)
        self.assertEqual(again.status, 201, again)

    def test_foreign_and_forged_holds(self):
        pid = self.patient("0412 000 106")
        slot = self.fresh_slot()
        r = self.hold(slot, pid)
        hid = r.body["appointment"]["id"]
        forged = hid[:-4] + ("0000" if not hid.endswith("0000") else "1111")
        self.error(self.post("bookAppt", {"appointment_id": forged}), 409, "hold_expired")
        self.error(self.post("bookAppt", {"appointment_id": hid}, FAST_KEY), 409, "hold_expired")  # other tenant
        self.error(self.post("bookAppt", {"appointment_id": "hold_nonsense"}), 409, "hold_expired")
        self.error(self.post("bookAppt", {}), 400, "missing_field")
        ok = self.post("bookAppt", {"appointment_id": hid})
        self.assertEqual(ok.status, 200, ok)
        # booking the same hold again answers the same appointment, not a second booking
        again = self.post("bookAppt", {"appointment_id": hid})
        self.assertEqual((again.status, again.body["appointment"]["id"]), (200, ok.body["appointment"]["id"]))

    def test_bad_input_is_4xx(self):
        pid = self.patient("0412 000 107")
        self.error(self.post("createAppt", {"patient_id": pid, "slot_id": "forged.token"}), 400, "invalid_slot_id")
        self.error(self.post("createAppt", {"patient_id": pid, "staff_member_id": STAFF, "treatment_id": LONG_TX,
                                            "start_at": "2026-02-30T25:00Z"}), 400, "invalid_field")
        self.error(self.post("createAppt", {"slot_id": "x"}), 400, "missing_field")
        slot = self.slots()[0]
        self.error(self.post("createAppt", {"patient_id": pid, "staff_member_id": STAFF, "treatment_id": LONG_TX,
                                            "start_at": slot["start_at"], "end_at": slot["start_at"]}), 422,
                   "invalid_range")


class Idempotency(Case):
    def test_replay_in_progress_and_reuse(self):
        pid = self.patient("0412 000 201")
        slot = self.fresh_slot()
        h = {"Idempotency-Key": "idem-%f" % clock.now_s()}
        res = race([lambda: self.hold(slot, pid, headers=h)] * 10)
        codes = collections.Counter((r.status, r.body["error"]["code"] if r.status >= 400 else "") for r in res)
        self.assertEqual(codes[(201, "")] + codes[(409, "idempotency_in_progress")], 10, codes)
        self.assertGreaterEqual(codes[(201, "")], 1)
        firsts = [r for r in res if r.status == 201]
        self.assertEqual(len({r.raw for r in firsts}), 1, "replays differ from the first answer")
        replay = self.hold(slot, pid, headers=h)
        self.assertEqual((replay.status, replay.raw), (201, firsts[0].raw))
        self.assertEqual(replay.header("idempotent-replayed"), "true")
        # the same body with keys in another order is the same request
        body = {"slot_id": slot["slot_id"], "patient_id": pid}
        self.assertEqual(self.post("createAppt", body, headers=h).raw, firsts[0].raw)
        self.error(self.post("createAppt", {"patient_id": pid, "slot_id": self.fresh_slot()["slot_id"]},
                             headers=h), 422, "idempotency_key_reused")
        # only one hold exists: a different key is refused by the hold
        self.error(self.hold(slot, pid, headers={"Idempotency-Key": h["Idempotency-Key"] + "-2"}), 409, "slot_taken")

    def test_key_is_per_tenant(self):
        pid = self.patient("0412 000 202")
        pid_fast = self.patient("0412 000 202", FAST_KEY)
        h = {"Idempotency-Key": "shared-%f" % clock.now_s()}
        a = self.post("lookup-create-patient", {"first_name": "A", "last_name": "B", "phone": "0412000202"},
                      headers=h)
        b = self.post("lookup-create-patient", {"first_name": "A", "last_name": "B", "phone": "0412000202"},
                      FAST_KEY, headers=h)
        self.assertEqual(a.body["patient"]["id"], pid)
        self.assertEqual(b.body["patient"]["id"], pid_fast)
        self.assertIsNone(b.header("idempotent-replayed"))

    def test_validation_errors_are_not_stored(self):
        h = {"Idempotency-Key": "bad-%f" % clock.now_s()}
        self.error(self.post("createAppt", {"slot_id": "x"}, headers=h), 400, "missing_field")
        r = self.post("createAppt", {"slot_id": "x"}, headers=h)
        self.assertIsNone(r.header("idempotent-replayed"))


class Changes(Case):
    def book(self, pid, slot):
        r = self.hold(slot, pid)
        self.assertEqual(r.status, 201, r)
        b = self.post("bookAppt", {"appointment_id": r.body["appointment"]["id"]})
        self.assertEqual(b.status, 200, b)
        return b.body["appointment"]

    def test_cancel_twice(self):
        pid = self.patient("0412 000 301")
        slot = self.fresh_slot()
        appt = self.book(pid, slot)
        c = self.post("cancelAppt", {"appointment_id": appt["id"], "cancelled_reason": "feeling better"})
        self.assertEqual((c.status, c.body["appointment"]["state"]), (200, "cancelled"), c)
        self.error(self.post("cancelAppt", {"appointment_id": appt["id"]}), 409, "already_cancelled")
        self.assertIn(slot["start_at"], {s["start_at"] for s in self.slots()})  # free again
        self.error(self.post("cancelAppt", {"appointment_id": "sb-appt-999999"}), 404, "not_found")

    def test_cancel_provisional_releases_the_hold(self):
        pid = self.patient("0412 000 302")
        slot = self.fresh_slot()
        r = self.hold(slot, pid)
        c = self.post("cancelAppt", {"appointment_id": r.body["appointment"]["id"]})
        self.assertEqual((c.status, c.body["appointment"]["state"]), (200, "cancelled"), c)
        self.assertEqual(self.hold(slot, pid).status, 201)

    def test_reschedule_into_taken_slot_keeps_original(self):
        pid = self.patient("0412 000 303")
        a_slot, b_slot = self.fresh_slot(), self.fresh_slot()
        a, b = self.book(pid, a_slot), self.book(pid, b_slot)
        r = self.post("rescheduleAppt", {"appointment_id": a["id"], "start_at": b_slot["start_at"]})
        self.assertEqual(r.status, 409, r)
        self.assertIn(r.body["error"]["code"], ("slot_taken", "slot_unavailable"))
        listed = self.post("fetchPatientsAppointments", {"patient_id": pid}).body["appointments"]
        mine = {x["id"]: x for x in listed}
        self.assertEqual(mine[a["id"]]["start_at"], a_slot["start_at"])
        self.assertEqual(mine[a["id"]]["state"], "booked")
        # into a free slot it moves, and the old time is free again
        c_slot = self.fresh_slot()
        m = self.post("rescheduleAppt", {"appointment_id": a["id"], "start_at": c_slot["start_at"]})
        self.assertEqual((m.status, m.body["appointment"]["start_at"]), (200, c_slot["start_at"]), m)
        starts = {s["start_at"] for s in self.slots()}
        self.assertIn(a_slot["start_at"], starts)
        self.assertNotIn(c_slot["start_at"], starts)

    def test_redis_restart_between_hold_and_book(self):
        pid = self.patient("0412 000 304")
        slot = self.fresh_slot()
        r = self.hold(slot, pid)
        REDIS.restart()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and SERVER.get("/readyz").status != 200:
            time.sleep(0.1)
        b = self.post("bookAppt", {"appointment_id": r.body["appointment"]["id"]})
        self.assertIn(b.status, (409, 503), b)
        if b.status == 409:
            self.assertEqual(b.body["error"]["code"], "hold_expired")
        pid = self.patient("0412 000 304")  # patients made through the API went with Redis
        again = self.hold(slot, pid)
        self.assertEqual(again.status, 201, again)
        self.assertEqual(self.post("bookAppt", {"appointment_id": again.body["appointment"]["id"]}).status, 200)
        count = collections.Counter(r.status for r in race([lambda: self.hold(slot, pid)] * 5))
        self.assertEqual(count[409], 5, count)


if __name__ == "__main__":
    unittest.main()
