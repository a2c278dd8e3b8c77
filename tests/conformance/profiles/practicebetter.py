"""tests/conformance/profiles/practicebetter.py: Practice Better through tests/fakes/fake_practicebetter.py (OAuth2
client credentials with expiring tokens, 5 requests a second with bursts of 20 answered 429 + Retry-After,
limit/before_id/hasMore lists newest first, 24-hex ids, {"error", "message"} envelopes, reads in UTC and writes as
local wall time plus a Windows zone name, a taken time refused by its text).

The fake opens around the clock every day, and the clinic is in Australia/Sydney ("AUS Eastern Standard Time"),
so the DST scenario meets Sydney's changes (a skipped 02:00-03:00 in October, a repeated hour in April). Practice Better has
no services or locations endpoint (research), so the tenant's settings name them, as a clinic would."""

import datetime as dt
import sys
import time
from zoneinfo import ZoneInfo

from profiles.base import FakeEmrProfile, FAKES_DIR

sys.path.insert(0, FAKES_DIR)
import fake_practicebetter as F  # noqa: E402  (its seed data and slot rules, to derive expectations from)

CLIENT_ID = "conformance-pb-client"
CLIENT_SECRET = "conformance-pb-secret-7d2a"


def settings(url, **extra):
    """provider_settings of a tenant on the fake at url (also used by tests/it/test_practicebetter.py)."""
    seed = F.State()
    return dict({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "base_url": url, "currency": "AUD",
                 "location": {"id": "main", "name": "Harbour Wellness", "time_zone": F.ZONE, "city": "Sydney",
                              "country": "AU"},
                 "services": [{"id": sid, "name": s["name"], "duration_minutes": s["minutes"], "price": 120}
                              for sid, s in seed.services.items()],
                 "timeout_ms": 1500, "connect_timeout_ms": 500}, **extra)


BURST_REFILL_S = 3.0  # 15 of the 20 burst tokens at 5 a second


class PracticeBetterProfile(FakeEmrProfile):
    name = "practicebetter"
    fake_script = "fake_practicebetter.py"

    def fake_args(self):
        return ["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET, "--hours", "00:00-24:00", "--every-day"]

    def tenant(self):
        return {"provider": "practicebetter", "country": "AU", "provider_settings": settings(self.url)}

    def zone(self):
        return F.ZONE

    def dst_day_starts(self, day, staff_id, treatment_id, location_id):
        zone = ZoneInfo(F.ZONE)
        minutes = F.State().services[treatment_id]["minutes"]
        out = []
        for t in F.slots(zone, day, [(0, 1440)], minutes):
            local = t.astimezone(zone)  # a start a write cannot name (a repeated hour's second time) is not offered
            if F.local_instant(zone, local.date(), local.hour * 60 + local.minute) == t:
                out.append(int(t.timestamp() * 1000))
        return out

    def add_patients(self, patients):
        """Clients made by the clinic's front desk in Practice Better (which lets a family share an e-mail there,
        unlike its API's create): their ids."""
        return self.control(add_clients=patients)["ids"]

    def patient_record(self, first, last, email, dob):
        return {"firstName": first, "lastName": last, "emailAddress": email, "dateOfBirth": dob}

    def clear_faults(self):
        super().clear_faults()
        self.control(revoke=False)

    def fault(self, kind, **kw):
        """Practice Better allows 5 requests a second for the whole account, and the scenarios before a fault may
        have spent the burst: let it refill first, so that what the caller hears is the fault, not the budget
        (which emr_429 and the integration tests cover)."""
        if kind in ("server_error", "hang", "lose_answer", "revoke"):
            time.sleep(BURST_REFILL_S)
        return super().fault(kind, **kw)


PROFILE = PracticeBetterProfile
