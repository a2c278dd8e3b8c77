"""tests/conformance/profiles/cliniko.py: Cliniko through tests/fakes/fake_cliniko.py (HTTP Basic with the API key,
string ids above 2**53, page/per_page with links.next, 429 with X-RateLimit-Reset, 401 for a revoked key).

The fake opens around the clock every day in the account's zone (America/New_York, a Rails zone name in
/settings), so the DST scenario sees the change itself."""

import base64
import datetime as dt
import json
import os
import sys
import urllib.request
from zoneinfo import ZoneInfo

from profiles.base import FakeEmrProfile, FAKES_DIR

sys.path.insert(0, FAKES_DIR)
import fake_cliniko as F  # noqa: E402  (its seed data and zone, to derive expectations from)

API_KEY = "conformance-cliniko-key-au1"


class ClinikoProfile(FakeEmrProfile):
    name = "cliniko"
    fake_script = "fake_cliniko.py"
    phone_search = False  # Cliniko's patient filters have no phone number: lookups go by e-mail or name + dob

    def fake_args(self):
        return ["--api-key", API_KEY, "--hours", "00:00-24:00", "--every-day"]

    def tenant(self):
        # Cliniko's real budget is 200 requests a minute per user; the suite makes more than that in a minute of
        # cold reads, so the pacing is raised here (Cliniko's own 429 is the emr_429 scenario).
        return {"provider": "cliniko", "country": "US",
                "provider_settings": {"api_key": API_KEY, "base_url": self.url + "/v1", "timeout_ms": 1500,
                                      "connect_timeout_ms": 500, "rate_limit_per_minute": 100000}}

    def fault(self, kind, **kw):
        if kind == "rate_limit":  # Cliniko's own limiter: 429 with X-RateLimit-Reset (its minute window's end)
            self.control(rate_limit=1)
            return True
        return super().fault(kind, **kw)

    def zone(self):
        return F.RAILS_ZONES[F.ACCOUNT_ZONE_LABEL]

    def dst_day_starts(self, day, staff_id, treatment_id, location_id):
        seed = F.State()
        zone = ZoneInfo(self.zone())
        step = dt.timedelta(minutes=seed.types[treatment_id]["duration_in_minutes"])
        t, end = F.wall_instant(day, 0, zone), F.wall_instant(day, 1440, zone)
        out = []
        while t + step <= end:
            out.append(int(t.timestamp() * 1000))
            t += step
        return out

    def add_patients(self, patients):
        """Creates patients straight in Cliniko, as the clinic's front desk does; returns their ids."""
        auth = base64.b64encode((API_KEY + ":").encode()).decode()
        ids = []
        for p in patients:
            req = urllib.request.Request(self.url + "/v1/patients", data=json.dumps(p).encode(), method="POST",
                                         headers={"Authorization": "Basic " + auth, "User-Agent": "front desk",
                                                  "Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=10) as r:
                ids.append(json.loads(r.read())["id"])
        return ids

    def patient_record(self, first, last, email, dob):
        return {"first_name": first, "last_name": last, "email": email, "date_of_birth": dob}


PROFILE = ClinikoProfile
