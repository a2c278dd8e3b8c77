#!/usr/bin/env python3
"""tests/it/test_key_rotation.py: a tenant's API key is rotated with no failed call.

The operator adds the new key next to the old one (api_keys_sha256), moves the clients over, then removes the old
key. While both are configured, either key is answered as the same tenant; once the old one is removed (after a
restart), it is 401. A bad combination of keys is refused at start, naming the JSON path.
Run: python3 tests/it/test_key_rotation.py [-v]
"""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

OLD_KEY = "it-rotation-old-key-6b1f0e2d"
NEW_KEY = "it-rotation-new-key-93ac7d45"
LOCATIONS = "/ai_brain/fetchAllLocations"


def tenant(**keys):
    t = {"id": "demo", "provider": "sandbox", "time_zone": "Australia/Sydney", "locale": "en-AU", "country": "AU",
         "rate_limit": {"per_second": 1000, "burst": 2000}}
    t.update(keys)
    return t


class KeyRotation(unittest.TestCase):
    def setUp(self):
        self.redis = H.Redis().start()
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.close()
        self.redis.close()

    def serve(self, **keys):
        s = H.Frontdesk({"tenants": [tenant(**keys)]}, redis=self.redis, workers=1)
        self.servers.append(s)
        return s.start()

    def locations(self, server, key):
        return server.post(LOCATIONS, {}, key=key)

    def test_both_keys_work_during_a_rotation_and_the_removed_one_is_401_after(self):
        before = self.serve(api_key_sha256=H.sha256_hex(OLD_KEY))
        self.assertEqual(self.locations(before, OLD_KEY).status, 200)
        self.assertEqual(self.locations(before, NEW_KEY).status, 401)
        before.stop()

        during = self.serve(api_key_sha256=H.sha256_hex(OLD_KEY), api_keys_sha256=[H.sha256_hex(NEW_KEY)])
        old, new = self.locations(during, OLD_KEY), self.locations(during, NEW_KEY)
        self.assertEqual((old.status, new.status), (200, 200), "old %r, new %r" % (old, new))
        self.assertEqual(old.body, new.body, "the two keys must reach the same tenant")
        for _ in range(20):  # clients move over one by one: interleaved calls on both keys all succeed
            self.assertEqual(self.locations(during, OLD_KEY).status, 200)
            self.assertEqual(self.locations(during, NEW_KEY).status, 200)
        during.stop()

        after = self.serve(api_keys_sha256=[H.sha256_hex(NEW_KEY)])
        self.assertEqual(self.locations(after, NEW_KEY).status, 200)
        r = self.locations(after, OLD_KEY)
        self.assertEqual(r.status, 401, "the removed key still works: %r" % r)
        self.assertEqual(r.body["error"]["code"], "unauthorized")

    def test_bad_key_combinations_are_refused_with_their_path(self):
        digest = H.sha256_hex(OLD_KEY)
        cases = [
            ({"api_keys_sha256": []}, "tenants[0].api_keys_sha256:"),
            ({"api_key_sha256": digest, "api_keys_sha256": [digest]}, "tenants[0].api_keys_sha256[0]:"),
            ({"api_keys_sha256": [digest, H.sha256_hex(NEW_KEY), H.sha256_hex("third")]},
             "tenants[0].api_keys_sha256[2]:"),
            ({}, "tenants[0].api_key_sha256:"),
            # a publishable widget key that is the tenant's second API key would publish that key
            ({"api_keys_sha256": [digest, H.sha256_hex("pk_rotation_second_api_key_52c1")],
              "widget_keys": [{"key": "pk_rotation_second_api_key_52c1",
                               "allowed_origins": ["https://clinic.example"]}]},
             "tenants[0].widget_keys[0].key:"),
        ]
        d = H._tempdir("fd-it-config-")
        try:
            for keys, path in cases:
                config = {"listen": {"address": "127.0.0.1", "port": H.free_port()}, "workers": 1,
                          "redis": self.redis.address, "tenants": [tenant(**keys)]}
                with open(os.path.join(d, "config.json"), "w", encoding="utf-8") as f:
                    json.dump(config, f)
                p = H.run_cli("--config", os.path.join(d, "config.json"), timeout=10)
                self.assertEqual(p.returncode, 2, "%r: exit %s, stderr %r" % (keys, p.returncode, p.stderr))
                self.assertIn(path, p.stderr)
        finally:
            H._rmtree(d)


if __name__ == "__main__":
    unittest.main()
