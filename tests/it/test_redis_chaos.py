#!/usr/bin/env python3
"""tests/it/test_redis_chaos.py: two frontdesk processes on one Redis keep answering while Redis is killed (-9) and
restarted five times and paused once (SIGSTOP for a few seconds, then SIGCONT), under mixed voice, availability and
booking traffic from several threads on the demo sandbox tenant.

What a caller must see: every answer is JSON, and its status is one of
  200/201  an answer (2xx),
  409      slot_taken / slot_unavailable: another caller got the slot first, a normal answer,
  503      redis_unavailable (Redis down, restarting or hung) or service_unavailable (the sandbox clinic, which lives in
           Redis, could not be read), both with Retry-After,
  504      emr_timeout: the request's deadline passed while the sandbox clinic was being read or filled again after a
           restart (the clinic's calendar is slow, as an EMR can be).
Both processes survive (a crash shows up as refused connections and a dead process) and exit 0 on SIGTERM, and no
slot is booked twice: neither in the answers of one Redis lifetime nor in Redis' appointment records at the end.
Redis keeps its append-only file across the kills, as it runs in production; bookings are compared within one
lifetime of Redis and, at the end, across the whole run in Redis' records.
"""

import datetime as dt
import json
import os
import random
import signal
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402
import clock  # noqa: E402

KEY = "it-redis-chaos-key-7f31c0"
TENANT = "chaos"
ALLOWED = {200, 201, 409, 503, 504}
THREADS = 6
RESTARTS = 5
REDIS = None
SERVERS = []


def setUpModule():
    global REDIS
    REDIS = H.Redis().start()
    tenant = {"id": TENANT, "api_key_sha256": H.sha256_hex(KEY), "locale": "en-AU", "country": "AU",
              "time_zone": "Australia/Sydney", "rate_limit": {"per_second": 100000, "burst": 100000}}
    for _ in range(2):
        SERVERS.append(H.Frontdesk({"tenants": [tenant], "slot_secret": "it-redis-chaos-slot-secret-5521"}, REDIS,
                                   workers=2).start())


def tearDownModule():
    problems = [s.stop_problem() for s in SERVERS]
    REDIS.close()
    for s in SERVERS:
        s.close()
    problems = [p for p in problems if p]
    if problems:
        raise AssertionError("\n\n".join(problems))


class Traffic:
    """Worker threads sending a mix of requests until stopped; every answer is recorded with the Redis lifetime
    (era) it was sent and answered in."""

    PAIRS = [("pr-sam-nguyen", "tx-followup-physio"), ("pr-sam-nguyen", "tx-initial-physio")]
    BEST = [{"treatment_name": "follow up physio", "time_zone": "Sydney time"},
            {"treatment_name": "initial physio", "time_zone": "Sydney", "part_of_day": "afternoon"}]

    def __init__(self):
        self.era = 0
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.answers = []  # (what, status, code, is_json, seconds)
        self.failures = []  # transport errors: a refused or reset connection is a dead process
        self.bookings = []  # (era, appointment id, staff, start_at, end_at)
        self.phones = iter(range(10 ** 6))

    def record(self, what, r, seconds):
        code = r.body.get("error", {}).get("code") if r.is_json and isinstance(r.body, dict) else None
        with self.lock:
            self.answers.append((what, r.status, code, r.is_json, seconds, r.header("retry-after")))

    def call(self, server, method, path, body=None):
        t0 = time.monotonic()
        try:
            r = server.request(method, path, body, key=KEY, timeout=15)
        except OSError as e:
            with self.lock:
                self.failures.append("%s %s on :%d: %r" % (method, path.split("?")[0], server.port, e))
            time.sleep(0.05)
            return None
        self.record(path.split("?")[0], r, time.monotonic() - t0)
        if r.status == 503:
            time.sleep(0.02)  # a caller told to come back does not spin
        return r

    def book(self, server, rng):
        staff, treatment = rng.choice(self.PAIRS)
        r = self.call(server, "POST", "/ai_brain/fetchAvailabilityNext7Days",
                      {"staff_member_id": staff, "treatment_id": treatment})
        if r is None or r.status != 200 or not r.body.get("slots"):
            return
        slot = rng.choice(r.body["slots"][:4])  # few choices: callers collide on purpose
        with self.lock:
            phone = "+61491%06d" % next(self.phones)
        era = self.era
        r = self.call(server, "GET", "/voice/book?" + urllib.parse.urlencode(
            {"slot_id": slot["slot_id"], "first_name": "Chaos", "last_name": "Caller", "phone": phone}))
        if r is not None and r.status == 200 and r.body.get("booked") and self.era == era:
            a = r.body["appointment"]
            with self.lock:
                self.bookings.append((era, a["id"], a["staff_member_id"], a["start_at"], a["end_at"]))

    def run(self, index):
        rng = random.Random(index)
        while not self.stop.is_set():
            server = SERVERS[rng.randrange(len(SERVERS))]
            pick = rng.randrange(4)
            if pick == 0:
                self.call(server, "GET", "/voice/bestSlot?" + urllib.parse.urlencode(rng.choice(self.BEST)))
            elif pick == 1:
                staff, treatment = rng.choice(self.PAIRS)
                now = clock.now(dt.timezone.utc)
                self.call(server, "POST", "/ai_brain/fetchAvailabilityForRange",
                          {"staff_member_id": staff, "treatment_id": treatment,
                           "start_at": (now + dt.timedelta(days=rng.randrange(3))).isoformat(),
                           "end_at": (now + dt.timedelta(days=4)).isoformat()})
            else:
                self.book(server, rng)


