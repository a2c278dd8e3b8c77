#!/usr/bin/env python3
"""tests/it/test_availability.py: POST /ai_brain/fetchAvailabilityForRange and fetchAvailabilityNext7Days on
sandbox tenants, driven over HTTP against the real binary and its own redis-server.

Expectations are computed here from the clinic files (avail_support.ClinicModel, zoneinfo for local -> UTC),
never hard-coded:
- the built-in demo clinic (providers/sandbox/demo_clinic.json), whose generated bookings are not modelled:
  its slots must be well formed, inside working hours, on the step grid, after the minimum notice, before the
  horizon, on open days, and a subset of the model's;
- an "exact" clinic file written by this test around today's date (no generated bookings; fixed bookings,
  buffers, a location closure, a closed day, a short day, a practitioner working at two locations, numeric IDs),
  whose slots must equal the model's exactly.
Also: every error of the two routes, offset-less times (request time_zone, else the location's zone), the
per-day Redis cache (miss, keys with TTL, hit), per-tenant clinic files, a changed clinic file, and the
determinism of the demo's generated bookings across restarts.

Run: python3 tests/it/test_availability.py [-v] [Class.test_name]
"""

import datetime as dt
import os
import struct
import sys
import time
import unittest
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402
import avail_support as A  # noqa: E402

RANGE = "/ai_brain/fetchAvailabilityForRange"
NEXT7 = "/ai_brain/fetchAvailabilityNext7Days"
ROUTES = (RANGE, NEXT7)
KEYS = {t: "it-avail-%s-key-3b9d0e7a" % t for t in
        ("demo", "demo60", "sydonly", "off", "exact", "exactpol", "cache", "demo2", "cf")}
CACHE_TTL = 45

SERVER = None
REDIS = None
DEMO = None   # ClinicModel of the demo clinic
EXACT = None  # ClinicModel of the exact clinic
SYD = ZoneInfo("Australia/Sydney")
VAN = ZoneInfo("America/Vancouver")


def local_at(zone, date, hhmm_text):
    h, m = (int(x) for x in hhmm_text.split(":"))
    return dt.datetime(date.year, date.month, date.day, h, m, tzinfo=zone)


