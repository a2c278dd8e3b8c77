#!/usr/bin/env python3
"""tests/it/test_slot_answers_golden.py: availability answers across daylight-saving changes, byte for byte.

The slot objects of fetchAvailabilityForRange and fetchAvailabilityNext7Days (signed slot_id, start_at, end_at,
start_local with its offset, the spoken text in the tenant's locale) are written by a hand-tuned streaming writer
(booking/api_json.c) that caches per day, per offset span and per id. This test pins every byte of those answers
on the days the clocks change, in three zones (New York, Sydney, Lord Howe's half-hour shift) and three locales
(en-US, en-AU, fr-CA): the repeated hour said apart ("before/after the clocks go back"), "today"/"tomorrow", the
hour that does not exist, the offsets in start_local, and slot ids that stay identical for the same slot.

The expected answers are tests/it/data/slot_answers_golden.jsonl, written by frontdesk at main 7a3d025 (before
the writer's per-slot work was cut) with `--write`; its spoken texts and times were checked by
test_sandbox_dst.py's independent rules. The clock is pinned to GOLDEN_NOW whatever the suite's clock is, as
"today" and the notice window depend on it (the answers hold for minutes after it: no slot starts within 7).

Run: python3 tests/it/test_slot_answers_golden.py [-v]          (check)
     python3 tests/it/test_slot_answers_golden.py --write       (rewrite the expected answers: review the diff!)
"""

import json
import os
import sys
import unittest

GOLDEN_NOW = "2027-04-01T12:07:00Z"  # Sydney 23:07, New York 08:07; Sydney and Lord Howe fall back on April 4
os.environ.pop("FD_IT_CLOCK_OFFSET_MS", None)
os.environ["FD_IT_NOW"] = GOLDEN_NOW

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "slot_answers_golden.jsonl")
SLOT_SECRET = "it-golden-slot-secret-0123456789abcdef"
TENANTS = {"gold-us": ("en-US", "America/New_York"), "gold-au": ("en-AU", "Australia/Sydney"),
           "gold-fr": ("fr-CA", "America/Toronto")}
LOCATIONS = {"loc-ny": ("America/New_York", "US"), "loc-syd": ("Australia/Sydney", "AU"),
             "loc-lhi": ("Australia/Lord_Howe", "AU")}
# The change days after GOLDEN_NOW in each location's zone: one fall-back and one spring-forward each.
CHANGES = {"loc-ny": ("2027-11-07", "2028-03-12"), "loc-syd": ("2027-04-04", "2027-10-03"),
           "loc-lhi": ("2027-04-04", "2027-10-03")}
SHIFTS = {"day": [("08:00", "12:00"), ("13:00", "18:00")], "night": [("00:00", "04:30"), ("22:00", "24:00")]}


def key_of(tenant):
    return "it-golden-key-" + tenant


def clinic():
    locations, practitioners = [], []
    for lid, (zone, country) in LOCATIONS.items():
        locations.append({"id": lid, "name": "Clinic " + lid, "time_zone": zone,
                          "address": {"line1": "1 Test Street", "city": "Testville", "country": country}})
        for shift, intervals in SHIFTS.items():
            practitioners.append({
                "id": "pr-%s-%s" % (shift, lid), "first_name": shift.title(), "last_name": lid,
                "schedules": [{"location_id": lid, "weekly": [{"days": ["mon", "tue", "wed", "thu", "fri", "sat",
                                                                        "sun"],
                                                               "intervals": [{"start": s, "end": e}
                                                                             for s, e in intervals]}]}]})
    treatments = [{"id": "tx-30", "name": "Treatment 30", "duration_minutes": 30,
                   "price": {"amount": 50, "currency": "USD"}, "practitioner_ids": [p["id"] for p in practitioners]}]
    return {"clinic": {"name": "Golden Clinic", "country": "US", "locale": "en-US"}, "locations": locations,
            "practitioners": practitioners, "treatments": treatments,
            "policy": {"min_notice_minutes": 0, "max_days_ahead": 366, "slot_step_minutes": 15}}


def queries():
    """(route, tenant, body) of every request, in a fixed order."""
    out = []
    for tenant in TENANTS:
        for lid, days in CHANGES.items():
            for day in days:  # the change day, local midnight to midnight, offset-less times read in the zone
                nxt = {"2027-11-07": "2027-11-08", "2028-03-12": "2028-03-13", "2027-04-04": "2027-04-05",
                       "2027-10-03": "2027-10-04"}[day]
                out.append(("/ai_brain/fetchAvailabilityForRange", tenant,
                            {"staff_member_id": "pr-night-" + lid, "treatment_id": "tx-30", "locationId": lid,
                             "start_at": day + "T00:00:00", "end_at": nxt + "T00:00:00"}))
    for tenant, lid in (("gold-au", "loc-syd"), ("gold-fr", "loc-lhi")):  # today, tomorrow, the fall-back day
        out.append(("/ai_brain/fetchAvailabilityNext7Days", tenant,
                    {"staff_member_id": "pr-night-" + lid, "treatment_id": "tx-30", "locationId": lid}))
    return out


