#!/usr/bin/env python3
"""tests/it/test_reload.py: SIGHUP reloads the config with no restart and no failed request.

Under continuous load from several client threads (real HTTP: /voice/bestSlot and /ai_brain calls on sandbox
tenants), the config file is rewritten and the process sent SIGHUP: a tenant is added (served after), one removed
(401 after), a key rotated (new key added, clients moved, old key removed); the tenants that stay valid never see a
failed request. A bad config is refused with the JSON path of the problem in one log line while the running one
keeps serving; settings that need a restart are named as such. A request in flight during a reload (a slow fake
Cliniko) finishes on the config it began with. Fifty reloads under load leave the process answering, and it stops
cleanly (under the sanitizer build: no leak).
Run: python3 tests/it/test_reload.py [-v]
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402

KEYS = {"stay": "it-reload-stay-key-0c4e1a", "stay2": "it-reload-stay-rotated-key-7d90b2",
        "gone": "it-reload-gone-key-51f3aa", "new": "it-reload-new-key-2b86ce", "slow": "it-reload-slow-key-93e0d4"}
CLINIKO_KEY = "it-reload-cliniko-secret-au1"
BEST = "/voice/bestSlot?" + urllib.parse.urlencode({"treatment_name": "quick check-in", "time_zone": "eastern"})
LOCATIONS = "/ai_brain/fetchAllLocations"


def sandbox_tenant(tid, *keys, **extra):
    t = {"id": tid, "country": "AU", "locale": "en-AU", "rate_limit": {"per_second": 5000, "burst": 10000}}
    if len(keys) == 1:
        t["api_key_sha256"] = H.sha256_hex(keys[0])
    else:
        t["api_keys_sha256"] = [H.sha256_hex(k) for k in keys]
    t.update(extra)
    return t


class Load:
    """Client threads calling the tenant `stay` with the key in self.key (switchable) until stopped; every answer
    that is not 200 is kept."""

    def __init__(self, server, threads=4):
        self.server = server
        self.key = KEYS["stay"]
        self.stopping = threading.Event()
        self.failures = []
        self.count = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True) for i in range(threads)]

    def run(self, i):
        conn = None
        while not self.stopping.is_set():
            key = self.key
            try:
                if conn is None:
                    conn = self.server.connection(timeout=10)
                if i % 2 == 0:
                    r = H.exchange(conn, "GET", BEST, None, {"x-api-key": key})
                else:
                    r = H.exchange(conn, "POST", LOCATIONS, {}, {"x-api-key": key})
                ok = r.status == 200
                what = (r.status, r.body)
                if r.will_close:
                    conn.close()
                    conn = None
            except Exception as e:  # a reset connection or a dead process is a failed request
                ok, what = False, repr(e)
                if conn is not None:
                    conn.close()
                conn = None
            with self.lock:
                self.count += 1
                if not ok:
                    self.failures.append(what)
        if conn is not None:
            conn.close()

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for t in self.threads:
            t.join(30)


class Reload(unittest.TestCase):
    def setUp(self):
        self.redis = H.Redis().start()
        self.fake = None
        self.server = None

    def tearDown(self):
        if self.server is not None:
            self.server.close()
        if self.fake is not None:
            self.fake.terminate()
            self.fake.wait(5)
            self.fake.stdout.close()
        self.redis.close()

    def serve(self, tenants, workers=2):
        self.server = H.Frontdesk({"tenants": tenants, "slot_secret": "it-reload-slot-secret-4411"}, self.redis,
                                  workers=workers).start()
        return self.server

    def reloads(self, level=None):
        return [o for _, o in self.server.log_lines()
                if isinstance(o, dict) and o.get("msg", "").startswith("config reload")
                and (level is None or o.get("level") == level)]

    def reload(self, tenants=None, raw=None, **top):
        """Rewrites the config file (tenants, or raw text) and sends SIGHUP; returns the reload's log line."""
        before = len(self.reloads())
        cfg = dict(self.server.config, **top)
        if tenants is not None:
            cfg["tenants"] = tenants
        with open(self.server.config_path + ".tmp", "w", encoding="utf-8") as f:
            f.write(raw if raw is not None else json.dumps(cfg, indent=2))
        os.replace(self.server.config_path + ".tmp", self.server.config_path)  # the way an operator's tool writes
        self.server.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            lines = self.reloads()
            if len(lines) > before:
                return lines[before]
            self.assertTrue(self.server.running, "frontdesk died on SIGHUP:\n" + self.server.stderr()[-3000:])
            time.sleep(0.02)
        self.fail("no reload line within 10 s:\n" + self.server.stderr()[-3000:])

    def status(self, key, path=LOCATIONS):
        r = self.server.post(path, {}, key=key) if path == LOCATIONS else self.server.get(path, key=key)
        return r.status

    def test_tenants_added_removed_and_a_key_rotated_under_load_with_no_failed_request(self):
        self.serve([sandbox_tenant("stay", KEYS["stay"]), sandbox_tenant("gone", KEYS["gone"])])
        self.assertEqual(self.status(KEYS["new"]), 401)
        self.assertEqual(self.status(KEYS["gone"]), 200)
        with Load(self.server) as load:
            time.sleep(0.3)
            line = self.reload([sandbox_tenant("stay", KEYS["stay"]), sandbox_tenant("gone", KEYS["gone"]),
                                sandbox_tenant("new", KEYS["new"])])
            self.assertEqual((line["level"], line["added"], line["removed"], line["changed"]),
                             ("info", ["new"], [], []), line)
            self.assertEqual(self.status(KEYS["new"]), 200, "the added tenant is not served")
            self.assertEqual(self.status(KEYS["new"], BEST), 200)

            line = self.reload([sandbox_tenant("stay", KEYS["stay"]), sandbox_tenant("new", KEYS["new"])])
            self.assertEqual((line["added"], line["removed"], line["changed"]), ([], ["gone"], []), line)
            r = self.server.post(LOCATIONS, {}, key=KEYS["gone"])
            self.assertEqual((r.status, r.body["error"]["code"]), (401, "unauthorized"), r)

            # rotation: add the new key, reload, move the clients over, remove the old key, reload
            line = self.reload([sandbox_tenant("stay", KEYS["stay"], KEYS["stay2"]),
                                sandbox_tenant("new", KEYS["new"])])
            self.assertEqual(line["changed"], ["stay"], line)
            self.assertEqual((self.status(KEYS["stay"]), self.status(KEYS["stay2"])), (200, 200))
            time.sleep(0.2)
            load.key = KEYS["stay2"]
            time.sleep(0.3)  # a request begun with the old key just before the switch is answered first
            self.reload([sandbox_tenant("stay", KEYS["stay2"]), sandbox_tenant("new", KEYS["new"])])
            self.assertEqual(self.status(KEYS["stay"]), 401, "the removed key still works")
            self.assertEqual(self.status(KEYS["stay2"]), 200)

            # a bad config is refused, with the JSON path of the problem, and the running one keeps serving
            bad = self.reload([sandbox_tenant("stay", KEYS["stay2"]),
                               sandbox_tenant("new", KEYS["new"], policy={"hold_seconds": 1})])
            self.assertEqual(bad["level"], "error", bad)
            self.assertIn("tenants[1].policy.hold_seconds", bad["problem"], bad)
            bad = self.reload(raw='{"tenants": [')
            self.assertEqual(bad["level"], "error", bad)
            bad = self.reload([sandbox_tenant("stay", KEYS["stay2"]),
                               sandbox_tenant("new", KEYS["new"], provider_settings={"clinic_file": "nowhere.json"})])
            self.assertIn("tenants[1].provider_settings", bad["problem"], bad)
            self.assertEqual((self.status(KEYS["stay2"]), self.status(KEYS["new"])), (200, 200))
            self.assertEqual(self.status(KEYS["gone"]), 401)

            # what only a restart changes is named, not dropped in silence; the rest of the file applies
            line = self.reload([sandbox_tenant("stay", KEYS["stay2"])], workers=3)
            self.assertEqual((line["level"], line["ignored_until_restart"], line["removed"]),
                             ("warn", ["workers"], ["new"]), line)
            self.assertEqual(self.status(KEYS["new"]), 401)
            time.sleep(0.3)
        self.assertGreater(load.count, 50)
        self.assertEqual(load.failures[:3], [], "%d of %d requests failed" % (len(load.failures), load.count))
        for line, _ in self.server.log_lines():  # ids only: neither a key nor a digest is written
            for k in KEYS.values():
                self.assertNotIn(k, line)
                self.assertNotIn(H.sha256_hex(k), line)
        self.assertIsNone(self.server.stop_problem())

    def test_fifty_reloads_under_load(self):
        self.serve([sandbox_tenant("stay", KEYS["stay"])])
        with Load(self.server) as load:
            for i in range(50):
                tenants = [sandbox_tenant("stay", KEYS["stay"], policy={"hold_seconds": 60 + i})]
                if i % 2 == 0:
                    tenants.append(sandbox_tenant("new", KEYS["new"]))
                line = self.reload(tenants)
                self.assertEqual(line["level"], "info", line)
                self.assertEqual(self.status(KEYS["new"]), 200 if i % 2 == 0 else 401)
        self.assertEqual(len(self.reloads("info")), 50)
        self.assertEqual(load.failures[:3], [], "%d of %d requests failed" % (len(load.failures), load.count))
        self.assertIsNone(self.server.stop_problem(), "a crash or a leak (sanitizer build) after 50 reloads")

    def test_a_request_in_flight_finishes_on_the_config_it_began_with(self):
        self.fake = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "fakes", "fake_cliniko.py"), "--port",
                                      "0", "--api-key", CLINIKO_KEY], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        fake_url = "http://127.0.0.1:%d" % int(self.fake.stdout.readline().decode().split()[1])
        slow = {"id": "slow", "api_key_sha256": H.sha256_hex(KEYS["slow"]), "provider": "cliniko", "country": "US",
                "provider_settings": {"api_key": CLINIKO_KEY, "base_url": fake_url + "/v1", "timeout_ms": 3000,
                                      "rate_limit_per_minute": 100000},
                "rate_limit": {"per_second": 1000, "burst": 2000}}
        self.serve([sandbox_tenant("stay", KEYS["stay"]), slow], workers=1)
        control = urllib.request.Request(fake_url + "/__control", method="POST",
                                         data=json.dumps({"delay_ms": 700}).encode())
        urllib.request.urlopen(control, timeout=5).read()
        result = {}

        def call():
            result["r"] = self.server.post(LOCATIONS, {}, key=KEYS["slow"], timeout=20)

        t = threading.Thread(target=call)
        t.start()
        time.sleep(0.3)  # the request is waiting on the slow EMR
        line = self.reload([sandbox_tenant("stay", KEYS["stay"])])
        self.assertEqual(line["removed"], ["slow"], line)
        self.assertEqual(self.status(KEYS["slow"]), 401, "the removed tenant is still served to new requests")
        t.join(20)
        r = result.get("r")
        self.assertIsNotNone(r)
        self.assertEqual(r.status, 200, "the request begun before the reload did not finish on its config: %r" % (r,))
        self.assertTrue(r.body["locations"], r)
        self.assertEqual(self.status(KEYS["stay"]), 200)
        self.assertIsNone(self.server.stop_problem())


if __name__ == "__main__":
    unittest.main()
