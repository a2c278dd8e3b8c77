#!/usr/bin/env python3
"""tests/it/test_sandbox_dst.py: sandbox availability across daylight-saving changes (issue 8's headline test).

A clinic file written by this test has three locations, in America/New_York, Australia/Sydney and
Australia/Lord_Howe (which shifts by 30 minutes, not an hour). At each, one practitioner works days (08:00-12:00
and 13:00-18:00) and one works nights (00:00-04:30 and 22:00-24:00, so that the changes themselves fall inside
working hours), seven days a week; a 30-minute and a 60-minute treatment; slot step 15; no generated or fixed
bookings; min notice 0; max_days_ahead 366.

The test uses each zone's NEXT two changes after the suite's clock (tests/it/clock.py, which may be pinned to any
date), found with zoneinfo, so it checks the same things on every date: one spring-forward and one fall-back
change days. For each change day and the day before and after, the slots fetchAvailabilityForRange answers
(one 3-day range with explicit offsets, one range in UTC, each day alone with offset-less local times read in
the location's zone, and windows starting at an offset-less time inside the gap or the overlap) must equal, as
sets, the slots computed here with zoneinfo from the wall-clock rules: none missing, none extra, none shifted. Each slot's start_local must carry the offset zoneinfo gives.

The whole check runs under several TZ environment variables of the frontdesk process (Pacific/Kiritimati,
America/Los_Angeles, Europe/London), each time on an emptied Redis; the answers must be identical (a fixed
slot_secret makes even the slot_ids comparable).

Run: python3 tests/it/test_sandbox_dst.py [-v]
"""

import datetime as dt
import json
import os
import sys
import unittest
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402
import avail_support as A  # noqa: E402
import clock  # noqa: E402

KEY = "it-dst-key-7f3e1a90c2"
RANGE = "/ai_brain/fetchAvailabilityForRange"
PROCESS_TZS = ("Pacific/Kiritimati", "America/Los_Angeles", "Europe/London")
SLOT_SECRET = "it-dst-slot-secret-0123456789abcdef"

def gap_or_overlap_time(zone_name, change, minutes):
    """An offset-less wall time inside the change's gap (clocks forward) or overlap (clocks back): its middle."""
    zone = ZoneInfo(zone_name)
    lo = A.ms_of(dt.datetime(change.year, change.month, change.day, tzinfo=zone))
    hi = lo + 30 * 3600 * 1000
    before = A.utc_of(lo).astimezone(zone).utcoffset()
    while hi - lo > 1:  # the first ms with the new offset
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if A.utc_of(mid).astimezone(zone).utcoffset() == before else (lo, mid)
    wall = (A.utc_of(hi) + before).replace(tzinfo=None)  # the old clock's reading at the change
    middle = wall + dt.timedelta(minutes=minutes / 2) if minutes > 0 else wall - dt.timedelta(minutes=-minutes / 2)
    return middle.isoformat(timespec="seconds")


LOCATIONS = {lid: (zone, country, A.next_dst_changes(zone)) for lid, zone, country in (
    ("loc-ny", "America/New_York", "US"), ("loc-syd", "Australia/Sydney", "AU"),
    ("loc-lhi", "Australia/Lord_Howe", "AU"))}
SHIFTS = {"day": [("08:00", "12:00"), ("13:00", "18:00")], "night": [("00:00", "04:30"), ("22:00", "24:00")]}
TREATMENTS = {"tx-30": 30, "tx-60": 60}

CLINIC = None
MODEL = None
RUNS = {}  # process TZ -> {query key: (status, body)}
NOW = {}   # process TZ -> (ms before the first query, ms after the last)


