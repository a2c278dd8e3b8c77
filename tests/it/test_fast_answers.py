#!/usr/bin/env python3
"""tests/it/test_fast_answers.py: the fast paths give the answers the straightforward algorithm gives.

/voice/bestSlot reads only the days around the target and stops early; the availability routes stream their JSON
and sign slot ids with a cheap MAC. The reference here is the plain way: every candidate's openings over the whole
horizon (read with fetchAvailabilityForRange), every one scored by the README's rules (closeness to
max(requested, now + notice), +2 days for a missed part of day in the slot's local time, +20 minutes per
unusable gap, -4 hours with the practitioner a caller who gives their phone saw last, ties by start then
practitioner and location order; alternatives in cost order, each another local day, practitioner or an hour
apart). Many questions on the demo clinic (also from a caller whose last visit was with the second practitioner
offering the treatment, so the early stop must allow for the bonus) and on a generated 24-practitioner clinic
(tests/it/big_clinic.py) must get exactly the reference's best slot and alternatives. A streamed slot
object must equal the json-c one /voice/bestSlot builds for the same slot, and the 20 x 90 workload's slot count
(three practitioners, 90 days, New York) must equal big_clinic.count_slots' independent count."""

import datetime as dt
import os
import sys
import unittest
import urllib.parse
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import big_clinic  # noqa: E402
import clock  # noqa: E402
import harness as H  # noqa: E402

KEYS = {"demo": "it-fast-demo-4b1e", "big": "it-fast-big-90c2", "ny": "it-fast-ny-17aa", "seen": "it-fast-seen-3d5f"}
CALLER_PHONE, SEEN_LAST = "+61491579911", "pr-zoe-martin"  # the "seen" clinic's caller, who saw Zoe last
MS_MIN, MS_HOUR, MS_DAY = 60000, 3600000, 86400000
PARTS = {"morning": (0, 720), "afternoon": (720, 1020), "evening": (1020, 1440)}
REDIS = SERVER = None
CLINICS = {}


def setUpModule():
    global REDIS, SERVER
    CLINICS["demo"] = H.demo_clinic()
    CLINICS["seen"] = H.demo_clinic()
    last_visit = dt.datetime.combine(clock.today(ZoneInfo(CALLER_ZONE)) - dt.timedelta(days=30), dt.time(10),
                                     ZoneInfo(CALLER_ZONE))
    CLINICS["seen"]["patients"].append({"id": "pt-fast-caller", "first_name": "Fast", "last_name": "Caller",
                                        "phone": CALLER_PHONE})
    CLINICS["seen"]["bookings"].append({"practitioner_id": SEEN_LAST, "treatment_id": "tx-followup-physio",
                                        "location_id": "loc-sydney", "patient_id": "pt-fast-caller",
                                        "start": last_visit.isoformat(timespec="seconds")})
    CLINICS["big"] = big_clinic.many_practitioners(clock.today(dt.timezone.utc), 24)
    CLINICS["ny"] = big_clinic.workload_20x90(clock.today(ZoneInfo(big_clinic.NY)), practitioners=3)
    REDIS = H.Redis().start()

    def tenant(tid, **extra):
        t = {"id": tid, "api_key_sha256": H.sha256_hex(KEYS[tid]), "provider": "sandbox", "locale": "en-AU",
             "country": "AU", "rate_limit": {"per_second": 100000, "burst": 100000}}
        t.update(extra)
        return t
    SERVER = H.Frontdesk({"tenants": [
        tenant("demo", time_zone="Australia/Sydney"),
        tenant("seen", time_zone="Australia/Sydney", provider_settings={"clinic_file": "seen.json"}),
        tenant("big", time_zone="Australia/Sydney", provider_settings={"clinic_file": "big.json"}),
        tenant("ny", time_zone=big_clinic.NY, provider_settings={"clinic_file": "ny.json"},
               policy={"max_days_ahead": 90, "min_notice_minutes": 120})]}, REDIS,
        files={"big.json": CLINICS["big"], "ny.json": CLINICS["ny"], "seen.json": CLINICS["seen"]}).start()


def tearDownModule():
    H.shut_down(SERVER, REDIS)


