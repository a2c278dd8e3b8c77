#!/usr/bin/env python3
"""tests/it/test_durability.py: nothing the service said was done is lost or handed out again across Redis
crashes, on the sandbox, over HTTP against a real redis-server:

- with an append-only file (appendfsync everysec), Redis is SIGKILLed in the middle of a booking load and started
  again on the same dir: every booking a caller was told about (bookAppt 200) is still there, booked;
- without persistence, a restart loses everything: the old patient and appointment ids answer a JSON 404 naming
  the field (never another caller's record), and new records get ids never seen before.
"""

import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402
import clock  # noqa: E402

KEY = "it-durability-key-5e0c7a"
SECRET = "it-durability-slot-secret-0123456789"
LOC = "loc-sydney"
COMBOS = [("pr-zoe-martin", "tx-initial-physio"), ("pr-sam-nguyen", "tx-initial-physio")]


def config():
    return {"tenants": [{"id": "dur", "api_key_sha256": H.sha256_hex(KEY), "provider": "sandbox",
                         "time_zone": "Australia/Sydney", "locale": "en-AU", "country": "AU",
                         "rate_limit": {"per_second": 5000, "burst": 5000}}],
            "slot_secret": SECRET}


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class Durable(unittest.TestCase):
    aof = True

    @classmethod
    def setUpClass(cls):
        cls.redis = H.Redis(aof=cls.aof).start()
        cls.server = H.Frontdesk(config(), cls.redis).start()

    @classmethod
    def tearDownClass(cls):
        H.shut_down(cls.server, cls.redis)

    def post(self, route, body, timeout=20):
        r = self.server.request("POST", "/ai_brain/" + route, body, {"x-api-key": KEY}, timeout=timeout)
        self.assertNotEqual(r.status, 500, r)
        if r.status >= 400:
            self.assertTrue(r.is_json and "error" in r.body, r)
        return r

    def patient(self, phone):
        r = self.post("lookup-create-patient", {"first_name": "Dee", "last_name": "Rable", "phone": phone})
        self.assertIn(r.status, (200, 201), r)
        return r.body["patient"]["id"]

    def slots(self, staff, treatment):
        now = clock.now_s()
        r = self.post("fetchAvailabilityForRange", {"staff_member_id": staff, "treatment_id": treatment,
                                                    "locationId": LOC, "start_at": iso(now),
                                                    "end_at": iso(now + 28 * 86400)})
        self.assertEqual(r.status, 200, r)
        return r.body["slots"]

    def spaced(self, staff, treatment, n, gap=3 * 3600):
        """n slots of the practitioner at least `gap` seconds apart, so that no two of them overlap."""
        out = []
        for s in self.slots(staff, treatment):
            t = time.mktime(time.strptime(s["start_at"][:19], "%Y-%m-%dT%H:%M:%S"))
            if all(abs(t - u) >= gap for u, _ in out):
                out.append((t, s))
        if len(out) < n:
            self.skipTest("fewer than %d spaced slots in the next 28 days" % n)
        return [s for _, s in out[:n]]

    def try_book(self, pid, slot):
        """createAppt + bookAppt: (status of the failing call or 200, the booked appointment or None)."""
        h = self.post("createAppt", {"patient_id": pid, "slot_id": slot["slot_id"]})
        if h.status != 201:
            return h.status, None
        b = self.post("bookAppt", {"appointment_id": h.body["appointment"]["id"]})
        return b.status, b.body["appointment"] if b.status == 200 else None

    def book(self, pid, slot):
        status, appt = self.try_book(pid, slot)
        self.assertEqual(status, 200, slot)
        return appt

    def wait_ready(self):
        """Until /readyz answers 200 on several fresh connections in a row (every worker has reconnected)."""
        deadline, streak = time.monotonic() + 10, 0
        while time.monotonic() < deadline and streak < 6:
            streak = streak + 1 if self.server.get("/readyz").status == 200 else 0
            time.sleep(0.02)
        self.assertEqual(streak, 6, "frontdesk did not reconnect to Redis")

    def listed(self, pid):
        r = self.post("fetchPatientsAppointments", {"patient_id": pid})
        self.assertEqual(r.status, 200, r)
        return {a["id"]: a for a in r.body["appointments"]}


