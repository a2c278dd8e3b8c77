#!/usr/bin/env python3
"""tests/it/test_voice_hearing.py: what a caller hears from bestSlot on the demo clinic (Sydney and Vancouver)
when they name no location (their time zone picks it, or the agent is told to ask which one) and when they ask
for a day past the booking horizon (the clinic says how far ahead it books and offers the last bookable day)."""

import copy
import datetime as dt
import os
import sys
import unittest
import urllib.parse
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402
import clock  # noqa: E402

KEYS = {"demo": "it-voice-hear-demo-4c1e", "twin": "it-voice-hear-twin-8b27"}
REDIS = SERVER = None
SYD = ZoneInfo("Australia/Sydney")


def twin_clinic():
    """The demo clinic with a second Sydney location (Parramatta) where Dr Sam Nguyen also works (weekends)."""
    c = copy.deepcopy(H.demo_clinic())
    c["locations"].append(dict(c["locations"][0], id="loc-parramatta", name="Harbour & Pine Parramatta"))
    sam = next(p for p in c["practitioners"] if p["id"] == "pr-sam-nguyen")
    sam["schedules"].append({"location_id": "loc-parramatta",
                             "weekly": [{"days": ["sat", "sun"], "intervals": [{"start": "09:00", "end": "12:00"}]}]})
    return c


def setUpModule():
    global REDIS, SERVER
    REDIS = H.Redis().start()
    tenants = [{"id": "demo", "api_key_sha256": H.sha256_hex(KEYS["demo"]), "country": "AU", "locale": "en-AU",
                "rate_limit": {"per_second": 1000, "burst": 2000}},
               {"id": "twin", "api_key_sha256": H.sha256_hex(KEYS["twin"]), "country": "AU", "locale": "en-AU",
                "provider_settings": {"clinic_file": "twin.json"}}]
    SERVER = H.Frontdesk({"tenants": tenants, "slot_secret": "it-voice-hear-secret-561"}, REDIS,
                         files={"twin.json": twin_clinic()}).start()


def tearDownModule():
    H.shut_down(SERVER, REDIS)


def best(tenant="demo", **params):
    return SERVER.get("/voice/bestSlot?" + urllib.parse.urlencode(params), key=KEYS[tenant])


class CallerZone(unittest.TestCase):
    """Follow-up physio is offered at both demo locations; the caller names none."""

    def test_each_caller_is_offered_the_location_in_their_zone(self):
        r = best(treatment_name="follow up physio", time_zone="Sydney time")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["slot"]["location_id"], "loc-sydney", r.body["message"])
        self.assertIn("Harbour & Pine Sydney", r.body["message"])
        self.assertNotIn("Vancouver", r.body["message"])
        for alt in r.body["alternatives"]:
            self.assertEqual(alt["location_id"], "loc-sydney", alt)
        # Vancouver's own zone, and Los Angeles, which keeps Vancouver's offsets all year
        for zone in ("America/Vancouver", "America/Los_Angeles"):
            r = best(treatment_name="follow up physio", time_zone=zone)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.body["slot"]["location_id"], "loc-vancouver", r.body["message"])
            self.assertIn("Vancouver", r.body["message"])
        # a location the caller names still wins over their zone
        r = best(treatment_name="follow up physio", time_zone="Sydney time", clinic_location_name="Vancouver")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["slot"]["location_id"], "loc-vancouver", r.body["message"])

    def test_two_locations_in_the_callers_zone_ask_which_one(self):
        r = best(tenant="twin", treatment_name="follow up physio", time_zone="Sydney time")
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]),
                         (422, "ambiguous_name", "clinic_location_name"), r)
        self.assertEqual({c["id"] for c in r.body["error"]["candidates"]}, {"loc-sydney", "loc-parramatta"})
        message = r.body["error"]["message"]
        self.assertIn("Which location", message)
        self.assertIn("Harbour & Pine Parramatta", message)
        self.assertNotIn("Vancouver", message)
        r = best(tenant="twin", treatment_name="follow up physio", time_zone="Sydney time",
                 clinic_location_name="Parramatta")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["slot"]["location_id"], "loc-parramatta", r.body["message"])


class PastHorizon(unittest.TestCase):
    """The demo clinic books 30 local days ahead (today included)."""

    def test_far_date_says_the_horizon_and_offers_the_last_day(self):
        today = clock.today(SYD)
        last = today + dt.timedelta(days=29)
        asked = dt.datetime.combine(today + dt.timedelta(days=70), dt.time(10, 0), SYD)
        r = best(treatment_name="follow up physio", time_zone="Sydney time",
                 requested_time_utc=asked.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.body["beyond_horizon"], True, r.body)
        self.assertEqual(r.body["bookable_until"], last.isoformat())
        self.assertIn("only book 30 days ahead", r.body["message"])
        self.assertIn(r.body["spoken"], r.body["message"])
        start = dt.datetime.fromisoformat(r.body["slot"]["start_at"].replace("Z", "+00:00")).astimezone(SYD)
        # the last bookable day's best slot, or the last weekday before it when the clinic is shut that day
        self.assertLessEqual(start.date(), last)
        self.assertGreaterEqual(start.date(), last - dt.timedelta(days=4))
        # a date inside the horizon is answered as asked, without the horizon sentence
        asked = dt.datetime.combine(today + dt.timedelta(days=10), dt.time(10, 0), SYD)
        r = best(treatment_name="follow up physio", time_zone="Sydney time",
                 requested_time_utc=asked.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("beyond_horizon", r.body)
        self.assertNotIn("only book", r.body["message"])


if __name__ == "__main__":
    unittest.main()
