"""tests/conformance/profiles/base.py: what the conformance runner needs to know about one provider.

A profile is the only provider-specific code of the suite: it starts the provider's fake EMR, says how a tenant
is configured for it, arms the fake's faults and reads back what the EMR really holds. The scenarios
(tests/conformance/scenarios.py) only ever use this class's methods, so a new provider is done when its profile
exists and its column of the table is all pass (tests/conformance/README.md).

Every fake EMR in tests/fakes/ understands the same test-control vocabulary (POST /__control, GET /__stats,
GET /__state), so network profiles share FakeEmrProfile below and only name their fake and its settings.
"""

import datetime as dt
import json
import os
import subprocess
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
IT_DIR = os.path.join(HERE, "..", "..", "it")
FAKES_DIR = os.path.join(HERE, "..", "..", "fakes")
sys.path.insert(0, IT_DIR)
import clock  # noqa: E402
import harness as H  # noqa: E402


class Profile:
    """One provider's column. Subclasses set `name` and override what their EMR has; the defaults say n/a."""

    name = None  # the provider name in the tenant config

    # Optional facts about the provider (defaults suit an EMR with a full API):
    phone_search = True  # lookup-create-patient can find a patient by phone alone (Cliniko cannot)
    network = True       # the EMR is reached over HTTP (the sandbox is not: network faults are n/a)
    writes = True        # the EMR can write appointments; False for a PROV_CAP_NO_WRITE provider (Jane, schedule):
                         # scenarios that book are n/a, those that read must pass
    credential = True    # the EMR is reached with a credential that can be revoked (Jane's public site has none)

    def __init__(self):
        self.ctx = None  # the runner's context (servers, keys), given by attach()

    def attach(self, ctx):
        """The runner hands its context over once frontdesk runs (for profiles that read through the API)."""
        self.ctx = ctx

    def start(self, workdir):
        """Starts the fake EMR (a subprocess from tests/fakes/ on a free port, on the suite's clock)."""

    def stop(self):
        """Stops the fake EMR."""

    def tenant(self):
        """The tenant config fields for this provider: {"provider", "provider_settings", ...}."""
        raise NotImplementedError

    def files(self):
        """Extra files written next to frontdesk's config ({name: text or dict}), e.g. a sandbox clinic file."""
        return {}

    def zone(self):
        """IANA zone of the clinic's first location (the DST-day scenario's zone)."""
        raise NotImplementedError

    def fault(self, kind, **kw):
        """Arms a fault in the fake; False when the provider has no such thing (the scenario is then n/a).
        kinds: rate_limit (retry_after, count), server_error (status, count), hang (ms), lose_answer (count),
        revoke, paging (page_size)."""
        return False

    def clear_faults(self):
        """Disarms every fault (the fake's data stays)."""

    def set_latency(self, ms):
        """Every EMR answer takes ms longer (benchmarks: a realistic EMR); False when n/a."""
        return False

    def emr_appointments(self):
        """What the EMR really holds now: [{"id", "staff_id", "start_ms", "cancelled"}]."""
        raise NotImplementedError

    def stats(self):
        """{"total": requests the fake served} (for request-count figures); {} when n/a."""
        return {}

    def dst_day_starts(self, day, staff_id, treatment_id, location_id):
        """The UTC ms starts the EMR offers on the local date `day` (in zone()) for that choice, computed from the
        fake's rules independently of frontdesk, before notice and bookings; None when the profile cannot say
        (the DST scenario then checks only that the answer is consistent)."""
        return None

    def paging_records(self):
        """How many practitioners and patients the fake holds beyond one page once paging is armed:
        {"staff": n at the first location, "patients_named": (first, last, n)}; None when n/a. Profiles arm the
        fake so that lists need more than one page (see fault("paging"))."""
        return None


class FakeEmrProfile(Profile):
    """A profile whose EMR is a fake from tests/fakes/ speaking the shared control vocabulary."""

    fake_script = None  # file name in tests/fakes/

    def __init__(self):
        super().__init__()
        self.proc = None
        self.url = None

    def fake_args(self):
        """Extra command-line arguments of the fake."""
        return []

    def start(self, workdir):
        env = dict(os.environ, **clock.service_env())
        self.proc = H._spawn([sys.executable, os.path.join(FAKES_DIR, self.fake_script), "--port", "0"]
                             + self.fake_args(), subprocess.PIPE, subprocess.DEVNULL, env=env)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("ready "):
            raise RuntimeError("%s did not start: %r" % (self.fake_script, line))
        self.url = "http://127.0.0.1:%d" % int(line.split()[1])

    def stop(self):
        if self.proc is not None:
            H._reap(self.proc)
            self.proc = None

    def control_call(self, method, path, body=None):
        req = urllib.request.Request(self.url + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    def control(self, **kw):
        return self.control_call("POST", "/__control", kw)

    def fault(self, kind, **kw):
        c = {"rate_limit": lambda: {"fail_status": 429, "fail_count": kw.get("count", -1),
                                    "retry_after": kw.get("retry_after", 30)},
             "server_error": lambda: {"fail_status": kw.get("status", 500), "fail_count": kw.get("count", -1)},
             "hang": lambda: {"delay_ms": kw.get("ms", 30000)},
             "lose_answer": lambda: {"lose_answer": kw.get("count", 1)},
             "revoke": lambda: {"revoke": True},
             "paging": lambda: {"page_size_cap": kw.get("page_size", 2)}}.get(kind)
        if c is None:
            return False
        self.control(**c())
        return True

    def clear_faults(self):
        self.control(delay_ms=0, fail_status=0, fail_count=-1, retry_after=None, lose_answer=0, revoke=False,
                     page_size_cap=0, rate_limit=0)

    def set_latency(self, ms):
        self.control(delay_ms=ms)
        return True

    def stats(self):
        return {"total": self.control_call("GET", "/__stats")["total"]}

    def emr_appointments(self):
        return self.control_call("GET", "/__state")["appointments"]


def utc_ms(text):
    """Epoch ms of an ISO 8601 instant with Z or an offset."""
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
