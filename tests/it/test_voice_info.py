#!/usr/bin/env python3
"""tests/it/test_voice_info.py: GET /voice/clinic-info on the sandbox: only AI-bookable staff, treatments they
offer at the key's locations, the key's locations, "source" live then cache, and a sentence an agent can say."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

KEYS = {"all": "it-voice-info-all-7c1e", "syd": "it-voice-info-syd-02bd", "off": "it-voice-info-off-99aa"}
REDIS = SERVER = None
CLINIC = CATALOG = None


def setUpModule():
    global REDIS, SERVER, CLINIC, CATALOG
    CLINIC = H.demo_clinic()
    CATALOG = H.Catalog(CLINIC)
    REDIS = H.Redis().start()
    syd = str(CATALOG.sydney_location()["id"])
    tenants = [{"id": "all", "api_key_sha256": H.sha256_hex(KEYS["all"])},
               {"id": "syd", "api_key_sha256": H.sha256_hex(KEYS["syd"]), "locations": [syd]},
               {"id": "off", "api_key_sha256": H.sha256_hex(KEYS["off"]), "ai_booking": False}]
    SERVER = H.Frontdesk({"tenants": tenants}, REDIS).start()


def tearDownModule():
    H.shut_down(SERVER, REDIS)


def expected(location_ids):
    """AI-enabled staff working at one of the locations; treatments offered there by one of them."""
    staff = {str(p["id"]) for p in CLINIC["practitioners"]
             if p.get("ai_enabled", True) and CATALOG.staff_locations(p) & location_ids}
    treatments = {str(t["id"]) for t in CLINIC["treatments"]
                  if CATALOG.treatment_locations(t) & location_ids and CATALOG.treatment_staff(t) & staff}
    return staff, treatments


class ClinicInfo(unittest.TestCase):
    def get(self, tenant):
        return SERVER.get("/voice/clinic-info", key=KEYS[tenant])

    def test_whole_clinic(self):
        REDIS.command("DEL", "fd:{all}:catalog")
        first = self.get("all")
        self.assertEqual(first.status, 200, first)
        self.assertEqual(first.body["source"], "live")
        second = self.get("all")
        self.assertEqual(second.body["source"], "cache")
        body = second.body
        staff, treatments = expected(set(CATALOG.location_ids))
        self.assertEqual({s["id"] for s in body["staff"]}, staff)
        self.assertTrue(all(s["ai_enabled"] for s in body["staff"]))
        self.assertLess(len(staff), len(CLINIC["practitioners"]), "the demo should have a practitioner AI may not book")
        self.assertEqual({t["id"] for t in body["treatments"]}, treatments)
        self.assertEqual({l["id"] for l in body["locations"]}, set(CATALOG.location_ids))
        self.assertEqual({k for k in body if k != "stale"}, {"staff", "treatments", "locations", "source", "message"})

    def test_message_is_one_spoken_sentence(self):
        body = self.get("all").body
        message = body["message"]
        self.assertLess(len(message.split()), 30, message)
        self.assertTrue(message.endswith("."), message)
        self.assertIsNone(re.search(r"\d{4}-\d{2}-\d{2}|[{}\[\]*_#]", message), message)
        self.assertIn(str(len(body["staff"])), message)
        self.assertIn(str(len(body["treatments"])), message)
        for location in body["locations"]:
            self.assertIn(location["name"], message)

    def test_locations_of_the_key_only(self):
        syd = str(CATALOG.sydney_location()["id"])
        body = self.get("syd").body
        staff, treatments = expected({syd})
        self.assertEqual([l["id"] for l in body["locations"]], [syd])
        self.assertEqual({s["id"] for s in body["staff"]}, staff)
        self.assertEqual({t["id"] for t in body["treatments"]}, treatments)
        self.assertNotIn("Vancouver", body["message"])

    def test_auth(self):
        r = SERVER.get("/voice/clinic-info")
        self.assertEqual((r.status, r.body["error"]["code"]), (401, "unauthorized"))
        r = self.get("off")
        self.assertEqual((r.status, r.body["error"]["code"]), (403, "booking_not_enabled"))
        r = SERVER.post("/voice/clinic-info", {}, key=KEYS["all"])
        self.assertEqual(r.status, 405)
        self.assertIn("GET", r.header("allow"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
