"""tests/it/avail_support.py: what the availability routes must answer for a sandbox clinic file, computed in
Python from the file (zoneinfo for local -> UTC), plus the slot-shape checks shared by the availability tests.

The model follows providers/sandbox/README.md, not the C code:
- a practitioner's hours on a local date: location closure, else an override of that date (closed, or intervals
  replacing the weekly hours), else the weekly rules of that weekday (union of the rules naming it);
- hours are wall-clock times in the location's zone on every date, DST change days included: a start in an
  overlap is its first instant, an end its second; 24:00 is the start of the next local date;
- a slot starts on the slot-step grid of its interval (wall clock: interval start + k * step; a wall time
  that does not exist that day, in a DST gap, is no start), lies inside the interval, and with its buffers
  [start - before, end + after) overlaps none of the practitioner's bookings (at any location);
- the booking layer keeps slots whose start is in the requested window, not before now + min notice and
  before the start of the local date today + max_days_ahead.
Generated bookings (generated_bookings) are not modelled: for a clinic that has them, the served slots must be
a subset of the model's.
"""

import base64
import contextlib
import datetime as dt
import os
import re
from zoneinfo import ZoneInfo

import clock

UTC = dt.timezone.utc
MS_MIN = 60000
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ISO_UTC_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
ISO_LOCAL_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
URL_SAFE_RE = re.compile(r"^[A-Za-z0-9_.~-]+$")
ISO_IN_TEXT_RE = re.compile(r"\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}|\d{2}:\d{2}:\d{2}|[+-]\d{2}:\d{2}|Z\b")
SLOT_KEYS = {"slot_id", "start_at", "end_at", "start_local", "spoken", "staff_member_id", "treatment_id",
             "location_id"}

POLICY_DEFAULTS = {"min_notice_minutes": 120, "max_days_ahead": 30, "slot_step_minutes": 15,
                   "start_rule": "every_step", "buffer_before_minutes": 0, "buffer_after_minutes": 0,
                   "hold_seconds": 300}


# ---- instants -------------------------------------------------------------------------------------------------

def now_ms():
    return clock.now_ms()


def ms_of(d):
    """ms since the epoch of an aware datetime."""
    return int(round(d.timestamp() * 1000))


def utc_of(ms):
    return dt.datetime.fromtimestamp(ms / 1000, UTC)


def iso_utc(ms):
    """2026-11-24T09:00:00.000Z"""
    d = utc_of(ms)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def parse_utc(text):
    """ms of an output instant, which must be UTC with milliseconds and Z."""
    if not isinstance(text, str) or not ISO_UTC_RE.match(text):
        raise ValueError("not UTC ISO with ms and Z: %r" % (text,))
    return ms_of(dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC))


def local_iso(ms, zone):
    """start_local as the contract wants it: the location's wall time with its offset in force."""
    return utc_of(ms).astimezone(zone).isoformat(timespec="seconds")


def iso_offset(d):
    """An aware datetime as ISO with its offset, no fraction ("2027-03-14T00:00:00-05:00")."""
    return d.isoformat(timespec="seconds")


def midnight_offset(zone, day):
    return dt.datetime(day.year, day.month, day.day, tzinfo=zone).utcoffset()