def overlapping(bookings):
    """Pairs of distinct appointments of one practitioner whose times overlap."""
    out = []
    for i, a in enumerate(bookings):
        for b in bookings[i + 1:]:
            if a[0] != b[0] and a[1] == b[1] and a[2] < b[3] and b[2] < a[3]:
                out.append((a, b))
    return out


class RedisChaos(unittest.TestCase):
    def test_kills_and_a_pause_under_traffic(self):
        traffic = Traffic()
        threads = [threading.Thread(target=traffic.run, args=(i,), daemon=True) for i in range(THREADS)]
        for t in threads:
            t.start()
        time.sleep(2)
        for _ in range(RESTARTS):
            traffic.era += 1
            REDIS.restart(down_seconds=0.5, hard=True)
            time.sleep(2.5)
        traffic.era += 1
        os.kill(REDIS.proc.pid, signal.SIGSTOP)
        time.sleep(3)
        os.kill(REDIS.proc.pid, signal.SIGCONT)
        time.sleep(3)
        traffic.stop.set()
        for t in threads:
            t.join(30)

        for s in SERVERS:
            if not s.running:
                self.fail("frontdesk on :%d died:\n%s" % (s.port, s.stop_problem()))
        self.assertEqual(traffic.failures[:5], [], "%d requests got no HTTP answer" % len(traffic.failures))
        self.assertGreater(len(traffic.answers), 200, "too little traffic to mean anything")
        bad = [a for a in traffic.answers if not a[3] or a[1] not in ALLOWED]
        self.assertEqual(bad[:5], [], "%d answers outside %s" % (len(bad), sorted(ALLOWED)))
        codes = {409: {"slot_taken", "slot_unavailable"}, 503: {"redis_unavailable", "service_unavailable"},
                 504: {"emr_timeout"}}
        odd = [a for a in traffic.answers if a[1] in codes and a[2] not in codes[a[1]]]
        self.assertEqual(odd[:5], [], "%d errors with an unexpected code" % len(odd))
        no_retry = [a for a in traffic.answers if a[1] == 503 and not a[5]]
        self.assertEqual(no_retry[:5], [], "503 answers without Retry-After")
        statuses = {a[1] for a in traffic.answers}
        self.assertIn(200, statuses)
        self.assertIn(503, statuses, "Redis went away five times and nobody noticed")

        # no slot booked twice within one Redis lifetime, as answered ...
        by_era = {}
        for era, *rest in traffic.bookings:
            by_era.setdefault(era, []).append(tuple(rest))
        self.assertGreater(len(traffic.bookings), 5, "too few bookings to mean anything")
        for era, bookings in by_era.items():
            self.assertEqual(overlapping(bookings), [], "era %d: one time booked twice" % era)
        # ... and as Redis keeps them at the end
        records = []
        for key in REDIS.command("KEYS", "fd:{%s}:appt:*" % TENANT):
            fields = REDIS.command("HGETALL", key)
            h = dict(zip(fields[::2], fields[1::2]))
            if h.get("state") == "booked":
                records.append((key, h["staff"], int(h["start"]), int(h["end"])))
        self.assertEqual(overlapping(records), [], "Redis holds one time booked twice")

        # both recover: ready again, and they book
        for s in SERVERS:
            deadline = time.monotonic() + 10
            while s.get("/readyz", timeout=5).status != 200 and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertEqual(s.get("/readyz").status, 200)
            r = s.post("/ai_brain/fetchAvailabilityNext7Days",
                       {"staff_member_id": "pr-sam-nguyen", "treatment_id": "tx-followup-physio"}, key=KEY)
            self.assertEqual(r.status, 200, r)
        counts = {}
        for a in traffic.answers:
            counts[a[1]] = counts.get(a[1], 0) + 1
        print("chaos: %d answers %s, %d bookings" % (len(traffic.answers), json.dumps(counts, sort_keys=True),
                                                     len(traffic.bookings)), file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
