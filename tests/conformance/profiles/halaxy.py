"""tests/conformance/profiles/halaxy.py: Halaxy (FHIR R4) through tests/fakes/fake_halaxy.py (OAuth2 client
credentials with 15-minute tokens, Bundles with link next, prefixed ids, $find/$book, merge-patch, OperationOutcome
errors, 429 with retry-after, invalid_client once revoked).

The fake opens 08:00-18:00 every day in Australia/Sydney, so the DST scenario sees Sydney's changes. Patients are
found by e-mail or by name and date of birth: Halaxy's patient search parameters are undocumented, so the adapter
declares no phone search (patient_by_phone is n/a, as for Cliniko)."""

import datetime as dt
import json
import os
import sys
import urllib.request

from profiles.base import FakeEmrProfile, FAKES_DIR

sys.path.insert(0, FAKES_DIR)
import fake_halaxy as F  # noqa: E402  (its seed data, hours and zone, to derive expectations from)

CLIENT_ID, CLIENT_SECRET = "conformance-halaxy-client", "conformance-halaxy-secret-5d0b"


class HalaxyProfile(FakeEmrProfile):
    name = "halaxy"
    fake_script = "fake_halaxy.py"
    phone_search = False

    def fake_args(self):
        return ["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET]

    def tenant(self):
        # Halaxy's real budget is 500 requests a minute; the suite's cold reads need more, so the pacing is raised
        # here (Halaxy's own 429 with retry-after is the emr_429 scenario).
        return {"provider": "halaxy", "country": "AU", "time_zone": F.ZONE.key,
                "provider_settings": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                                      "base_url": self.url + "/main", "time_zone": F.ZONE.key, "timeout_ms": 1500,
                                      "connect_timeout_ms": 500, "rate_limit_per_minute": 100000}}

    def clear_faults(self):
        super().clear_faults()
        self.control(rate_limit=100000)  # the fake's own 500 a minute would throttle the suite's cold reads

    def zone(self):
        return F.ZONE.key

    def dst_day_starts(self, day, staff_id, treatment_id, location_id):
        step = dt.timedelta(minutes=F.State().services[treatment_id]["minutes"])
        t = dt.datetime(day.year, day.month, day.day, F.OPEN_HOUR, 0, tzinfo=F.ZONE).astimezone(dt.timezone.utc)
        close = dt.datetime(day.year, day.month, day.day, F.CLOSE_HOUR, 0, tzinfo=F.ZONE).astimezone(dt.timezone.utc)
        out = []
        while t + step <= close:
            out.append(int(t.timestamp() * 1000))
            t += step
        return out

    def token(self):
        req = urllib.request.Request(self.url + "/main/oauth/token", method="POST",
                                     data=json.dumps({"grant_type": "client_credentials", "client_id": CLIENT_ID,
                                                      "client_secret": CLIENT_SECRET}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())["access_token"]

    def add_patients(self, patients):
        """Creates patients straight in Halaxy, as the clinic's front desk does; returns their ids."""
        token, ids = self.token(), []
        for p in patients:
            req = urllib.request.Request(self.url + "/main/Patient", data=json.dumps(p).encode(), method="POST",
                                         headers={"Authorization": "Bearer " + token,
                                                  "Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=10) as r:
                ids.append(json.loads(r.read())["id"])
        return ids

    def patient_record(self, first, last, email, dob):
        return {"resourceType": "Patient", "name": [{"use": "official", "given": [first], "family": last}],
                "telecom": [{"system": "email", "value": email}], "birthDate": dob}


PROFILE = HalaxyProfile