def dst_clinic():
    locations, practitioners = [], []
    for lid, (zone, country, _) in LOCATIONS.items():
        locations.append({"id": lid, "name": "Clinic " + lid, "time_zone": zone,
                          "address": {"line1": "1 Test Street", "city": "Testville", "country": country}})
        for shift, intervals in SHIFTS.items():
            practitioners.append({
                "id": "pr-%s-%s" % (shift, lid), "first_name": shift.title(), "last_name": lid,
                "schedules": [{"location_id": lid, "weekly": [{"days": list(A.WEEKDAYS), "intervals": [
                    {"start": s, "end": e} for s, e in intervals]}]}]})
    treatments = [{"id": tid, "name": "Treatment %d" % minutes, "duration_minutes": minutes,
                   "price": {"amount": 50, "currency": "USD"},
                   "practitioner_ids": [p["id"] for p in practitioners]}
                  for tid, minutes in TREATMENTS.items()]
    return {"clinic": {"name": "DST Test Clinic", "country": "US", "locale": "en-US"},
            "locations": locations, "practitioners": practitioners, "treatments": treatments,
            "policy": {"min_notice_minutes": 0, "max_days_ahead": 366, "slot_step_minutes": 15}}


def queries():
    """(key, body, (pid, tid, lid), window [from, to) in UTC ms) of every request of one run."""
    out = []
    for lid, (zone_name, _, changes) in LOCATIONS.items():
        zone = ZoneInfo(zone_name)
        for change, _ in changes:
            days = [change + dt.timedelta(days=k) for k in (-1, 0, 1)]
            first = dt.datetime(days[0].year, days[0].month, days[0].day, tzinfo=zone)
            after = days[-1] + dt.timedelta(days=1)
            last = dt.datetime(after.year, after.month, after.day, tzinfo=zone)
            for shift in SHIFTS:
                pid = "pr-%s-%s" % (shift, lid)
                for tid in TREATMENTS:
                    base = {"staff_member_id": pid, "treatment_id": tid, "locationId": lid}
                    frm, to = A.ms_of(first), A.ms_of(last)
                    out.append((("3days-offset", pid, tid, lid, change.isoformat()),
                                dict(base, start_at=A.iso_offset(first), end_at=A.iso_offset(last)),
                                (pid, tid, lid), (frm, to)))
                    out.append((("3days-utc", pid, tid, lid, change.isoformat()),
                                dict(base, start_at=A.iso_utc(frm), end_at=A.iso_utc(to)),
                                (pid, tid, lid), (frm, to)))
                    for day in days:
                        nxt = day + dt.timedelta(days=1)
                        out.append((("day-local", pid, tid, lid, day.isoformat()),
                                    dict(base, start_at=day.isoformat() + "T00:00:00",
                                         end_at=nxt.isoformat() + "T00:00:00"),
                                    (pid, tid, lid),
                                    (A.day_start_ms(zone, day), A.day_start_ms(zone, nxt))))
    # Offset-less times that fall in the spring-forward gap or the fall-back overlap (read in the location's
    # zone: a skipped time moves forward by the gap, a repeated one is its first instant, as PEP 495's fold=0).
    for lid, (zone_name, _, changes) in LOCATIONS.items():
        for change, minutes in changes:
            text_from = gap_or_overlap_time(zone_name, change, minutes)
            text_to = change.isoformat() + "T12:00:00"
            zone = ZoneInfo(zone_name)
            frm = A.ms_of(dt.datetime.fromisoformat(text_from).replace(tzinfo=zone, fold=0))
            to = A.ms_of(dt.datetime.fromisoformat(text_to).replace(tzinfo=zone, fold=0))
            pid = "pr-night-" + lid
            out.append((("gap-or-overlap", pid, "tx-30", lid, text_from),
                        {"staff_member_id": pid, "treatment_id": "tx-30", "locationId": lid, "start_at": text_from,
                         "end_at": text_to}, (pid, "tx-30", lid), (frm, to)))
    return out