def exact_clinic():
    """A clinic around today's date whose every slot the model can compute."""
    now = A.now_ms()
    s0 = A.local_date(now, SYD)
    v0 = A.local_date(now, VAN)
    sd = [s0 + dt.timedelta(days=k) for k in range(12)]
    # pr-two works at Vancouver on Tuesdays and Fridays and at Sydney on Wednesdays and Saturdays: a Vancouver
    # afternoon is the next Sydney morning, so a booking there blocks Sydney hours too (one person, one place).
    tue = next(v0 + dt.timedelta(days=k) for k in range(1, 8) if (v0 + dt.timedelta(days=k)).weekday() == 1)
    fri = next(v0 + dt.timedelta(days=k) for k in range(1, 8) if (v0 + dt.timedelta(days=k)).weekday() == 4)
    van_day = next(v0 + dt.timedelta(days=k) for k in range(2, 9) if (v0 + dt.timedelta(days=k)).weekday() < 5)
    every = list(A.WEEKDAYS)
    iso = A.iso_offset
    return {
        "clinic": {"name": "Exact Test Clinic", "country": "AU", "locale": "en-AU"},
        "locations": [
            {"id": "loc-syd", "name": "Exact Sydney", "time_zone": "Australia/Sydney",
             "address": {"line1": "1 George St", "city": "Sydney", "country": "AU"},
             "closures": [{"date": sd[3].isoformat(), "reason": "Holiday"}]},
            {"id": "loc-van", "name": "Exact Vancouver", "time_zone": "America/Vancouver",
             "address": {"line1": "1 Main St", "city": "Vancouver", "country": "CA"}},
        ],
        "practitioners": [
            {"id": "1001", "first_name": "Numeric", "last_name": "Person", "treatment_ids": ["2001", "tx-long"],
             "schedules": [{"location_id": "loc-syd", "weekly": [{"days": every, "intervals": [
                 {"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "17:00"}]}]}],
             "overrides": [{"date": sd[4].isoformat(), "closed": True},
                           {"date": sd[5].isoformat(), "location_id": "loc-syd",
                            "intervals": [{"start": "10:00", "end": "11:30"}]}]},
            {"id": "pr-van", "first_name": "Van", "last_name": "Couver", "treatment_ids": ["2001", "tx-long"],
             "schedules": [{"location_id": "loc-van", "weekly": [
                 {"days": ["mon", "tue", "wed", "thu", "fri"],
                  "intervals": [{"start": "08:30", "end": "12:00"}, {"start": "12:45", "end": "16:30"}]}]}]},
            {"id": "pr-two", "first_name": "Two", "last_name": "Places", "treatment_ids": ["tx-long", "2001"],
             "schedules": [
                 {"location_id": "loc-syd", "weekly": [{"days": ["mon", "wed", "sat"],
                                                        "intervals": [{"start": "08:00", "end": "12:00"}]}]},
                 {"location_id": "loc-van", "weekly": [{"days": ["tue", "fri"],
                                                        "intervals": [{"start": "09:00", "end": "15:00"}]}]}]},
        ],
        "treatments": [
            {"id": "2001", "name": "Short Visit", "duration_minutes": 30, "price": {"amount": 40, "currency": "AUD"}},
            {"id": "tx-long", "name": "Long Visit", "duration_minutes": 60, "price": {"amount": 90, "currency": "AUD"}},
            {"id": "tx-van-only", "name": "Vancouver Special", "duration_minutes": 45,
             "price": {"amount": 70, "currency": "AUD"}, "practitioner_ids": ["pr-two"], "location_ids": ["loc-van"]},
        ],
        "bookings": [
            {"id": "bk-1", "practitioner_id": "1001", "treatment_id": "2001", "location_id": "loc-syd",
             "start": iso(local_at(SYD, sd[2], "09:30")), "end": iso(local_at(SYD, sd[2], "10:00"))},
            {"id": "bk-2", "practitioner_id": "1001", "treatment_id": "tx-long", "location_id": "loc-syd",
             "start": iso(local_at(SYD, sd[2], "14:00"))},
            {"id": "bk-3", "practitioner_id": "1001", "treatment_id": "2001", "location_id": "loc-syd",
             "start": iso(local_at(SYD, sd[6], "16:40")), "end": iso(local_at(SYD, sd[6], "17:00"))},
            {"id": "bk-4", "practitioner_id": "pr-two", "treatment_id": "tx-long", "location_id": "loc-van",
             "start": iso(local_at(VAN, tue, "12:00")), "end": iso(local_at(VAN, tue, "15:00"))},
            {"id": "bk-6", "practitioner_id": "pr-two", "treatment_id": "2001", "location_id": "loc-van",
             "start": iso(local_at(VAN, fri, "12:00")), "end": iso(local_at(VAN, fri, "15:00"))},
            {"id": "bk-5", "practitioner_id": "pr-van", "treatment_id": "tx-long", "location_id": "loc-van",
             "start": iso(local_at(VAN, van_day, "11:00")), "end": iso(local_at(VAN, van_day, "11:45"))},
        ],
        "policy": {"min_notice_minutes": 120, "max_days_ahead": 10, "slot_step_minutes": 15,
                   "buffer_before_minutes": 5, "buffer_after_minutes": 10},
    }


def tenant(tid, **extra):
    t = {"id": tid, "api_key_sha256": H.sha256_hex(KEYS[tid]), "provider": "sandbox",
         "time_zone": "Australia/Sydney", "locale": "en-AU", "country": "AU",
         "rate_limit": {"per_second": 100000, "burst": 100000}}
    t.update(extra)
    return t


def exact_settings():
    return {"provider_settings": {"clinic_file": "exact_clinic.json"}}


def setUpModule():
    global SERVER, REDIS, DEMO, EXACT
    H.require_bin()
    DEMO = A.ClinicModel(H.demo_clinic())
    clinic = exact_clinic()
    EXACT = A.ClinicModel(clinic)
    REDIS = H.Redis().start()
    tenants = [
        tenant("demo"),
        tenant("demo60", policy={"max_days_ahead": 60}),
        tenant("sydonly", locations=["loc-sydney"], default_location="loc-sydney"),
        tenant("off", ai_booking=False),
        tenant("exact", default_location="loc-syd", **exact_settings()),
        tenant("exactpol", policy={"min_notice_minutes": 0, "max_days_ahead": 3}, **exact_settings()),
        tenant("cache", policy={"availability_ttl_seconds": CACHE_TTL}, **exact_settings()),
    ]
    try:
        SERVER = H.Frontdesk({"tenants": tenants}, REDIS, files={"exact_clinic.json": clinic}).start()
    except Exception:
        REDIS.close()
        raise


def tearDownModule():
    H.shut_down(SERVER, REDIS)


class Case(unittest.TestCase):
    maxDiff = 4000

    def post(self, path, body, key="demo", srv=None):
        r = (srv or SERVER).post(path, body, key=KEYS.get(key, key) if key else None)
        self.assertNotEqual(r.status, 500, "%s answered 500: %r" % (path, r))
        if r.status >= 400:
            self.assertTrue(r.is_json, "error %d is not JSON: %r" % (r.status, r))
        return r

    def assertError(self, r, status, code, field):
        self.assertEqual(r.status, status, r)
        self.assertIsInstance(r.body, dict, r)
        self.assertEqual(set(r.body), {"error"}, r)
        err = r.body["error"]
        self.assertEqual(set(err), {"code", "request_id", "message", "field"}, r)
        self.assertEqual(err["code"], code, r)
        self.assertEqual(err["field"], field, r)
        self.assertIsInstance(err["message"], str)
        self.assertTrue(err["message"].strip(), r)
        return err

    def slots(self, r, pid, tid, lid, model):
        """The answer's slots after checking status and shape."""
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.body), {"slots"}, r)
        slots = r.body["slots"]
        self.assertIsInstance(slots, list)
        problems = A.slot_problems(slots, pid, tid, lid, model.zones[lid], model.treatments[tid]["duration_minutes"])
        self.assertEqual(problems[:10], [], "%s %s %s: %d problems" % (pid, tid, lid, len(problems)))
        return slots

    def ask_exact(self, path, body, pid, tid, lid, window, key="exact", model=None, notice=None, max_days=None,
                  srv=None):
        """Asks and checks the answer equals the model at the request's instant (computed at the instants
        just before and just after the exchange: the answer must be one of the two). window(now) -> (frm, to)."""
        model = model or EXACT
        before = A.now_ms()
        r = self.post(path, body, key, srv=srv)
        after = A.now_ms()
        slots = self.slots(r, pid, tid, lid, model)
        served = A.intervals_of(slots)
        wants = [model.expected(pid, tid, lid, *window(now), now=now, notice=notice, max_days_ahead=max_days)
                 for now in (before, after)]
        if served not in wants:
            zone = model.zones[lid]
            want = set(wants[0])
            self.fail("%s %s %s %s:\n  missing: %s\n  extra:   %s" % (
                path, pid, tid, lid, A.describe(want - set(served), zone), A.describe(set(served) - want, zone)))
        return slots


def range_body(pid, tid, lid, frm, to, **extra):
    b = {"staff_member_id": pid, "treatment_id": tid, "locationId": lid, "start_at": A.iso_utc(frm),
         "end_at": A.iso_utc(to)}
    b.update(extra)
    return b


def today_start(model, lid, now=None):
    zone = model.zones[lid]
    return A.day_start_ms(zone, A.local_date(now or A.now_ms(), zone))


# ---- the demo clinic ---------------------------------------------------------------------------------------------

class DemoClinic(Case):
    def check_invariants(self, slots, pid, tid, lid, frm, to, now_before, now_after, max_days=None):
        """What must hold for any slot of the demo (whose generated bookings are not modelled)."""
        model = DEMO
        zone = model.zones[lid]
        pol = model.policy
        max_days = pol["max_days_ahead"] if max_days is None else max_days
        horizon = model.horizon_end(lid, now_after, max_days)
        step = pol["slot_step_minutes"] * A.MS_MIN
        superset = set(model.expected(pid, tid, lid, frm, to, now_before, max_days_ahead=max_days))
        for start, end in A.intervals_of(slots):
            where = "%s %s %s %s" % (pid, tid, lid, A.local_iso(start, zone))
            self.assertGreaterEqual(start, frm, where + ": before the window")
            self.assertLess(start, to, where + ": after the window")
            self.assertGreaterEqual(start, now_before + pol["min_notice_minutes"] * A.MS_MIN,
                                    where + ": earlier than now + minimum notice")
            self.assertLess(start, horizon, where + ": at or after the horizon")
            day = A.local_date(start, zone)
            windows = model.windows(pid, lid, day)
            inside = [ws for ws, we in windows if ws <= start and end <= we]
            self.assertTrue(inside, where + ": outside working hours %r" % model.day_hours(pid, lid, day))
            self.assertEqual((start - inside[0]) % step, 0, where + ": off the slot-step grid")
            for b_start, b_end in model.busy.get(pid, []):
                self.assertFalse(start - pol["buffer_before_minutes"] * A.MS_MIN < b_end and
                                 end + pol["buffer_after_minutes"] * A.MS_MIN > b_start, where + ": overlaps a booking")
            self.assertIn((start, end), superset, where + ": not an opening of the clinic file")

    def test_catalog_decides_what_is_offered(self):
        # Every practitioner x treatment x location: 200 when the file says it is offered there, else 422;
        # a practitioner who is not AI-enabled is never offered by these routes (422 not_bookable_online).
        self.assertTrue(any(not DEMO.ai_enabled(p) for p in DEMO.practitioners), "the demo has no such practitioner")
        for pid in DEMO.practitioners:
            for tid in DEMO.treatments:
                for lid in DEMO.locations:
                    r = self.post(NEXT7, {"staff_member_id": pid, "treatment_id": tid, "locationId": lid})
                    if not DEMO.ai_enabled(pid):
                        self.assertError(r, 422, "not_bookable_online", "staff_member_id")
                    elif DEMO.offers(pid, tid, lid):
                        self.assertEqual(r.status, 200, "%s %s %s: %r" % (pid, tid, lid, r))
                    else:
                        self.assertError(r, 422, "not_offered", "treatment_id")

    def test_next_7_days(self):
        total = 0
        for pid, tid, lid in DEMO.offered_triples():
            before = A.now_ms()
            r = self.post(NEXT7, {"staff_member_id": pid, "treatment_id": tid, "locationId": lid})
            after = A.now_ms()
            slots = self.slots(r, pid, tid, lid, DEMO)
            frm, to = DEMO.next7_window(lid, before)
            self.check_invariants(slots, pid, tid, lid, frm, DEMO.next7_window(lid, after)[1], before, after)
            total += len(slots)
        self.assertGreater(total, 50, "the demo offers almost nothing in the next 7 days")

    def test_range_of_31_days_stops_at_the_horizon(self):
        total = 0
        for pid, tid, lid in DEMO.offered_triples():
            frm = today_start(DEMO, lid)
            to = frm + 31 * 24 * 3600 * 1000
            before = A.now_ms()
            r = self.post(RANGE, range_body(pid, tid, lid, frm, to))
            after = A.now_ms()
            slots = self.slots(r, pid, tid, lid, DEMO)
            self.check_invariants(slots, pid, tid, lid, frm, to, before, after)
            total += len(slots)
            if slots:  # the horizon (30 local dates, today included) is what stops them, not the window
                last = A.local_date(A.parse_utc(slots[-1]["start_at"]), DEMO.zones[lid])
                self.assertLess(last, A.local_date(before, DEMO.zones[lid]) + dt.timedelta(days=30))
        self.assertGreater(total, 200)

    def test_holidays_closures_and_overrides(self):
        # demo60 books 60 days ahead. The window is the 30 days from today, so whichever of the demo's dated
        # closures and overrides (Christmas, New Year's Eve, ...) fall in it on the suite's date are checked.
        zone = DEMO.zones["loc-sydney"]
        first = A.local_date(A.now_ms(), zone)
        frm = A.day_start_ms(zone, first)
        to = A.day_start_ms(zone, first + dt.timedelta(days=30))  # 31 local days may pass the 31 x 24 h limit
        closed = {c["date"] for c in DEMO.locations["loc-sydney"].get("closures") or []}
        seen_days = set()
        for pid, tid, lid in DEMO.offered_triples():
            if lid != "loc-sydney":
                continue
            before = A.now_ms()
            r = self.post(RANGE, range_body(pid, tid, lid, frm, to), key="demo60")
            slots = self.slots(r, pid, tid, lid, DEMO)
            self.check_invariants(slots, pid, tid, lid, frm, to, before, A.now_ms(), max_days=60)
            for s in slots:
                day = A.local_date(A.parse_utc(s["start_at"]), zone)
                seen_days.add(day)
                self.assertNotIn(day.isoformat(), closed, "%s works on closure %s" % (pid, day))
                self.assertTrue(DEMO.day_hours(pid, lid, day), "%s has a slot on a day off %s" % (pid, day))
        self.assertTrue(seen_days, "no slot at all in Sydney in the coming month")
        # pr-sam-nguyen's dated overrides (leave on a day, mornings only on another) hold on their exact dates.
        sam = DEMO.practitioners["pr-sam-nguyen"]
        overrides = {o["date"]: o for o in sam.get("overrides") or []
                     if o.get("location_id") in (None, "loc-sydney")}
        r = self.post(RANGE, range_body("pr-sam-nguyen", "tx-followup-physio", "loc-sydney", frm, to), key="demo60")
        for s in self.slots(r, "pr-sam-nguyen", "tx-followup-physio", "loc-sydney", DEMO):
            local = A.utc_of(A.parse_utc(s["start_at"])).astimezone(zone)
            o = overrides.get(local.date().isoformat())
            if o is None:
                continue
            self.assertFalse(o.get("closed"), "a slot on a day of leave: %s" % s)
            ends = [dt.time.fromisoformat(i["end"]) for i in o.get("intervals") or []]
            self.assertLessEqual((local + dt.timedelta(minutes=30)).time(), max(ends), s)

    def test_generated_bookings_leave_gaps(self):
        # The demo's generated bookings (fill ratio 0.35) must take some openings away.
        fewer = 0
        for pid, tid, lid in DEMO.offered_triples():
            frm = today_start(DEMO, lid) + 2 * 86400000
            to = frm + 7 * 86400000
            r = self.post(RANGE, range_body(pid, tid, lid, frm, to))
            served = A.intervals_of(self.slots(r, pid, tid, lid, DEMO))
            model = DEMO.expected(pid, tid, lid, frm, to, A.now_ms())
            self.assertTrue(set(served) <= set(model))
            fewer += len(served) < len(model)
        self.assertGreater(fewer, 0, "no generated booking took a slot away")


# ---- the exact clinic ----------------------------------------------------------------------------------------------

class ExactClinic(Case):
    def test_every_offered_combination_over_the_whole_horizon(self):
        triples = EXACT.offered_triples()
        self.assertGreaterEqual(len(triples), 6)
        total = 0
        for pid, tid, lid in triples:
            frm = today_start(EXACT, lid)
            to = frm + 12 * 86400000  # beyond the 10-day horizon
            slots = self.ask_exact(RANGE, range_body(pid, tid, lid, frm, to), pid, tid, lid, lambda now: (frm, to))
            total += len(slots)
        self.assertGreater(total, 100)

    def test_next_7_days(self):
        for pid, tid, lid in EXACT.offered_triples():
            self.ask_exact(NEXT7, {"staff_member_id": pid, "treatment_id": tid, "locationId": lid}, pid, tid, lid,
                           lambda now, lid=lid: EXACT.next7_window(lid, now))

    def test_bookings_with_buffers_closures_and_overrides_shape_the_days(self):
        # Independent of the model: the concrete consequences of the file for 1001 at Sydney.
        zone = SYD
        s0 = A.local_date(A.now_ms(), zone)
        frm = A.day_start_ms(zone, s0 + dt.timedelta(days=2))
        to = A.day_start_ms(zone, s0 + dt.timedelta(days=7))
        r = self.post(RANGE, range_body("1001", "2001", "loc-syd", frm, to), key="exact")
        by_day = {}
        for s in self.slots(r, "1001", "2001", "loc-syd", EXACT):
            local = A.utc_of(A.parse_utc(s["start_at"])).astimezone(zone)
            by_day.setdefault((local.date() - s0).days, []).append(local.strftime("%H:%M"))
        # day 2: booking 09:30-10:00 (buffers 5 before, 10 after) and 14:00-15:00
        d2 = by_day[2]
        self.assertNotIn("09:00", d2)  # would end 09:30, +10 min buffer overlaps 09:30
        self.assertNotIn("10:00", d2)  # 5 min buffer before overlaps the booking's end
        self.assertIn("10:15", d2)
        self.assertIn("13:15", d2)  # ends 13:45 + 10 = 13:55 <= 14:00
        self.assertNotIn("13:30", d2)
        self.assertNotIn("15:00", d2)
        self.assertIn("15:15", d2)
        self.assertEqual(d2[-1], "16:30")
        self.assertNotIn(3, by_day, "slots on the location's closure")
        self.assertNotIn(4, by_day, "slots on the practitioner's closed day")
        self.assertEqual(by_day[5], ["10:00", "10:15", "10:30", "10:45", "11:00"], "the short day 10:00-11:30")
        self.assertEqual(by_day[6][-1], "16:00")  # 16:15 would end 16:45 + 10 > 16:40
        self.assertEqual(len(by_day[6]), 11 + 13)  # 09:00-11:30 and 13:00-16:00

    def test_a_booking_at_one_location_blocks_the_other(self):
        # pr-two's Vancouver bookings (Tuesday and Friday 12:00-15:00) fall on the next Sydney mornings, where
        # pr-two also works (Wednesday, Saturday 08:00-12:00): those Sydney slots are taken.
        pol = EXACT.policy
        checked = 0
        for bk in EXACT.clinic["bookings"]:
            if bk["id"] not in ("bk-4", "bk-6"):
                continue
            b_start = A.ms_of(dt.datetime.fromisoformat(bk["start"]))
            b_end = A.ms_of(dt.datetime.fromisoformat(bk["end"]))
            day = A.local_date(b_start, SYD)
            frm = A.day_start_ms(SYD, day)
            to = A.day_start_ms(SYD, day + dt.timedelta(days=1))
            if not EXACT.day_hours("pr-two", "loc-syd", day) or frm < A.now_ms() + 3 * 3600 * 1000:
                continue  # the location's closure, or too close to now
            r = self.post(RANGE, range_body("pr-two", "tx-long", "loc-syd", frm, to), key="exact")
            served = [A.parse_utc(s["start_at"]) for s in self.slots(r, "pr-two", "tx-long", "loc-syd", EXACT)]
            grid = [A.ms_of(local_at(SYD, day, "08:00")) + k * 15 * A.MS_MIN for k in range(13)]  # 08:00-11:00
            free = [t for t in grid if not (t - pol["buffer_before_minutes"] * A.MS_MIN < b_end and
                                            t + 60 * A.MS_MIN + pol["buffer_after_minutes"] * A.MS_MIN > b_start)]
            self.assertLess(len(free), len(grid), "the booking does not reach the Sydney hours")
            self.assertEqual(served, free, "%s: %s" % (day, A.describe([(t, t) for t in served], SYD)))
            checked += 1
        self.assertGreater(checked, 0)

    def test_window_cuts_on_start(self):
        # A window with odd edges: slots start inside [start_at, end_at).
        s0 = A.local_date(A.now_ms(), SYD)
        day = s0 + dt.timedelta(days=2)
        frm = A.ms_of(local_at(SYD, day, "10:07"))
        to = A.ms_of(local_at(SYD, day, "15:52"))
        slots = self.ask_exact(RANGE, range_body("1001", "tx-long", "loc-syd", frm, to), "1001", "tx-long",
                               "loc-syd", lambda now: (frm, to))
        self.assertTrue(slots)
        self.assertGreaterEqual(A.parse_utc(slots[0]["start_at"]), frm)
        self.assertLess(A.parse_utc(slots[-1]["start_at"]), to)

    def test_past_and_beyond_horizon_windows_are_empty(self):
        now = A.now_ms()
        for frm, to in ((now - 10 * 86400000, now - 86400000), (now + 20 * 86400000, now + 25 * 86400000)):
            r = self.post(RANGE, range_body("1001", "2001", "loc-syd", frm, to), key="exact")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.body, {"slots": []})

    def test_tenant_policy_overrides_the_files_notice_and_horizon(self):
        for pid, tid, lid in EXACT.offered_triples():
            frm = today_start(EXACT, lid)
            to = frm + 12 * 86400000
            self.ask_exact(RANGE, range_body(pid, tid, lid, frm, to), pid, tid, lid, lambda now: (frm, to),
                           key="exactpol", notice=0, max_days=3)
            self.ask_exact(NEXT7, {"staff_member_id": pid, "treatment_id": tid, "locationId": lid}, pid, tid, lid,
                           lambda now, lid=lid: EXACT.next7_window(lid, now), key="exactpol", notice=0, max_days=3)

    def test_integer_ids_are_answered_as_strings(self):
        frm = today_start(EXACT, "loc-syd") + 86400000
        to = frm + 5 * 86400000
        as_ints = self.post(RANGE, range_body(1001, 2001, "loc-syd", frm, to), key="exact")
        as_strings = self.post(RANGE, range_body("1001", "2001", "loc-syd", frm, to), key="exact")
        slots = self.slots(as_ints, "1001", "2001", "loc-syd", EXACT)
        self.assertTrue(slots)
        self.assertEqual(as_ints.body, as_strings.body)

    def test_default_location_and_location_id_alias(self):
        frm = today_start(EXACT, "loc-syd") + 86400000
        to = frm + 4 * 86400000
        base = range_body("1001", "2001", "loc-syd", frm, to)
        named = self.post(RANGE, base, key="exact")
        default = dict(base)
        del default["locationId"]
        alias = dict(default, location_id="loc-syd")
        self.assertEqual(self.post(RANGE, default, key="exact").body, named.body)
        self.assertEqual(self.post(RANGE, alias, key="exact").body, named.body)
        self.assertTrue(self.slots(named, "1001", "2001", "loc-syd", EXACT))

    def test_slot_ids_are_distinct_url_safe_and_stable(self):
        frm = today_start(EXACT, "loc-syd")
        to = frm + 10 * 86400000
        body = range_body("1001", "2001", "loc-syd", frm, to)
        first = self.slots(self.post(RANGE, body, key="exact"), "1001", "2001", "loc-syd", EXACT)
        ids = [s["slot_id"] for s in first]
        self.assertEqual(len(ids), len(set(ids)))
        for i in ids:
            self.assertRegex(i, r"^[A-Za-z0-9_.-]+$")
            self.assertTrue(A.b64url_ok(i), i)
        again = self.post(RANGE, body, key="exact").body["slots"]
        self.assertEqual(again, first)
        # the other treatment at the same instants names other slots
        other = self.post(RANGE, range_body("1001", "tx-long", "loc-syd", frm, to), key="exact").body["slots"]
        self.assertFalse(set(ids) & {s["slot_id"] for s in other})


# ---- times in requests ---------------------------------------------------------------------------------------------

class RequestTimes(Case):
    def day(self, zone, k=2):
        return A.local_date(A.now_ms(), zone) + dt.timedelta(days=k)

    def test_offsetless_times_use_the_locations_zone(self):
        for lid, zone, pid in (("loc-syd", SYD, "1001"), ("loc-van", VAN, "pr-van")):
            d = self.day(zone)
            n = d + dt.timedelta(days=3)
            local = {"staff_member_id": pid, "treatment_id": "2001", "locationId": lid,
                     "start_at": d.isoformat() + "T00:00:00", "end_at": n.isoformat() + "T00:00:00"}
            explicit = dict(local, start_at=A.iso_offset(dt.datetime(d.year, d.month, d.day, tzinfo=zone)),
                            end_at=A.iso_offset(dt.datetime(n.year, n.month, n.day, tzinfo=zone)))
            a = self.post(RANGE, local, key="exact")
            b = self.post(RANGE, explicit, key="exact")
            self.assertEqual(a.body, b.body)
            self.assertTrue(self.slots(a, pid, "2001", lid, EXACT))

    def test_offsetless_times_use_the_requests_time_zone(self):
        # Read Vancouver's practitioner in Sydney time, and the other way round: different instants.
        for lid, pid, tz_name, spellings in (
                ("loc-van", "pr-van", "Australia/Sydney", ["Australia/Sydney", "Sydney time", "AUS Eastern Standard Time"]),
                ("loc-syd", "1001", "America/Vancouver", ["America/Vancouver", "pacific time", "Canada/Pacific"])):
            zone = ZoneInfo(tz_name)
            # the first 36-hour window from 06:00 three or more days ahead in which the practitioner works (the
            # clinic has closures and weekends, and which dates they hit depends on today's date)
            for k in range(3, 10):
                d = self.day(zone, k)
                start = dt.datetime(d.year, d.month, d.day, 6, 0, tzinfo=zone)
                end = start + dt.timedelta(hours=36)
                if EXACT.expected(pid, "2001", lid, A.ms_of(start), A.ms_of(end), A.now_ms()):
                    break
            explicit = {"staff_member_id": pid, "treatment_id": "2001", "locationId": lid,
                        "start_at": A.iso_offset(start), "end_at": A.iso_offset(end.astimezone(zone))}
            want = self.ask_exact(RANGE, explicit, pid, "2001", lid, lambda now: (A.ms_of(start), A.ms_of(end)))
            self.assertTrue(want)
            for spelling in spellings:
                body = dict(explicit, time_zone=spelling, start_at=start.strftime("%Y-%m-%dT%H:%M:%S"),
                            end_at=end.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S"))
                r = self.post(RANGE, body, key="exact")
                self.assertEqual(r.status, 200, "%s: %r" % (spelling, r))
                self.assertEqual(r.body["slots"], want, spelling)
            # without time_zone the same text means the location's zone: another window
            r = self.post(RANGE, dict(body, time_zone=None), key="exact")
            self.assertNotEqual(r.body["slots"], want)

    def test_an_explicit_offset_wins_over_time_zone(self):
        d = self.day(SYD)
        start = dt.datetime(d.year, d.month, d.day, tzinfo=SYD)
        body = range_body("1001", "2001", "loc-syd", A.ms_of(start), A.ms_of(start) + 2 * 86400000)
        a = self.post(RANGE, body, key="exact")
        b = self.post(RANGE, dict(body, time_zone="America/New_York"), key="exact")
        self.assertEqual(a.body, b.body)

    def test_iso_spellings_of_one_instant_agree(self):
        d = self.day(SYD)
        start = dt.datetime(d.year, d.month, d.day, tzinfo=SYD).astimezone(A.UTC)
        end = start + dt.timedelta(days=2)
        spellings = [
            (start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ")),
            (start.strftime("%Y-%m-%dT%H:%M:%S.000Z"), end.strftime("%Y-%m-%dT%H:%M:%S.000Z")),
            (start.strftime("%Y-%m-%dT%H:%M:%S+00:00"), end.strftime("%Y-%m-%dT%H:%M:%S+00:00")),
            (start.strftime("%Y-%m-%dt%H:%M:%Sz"), end.strftime("%Y-%m-%dt%H:%M:%Sz")),
            (start.strftime("%Y-%m-%dT%H:%MZ"), end.strftime("%Y-%m-%dT%H:%MZ")),
            (A.iso_offset(start.astimezone(SYD)), A.iso_offset(end.astimezone(VAN))),
        ]
        answers = []
        for s, e in spellings:
            r = self.post(RANGE, {"staff_member_id": "1001", "treatment_id": "2001", "locationId": "loc-syd",
                                  "start_at": s, "end_at": e}, key="exact")
            self.assertEqual(r.status, 200, "%s %s: %r" % (s, e, r))
            answers.append(r.body)
        for s, a in zip(spellings, answers):
            self.assertEqual(a, answers[0], s)
        self.assertTrue(answers[0]["slots"])

    def test_range_of_exactly_31_days_is_allowed(self):
        frm = A.now_ms()
        r = self.post(RANGE, range_body("1001", "2001", "loc-syd", frm, frm + 31 * 86400000), key="exact")
        self.assertEqual(r.status, 200, r)


# ---- errors -----------------------------------------------------------------------------------------------------

class Errors(Case):
    def valid(self, path, key="demo"):
        if key == "demo":
            body = {"staff_member_id": "pr-sam-nguyen", "treatment_id": "tx-initial-physio", "locationId": "loc-sydney"}
            zone = DEMO.zones["loc-sydney"]
        else:
            body = {"staff_member_id": "1001", "treatment_id": "2001", "locationId": "loc-syd"}
            zone = SYD
        if path == RANGE:
            d = A.local_date(A.now_ms(), zone) + dt.timedelta(days=2)
            body["start_at"] = d.isoformat() + "T00:00:00"
            body["end_at"] = (d + dt.timedelta(days=1)).isoformat() + "T00:00:00"
        return body

    def test_the_valid_bodies_are_valid(self):
        for path in ROUTES:
            for key in ("demo", "exact"):
                self.assertEqual(self.post(path, self.valid(path, key), key).status, 200, path)

    def test_missing_fields(self):
        for path in ROUTES:
            fields = ["staff_member_id", "treatment_id"] + (["start_at", "end_at"] if path == RANGE else [])
            for field in fields:
                for absent in ("omitted", "null"):
                    body = self.valid(path)
                    if absent == "omitted":
                        del body[field]
                    else:
                        body[field] = None
                    err = self.assertError(self.post(path, body), 400, "missing_field", field)
                    self.assertIn(field, err["message"])
        # A missing time is reported as such even when the ids are wrong too: the caller's first mistake.
        self.assertError(self.post(RANGE, {"staff_member_id": "nobody", "treatment_id": "nothing"}), 400,
                         "missing_field", "start_at")

    def test_empty_body(self):
        for path in ROUTES:
            self.assertError(self.post(path, {}), 400, "missing_field", "staff_member_id")
            self.assertError(self.post(path, ""), 400, "missing_field", "staff_member_id")

    def test_ids_of_the_wrong_type(self):
        for path in ROUTES:
            for field in ("staff_member_id", "treatment_id"):
                for value in ("", [], {}, True, 1.5):
                    body = dict(self.valid(path), **{field: value})
                    self.assertError(self.post(path, body), 400, "invalid_field", field)

    def test_bad_iso_times_name_the_reason(self):
        bad = ["tomorrow", "2026-11-25", "2026-13-01T09:00:00Z", "2026-02-30T09:00:00Z", "2026-11-25T25:00:00Z",
               "2026-11-25T09:00:00+25:00", "2026-11-25 09:00", "2026-11-25T09:00:00.1234567891Z", ""]
        for field in ("start_at", "end_at"):
            for value in bad:
                body = dict(self.valid(RANGE), **{field: value})
                err = self.assertError(self.post(RANGE, body), 400, "invalid_field", field)
                self.assertIn(field, err["message"])
                head, sep, reason = err["message"].partition(": ")
                self.assertTrue(sep and reason.strip(" ."), "%r: no reason in %r" % (value, err["message"]))
            for value in (12, ["2026-11-25T09:00:00Z"], {"at": 1}):
                body = dict(self.valid(RANGE), **{field: value})
                self.assertError(self.post(RANGE, body), 400, "invalid_field", field)

    def test_end_not_after_start(self):
        body = self.valid(RANGE)
        for start, end in (("2026-12-02T10:00:00Z", "2026-12-02T09:00:00Z"),
                           ("2026-12-02T10:00:00Z", "2026-12-02T10:00:00Z"),
                           ("2026-12-02T10:00:00Z", "2026-12-02T20:59:59.999+11:00")):
            err = self.assertError(self.post(RANGE, dict(body, start_at=start, end_at=end)), 422, "invalid_range",
                                   "end_at")
            self.assertIn("after", err["message"])

    def test_more_than_31_days(self):
        body = self.valid(RANGE)
        for start, end in (("2026-12-01T00:00:00Z", "2027-01-01T00:00:00.001Z"),
                           ("2026-12-01T00:00:00Z", "2027-03-01T00:00:00Z"),
                           ("2026-12-01T00:00:00+14:00", "2026-12-31T23:00:00-12:00")):
            err = self.assertError(self.post(RANGE, dict(body, start_at=start, end_at=end)), 422, "invalid_range",
                                   "end_at")
            self.assertIn("31", err["message"])

    def test_unknown_staff_and_treatment(self):
        for path in ROUTES:
            for key in ("demo", "exact"):
                for value in ("pr-nobody", 999999, "PR-SAM-NGUYEN"):
                    self.assertError(self.post(path, dict(self.valid(path, key), staff_member_id=value), key), 422,
                                     "unknown_staff", "staff_member_id")
                for value in ("tx-nothing", 424242):
                    self.assertError(self.post(path, dict(self.valid(path, key), treatment_id=value), key), 422,
                                     "unknown_treatment", "treatment_id")
        # IDs of another tenant's clinic are unknown here
        self.assertError(self.post(NEXT7, {"staff_member_id": "1001", "treatment_id": "2001"}, "demo"), 422,
                         "unknown_staff", "staff_member_id")
        self.assertError(self.post(NEXT7, {"staff_member_id": "pr-sam-nguyen", "treatment_id": "tx-initial-physio"},
                                   "exact"), 422, "unknown_staff", "staff_member_id")

    def test_not_offered(self):
        cases = [
            ("demo", "pr-sam-nguyen", "tx-massage-60", "loc-sydney"),     # does not offer it at all
            ("demo", "pr-sam-nguyen", "tx-initial-physio", "loc-vancouver"),  # does not work there
            ("demo", "pr-liam-obrien", "tx-initial-physio", "loc-sydney"),
            ("exact", "pr-two", "tx-van-only", "loc-syd"),  # works there, offers it, but not at that location
            ("exact", "pr-van", "tx-van-only", "loc-van"),   # the treatment is there, not by this practitioner
        ]
        for key, pid, tid, lid in cases:
            model = DEMO if key == "demo" else EXACT
            self.assertFalse(model.offers(pid, tid, lid))
            for path in ROUTES:
                body = dict(self.valid(path, key), staff_member_id=pid, treatment_id=tid, locationId=lid)
                self.assertError(self.post(path, body, key), 422, "not_offered", "treatment_id")
        self.assertTrue(EXACT.offers("pr-two", "tx-van-only", "loc-van"))
        self.assertEqual(self.post(NEXT7, {"staff_member_id": "pr-two", "treatment_id": "tx-van-only",
                                           "locationId": "loc-van"}, "exact").status, 200)

    def test_forbidden_and_unknown_locations(self):
        for path in ROUTES:
            body = dict(self.valid(path), staff_member_id="pr-liam-obrien", treatment_id="tx-initial-physio")
            self.assertError(self.post(path, dict(body, locationId="loc-vancouver"), "sydonly"), 403,
                             "location_forbidden", "locationId")
            alias = dict(body, location_id="loc-vancouver")
            del alias["locationId"]
            self.assertError(self.post(path, alias, "sydonly"), 403,
                             "location_forbidden", "location_id")
            self.assertError(self.post(path, dict(body, locationId="loc-nowhere"), "demo"), 403,
                             "location_forbidden", "locationId")
            self.assertError(self.post(path, dict(body, locationId="loc-syd"), "demo"), 403,
                             "location_forbidden", "locationId")
            # the restricted key works at its own location
            ok = dict(self.valid(path), locationId="loc-sydney")
            self.assertEqual(self.post(path, ok, "sydonly").status, 200)

    def test_invalid_time_zone(self):
        for value in ("Mars/Olympus", "Not A Zone", "UTC+99", "XYZT"):
            err = self.assertError(self.post(RANGE, dict(self.valid(RANGE), time_zone=value)), 400,
                                   "invalid_time_zone", "time_zone")
            self.assertIn("time_zone", err["message"])
        self.assertError(self.post(RANGE, dict(self.valid(RANGE), time_zone=10)), 400, "invalid_field", "time_zone")

    def test_auth(self):
        for path in ROUTES:
            self.assertError(self.post(path, self.valid(path), key=None), 401, "unauthorized", "x-api-key")
            self.assertError(self.post(path, self.valid(path), key="it-no-such-key-0000"), 401, "unauthorized",
                             "x-api-key")
            err = self.assertError(self.post(path, self.valid(path), key="off"), 403, "booking_not_enabled", None)
            self.assertEqual(err["message"], "This location is not enabled for booking")

    def test_get_is_405(self):
        for path in ROUTES:
            r = SERVER.get(path, key=KEYS["demo"])
            self.assertEqual(r.status, 405, r)
            self.assertIn("POST", r.header("allow") or "")


# ---- the cache -----------------------------------------------------------------------------------------------------

class Cache(Case):
    def avail_keys(self, tenant_id):
        return sorted(REDIS.command("KEYS", "fd:{%s}:avail:*" % tenant_id) or [])

    def day_keys(self, prefix, want):
        """The cached-day keys under prefix (not fill locks), waiting up to 2 s for `want`: the cache write is
        fire and forget and may land just after the answer."""
        deadline = A.now_ms() + 2000
        while True:
            keys = [k for k in REDIS.command("KEYS", prefix + "*") or [] if not k.endswith(":lock")]
            if sorted(keys) == sorted(want) or A.now_ms() > deadline:
                return sorted(keys)
            time.sleep(0.02)

    def test_miss_then_hit(self):
        lid, pid, tid = "loc-syd", "1001", "2001"
        dates = [A.local_date(A.now_ms(), SYD) + dt.timedelta(days=k) for k in (1, 2, 3)]
        frm = A.day_start_ms(SYD, dates[0])
        to = A.day_start_ms(SYD, dates[-1] + dt.timedelta(days=1))
        prefix = "fd:{cache}:avail:%s:%s:%s:" % (pid, tid, lid)
        for k in self.avail_keys("cache"):
            if k.startswith(prefix):
                REDIS.command("DEL", k)
        body = range_body(pid, tid, lid, frm, to)
        first = self.ask_exact(RANGE, body, pid, tid, lid, lambda now: (frm, to), key="cache")
        keys = self.day_keys(prefix, [prefix + d.isoformat() for d in dates])
        self.assertEqual(keys, [prefix + d.isoformat() for d in dates])
        for k in keys:
            ttl = REDIS.command("TTL", k)
            self.assertGreater(ttl, 0, k)
            self.assertLessEqual(ttl, CACHE_TTL, k)
        second = self.post(RANGE, body, key="cache")
        self.assertEqual(second.body["slots"], first)
        # Proof that the second answer came from the cache: a day whose cached openings are replaced answers
        # what the cache says; once the key is gone the clinic file's openings are back.
        day2 = [s for s in first if A.local_date(A.parse_utc(s["start_at"]), SYD) == dates[1]]
        self.assertGreater(len(day2), 2)
        keep = day2[len(day2) // 2]
        key = prefix + dates[1].isoformat()
        ttl = REDIS.command("TTL", key)
        # The cached day format: b"B", then each opening's start and end as little-endian int64 UTC ms.
        day = b"B" + struct.pack("<qq", A.parse_utc(keep["start_at"]), A.parse_utc(keep["end_at"]))
        REDIS.command("SET", key, day, "EX", str(max(ttl, 1)))
        third = self.post(RANGE, body, key="cache").body["slots"]
        self.assertEqual(third, [s for s in first if s not in day2 or s == keep])
        REDIS.command("DEL", key)
        fourth = self.post(RANGE, body, key="cache").body["slots"]
        self.assertEqual(fourth, first)
        self.assertEqual(self.day_keys(prefix, keys), keys)

    def test_next_7_days_caches_seven_local_dates(self):
        lid, pid, tid = "loc-van", "pr-van", "tx-long"
        prefix = "fd:{cache}:avail:%s:%s:%s:" % (pid, tid, lid)
        for k in self.avail_keys("cache"):
            if k.startswith(prefix):
                REDIS.command("DEL", k)
        before = A.now_ms()
        r = self.post(NEXT7, {"staff_member_id": pid, "treatment_id": tid, "locationId": lid}, key="cache")
        self.slots(r, pid, tid, lid, EXACT)
        today = A.local_date(before, VAN)
        want = [prefix + (today + dt.timedelta(days=k)).isoformat() for k in range(7)]
        self.assertEqual(self.day_keys(prefix, want), want)
        again = self.post(NEXT7, {"staff_member_id": pid, "treatment_id": tid, "locationId": lid}, key="cache")
        self.assertEqual(again.body, r.body)


# ---- clinic files per tenant, restarts ------------------------------------------------------------------------------

def small_clinic(start, end):
    return {"clinic": {"name": "Small", "country": "AU"},
            "locations": [{"id": "l1", "name": "Only", "time_zone": "Australia/Sydney",
                           "address": {"line1": "1 A St", "city": "Sydney", "country": "AU"}}],
            "practitioners": [{"id": "p1", "first_name": "Pat", "last_name": "One", "treatment_ids": ["t1"],
                               "schedules": [{"location_id": "l1", "weekly": [{"days": list(A.WEEKDAYS),
                                              "intervals": [{"start": start, "end": end}]}]}]}],
            "treatments": [{"id": "t1", "name": "Visit", "duration_minutes": 45,
                            "price": {"amount": 10, "currency": "AUD"}}]}


class ClinicFiles(Case):
    def test_each_tenant_answers_from_its_own_file(self):
        # exact and demo name different practitioners; the same request differs by key.
        body = {"staff_member_id": "1001", "treatment_id": "2001"}
        self.assertEqual(self.post(NEXT7, body, "exact").status, 200)
        self.assertError(self.post(NEXT7, body, "demo"), 422, "unknown_staff", "staff_member_id")

    def run_small(self, redis, clinic, flush):
        """Starts frontdesk on `clinic` for tenant cf, asks for 3 days, stops; returns (served, model's)."""
        if flush:
            redis.command("FLUSHALL")
        model = A.ClinicModel(clinic)
        srv = H.Frontdesk({"tenants": [tenant("cf", provider_settings={"clinic_file": "small.json"})]},
                          redis, files={"small.json": clinic}).start()
        try:
            frm = today_start(model, "l1") + 86400000
            to = frm + 3 * 86400000
            r = self.post(RANGE, range_body("p1", "t1", "l1", frm, to), "cf", srv=srv)
            served = A.intervals_of(self.slots(r, "p1", "t1", "l1", model))
            want = model.expected("p1", "t1", "l1", frm, to, A.now_ms())
        finally:
            problem = srv.stop_problem()
            srv.close()
        self.assertIsNone(problem)
        return served, want

    def test_the_tenants_clinic_file_decides_the_answers(self):
        # Two files, each on an empty redis: each answer is its own file's.
        redis = H.Redis().start()
        try:
            answers = []
            for start, end in (("09:00", "12:00"), ("13:00", "17:30")):
                served, want = self.run_small(redis, small_clinic(start, end), flush=True)
                self.assertEqual(served, want)
                self.assertTrue(served)
                answers.append(served)
            self.assertNotEqual(answers[0], answers[1])
        finally:
            redis.close()

    def test_a_changed_clinic_file_changes_the_answers_at_once(self):
        # The same redis kept across a restart on a changed file: the sandbox reseeds (new digest), and the
        # availability cached from the old file must not be served for the new one.
        redis = H.Redis().start()
        try:
            first, want1 = self.run_small(redis, small_clinic("09:00", "12:00"), flush=True)
            self.assertEqual(first, want1)
            served, want = self.run_small(redis, small_clinic("13:00", "17:30"), flush=False)
            self.assertFalse(served == first, "after a restart on a changed clinic file the answers are still the "
                                "old file's: the availability cache (fd:{cf}:avail:*, TTL availability_ttl_seconds) "
                                "survives the sandbox reseed")
            self.assertEqual(served, want)
        finally:
            redis.close()

    def test_demo_generated_bookings_are_deterministic_across_restarts(self):
        redis = H.Redis().start()
        runs = []
        try:
            for run in range(2):
                redis.command("FLUSHALL")
                srv = H.Frontdesk({"tenants": [tenant("demo"), tenant("demo2")]}, redis).start()
                try:
                    answers = {}
                    for key in ("demo", "demo2"):
                        for pid, tid, lid in DEMO.offered_triples():
                            frm = today_start(DEMO, lid) + 2 * 86400000
                            to = frm + 7 * 86400000
                            r = self.post(RANGE, range_body(pid, tid, lid, frm, to), key, srv=srv)
                            answers[(key, pid, tid, lid)] = A.intervals_of(self.slots(r, pid, tid, lid, DEMO))
                finally:
                    problem = srv.stop_problem()
                    srv.close()
                self.assertIsNone(problem)
                runs.append(answers)
        finally:
            redis.close()
        self.assertEqual(runs[0], runs[1])
        for (key, pid, tid, lid), v in runs[0].items():
            if key == "demo":  # generated bookings depend on the clinic, not on the tenant's id
                self.assertEqual(runs[0][("demo2", pid, tid, lid)], v, (pid, tid, lid))
        self.assertTrue(any(runs[0].values()))


if __name__ == "__main__":
    unittest.main(verbosity=2)
