#!/usr/bin/env python3
"""tests/it/test_sandbox_seed.py: loading a sandbox clinic file is idempotent. Restarting frontdesk on the same
file leaves the tenant's sandbox data in Redis exactly as it was (nothing duplicated, patients made through the
API kept); a changed file replaces that tenant's sandbox data and nothing of another tenant's. A worker remembers
a tenant it saw seeded, but not past a Redis that lost its data: it seeds again before the next patient is made,
so that patient survives the next reconnect."""

import copy
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

KEY, OTHER_KEY = "it-seed-key-4f1d2c", "it-seed-other-key-8a7b"
CALLER = {"first_name": "Ada", "last_name": "Seedling", "phone": "+61491570999", "email": "ada@seed.example"}


class Seeding(unittest.TestCase):
    def setUp(self):
        self.redis = H.Redis().start()
        self.clinic = H.demo_clinic()
        self.server = None

    def tearDown(self):
        self.stop()
        self.redis.close()

    def start(self, clinic, workers=2):
        tenants = [{"id": "seed", "api_key_sha256": H.sha256_hex(KEY), "provider_settings": {"clinic_file": "c.json"},
                    "country": "AU"},
                   {"id": "other", "api_key_sha256": H.sha256_hex(OTHER_KEY), "country": "AU"}]
        self.server = H.Frontdesk({"tenants": tenants}, self.redis, workers=workers, files={"c.json": clinic}).start()
        for key in (KEY, OTHER_KEY):  # both tenants seeded and cached
            r = self.server.post("/ai_brain/fetchAllLocations", {}, key=key)
            self.assertEqual(r.status, 200, r)

    def stop(self):
        if self.server is not None:
            problem = self.server.stop_problem()
            self.server.close()
            self.server = None
            self.assertIsNone(problem)

    def snapshot(self, tenant):
        keys = sorted(self.redis.command("KEYS", "fd:{%s}:sandbox:*" % tenant))
        return {k: self.redis.command("DUMP", k) for k in keys}

    def patient(self):
        r = self.server.post("/ai_brain/lookup-create-patient", CALLER, key=KEY)
        self.assertIn(r.status, (200, 201), r)
        return r.body["patient"]["id"], r.body["created"]

    def test_same_file_changes_nothing_and_a_changed_file_replaces_the_data(self):
        self.start(self.clinic)
        first_id, created = self.patient()
        self.assertTrue(created)
        before, other_before = self.snapshot("seed"), self.snapshot("other")
        self.assertTrue(any(k.endswith(":sandbox:digest") for k in before), sorted(before))
        self.stop()

        self.start(self.clinic)  # the same file again
        self.assertEqual(self.snapshot("seed"), before, "restarting on the same file changed the sandbox data")
        again_id, created = self.patient()
        self.assertEqual((again_id, created), (first_id, False), "the API patient was lost or duplicated")
        self.stop()

        changed = copy.deepcopy(self.clinic)
        changed["locations"][0]["name"] = "Renamed By The Seed Test"
        self.start(changed)
        r = self.server.post("/ai_brain/fetchAllLocations", {}, key=KEY)
        self.assertIn("Renamed By The Seed Test", [l["name"] for l in r.body["locations"]])
        self.assertNotEqual(self.snapshot("seed"), before)
        _, created = self.patient()
        self.assertTrue(created, "a changed file must replace the tenant's sandbox data, API patients included")
        self.assertEqual(self.snapshot("other"), other_before, "another tenant's sandbox data changed")

    def wait_answering(self):
        for _ in range(200):
            if self.server.get("/readyz").status == 200 and \
                    self.server.post("/ai_brain/fetchAllLocations", {}, key=KEY).status == 200:
                return
            time.sleep(0.05)
        self.fail("frontdesk did not answer again after its Redis connections were dropped")

    def test_a_flushed_redis_is_seeded_again_and_keeps_the_patients_made_after(self):
        self.start(self.clinic, workers=1)  # one worker: each request finds what the one before left it
        self.patient()  # the tenant seen seeded and used
        self.redis.command("FLUSHALL")  # Redis loses everything without a restart
        r = self.server.post("/ai_brain/fetchAllLocations", {}, key=KEY)
        self.assertEqual(r.status, 200, r)
        made_id, created = self.patient()
        self.assertTrue(created, "the flush dropped the API patient: it must be made anew")
        self.redis.command("CLIENT", "KILL", "TYPE", "normal")  # every worker reconnects and runs its seed check
        self.wait_answering()
        again_id, created = self.patient()
        self.assertEqual((again_id, created), (made_id, False),
                         "the patient made after the flush was wiped by the reseed at the next reconnect")


if __name__ == "__main__":
    unittest.main(verbosity=2)
