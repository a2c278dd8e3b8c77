#!/usr/bin/env python3
"""tests/it/test_voice_book_cliniko.py: GET /voice/book against Cliniko (the fake, which records every write) when the
EMR is slower than a caller can wait: the write answers 504 with a sentence to say well inside the 2 s voice
deadline, and the agent's retry (without an Idempotency-Key) finds the appointment Cliniko committed meanwhile
instead of writing a second one; the same with an Idempotency-Key."""

import datetime as dt
import os
import re
import sys
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
import test_cliniko as C  # noqa: E402  (the fake's process, control calls and seed data)

SEED = C.SEED


def setUpModule():
    C.setUpModule()


def tearDownModule():
    C.tearDownModule()


def creates():
    return [w for w in C.fake("GET", "/__stats")["writes"]
            if w["method"] == "POST" and "/individual_appointments" in w["path"]]


class SlowCliniko(unittest.TestCase):
    def setUp(self):
        C.control(reset=True, reset_stats=True)
        for k in C.REDIS.command("KEYS", "fd:{cl}:*") + C.REDIS.command("KEYS", "fd:{quick}:*"):
            C.REDIS.command("DEL", k)
        self.business = C.online_businesses()[0]["id"]
        self.patient = next(iter(SEED.patients.values()))

    def slot(self, index, tenant="cl"):
        return C.offered_slots(self.business, tenant)[index]

    def book(self, slot, headers=None, tenant="cl"):
        p = self.patient
        params = {"slot_id": slot["slot_id"], "first_name": p["first_name"], "last_name": p["last_name"],
                  "email": p["email"]}
        h = {"x-api-key": C.KEYS[tenant]}
        h.update(headers or {})
        started = time.monotonic()
        r = H.request(C.SERVER.port, "GET", "/voice/book?" + urllib.parse.urlencode(params), None, h, timeout=20)
        self.assertNotEqual(r.status, 500, r)
        return r, time.monotonic() - started

    def slow_write_then_retry(self, slot, headers=None, tenant="cl", deadline=2.0):
        C.control(delay_ms=1500, fail_path="/individual_appointments")  # slower than the tenant's 1 s timeout
        C.control(fail_status=0)
        first, took = self.book(slot, headers, tenant)
        self.assertEqual((first.status, first.body["error"]["code"]), (504, "emr_timeout"), first)
        self.assertLess(took, deadline, "answered inside the voice deadline")
        message = first.body["error"]["message"]
        self.assertLess(len(message.split()), 30, message)
        self.assertIsNone(re.search(r"\d{4}-\d{2}-\d{2}|_", message), message)
        C.control(delay_ms=0)
        time.sleep(1.0)  # the fake finishes the slow write: Cliniko now has the appointment
        retry, _ = self.book(slot, headers, tenant)
        self.assertEqual(retry.status, 200, retry)
        self.assertEqual(retry.body["appointment"]["start_at"], slot["start_at"])
        self.assertIn(retry.body["appointment"]["spoken"], retry.body["message"])
        self.assertEqual(len(creates()), 1, "the retry must find the committed appointment, not write again")
        again, _ = self.book(slot, headers, tenant)
        self.assertEqual((again.status, again.body["appointment"]["id"]), (200, retry.body["appointment"]["id"]))
        self.assertEqual(len(creates()), 1)

    def test_slow_write_is_reconciled_without_a_key(self):
        self.slow_write_then_retry(self.slot(0))

    def test_slow_write_is_reconciled_with_a_key(self):
        self.slow_write_then_retry(self.slot(1), {"Idempotency-Key": "voice-cliniko-slow-1"})

    def test_a_tenant_with_a_shorter_voice_deadline_is_answered_sooner(self):
        # "quick" allows 700 ms (policy.voice_deadline_ms): the 504 comes at that deadline, before Cliniko's own
        # 1 s timeout, and the write is still reconciled, not doubled.
        self.slow_write_then_retry(self.slot(2, "quick"), tenant="quick", deadline=0.95)


def availability_reads():
    return sum(n for k, n in C.fake("GET", "/__stats")["requests"].items() if k.endswith("/available_times"))


def instant(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class RaceLoser(unittest.TestCase):
    """A caller who loses a slot to another caller is offered the nearest free times without the service asking
    Cliniko again for the day the winner's booking has just emptied from the cache: the check that found the slot
    taken read that day already (one available_times request per loser, not two), and what is offered never
    overlaps a booked time."""

    def setUp(self):
        SlowCliniko.setUp(self)

    def book_as(self, slot, n):
        params = {"slot_id": slot["slot_id"], "first_name": "Racer", "last_name": "Number%d" % n,
                  "email": "racer%d@example.com" % n}
        return H.request(C.SERVER.port, "GET", "/voice/book?" + urllib.parse.urlencode(params), None,
                         {"x-api-key": C.KEYS["cl"]}, timeout=20)

    def test_a_loser_is_offered_alternatives_from_what_it_read(self):
        slots = C.offered_slots(self.business)
        taken = []
        for n, slot in enumerate(slots[2:4]):
            won = self.book_as(slot, 2 * n)
            self.assertEqual(won.status, 200, won)
            taken.append((instant(slot["start_at"]), instant(slot["end_at"])))
            before = availability_reads()
            lost = self.book_as(slot, 2 * n + 1)
            self.assertEqual((lost.status, lost.body["error"]["code"]), (409, "slot_taken"), lost)
            offered = lost.body["alternatives"]
            self.assertTrue(offered, lost.body)
            for alt in offered:
                if alt["staff_member_id"] != slot["staff_member_id"]:
                    continue
                start, end = instant(alt["start_at"]), instant(alt["end_at"])
                for t0, t1 in taken:
                    self.assertFalse(start < t1 and t0 < end, "offered a booked time: %r" % alt)
            if n == 1:  # the first loser warmed the other days; this one only checks its slot
                fetched = availability_reads() - before
                self.assertEqual(fetched, 1, "one availability read for the loser, not a refill as well")


if __name__ == "__main__":
    unittest.main(verbosity=2)