def ask_all():
    """Starts frontdesk on the pinned clock, asks every query, returns [(route, tenant, body, status, text)]."""
    tenants = [{"id": tid, "api_key_sha256": H.sha256_hex(key_of(tid)), "provider": "sandbox",
                "provider_settings": {"clinic_file": "golden_clinic.json"}, "time_zone": zone, "locale": locale,
                "country": "US", "rate_limit": {"per_second": 100000, "burst": 100000}}
               for tid, (locale, zone) in TENANTS.items()]
    redis = H.Redis().start()
    server = H.Frontdesk({"tenants": tenants, "slot_secret": SLOT_SECRET}, redis,
                         files={"golden_clinic.json": clinic()})
    server.start()
    try:
        out = []
        for route, tenant, body in queries():
            r = server.post(route, body, key=key_of(tenant))
            out.append((route, tenant, body, r.status, r.raw.decode("utf-8")))
        return out
    finally:
        problem = server.stop_problem()
        server.close()
        redis.close()
        if problem:
            raise AssertionError(problem)


def line_of(route, tenant, body, status, text):
    return json.dumps({"route": route, "tenant": tenant, "body": body, "status": status, "answer": text},
                      sort_keys=True, ensure_ascii=False)


class GoldenAnswers(unittest.TestCase):
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        H.require_bin()
        cls.answers = ask_all()
        with open(GOLDEN, encoding="utf-8") as f:
            cls.golden = [json.loads(line) for line in f if line.strip()]

    def test_the_golden_file_covers_what_it_says(self):
        texts = " ".join(g["answer"] for g in self.golden)
        for words in ("before the clocks go back", "after the clocks go back", "today at 11:15", "tomorrow at 12:00",
                      "aujourd’hui", "-05:00", "-04:00", "+11:00", "+10:00", "+10:30"):
            self.assertIn(words, texts)
        self.assertGreater(texts.count('"slot_id"'), 500)

    def test_every_answer_is_byte_for_byte_the_golden_one(self):
        self.assertEqual(len(self.answers), len(self.golden))
        for (route, tenant, body, status, text), g in zip(self.answers, self.golden):
            with self.subTest(route=route, tenant=tenant, body=body):
                self.assertEqual((route, tenant, body), (g["route"], g["tenant"], g["body"]))
                self.assertEqual(status, g["status"])
                if text != g["answer"]:  # name the first slot that differs rather than two walls of text
                    got, want = json.loads(text)["slots"], json.loads(g["answer"])["slots"]
                    for a, b in zip(got, want):
                        self.assertEqual(a, b)
                    self.assertEqual(len(got), len(want))
                    self.assertEqual(text, g["answer"])

    def test_slot_ids_still_book_the_slot_they_name(self):
        # The ids are checked byte for byte above; here one of them, from the repeated hour, is read back.
        g = next(g for g in self.golden if "before the clocks go back" in g["answer"] and g["tenant"] == "gold-au")
        slot = next(s for s in json.loads(g["answer"])["slots"] if "before the clocks go back" in s["spoken"])
        redis = H.Redis().start()
        tenants = [{"id": "gold-au", "api_key_sha256": H.sha256_hex(key_of("gold-au")), "provider": "sandbox",
                    "provider_settings": {"clinic_file": "golden_clinic.json"}, "time_zone": "Australia/Sydney",
                    "locale": "en-AU", "country": "AU", "rate_limit": {"per_second": 100000, "burst": 100000}}]
        server = H.Frontdesk({"tenants": tenants, "slot_secret": SLOT_SECRET}, redis,
                             files={"golden_clinic.json": clinic()})
        server.start()
        try:
            r = server.post("/ai_brain/lookup-create-patient",
                            {"first_name": "Gold", "last_name": "Test", "phone": "0412000303"}, key=key_of("gold-au"))
            self.assertIn(r.status, (200, 201), r)
            r = server.post("/ai_brain/createAppt", {"patient_id": r.body["patient"]["id"], "slot_id": slot["slot_id"]},
                            key=key_of("gold-au"))
            self.assertEqual(r.status, 201, r)
            self.assertEqual((r.body["appointment"]["start_at"], r.body["appointment"]["spoken"]),
                             (slot["start_at"], slot["spoken"]))
        finally:
            problem = server.stop_problem()
            server.close()
            redis.close()
        self.assertFalse(problem, problem)


def write():
    H.require_bin()
    os.makedirs(os.path.dirname(GOLDEN), exist_ok=True)
    with open(GOLDEN, "w", encoding="utf-8") as f:
        for row in ask_all():
            f.write(line_of(*row) + "\n")
    print("wrote %s" % GOLDEN)


if __name__ == "__main__":
    if "--write" in sys.argv:
        write()
    else:
        unittest.main()
