#!/usr/bin/env python3
"""tests/it/test_bestslot_clock_change.py: /voice/bestSlot tells local days apart on the night the clocks go forward.

bestSlot scores each practitioner's openings with their local day and minute (the "another local day" rule of
alternatives, the part of day), worked out per run of openings from the zone's offset. A practitioner in Sydney
works nights (00:00-04:30 and 22:00-24:00, every day); the clocks go forward at 02:00 on 3 October 2027. Asked
for midnight at the end of that day (00:00 on 4 October, AEDT), the best slot is midnight itself and the first
alternative is 23:30 the evening before (the last slot of that shift): half an hour earlier but another local
day, so genuinely different. Read with the offset of the night's first hours (AEST, before the change), midnight
would fall on 3 October, 23:30 would not be "another day", and the first alternative would be an hour away.

The clock is pinned to CHANGE_NOW whatever the suite's clock is (the answer is about that one night).
"""

import datetime as dt
import os
import sys
import unittest
import urllib.parse
from zoneinfo import ZoneInfo

CHANGE_NOW = "2027-09-30T00:00:00Z"
os.environ.pop("FD_IT_CLOCK_OFFSET_MS", None)
os.environ["FD_IT_NOW"] = CHANGE_NOW

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

KEY = "it-bestslot-clock-change-key"
SYDNEY = ZoneInfo("Australia/Sydney")
SERVER = REDIS = None


def clinic():
    every_day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    return {"clinic": {"name": "Night Clinic", "country": "AU", "locale": "en-AU"},
            "locations": [{"id": "loc-syd", "name": "Night Clinic Sydney", "time_zone": "Australia/Sydney",
                           "address": {"line1": "1 Test Street", "city": "Sydney", "country": "AU"}}],
            "practitioners": [{"id": "pr-nora", "first_name": "Nora", "last_name": "Night",
                               "schedules": [{"location_id": "loc-syd", "weekly": [{
                                   "days": every_day, "intervals": [{"start": "00:00", "end": "04:30"},
                                                                    {"start": "22:00", "end": "24:00"}]}]}]}],
            "treatments": [{"id": "tx-30", "name": "Night Visit", "duration_minutes": 30,
                            "price": {"amount": 50, "currency": "AUD"}, "practitioner_ids": ["pr-nora"]}],
            "policy": {"min_notice_minutes": 0, "max_days_ahead": 30, "slot_step_minutes": 15}}


def setUpModule():
    global SERVER, REDIS
    H.require_bin()
    REDIS = H.Redis().start()
    SERVER = H.Frontdesk({"tenants": [{
        "id": "night", "api_key_sha256": H.sha256_hex(KEY), "provider": "sandbox", "locale": "en-AU",
        "country": "AU", "time_zone": "Australia/Sydney", "provider_settings": {"clinic_file": "night.json"},
        "rate_limit": {"per_second": 100000, "burst": 100000}}]}, REDIS, files={"night.json": clinic()}).start()


def tearDownModule():
    H.shut_down(SERVER, REDIS)


def utc(local):
    return local.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def instant(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class ClockChangeNight(unittest.TestCase):
    def test_midnight_after_the_clocks_go_forward_is_the_next_local_day(self):
        midnight = dt.datetime(2027, 10, 4, 0, 0, tzinfo=SYDNEY)
        self.assertEqual(midnight.utcoffset(), dt.timedelta(hours=11))  # AEDT: the change is behind it
        r = SERVER.get("/voice/bestSlot?" + urllib.parse.urlencode({
            "treatment_name": "Night Visit", "time_zone": "Australia/Sydney",
            "requested_time_utc": utc(midnight)}), key=KEY)
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.body["available"], True, r.body)
        self.assertEqual(instant(r.body["slot"]["start_at"]), midnight, r.body)
        starts = [instant(a["start_at"]) for a in r.body["alternatives"]]
        half_past_eleven = dt.datetime(2027, 10, 3, 23, 30, tzinfo=SYDNEY)  # AEDT too: +11:00
        self.assertEqual(starts[:1], [half_past_eleven], r.body)


if __name__ == "__main__":
    unittest.main()