class WithAppendOnlyFile(Durable):
    def test_confirmed_bookings_survive_a_redis_crash_mid_load(self):
        # Disjoint work for each thread: its own caller and every n-th slot of each practitioner.
        threads_n = 4
        work = [[] for _ in range(threads_n)]
        for staff, tx in COMBOS:
            for i, s in enumerate(self.slots(staff, tx)):
                work[i % threads_n].append(s)
        confirmed, attempts, errors = [], [0], []
        lock = threading.Lock()
        stop = threading.Event()

        def caller(n):
            try:
                pid = None
                slots = list(work[n])
                while slots and not stop.is_set():
                    if pid is None:
                        r = self.post("lookup-create-patient", {"first_name": "Load", "last_name": "Caller%d" % n,
                                                                "phone": "0413 000 %03d" % n})
                        pid = r.body["patient"]["id"] if r.status in (200, 201) else None
                        continue
                    status, appt = self.try_book(pid, slots[0])
                    with lock:
                        attempts[0] += 1
                        if appt is not None:
                            confirmed.append((pid, appt))
                    if status < 500:  # booked or refused (taken, say); while Redis is down, the same slot again
                        slots.pop(0)
            except Exception as e:  # reported by the main thread
                errors.append(e)

        threads = [threading.Thread(target=caller, args=(n,)) for n in range(threads_n)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 15
        while len(confirmed) < 12 and time.monotonic() < deadline:
            time.sleep(0.01)
        before = len(confirmed)
        self.redis.stop(hard=True)  # SIGKILL while the callers keep booking
        time.sleep(0.3)
        self.redis.start()
        self.wait_ready()
        deadline = time.monotonic() + 15
        while len(confirmed) < before + 8 and time.monotonic() < deadline:
            time.sleep(0.01)
        stop.set()
        for t in threads:
            t.join(30)
        self.assertEqual(errors, [])
        self.assertGreaterEqual(before, 12, "the load never got going")
        self.assertGreater(len(confirmed), before, "no booking succeeded after Redis came back")
        self.assertEqual(len({a["id"] for _, a in confirmed}), len(confirmed), "an id was handed out twice")
        lost = []
        for pid, appt in confirmed:
            r = self.post("fetchPatientsAppointments", {"patient_id": pid})
            deadline = time.monotonic() + 10
            while r.status == 503 and time.monotonic() < deadline:  # a worker still reconnecting: ask again
                time.sleep(0.1)
                r = self.post("fetchPatientsAppointments", {"patient_id": pid})
            mine = {a["id"]: a for a in r.body.get("appointments", [])} if r.status == 200 else {}
            got = mine.get(appt["id"])
            if got is None or got["state"] != "booked" or got["start_at"] != appt["start_at"]:
                lost.append((appt["id"], r.status))
        self.assertEqual(lost, [], "%d of %d confirmed bookings are gone after the crash (%d attempts)"
                         % (len(lost), len(confirmed), attempts[0]))


class WithoutPersistence(Durable):
    aof = False

    def test_old_ids_are_404_and_new_ids_are_new(self):
        slots = self.spaced(*COMBOS[0], 5)
        old_pid = self.patient("0413 100 001")
        old = [self.book(old_pid, s) for s in slots[:3]]
        seen = {old_pid} | {a["id"] for a in old}
        self.redis.restart()  # every record is gone
        self.wait_ready()

        # Another caller books first: with per-tenant counters it would now get the old ids.
        new_pid = self.patient("0413 100 002")
        new = [self.book(new_pid, s) for s in slots[:3]]  # the same times: they are free again
        self.assertTrue(all(a["id"].startswith("sb-appt-") for a in new), new)
        self.assertTrue(new_pid.startswith("pt-api-"), new_pid)
        self.assertEqual(({new_pid} | {a["id"] for a in new}) & seen, set(), "an id from before the loss came back")
        # The first caller returns, is created again, and gets a new id too.
        again = self.patient("0413 100 001")
        self.assertNotIn(again, seen | {new_pid})

        for a in old:
            r = self.post("cancelAppt", {"appointment_id": a["id"], "cancelled_reason": "old id"})
            self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]),
                             (404, "not_found", "appointment_id"), r)
            r = self.post("rescheduleAppt", {"appointment_id": a["id"], "start_at": slots[4]["start_at"]})
            self.assertEqual((r.status, r.body["error"]["field"]), (404, "appointment_id"), r)
        r = self.post("fetchPatientsAppointments", {"patient_id": old_pid})
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]),
                         (404, "not_found", "patient_id"), r)
        h = self.post("createAppt", {"patient_id": old_pid, "slot_id": slots[3]["slot_id"]})
        self.assertEqual(h.status, 201, h)
        b = self.post("bookAppt", {"appointment_id": h.body["appointment"]["id"]})
        self.assertEqual((b.status, b.body["error"]["code"], b.body["error"]["field"]),
                         (404, "not_found", "patient_id"), b)
        # the refused booking freed its time
        self.assertEqual(self.post("createAppt", {"patient_id": new_pid, "slot_id": slots[3]["slot_id"]}).status, 201)
        # nothing of the new caller was touched by the old ids
        mine = self.listed(new_pid)
        self.assertEqual({a["id"]: a["state"] for a in new}, {i: mine[i]["state"] for i in mine})


if __name__ == "__main__":
    unittest.main(verbosity=2)
