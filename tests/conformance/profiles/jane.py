"""tests/conformance/profiles/jane.py: Jane through tests/fakes/fake_jane.py, a clinic's public online-booking site
(catalog lists and openings with offsets and durations in seconds; no auth, no paging, no writes).

Jane cannot be written (PROV_CAP_NO_WRITE): the scenarios that book are n/a, the read scenarios must pass. The
fake's practitioners work around the clock every day in America/Vancouver, so the DST scenario meets both of its
changes: the skipped 02:00-03:00 in March is never offered, and the repeated 01:00-02:00 in November is offered
twice, once per offset."""

import sys
from zoneinfo import ZoneInfo

from profiles.base import FakeEmrProfile, FAKES_DIR

sys.path.insert(0, FAKES_DIR)
import fake_jane as F  # noqa: E402  (its seed data and rules, to derive expectations from)


class JaneProfile(FakeEmrProfile):
    name = "jane"
    fake_script = "fake_jane.py"
    writes = False
    credential = False  # the public site needs no key

    def fake_args(self):
        return ["--hours", "00:00-24:00", "--every-day"]

    def tenant(self):
        # The adapter reads a clinic's site at 60 requests a minute by default (politeness); the suite's cold
        # tenants read more than that at once, so the rate is raised here (the fake's 429 is the emr_429 scenario).
        # country AU: the scenarios' callers give Australian phone numbers (the clinic's zone is Vancouver's).
        return {"provider": "jane", "country": "AU", "emr": "jane",
                "provider_settings": {"base_url": self.url, "timeout_ms": 1500, "connect_timeout_ms": 500,
                                      "rate_limit_per_minute": 600, "max_in_flight": 4}}

    def fault(self, kind, **kw):
        """The site has no paging, no credential and no writes: those faults do not exist."""
        if kind in ("paging", "revoke", "lose_answer"):
            return False
        return super().fault(kind, **kw)

    def zone(self):
        return F.ZONE

    def dst_day_starts(self, day, staff_id, treatment_id, location_id):
        seconds = next(t["treatment_duration"] for t in F.TREATMENTS if str(t["id"]) == treatment_id)
        F.HOURS, F.EVERY_DAY = (0, 1440), True
        return [int(t.timestamp() * 1000) for t in F.day_starts(ZoneInfo(F.ZONE), day, seconds)]


PROFILE = JaneProfile