def run_all(process_tz, redis, order):
    """Starts frontdesk with TZ=process_tz on an emptied redis, asks every query, stops it."""
    redis.command("FLUSHALL")
    tenant = {"id": "dst", "api_key_sha256": H.sha256_hex(KEY), "provider": "sandbox",
              "provider_settings": {"clinic_file": "dst_clinic.json"}, "time_zone": "America/New_York",
              "locale": "en-US", "country": "US", "rate_limit": {"per_second": 100000, "burst": 100000}}
    server = H.Frontdesk({"tenants": [tenant], "slot_secret": SLOT_SECRET}, redis,
                         files={"dst_clinic.json": CLINIC})
    with A.child_env(TZ=process_tz):
        server.start()
    try:
        env = A.process_env(server.proc.pid)
        if env.get("TZ") != process_tz:
            raise AssertionError("frontdesk runs with TZ=%r, wanted %r" % (env.get("TZ"), process_tz))
        answers = {}
        before = A.now_ms()
        for key, body, _, _ in order:
            r = server.post(RANGE, body, key=KEY)
            answers[key] = (r.status, r.body)
        NOW[process_tz] = (before, A.now_ms())
    finally:
        problem = server.stop_problem()
        server.close()
    if problem:
        raise AssertionError(problem)
    return answers


def setUpModule():
    global CLINIC, MODEL
    H.require_bin()
    CLINIC = dst_clinic()
    MODEL = A.ClinicModel(CLINIC)
    redis = H.Redis().start()
    try:
        qs = queries()
        for i, tz in enumerate(PROCESS_TZS):
            # Vary the order so that each run fills the per-day cache from a different kind of request.
            order = qs if i % 2 == 0 else list(reversed(qs))
            RUNS[tz] = run_all(tz, redis, order)
    finally:
        redis.close()


