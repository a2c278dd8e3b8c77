#!/usr/bin/env python3
"""tests/it/test_redis_outage.py: what a caller and the operator see when Redis is hung or down.

A hung Redis (SIGSTOP) and a dead one (SIGKILL) must both read as Redis trouble: `503 redis_unavailable` with
Retry-After, on /voice within the voice deadline (policy.voice_deadline_ms, 2 s by default) and elsewhere well
before the general 5 s deadline; GET /readyz answers at once (not ready) instead of waiting on Redis. The log says
"redis connection lost" once per outage and "redis connection regained" once when it is back, at warn level,
however many requests and reconnect attempts happen in between, and without the address or any key.
"""

import os
import signal
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

KEY = "it-redis-outage-key-2b81d4"
SECRET = "it-redis-outage-slot-secret-77a1"
VOICE_DEADLINE_S = 2.0
REDIS = SERVER = None
_phones = iter(range(10 ** 6))


def setUpModule():
    global REDIS, SERVER
    REDIS = H.Redis().start()
    tenant = {"id": "outage", "api_key_sha256": H.sha256_hex(KEY), "locale": "en-AU", "country": "AU",
              "time_zone": "Australia/Sydney", "rate_limit": {"per_second": 5000, "burst": 5000}}
    SERVER = H.Frontdesk({"tenants": [tenant], "slot_secret": SECRET}, REDIS, workers=2).start()


def tearDownModule():
    H.shut_down(SERVER, REDIS)


def timed(call):
    t0 = time.monotonic()
    r = call()
    return r, time.monotonic() - t0


class Outage(unittest.TestCase):
    def setUp(self):
        self.wait_ready()
        self.slots = SERVER.post("/ai_brain/fetchAvailabilityNext7Days",
                                 {"staff_member_id": "pr-sam-nguyen", "treatment_id": "tx-followup-physio"},
                                 key=KEY).body["slots"]
        self.assertGreater(len(self.slots), 4)
        self.log_mark = len(SERVER.log_lines())

    def wait_ready(self, seconds=10):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if SERVER.get("/readyz", timeout=10).status == 200:
                return
            time.sleep(0.05)
        self.fail("/readyz not 200 within %d s" % seconds)

    def book_by_voice(self, i=0):
        slot = self.slots[i % len(self.slots)]
        q = {"slot_id": slot["slot_id"], "first_name": "Rae", "last_name": "Outage",
             "phone": "+61492%06d" % next(_phones)}
        return timed(lambda: SERVER.get("/voice/book?" + urllib.parse.urlencode(q), key=KEY, timeout=15))

    def hold(self, i=0):
        body = {"patient_id": "pt-olivia-smith", "slot_id": self.slots[i % len(self.slots)]["slot_id"]}
        return timed(lambda: SERVER.post("/ai_brain/createAppt", body, key=KEY, timeout=15))

    def readyz(self):
        return timed(lambda: SERVER.get("/readyz", timeout=15))

    def assert_redis_unavailable(self, answer, within, what):
        r, seconds = answer
        self.assertEqual((r.status, r.is_json and r.body.get("error", {}).get("code")), (503, "redis_unavailable"),
                         "%s after %.2f s: %r" % (what, seconds, r))
        self.assertTrue(r.header("retry-after"), "%s: 503 without Retry-After" % what)
        self.assertLess(seconds, within, "%s answered after %.2f s" % (what, seconds))

    def outage_logs(self):
        """The redis connection log records since setUp: (msg, record)."""
        out = []
        for line, rec in SERVER.log_lines()[self.log_mark:]:
            if isinstance(rec, dict) and rec.get("msg", "").startswith("redis connection"):
                out.append((rec["msg"], rec, line))
        return out

    def assert_logged_once_each(self):
        deadline = time.monotonic() + 3
        while len(self.outage_logs()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        logs = self.outage_logs()
        self.assertEqual([m for m, _, _ in logs], ["redis connection lost", "redis connection regained"], logs)
        for msg, rec, line in logs:
            self.assertEqual(rec["level"], "warn", line)
            for secret in (KEY, SECRET, str(REDIS.port), "127.0.0.1"):
                self.assertNotIn(secret, line)
        self.assertEqual(sorted(logs[0][1]), ["level", "msg", "reason", "ts"], logs[0][2])

    def test_hung_redis(self):
        pid = REDIS.proc.pid
        os.kill(pid, signal.SIGSTOP)
        try:
            # requests caught by the hang, and probes, all at once
            voice, plain, probes = [], [], []
            threads = [threading.Thread(target=lambda i=i: voice.append(self.book_by_voice(i))) for i in range(3)]
            threads += [threading.Thread(target=lambda i=i: plain.append(self.hold(i))) for i in range(3, 5)]
            for t in threads:
                t.start()
            until = time.monotonic() + 2.5
            while time.monotonic() < until:
                probes.append(self.readyz())
                time.sleep(0.1)
            for t in threads:
                t.join(20)
            for answer in voice:
                self.assert_redis_unavailable(answer, VOICE_DEADLINE_S, "/voice/book during a hang")
            for answer in plain:
                self.assert_redis_unavailable(answer, 2.5, "createAppt during a hang")
            print("hang: voice %.2f s, createAppt %.2f s, slowest /readyz %.3f s" % (
                max(s for _, s in voice), max(s for _, s in plain), max(s for _, s in probes)), file=sys.stderr)
            self.assertLess(max(s for _, s in probes), 0.5, "a /readyz probe waited on the hung Redis")
            self.assertEqual(probes[-1][0].status, 503, probes[-1])
            # once the hang is known, answers come at once; reconnect attempts meanwhile log nothing
            time.sleep(2.5)
            self.assert_redis_unavailable(self.book_by_voice(), 0.5, "/voice/book in a known hang")
            self.assert_redis_unavailable(self.hold(), 0.5, "createAppt in a known hang")
            self.assert_redis_unavailable(self.readyz(), 0.5, "/readyz in a known hang")
        finally:
            os.kill(pid, signal.SIGCONT)
        self.wait_ready()
        self.assertEqual(self.book_by_voice(7)[0].status, 200)
        self.assert_logged_once_each()

    def test_redis_down(self):
        REDIS.stop(hard=True)
        try:
            time.sleep(0.3)
            until = time.monotonic() + 3  # several reconnect attempts fail meanwhile
            i = 0
            while time.monotonic() < until:
                self.assert_redis_unavailable(self.book_by_voice(i), 0.5, "/voice/book with Redis down")
                self.assert_redis_unavailable(self.hold(i), 0.5, "createAppt with Redis down")
                self.assert_redis_unavailable(self.readyz(), 0.5, "/readyz with Redis down")
                i += 1
        finally:
            REDIS.start()
        self.wait_ready()
        self.assert_logged_once_each()


if __name__ == "__main__":
    unittest.main()