def next_dst_changes(zone_name, count=2):
    """The next `count` local dates on which zone's offset changes, the day before each still in the future (so
    all three days of a change are bookable), as (date, minutes the clocks move: +60 forward, -30 back, ...)."""
    zone = ZoneInfo(zone_name)
    day = clock.today(zone) + dt.timedelta(days=2)
    out = []
    while len(out) < count:
        nxt = day + dt.timedelta(days=1)
        delta = midnight_offset(zone, nxt) - midnight_offset(zone, day)
        if delta:
            out.append((day, int(delta.total_seconds() // 60)))
        day = nxt
    return out


def exists(local):
    """True when the naive-with-zone wall time `local` (fold honoured) exists: it round-trips through UTC."""
    back = local.astimezone(UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None, fold=0) == local.replace(tzinfo=None, fold=0)


def wall_to_ms(zone, date, minute, fold):
    """The instant of minute-of-day `minute` on `date` in `zone`. 1440 is the next date's start. In a gap the
    time moves forward by the gap (PEP 495 fold=0 semantics); in an overlap fold picks the first (0) or second
    (1) instant."""
    if minute == 1440:
        return day_start_ms(zone, date + dt.timedelta(days=1))
    local = dt.datetime(date.year, date.month, date.day, minute // 60, minute % 60, tzinfo=zone, fold=fold)
    return ms_of(local)


def day_start_ms(zone, date):
    """The first instant of a local date: its midnight, or the first existing time after a skipped one."""
    return ms_of(dt.datetime(date.year, date.month, date.day, tzinfo=zone))


def local_date(ms, zone):
    return utc_of(ms).astimezone(zone).date()


def hhmm(text):
    h, m = text.split(":")
    return int(h) * 60 + int(m)


# ---- the clinic model ---------------------------------------------------------------------------------------------

class ClinicModel:
    def __init__(self, clinic):
        self.clinic = clinic
        self.locations = {str(l["id"]): l for l in clinic["locations"]}
        self.zones = {lid: ZoneInfo(l["time_zone"]) for lid, l in self.locations.items()}
        self.practitioners = {str(p["id"]): p for p in clinic["practitioners"]}
        self.treatments = {str(t["id"]): t for t in clinic["treatments"]}
        self.policy = dict(POLICY_DEFAULTS)
        self.policy.update({k: v for k, v in (clinic.get("policy") or {}).items() if v is not None})
        self.links = set()
        for p in clinic["practitioners"]:
            for t in p.get("treatment_ids") or []:
                self.links.add((str(p["id"]), str(t)))
        for t in clinic["treatments"]:
            for p in t.get("practitioner_ids") or []:
                self.links.add((str(p), str(t["id"])))
        self.busy = {}
        for i, b in enumerate(clinic.get("bookings") or []):
            start = ms_of(dt.datetime.fromisoformat(b["start"].replace("Z", "+00:00")))
            if b.get("end"):
                end = ms_of(dt.datetime.fromisoformat(b["end"].replace("Z", "+00:00")))
            else:
                end = start + self.treatments[str(b["treatment_id"])]["duration_minutes"] * MS_MIN
            self.busy.setdefault(str(b["practitioner_id"]), []).append((start, end))
        self.has_generated = bool(clinic.get("generated_bookings"))

    # -- catalog
    def schedule(self, pid, lid):
        for s in self.practitioners[pid].get("schedules") or []:
            if str(s["location_id"]) == lid:
                return s
        return None

    def treatment_locations(self, tid):
        t = self.treatments[tid]
        if t.get("location_ids") is not None:
            return {str(x) for x in t["location_ids"]}
        out = set()
        for (pid, t2) in self.links:
            if t2 == tid:
                out |= {str(s["location_id"]) for s in self.practitioners[pid].get("schedules") or []}
        return out

    def offers(self, pid, tid, lid):
        return (pid, tid) in self.links and self.schedule(pid, lid) is not None and lid in self.treatment_locations(tid)

    def ai_enabled(self, pid):
        return self.practitioners[pid].get("ai_enabled", True)

    def offered_triples(self):
        """What the AI routes offer: linked, scheduled there, and the practitioner is AI-enabled."""
        return sorted((p, t, l) for (p, t) in self.links for l in self.locations
                      if self.offers(p, t, l) and self.ai_enabled(p))

    # -- hours
    def closed_location(self, lid, date):
        return any(c["date"] == date.isoformat() for c in self.locations[lid].get("closures") or [])

    def day_hours(self, pid, lid, date):
        """Wall-clock [start, end) minute pairs of pid at lid on the local date, after closures and overrides."""
        sched = self.schedule(pid, lid)
        if sched is None or self.closed_location(lid, date):
            return []
        p = self.practitioners[pid]
        single = len(p.get("schedules") or []) == 1
        for o in p.get("overrides") or []:
            if o["date"] != date.isoformat():
                continue
            olid = o.get("location_id")
            if o.get("closed"):
                if olid is None or str(olid) == lid:
                    return []
                continue
            if (olid is not None and str(olid) == lid) or (olid is None and single):
                return sorted((hhmm(i["start"]), hhmm(i["end"])) for i in o["intervals"])
        wd = WEEKDAYS[date.weekday()]
        out = []
        for rule in sched.get("weekly") or []:
            if wd in rule["days"]:
                out += [(hhmm(i["start"]), hhmm(i["end"])) for i in rule["intervals"]]
        return sorted(out)

    def windows(self, pid, lid, date):
        """The day's working windows as UTC ms [start, end)."""
        zone = self.zones[lid]
        return [(wall_to_ms(zone, date, s, 0), wall_to_ms(zone, date, e, 1)) for s, e in self.day_hours(pid, lid, date)]

    def day_slots(self, pid, tid, lid, date):
        """Every opening of that local date before notice and horizon: sorted [(start_ms, end_ms)]."""
        zone = self.zones[lid]
        dur = self.treatments[tid]["duration_minutes"] * MS_MIN
        step = self.policy["slot_step_minutes"]
        before = self.policy["buffer_before_minutes"] * MS_MIN
        after = self.policy["buffer_after_minutes"] * MS_MIN
        if self.policy["start_rule"] != "every_step":
            raise NotImplementedError("the model knows start_rule every_step only")
        busy = self.busy.get(pid, [])
        out = set()
        for (s, e) in self.day_hours(pid, lid, date):
            ws, we = wall_to_ms(zone, date, s, 0), wall_to_ms(zone, date, e, 1)
            for m in range(s, e, step):
                for fold in (0, 1):
                    local = dt.datetime(date.year, date.month, date.day, m // 60, m % 60, tzinfo=zone, fold=fold)
                    if not exists(local):
                        continue  # a wall time skipped by DST is no start
                    t = ms_of(local)
                    if t < ws or t + dur > we:
                        continue
                    if any(t - before < b_end and t + dur + after > b_start for (b_start, b_end) in busy):
                        continue
                    out.add((t, t + dur))
        return sorted(out)

    def horizon_end(self, lid, now, max_days_ahead):
        zone = self.zones[lid]
        return day_start_ms(zone, local_date(now, zone) + dt.timedelta(days=max_days_ahead))

    def expected(self, pid, tid, lid, frm, to, now, notice=None, max_days_ahead=None):
        """The openings the route must answer for window [frm, to) at instant now (all UTC ms)."""
        zone = self.zones[lid]
        notice = self.policy["min_notice_minutes"] if notice is None else notice
        max_days_ahead = self.policy["max_days_ahead"] if max_days_ahead is None else max_days_ahead
        lo = max(frm, now + notice * MS_MIN)
        hi = min(to, self.horizon_end(lid, now, max_days_ahead))
        out = []
        d = local_date(frm, zone) - dt.timedelta(days=1)
        last = local_date(to, zone) + dt.timedelta(days=1)
        while d <= last:
            out += [s for s in self.day_slots(pid, tid, lid, d) if lo <= s[0] < hi]
            d += dt.timedelta(days=1)
        return sorted(set(out))

    def next7_window(self, lid, now):
        zone = self.zones[lid]
        return now, day_start_ms(zone, local_date(now, zone) + dt.timedelta(days=7))


# ---- checks -------------------------------------------------------------------------------------------------------

def slot_problems(slots, pid, tid, lid, zone, duration_min):
    """Shape problems of a route's slot list (empty list when all is well)."""
    problems = []
    seen_ids = set()
    prev = None
    for i, s in enumerate(slots):
        where = "slots[%d]" % i
        if not isinstance(s, dict) or set(s) != SLOT_KEYS:
            problems.append("%s: keys %r, want %r" % (where, sorted(s) if isinstance(s, dict) else s, sorted(SLOT_KEYS)))
            continue
        for k in SLOT_KEYS:
            if not isinstance(s[k], str):
                problems.append("%s.%s is %r, not a string" % (where, k, s[k]))
        if problems:
            continue
        try:
            start, end = parse_utc(s["start_at"]), parse_utc(s["end_at"])
        except ValueError as e:
            problems.append("%s: %s" % (where, e))
            continue
        if end - start != duration_min * MS_MIN:
            problems.append("%s: end_at - start_at is %d min, the treatment lasts %d" % (
                where, (end - start) // MS_MIN, duration_min))
        if not ISO_LOCAL_RE.match(s["start_local"]) or s["start_local"] != local_iso(start, zone):
            problems.append("%s: start_local %r, want %r" % (where, s["start_local"], local_iso(start, zone)))
        if not s["spoken"].strip() or ISO_IN_TEXT_RE.search(s["spoken"]):
            problems.append("%s: spoken %r is empty or holds ISO text" % (where, s["spoken"]))
        if (s["staff_member_id"], s["treatment_id"], s["location_id"]) != (pid, tid, lid):
            problems.append("%s: ids %r, want %r" % (where, (s["staff_member_id"], s["treatment_id"],
                                                             s["location_id"]), (pid, tid, lid)))
        if not s["slot_id"] or not URL_SAFE_RE.match(s["slot_id"]):
            problems.append("%s: slot_id %r is not URL-safe" % (where, s["slot_id"]))
        if s["slot_id"] in seen_ids:
            problems.append("%s: slot_id repeats an earlier slot's" % where)
        seen_ids.add(s["slot_id"])
        if prev is not None and start <= prev:
            problems.append("%s: not after the previous slot (%s)" % (where, s["start_at"]))
        prev = start
    return problems


def intervals_of(slots):
    return [(parse_utc(s["start_at"]), parse_utc(s["end_at"])) for s in slots]


def describe(intervals, zone, limit=12):
    """Human text of a few (start, end) ms pairs in a zone, for assertion messages."""
    items = sorted(intervals)
    text = ", ".join(local_iso(a, zone) + "/" + str((b - a) // MS_MIN) + "m" for a, b in items[:limit])
    return text + (" ... (%d in all)" % len(items) if len(items) > limit else "")


def b64url_ok(token):
    """Each dot-separated part of a slot_id decodes as unpadded base64url."""
    for part in token.split("."):
        try:
            base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except ValueError:
            return False
    return True


# ---- process environment ----------------------------------------------------------------------------------------

@contextlib.contextmanager
def child_env(**values):
    """Sets environment variables for processes started inside the block (the harness spawns with this
    process's environment), restoring them after. Python's own clock is unaffected (no time.tzset())."""
    old = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def process_env(pid):
    """The environment a running process started with (/proc/<pid>/environ)."""
    with open("/proc/%d/environ" % pid, "rb") as f:
        items = f.read().split(b"\0")
    return dict(i.decode("utf-8", "replace").split("=", 1) for i in items if b"=" in i)
