#!/usr/bin/env python3
"""tests/it/test_sentinel_failover.py: two frontdesk processes on a Redis Sentinel deployment (one master, one
replica, three sentinels on loopback) keep booking while the master is killed (-9).

The processes find the master through the sentinels, follow the failover to the promoted replica by themselves
(no restart) and then book again. What a caller must see: every answer is JSON and one of
  200      booked (or an availability answer),
  409      slot_taken / slot_unavailable: another caller got the slot first,
  503      redis_unavailable / service_unavailable with Retry-After, and only during the failover,
  504      emr_timeout, only during the failover (the sandbox clinic lives in Redis).
No booking confirmed to a caller is lost (each is in the new master afterwards: writes are acknowledged by the
replica before the answer), and no slot is booked twice. Prints the failover gap it measured.
Run: python3 tests/it/test_sentinel_failover.py [-v]
"""

import datetime as dt
import os
import signal
import sys
import threading
import time
import unittest
import urllib.parse
import random

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clock  # noqa: E402
import harness as H  # noqa: E402

KEY = "it-sentinel-key-2be91f07"
TENANT = "ha"
THREADS = 4
PAIRS = [("pr-sam-nguyen", "tx-followup-physio"), ("pr-sam-nguyen", "tx-initial-physio")]
DURING = {503: {"redis_unavailable", "service_unavailable"}, 504: {"emr_timeout"}}


class Load:
    """Threads booking through both processes (availability, then /voice/book of one of its first slots, with a
    caller of their own); every answer recorded with the time it came."""

    def __init__(self, servers):
        self.servers = servers
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.answers = []   # (monotonic time answered, path, status, code, is_json, retry-after)
        self.failures = []  # no HTTP answer at all
        self.bookings = []  # (appointment id, staff, start_at, end_at)
        self.phones = iter(range(10 ** 6))

    def call(self, server, method, path, body=None):
        try:
            r = server.request(method, path, body, key=KEY, timeout=15)
        except OSError as e:
            with self.lock:
                self.failures.append("%s on :%d: %r" % (path.split("?")[0], server.port, e))
            time.sleep(0.05)
            return None
        code = r.body.get("error", {}).get("code") if r.is_json and isinstance(r.body, dict) else None
        with self.lock:
            self.answers.append((time.monotonic(), path.split("?")[0], r.status, code, r.is_json,
                                 r.header("retry-after")))
        if r.status >= 500:
            time.sleep(0.05)  # a caller told to come back does not spin
        return r

    def run(self, index):
        rng = random.Random(index)
        while not self.stop.is_set():
            server = self.servers[rng.randrange(len(self.servers))]
            staff, treatment = rng.choice(PAIRS)
            week = clock.now() + dt.timedelta(days=1 + 7 * rng.randrange(4))  # four weeks of slots to book
            r = self.call(server, "POST", "/ai_brain/fetchAvailabilityForRange",
                          {"staff_member_id": staff, "treatment_id": treatment, "start_at": week.isoformat(),
                           "end_at": (week + dt.timedelta(days=7)).isoformat()})
            if r is None or r.status != 200 or not r.body.get("slots"):
                continue
            slot = rng.choice(r.body["slots"][:4])  # few choices: callers collide on purpose
            with self.lock:
                phone = "+61492%06d" % next(self.phones)
            r = self.call(server, "GET", "/voice/book?" + urllib.parse.urlencode(
                {"slot_id": slot["slot_id"], "first_name": "Failover", "last_name": "Caller", "phone": phone}))
            if r is not None and r.status == 200 and r.body.get("booked"):
                a = r.body["appointment"]
                with self.lock:
                    self.bookings.append((a["id"], a["staff_member_id"], a["start_at"], a["end_at"]))
            time.sleep(0.3)  # a paced caller: the clinic's month is not booked out before the failover


def overlapping(bookings):
    """Pairs of distinct appointments of one practitioner whose times overlap."""
    return [(a, b) for i, a in enumerate(bookings) for b in bookings[i + 1:]
            if a[0] != b[0] and a[1] == b[1] and a[2] < b[3] and b[2] < a[3]]


