"""tests/conformance/profiles/bridge.py: the EMR bridge (our own contract, openapi/emr-bridge.yaml) through the
reference bridge tests/fakes/fake_bridge.py with full capabilities (writes, a conflict probe, reschedule in place,
phone search, native holds: every createAppt also holds the time at the bridge and the booking consumes it): signed requests, instants with offsets, opaque string ids, error envelopes by HTTP status.

The fake's practitioners work around the clock every day and its clinic is in Australia/Melbourne, so the DST
scenario meets Melbourne's changes (a skipped 02:00-03:00 in October, a repeated 02:00-03:00 in April)."""

import json
import sys
from zoneinfo import ZoneInfo

from profiles.base import FakeEmrProfile, FAKES_DIR

sys.path.insert(0, FAKES_DIR)
import fake_bridge as F  # noqa: E402  (its seed data and opening rules, to derive expectations from)

SECRET = "conformance-bridge-secret-7d41"


class BridgeProfile(FakeEmrProfile):
    name = "bridge"
    fake_script = "fake_bridge.py"
    capabilities = "full"

    def fake_args(self):
        return ["--secret", SECRET, "--hours", "00:00-24:00", "--capabilities", self.capabilities]

    def tenant(self):
        return {"provider": "bridge", "country": "AU",
                "provider_settings": {"base_url": self.url + "/bridge/v1", "secret": SECRET,
                                      "timeout_ms": 1500, "connect_timeout_ms": 500}}

    def zone(self):
        return F.State().location["time_zone"]

    def dst_day_starts(self, day, staff_id, treatment_id, location_id):
        seed = F.State()
        duration = seed.treatment(treatment_id)["duration_minutes"]
        return [int(t.timestamp() * 1000) for t in F.openings(ZoneInfo(seed.location["time_zone"]), day,
                                                              (0, 1440), duration)]

    def add_patients(self, patients):
        """Creates patients straight in the EMR behind the bridge (the bridge's own create), as the front desk
        does; returns their ids."""
        return [self.signed("patients.create", {"patient": p})["patient"]["id"] for p in patients]

    def patient_record(self, first, last, email, dob):
        return {"first_name": first, "last_name": last, "email": email, "dob": dob}

    def signed(self, operation, body):
        """Calls the bridge as Frontdesk does (signed, on the suite's clock)."""
        return bridge_call(self.url + "/bridge/v1", SECRET, operation, body)


def bridge_call(base, secret, operation, body, stamp=None):
    """POSTs a signed operation to a bridge; the answer's JSON (raises urllib's HTTPError on a 4xx/5xx)."""
    import hashlib
    import hmac
    import urllib.request
    raw = json.dumps(dict(body, operation=operation)).encode()
    stamp = str(int(F.clock.now_s()) if stamp is None else stamp)
    sig = "v1=" + hmac.new(secret.encode(), stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    req = urllib.request.Request(base + "/" + operation.replace(".", "/"), data=raw, method="POST",
                                 headers={"Content-Type": "application/json", "X-Frontdesk-Timestamp": stamp,
                                          "X-Frontdesk-Signature": sig})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


PROFILE = BridgeProfile