class DstChanges(unittest.TestCase):
    maxDiff = None

    def test_chosen_dates_are_the_next_dst_changes(self):
        for lid, (zone_name, _, changes) in LOCATIONS.items():
            zone = ZoneInfo(zone_name)
            self.assertEqual(sorted(m > 0 for _, m in changes), [False, True], "%s: one forward, one back" % lid)
            for change, minutes in changes:
                moved = A.midnight_offset(zone, change + dt.timedelta(days=1)) - A.midnight_offset(zone, change)
                self.assertEqual(moved, dt.timedelta(minutes=minutes), "%s: %s" % (lid, change))
                self.assertGreater(change - dt.timedelta(days=1), clock.today(zone), "%s is not ahead" % change)
                self.assertLess(change, clock.today(zone) + dt.timedelta(days=366))
        # Lord Howe moves by 30 minutes
        self.assertEqual({abs(m) for _, m in LOCATIONS["loc-lhi"][2]}, {30})

    def test_every_answer_is_200_with_well_formed_slots(self):
        problems = []
        for tz, answers in RUNS.items():
            for key, body, (pid, tid, lid), _ in queries():
                status, got = answers[key]
                if status != 200 or not isinstance(got, dict) or not isinstance(got.get("slots"), list):
                    problems.append("TZ=%s %s: %s %r" % (tz, key, status, got))
                    continue
                for p in A.slot_problems(got["slots"], pid, tid, lid, MODEL.zones[lid], TREATMENTS[tid]):
                    problems.append("TZ=%s %s: %s" % (tz, key, p))
        self.assertEqual(problems[:20], [], "%d problems" % len(problems))

    def test_slots_equal_the_wall_clock_rules(self):
        problems = []
        checked = 0
        for tz, answers in RUNS.items():
            before, after = NOW[tz]
            for key, body, (pid, tid, lid), (frm, to) in queries():
                status, got = answers[key]
                if status != 200:
                    continue  # reported by test_every_answer_is_200_with_well_formed_slots
                served = set(A.intervals_of(got["slots"]))
                want = set(MODEL.expected(pid, tid, lid, frm, to, before, 0, 366))
                self.assertEqual(want, set(MODEL.expected(pid, tid, lid, frm, to, after, 0, 366)))
                self.assertTrue(want, "the model has no slots for %s" % (key,))
                checked += 1
                if served != want:
                    zone = MODEL.zones[lid]
                    problems.append("TZ=%s %s:\n  missing: %s\n  extra:   %s" % (
                        tz, key, A.describe(want - served, zone), A.describe(served - want, zone)))
        self.assertGreater(checked, 0)
        self.assertEqual(problems[:10], [], "%d of %d answers differ from zoneinfo" % (len(problems), checked))

    def test_change_days_have_the_right_number_of_night_slots(self):
        # An independent count: the night shift 00:00-04:30 lasts 4.5 h of wall clock, so 30-min slots every 15
        # min number 17 on a normal day; one hour less (13) when the clocks spring forward, one more (21) when
        # they fall back; Lord Howe half of that (15 / 19).
        want = {(lid, change.isoformat()): 17 - minutes // 15
                for lid, (_, _, changes) in LOCATIONS.items() for change, minutes in changes}
        for tz, answers in RUNS.items():
            for (lid, day), n in want.items():
                status, got = answers[("day-local", "pr-night-" + lid, "tx-30", lid, day)]
                self.assertEqual(status, 200, got)
                zone = MODEL.zones[lid]
                starts = [A.parse_utc(s["start_at"]) for s in got["slots"]]
                early = [t for t in starts if A.utc_of(t).astimezone(zone).hour < 12]
                self.assertEqual(len(early), n, "TZ=%s %s %s: %s" % (tz, lid, day, A.describe(
                    [(t, t + 30 * A.MS_MIN) for t in early], zone, 30)))
                normal = [A.parse_utc(s["start_at"]) for s in
                          answers[("day-local", "pr-night-" + lid, "tx-30", lid,
                                   (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat())][1]["slots"]]
                self.assertEqual(len([t for t in normal if A.utc_of(t).astimezone(zone).hour < 12]), 17)

    def test_days_add_up_to_the_range(self):
        problems = []
        for tz, answers in RUNS.items():
            for lid, (zone_name, _, changes) in LOCATIONS.items():
                for change, _ in changes:
                    for shift in SHIFTS:
                        pid = "pr-%s-%s" % (shift, lid)
                        for tid in TREATMENTS:
                            days = [(change + dt.timedelta(days=k)).isoformat() for k in (-1, 0, 1)]
                            union = []
                            for d in days:
                                union += answers[("day-local", pid, tid, lid, d)][1]["slots"]
                            for kind in ("3days-offset", "3days-utc"):
                                rng = answers[(kind, pid, tid, lid, change.isoformat())][1]["slots"]
                                if rng != union:
                                    problems.append("TZ=%s %s %s %s %s" % (tz, kind, pid, tid, change))
        self.assertEqual(problems, [])

    def test_answers_do_not_depend_on_the_process_time_zone(self):
        first = PROCESS_TZS[0]
        for tz in PROCESS_TZS[1:]:
            diffs = [k for k in RUNS[first] if json.dumps(RUNS[first][k], sort_keys=True)
                     != json.dumps(RUNS[tz][k], sort_keys=True)]
            self.assertEqual(diffs[:10], [], "TZ=%s and TZ=%s answer differently (%d queries)" % (
                first, tz, len(diffs)))

    def test_spoken_names_the_local_wall_clock(self):
        # "Sunday, March 14 at 3:00 AM": the spoken hour is the location's, whatever the process TZ; and in the
        # hour that happens twice when the clocks go back, no two slots are said alike.
        for lid, (_, _, changes) in LOCATIONS.items():
            for change, minutes in changes:
                for tz, answers in RUNS.items():
                    status, got = answers[("day-local", "pr-night-" + lid, "tx-30", lid, change.isoformat())]
                    self.assertEqual(status, 200, got)
                    for s in got["slots"]:
                        local = A.utc_of(A.parse_utc(s["start_at"])).astimezone(MODEL.zones[lid])
                        wall = "%d:%02d" % ((local.hour % 12) or 12, local.minute)
                        self.assertIn(wall, s["spoken"], "TZ=%s: %r for %s" % (tz, s["spoken"], s["start_local"]))
                    spoken = [s["spoken"] for s in got["slots"]]
                    self.assertEqual(len(set(spoken)), len(spoken), "TZ=%s %s %s: %s" % (tz, lid, change, spoken))
                    if minutes < 0:
                        self.assertTrue(any("before the clocks go back" in x for x in spoken), spoken)
                        self.assertTrue(any("after the clocks go back" in x for x in spoken), spoken)


if __name__ == "__main__":
    unittest.main(verbosity=2)
