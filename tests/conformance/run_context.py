"""tests/conformance/run_context.py: one provider's run of the conformance suite: its fake EMR (through the
profile), a private redis-server, frontdesk (a second process on demand, for races), the tenants the scenarios
use, and helpers that speak the HTTP contract (docs/API.md) the way a caller does.

Tenants (one EMR account, so one fake, behind each; each has its own caches and its own EMR rate bucket):
  main      the scenarios' tenant (min notice 0, horizon 366 days so that the next DST change is bookable)
  short     the same with the shortest hold (policy.hold_seconds 10), for hold_expires
  f429, f5xx, fhung, frevoke, fpage   cold tenants, one per fault scenario, so each meets the EMR uncached
"""

import datetime as dt
import json
import os
import sys
import urllib.parse
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "it"))
import clock  # noqa: E402
import harness as H  # noqa: E402

SLOT_SECRET = "conformance-slot-secret-5b1d9e07"
POLICY = {"min_notice_minutes": 0, "max_days_ahead": 366, "voice_deadline_ms": 2000}
TENANTS = {"main": {}, "short": {"hold_seconds": 10}, "f429": {}, "f5xx": {}, "fhung": {}, "frevoke": {},
           "fpage": {}}


class RunContext:
    def __init__(self, profile, workdir, tenants=None, policy=None):
        """tenants: {tenant id: policy overrides} (default TENANTS); policy: the base policy (default POLICY)."""
        self.profile = profile
        self.tenants = TENANTS if tenants is None else tenants
        self.policy = POLICY if policy is None else policy
        self.workdir = workdir
        self.redis = None
        self.servers = []
        self.keys = {t: "conformance-%s-%s-key-7c2f" % (profile.name, t) for t in self.tenants}
        self.patient_ids = set()  # (tenant, id) of every patient the run used (the sandbox reads their appointments)
        self.serial = 0
        self.notes = {}  # what a scenario's prepare leaves for its run

    # ---- processes -------------------------------------------------------------------------------------------
    def config(self):
        tenants = []
        for tid, policy in self.tenants.items():
            t = dict(self.profile.tenant())
            t.update({"id": tid, "api_key_sha256": H.sha256_hex(self.keys[tid]),
                      "policy": dict(self.policy, **dict(t.get("policy") or {}, **policy)),
                      "rate_limit": {"per_second": 100000, "burst": 100000}})
            tenants.append(t)
        return {"tenants": tenants, "slot_secret": SLOT_SECRET}

    def start(self):
        self.profile.start(self.workdir)
        self.redis = H.Redis().start()
        self.servers.append(self.new_server().start())
        self.profile.attach(self)

    def new_server(self):
        return H.Frontdesk(self.config(), self.redis, workers=2, files=self.profile.files())

    def second_server(self):
        """A second frontdesk process on the same Redis and config (started on first use)."""
        if len(self.servers) < 2:
            self.servers.append(self.new_server().start())
        return self.servers[1]

    @property
    def server(self):
        return self.servers[0]

    def after_scenario(self):
        """Between scenarios: no fault stays armed."""
        self.profile.clear_faults()

    def close(self):
        """Stops everything; returns a problem description when a frontdesk did not stop cleanly, else None."""
        problems = []
        for s in self.servers:
            p = s.stop_problem()
            if p:
                problems.append(p)
            s.close()
        if self.redis is not None:
            self.redis.close()
        self.profile.stop()
        return "\n".join(problems) or None

    # ---- HTTP ------------------------------------------------------------------------------------------------
    def post(self, route, body, tenant="main", headers=None, server=None, timeout=20):
        h = {"x-api-key": self.keys[tenant]}
        h.update(headers or {})
        r = H.request((server or self.server).port, "POST", "/ai_brain/" + route, body, h, timeout=timeout)
        if r.status == 500 or r.status == 429:
            raise AssertionError("POST /ai_brain/%s answered %r" % (route, r))
        return r

    def voice(self, route, params, tenant="main", headers=None, timeout=20):
        h = {"x-api-key": self.keys[tenant]}
        h.update(headers or {})
        path = "/voice/" + route + ("?" + urllib.parse.urlencode(params) if params else "")
        r = H.request(self.server.port, "GET", path, None, h, timeout=timeout)
        if r.status == 500 or r.status == 429:
            raise AssertionError("GET %s answered %r" % (path, r))
        return r

    # ---- what the scenarios book with ------------------------------------------------------------------------
    def unique(self, tag):
        self.serial += 1
        return "%s%d" % (tag, self.serial)

    def choice(self, tenant="main"):
        """(location, staff id, treatment) the scenarios book: the first location, its first AI-enabled
        practitioner offering a treatment there, and that treatment (from the catalog routes)."""
        r = self.post("fetchAllLocations", {}, tenant)
        assert r.status == 200, "fetchAllLocations answered %r" % (r,)
        loc = r.body["locations"][0]
        staff = self.post("fetchAllStaff", {"locationId": loc["id"]}, tenant)
        treatments = self.post("fetchAllTreatments", {"locationId": loc["id"]}, tenant)
        assert staff.status == 200 and treatments.status == 200, (staff, treatments)
        offered = {t["id"]: t for t in treatments.body["treatments"]}
        for s in staff.body["staff"]:
            tids = [t for t in s["treatment_ids"] if t in offered]
            if s["ai_enabled"] and tids:
                return loc, s["id"], offered[tids[0]]
        raise AssertionError("no AI-enabled practitioner offers a treatment at %s" % loc["id"])

    def slots(self, tenant="main", days_ahead=2, days=2, staff_id=None):
        """The free slots of the choice's practitioner over `days` local dates from `days_ahead` days ahead."""
        loc, sid, tr = self.choice(tenant)
        zone = ZoneInfo(loc["time_zone"])
        first = clock.today(zone) + dt.timedelta(days=days_ahead)
        last = first + dt.timedelta(days=days)
        r = self.post("fetchAvailabilityForRange", {
            "staff_member_id": staff_id or sid, "treatment_id": tr["id"], "locationId": loc["id"],
            "start_at": first.isoformat() + "T00:00:00", "end_at": last.isoformat() + "T00:00:00"}, tenant)
        assert r.status == 200, "fetchAvailabilityForRange answered %r" % (r,)
        assert r.body["slots"], "no free slot from %s to %s" % (first, last)
        return r.body["slots"]

    def patient(self, tag, tenant="main", phone=None, dob=None):
        """A new patient (lookup-create-patient with a unique name and e-mail): its id."""
        name = self.unique(tag)
        body = {"first_name": "Conf", "last_name": name, "email": "%s@example.com" % name.lower()}
        if phone:
            body["phone"] = phone
        if dob:
            body["dob"] = dob
        r = self.post("lookup-create-patient", body, tenant)
        assert r.status == 201 and r.body["created"] is True, "lookup-create-patient answered %r" % (r,)
        self.patient_ids.add((tenant, r.body["patient"]["id"]))
        return r.body["patient"]

    def hold(self, patient_id, slot, tenant="main", server=None):
        return self.post("createAppt", {"patient_id": patient_id, "slot_id": slot["slot_id"]}, tenant, server=server)

    def book(self, patient_id, slot, tenant="main"):
        """createAppt then bookAppt; asserts both succeed; the booked appointment (for a provider that cannot
        write, profile.writes False: the booking request, state "requested")."""
        h = self.hold(patient_id, slot, tenant)
        assert h.status == 201, "createAppt answered %r" % (h,)
        b = self.post("bookAppt", {"appointment_id": h.body["appointment"]["id"]}, tenant)
        want = "booked" if self.profile.writes else "requested"
        assert b.status == 200 and b.body["appointment"]["state"] == want, "bookAppt answered %r" % (b,)
        return b.body["appointment"]

    def live_at(self, staff_id, start_ms):
        """The EMR's appointments (not cancelled) of staff_id starting at start_ms."""
        return [a for a in self.profile.emr_appointments()
                if a["staff_id"] == staff_id and a["start_ms"] == start_ms and not a["cancelled"]]

    def log_records(self):
        out = []
        for s in self.servers:
            for _, obj in s.log_lines():
                if isinstance(obj, dict):
                    out.append(obj)
        return out

    def dump(self, obj):
        return json.dumps(obj, sort_keys=True)[:600]