class SentinelFailover(unittest.TestCase):
    def setUp(self):
        self.sentinels = H.SentinelSet().start()
        tenant = {"id": TENANT, "api_key_sha256": H.sha256_hex(KEY), "locale": "en-AU", "country": "AU",
                  "time_zone": "Australia/Sydney", "rate_limit": {"per_second": 100000, "burst": 100000}}
        self.servers = []
        for _ in range(2):
            self.servers.append(H.Frontdesk({"tenants": [tenant], "redis": self.sentinels.config(),
                                             "slot_secret": "it-sentinel-slot-secret-80c2"}, workers=2).start())

    def tearDown(self):
        problems = [s.stop_problem() for s in self.servers]
        for s in self.servers:
            s.close()
        self.sentinels.close()
        problems = [p for p in problems if p]
        if problems:
            raise AssertionError("\n\n".join(problems))

    def test_killing_the_master_under_booking_load(self):
        old = self.sentinels.current_master()
        self.assertIs(old, self.sentinels.master)
        load = Load(self.servers)
        threads = [threading.Thread(target=load.run, args=(i,), daemon=True) for i in range(THREADS)]
        for t in threads:
            t.start()
        time.sleep(3)
        killed_at = time.monotonic()
        old.stop(hard=True)
        promoted_at = None
        deadline = killed_at + 40
        while time.monotonic() < deadline:  # the sentinels promote the replica
            if self.sentinels.master_port() == self.sentinels.replica.port:
                promoted_at = time.monotonic()
                break
            time.sleep(0.05)
        self.assertIsNotNone(promoted_at, "the sentinels did not promote the replica")
        # Its supervisor starts the old master again (with its append-only file); the sentinels turn it into the
        # new master's replica. Until then no write can be acknowledged by a replica, so none is confirmed.
        old.start()
        restarted_at = time.monotonic()
        recovered_at = None
        while time.monotonic() < deadline and recovered_at is None:  # the service books again
            with load.lock:
                recovered_at = next((a[0] for a in load.answers if a[0] > promoted_at and a[1] == "/voice/book"
                                     and a[2] == 200), None)
            time.sleep(0.05)
        if recovered_at is None:
            load.stop.set()
            after = {}
            for a in load.answers:
                if a[0] > promoted_at:
                    after[(a[1], a[2], a[3])] = after.get((a[1], a[2], a[3]), 0) + 1
            self.fail("no booking succeeded after the failover; answers since: %r\n%s"
                      % (after, self.servers[0].stderr()[-3000:]))
        time.sleep(4)  # and keeps booking with no error
        load.stop.set()
        for t in threads:
            t.join(30)

        for s in self.servers:
            self.assertTrue(s.running, "frontdesk on :%d died:\n%s" % (s.port, s.stderr()[-3000:]))
        self.assertEqual(load.failures[:5], [], "%d requests got no HTTP answer" % len(load.failures))
        errors = [a for a in load.answers if a[2] >= 500 or not a[4]]
        self.assertTrue(errors, "killing the master went unnoticed")
        for a in errors:
            self.assertTrue(a[4] and a[2] in DURING and a[3] in DURING[a[2]], "unexpected answer %r" % (a,))
            if a[2] == 503:
                self.assertTrue(a[5], "503 without Retry-After: %r" % (a,))
        first, last = min(a[0] for a in errors), max(a[0] for a in errors)
        self.assertGreaterEqual(first, killed_at, "errors before the master was killed")
        self.assertLess(last, recovered_at + 1.0, "errors after the service had recovered")
        odd = [a for a in load.answers if a[2] not in (200, 409) and a[2] < 500]
        self.assertEqual(odd[:5], [], "answers outside 200/409/503/504")

        # every booking confirmed to a caller is in the new master, and none overlaps another
        self.assertGreater(len(load.bookings), 5, "too few bookings to mean anything")
        self.assertEqual(overlapping(load.bookings), [], "one time booked twice, as answered")
        new = self.sentinels.replica
        lost = [b for b in load.bookings
                if new.command("HGET", "fd:{%s}:sandbox:appointments" % TENANT, b[0]) is None]
        self.assertEqual(lost, [], "%d of %d confirmed bookings lost in the failover" % (len(lost), len(load.bookings)))
        for s in self.servers:
            self.assertEqual(s.get("/readyz").status, 200)
        reads_back = min((a[0] for a in load.answers if a[0] > promoted_at and a[2] == 200), default=None)
        print("sentinel failover: master killed; replica promoted after %.2f s; reads answered again at +%.2f s; "
              "old master restarted at +%.2f s; errors from +%.2f s to +%.2f s (gap %.2f s); first booking again "
              "at +%.2f s; %d answers, %d bookings, %d errors"
              % (promoted_at - killed_at, reads_back - killed_at, restarted_at - killed_at, first - killed_at,
                 last - killed_at, last - first, recovered_at - killed_at, len(load.answers), len(load.bookings),
                 len(errors)), file=sys.stderr)

    def test_a_booking_no_replica_acknowledged_is_not_confirmed(self):
        server = self.servers[0]
        week = clock.now() + dt.timedelta(days=2)
        r = server.post("/ai_brain/fetchAvailabilityForRange",
                        {"staff_member_id": PAIRS[0][0], "treatment_id": PAIRS[0][1], "start_at": week.isoformat(),
                         "end_at": (week + dt.timedelta(days=7)).isoformat()}, key=KEY)
        self.assertEqual(r.status, 200, r)
        slots = r.body["slots"]
        appointments = "fd:{%s}:sandbox:appointments" % TENANT

        def book(slot, phone):
            return server.get("/voice/book?" + urllib.parse.urlencode(
                {"slot_id": slot["slot_id"], "first_name": "Paused", "last_name": "Replica", "phone": phone}),
                key=KEY)

        self.assertEqual(book(slots[0], "+61493000001").status, 200)
        before = self.sentinels.master.command("HLEN", appointments)
        os.kill(self.sentinels.replica.proc.pid, signal.SIGSTOP)  # the replica acknowledges nothing
        try:
            t0 = time.monotonic()
            r = book(slots[3], "+61493000002")
            took = time.monotonic() - t0
        finally:
            os.kill(self.sentinels.replica.proc.pid, signal.SIGCONT)
        self.assertEqual((r.status, r.body["error"]["code"]), (503, "redis_unavailable"), r)
        self.assertTrue(r.header("retry-after"), r)
        self.assertLess(took, 2.0, "the wait for a replica broke the voice deadline")
        self.assertEqual(self.sentinels.master.command("HLEN", appointments), before, "booked all the same")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and book(slots[6], "+61493000003").status != 200:
            time.sleep(0.2)
        self.assertEqual(self.sentinels.master.command("HLEN", appointments), before + 1, "no booking once it is back")


if __name__ == "__main__":
    unittest.main()
