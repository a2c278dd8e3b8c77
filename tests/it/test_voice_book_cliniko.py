#!/usr/bin/env python3
"""tests/it/test_voice_book_cliniko.py: GET /voice/book against Cliniko (the fake, which records every write) when the
EMR is slower than a caller can wait: the write answers 504 with a sentence to say well inside the 2 s voice
deadline, and the agent's retry (without an Idempotency-Key) finds the appointment Cliniko committed meanwhile
instead of writing a second one; the same with an Idempotency-Key."""

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


if __name__ == "__main__":
    unittest.main(verbosity=2)
