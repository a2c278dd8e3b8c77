"""tests/conformance/profiles/nookal.py: Nookal v2 through tests/fakes/fake_nookal.py (RPC methods with the api_key
in the form body, HTTP 200 failure envelopes, loose ids and booleans, page/page_length/nextPage, local times with
no offset in the location's zone, an "Invalid API key" failure for a revoked key).

The fake opens around the clock every day, and its first location is in Australia/Sydney, so the DST scenario
meets Sydney's changes (a skipped 02:00-03:00 in October, a repeated one in April)."""

import datetime as dt
import json
import sys
import urllib.parse
import urllib.request
from zoneinfo import ZoneInfo

from profiles.base import FakeEmrProfile, FAKES_DIR

sys.path.insert(0, FAKES_DIR)
import fake_nookal as F  # noqa: E402  (its seed data and local-time rules, to derive expectations from)

API_KEY = "conformance-nookal-key-5c1e"


class NookalProfile(FakeEmrProfile):
    name = "nookal"
    fake_script = "fake_nookal.py"
    phone_search = False  # searchPatients has no phone parameter: lookups go by e-mail or name + dob

    def fake_args(self):
        return ["--api-key", API_KEY, "--hours", "00:00-24:00", "--every-day"]

    def tenant(self):
        # Nookal documents no rate limit; the adapter paces each key at 120 calls a minute by default, which the
        # suite's cold reads exceed, so it is raised here (the fake's 429 is the emr_429 scenario).
        return {"provider": "nookal", "country": "AU",
                "provider_settings": {"api_key": API_KEY, "base_url": self.url + "/production/v2",
                                      "timeout_ms": 1500, "connect_timeout_ms": 500,
                                      "rate_limit_per_minute": 100000}}

    def zone(self):
        return F.State().locations["1"]["Timezone"]

    def dst_day_starts(self, day, staff_id, treatment_id, location_id):
        seed = F.State()
        zone = ZoneInfo(seed.locations[location_id]["Timezone"])
        duration = int(seed.services[treatment_id]["Duration"])
        return [int(t.timestamp() * 1000) for t in F.openings(zone, day, [(0, 1440)], duration)]

    def add_patients(self, patients):
        """Creates patients straight in Nookal (addPatient), as the clinic's front desk does; returns their ids."""
        ids = []
        for p in patients:
            form = urllib.parse.urlencode(dict(p, api_key=API_KEY)).encode()
            with urllib.request.urlopen(self.url + "/production/v2/addPatient", form, timeout=10) as r:
                answer = json.loads(r.read())
            assert answer["status"] == "success", answer
            ids.append(str(answer["data"]["results"]["patient_id"]))
        return ids

    def patient_record(self, first, last, email, dob):
        return {"first_name": first, "last_name": last, "email": email, "date_of_birth": dob}


PROFILE = NookalProfile