def iso_ms(text):
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def iso(ms):
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def range_slots(tenant, staff, treatment, location, frm, to):
    """Every slot object of [frm, to) (ms), in windows of at most 31 days."""
    out = []
    while frm < to:
        end = min(to, frm + 31 * MS_DAY)
        r = SERVER.post("/ai_brain/fetchAvailabilityForRange", {
            "staff_member_id": staff, "treatment_id": treatment, "locationId": location,
            "start_at": iso(frm), "end_at": iso(end)}, key=KEYS[tenant])
        assert r.status == 200, r
        out += r.body["slots"]
        frm = end
    return out


class Reference:
    """The straightforward bestSlot over one treatment's candidates in a clinic."""

    def __init__(self, tenant, treatment_id):
        clinic = CLINICS[tenant]
        zones = {loc["id"]: ZoneInfo(loc["time_zone"]) for loc in clinic["locations"]}
        loc_order = [loc["id"] for loc in clinic["locations"]]
        self.shortest = min(t["duration_minutes"] for t in clinic["treatments"])
        days = clinic.get("policy", {}).get("max_days_ahead", 30)
        now = clock.now_ms()
        self.slots = []  # (start, end, staff index, location index, local day, local minute, gaps, staff id, loc id)
        for si, p in enumerate(clinic["practitioners"]):
            if treatment_id not in p["treatment_ids"] or p.get("ai_enabled") is False:
                continue
            for sched in p["schedules"]:
                lid = sched["location_id"]
                raw = range_slots(tenant, p["id"], treatment_id, lid, now, now + (days + 2) * MS_DAY)
                own = sorted((iso_ms(s["start_at"]), iso_ms(s["end_at"])) for s in raw)
                i = 0
                while i < len(own):  # free blocks: openings that overlap
                    bs, be, j = own[i][0], own[i][1], i + 1
                    while j < len(own) and own[j][0] <= be:
                        be, j = max(be, own[j][1]), j + 1
                    for s, e in own[i:j]:
                        local = dt.datetime.fromtimestamp(s / 1000, zones[lid])
                        gaps = sum(1 for idle in ((s - bs) // MS_MIN, (be - e) // MS_MIN) if 0 < idle < self.shortest)
                        self.slots.append((s, e, si, loc_order.index(lid), local.date(),
                                           local.hour * 60 + local.minute, gaps, p["id"], lid))
                    i = j
        # No location named and the caller in Australia/Sydney (every question here): the search keeps to the
        # locations in the caller's zone when some, not all, of those offering the treatment are in it
        # (voice/names.c, vc_location_for_zone; one such location in these clinics).
        zone_of = {loc["id"]: loc["time_zone"] for loc in clinic["locations"]}
        usable = {s[8] for s in self.slots}
        in_zone = {lid for lid in usable if zone_of[lid] == CALLER_ZONE}
        if in_zone and in_zone != usable:
            self.slots = [s for s in self.slots if s[8] in in_zone]

    def best(self, now, requested, part, last_seen=None):
        """[(start_at ms, staff id, location id)] of the best slot and up to two alternatives."""
        earliest = now + 120 * MS_MIN
        target = max(requested, earliest)

        def cost(s):
            c = abs(s[0] - target) + 20 * MS_MIN * s[6]
            if part and not PARTS[part][0] <= s[5] < PARTS[part][1]:
                c += 2 * MS_DAY
            if s[7] == last_seen:
                c -= 4 * MS_HOUR
            return (c, s[0], s[2], s[3])
        ranked = sorted((s for s in self.slots if s[0] >= earliest), key=cost)
        taken = []
        for s in ranked:
            if len(taken) == 3:
                break
            if all(s[4] != t[4] or s[2] != t[2] or abs(s[0] - t[0]) >= MS_HOUR for t in taken):
                taken.append(s)
        return [(s[0], s[7], s[8]) for s in taken]


CALLER_ZONE = "Australia/Sydney"


class SameAnswers(unittest.TestCase):
    def ask(self, tenant, treatment_name, requested, part, phone=None):
        params = {"treatment_name": treatment_name, "time_zone": CALLER_ZONE,
                  "requested_time_utc": iso(requested)}
        if part:
            params["part_of_day"] = part
        if phone:
            params["phone"] = phone
        return SERVER.get("/voice/bestSlot?" + urllib.parse.urlencode(params), key=KEYS[tenant])

    def check_many(self, tenant, treatments, hours, phone=None, last_seen=None):
        asked = 0
        for treatment_id, name in treatments:
            ref = Reference(tenant, treatment_id)
            base = clock.now_ms() // MS_HOUR * MS_HOUR
            for h in hours:
                for part in (None, "morning", "evening"):
                    requested = base + h * MS_HOUR
                    before = clock.now_ms()
                    r = self.ask(tenant, name, requested, part, phone)
                    after = clock.now_ms()
                    self.assertEqual(r.status, 200, r)
                    self.assertIs(r.body["available"], True, r.body)
                    got = [(iso_ms(s["start_at"]), s["staff_member_id"], s["location_id"])
                           for s in [r.body["slot"]] + r.body["alternatives"]]
                    wants = [ref.best(before, requested, part, last_seen), ref.best(after, requested, part, last_seen)]
                    self.assertIn(got, wants, "%s %s at +%dh %s: %s" % (tenant, name, h, part, r.body["message"]))
                    asked += 1
        return asked

    def test_demo_clinic(self):
        n = self.check_many("demo", [("tx-followup-physio", "Follow-up Physiotherapy"),
                                     ("tx-massage-60", "Remedial Massage (60 min)"), ("tx-acupuncture", "Acupuncture")],
                            [0, 5, 26, 49, 75, 100, 170, 250, 400, 600])
        self.assertEqual(n, 90)

    def test_demo_clinic_for_a_caller_who_saw_zoe_last(self):
        n = self.check_many("seen", [("tx-followup-physio", "Follow-up Physiotherapy"),
                                     ("tx-initial-physio", "Initial Physiotherapy Consultation")],
                            [0, 5, 26, 49, 75, 100, 170, 250, 400, 600], phone=CALLER_PHONE, last_seen=SEEN_LAST)
        self.assertEqual(n, 60)

    def test_generated_clinic_of_24_practitioners(self):
        n = self.check_many("big", [("tx-30", "Visit 30")], [1, 9, 30, 55, 130, 300, 500, 690])
        self.assertEqual(n, 24)


class StreamedSlots(unittest.TestCase):
    def test_a_streamed_slot_equals_the_json_c_one(self):
        slots = range_slots("demo", "pr-liam-obrien", "tx-followup-physio", "loc-vancouver", clock.now_ms(),
                            clock.now_ms() + 6 * MS_DAY)
        self.assertGreater(len(slots), 10)
        for s in (slots[0], slots[len(slots) // 2], slots[-1]):
            r = SERVER.get("/voice/bestSlot?" + urllib.parse.urlencode({
                "treatment_name": "Follow-up Physiotherapy", "time_zone": "Australia/Sydney",
                "staff_member_name": "Liam O'Brien", "requested_time_utc": s["start_at"]}), key=KEYS["demo"])
            self.assertEqual(r.status, 200, r)
            built = {k: v for k, v in r.body["slot"].items() if k in s}
            self.assertEqual(s, built)  # every field, the signed slot_id and the spoken time included
            self.assertEqual(set(s), {"slot_id", "start_at", "end_at", "start_local", "spoken", "staff_member_id",
                                      "treatment_id", "location_id"})

    def test_the_20x90_workload_lists_every_slot_across_the_dst_change(self):
        clinic, now = CLINICS["ny"], clock.now_ms()
        for p in clinic["practitioners"]:
            for k in range(3):
                frm, to = now + k * 31 * MS_DAY, now + min((k + 1) * 31, 93) * MS_DAY
                got = range_slots("ny", p["id"], "tx-30", "loc-nyc", frm, to)
                want = big_clinic.count_slots(clinic, p["id"], 30, clock.now_ms(), frm, to, 90)
                self.assertIn(len(got), (want, big_clinic.count_slots(clinic, p["id"], 30, now, frm, to, 90)),
                              "%s window %d" % (p["id"], k))
                starts = [iso_ms(s["start_at"]) for s in got]
                self.assertEqual(starts, sorted(starts))
                for s in got[:: max(1, len(got) // 20)]:
                    local = dt.datetime.fromtimestamp(iso_ms(s["start_at"]) / 1000, ZoneInfo(big_clinic.NY))
                    self.assertEqual(dt.datetime.fromisoformat(s["start_local"]), local, s)


if __name__ == "__main__":
    unittest.main()
