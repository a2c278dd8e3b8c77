#!/usr/bin/env python3
"""tests/it/test_cliniko_booking.py: the two-step booking against Cliniko (the fake, which records every write):
holds stop double bookings that Cliniko itself allows, 50 concurrent createAppt calls give one 201, the
conflict probe rolls a clashing create back, an EMR write that commits and then times out leads to exactly one
appointment after the retry, cancel and reschedule reach Cliniko, and lookup-create-patient finds or creates."""

import datetime as dt
import os
import sys
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
import test_cliniko as C  # noqa: E402  (the fake's process, control calls and seed data)

SEED = C.SEED


def setUpModule():
    C.setUpModule()


def tearDownModule():
    C.tearDownModule()


def writes(method, fragment):
    return [w for w in C.fake("GET", "/__stats")["writes"] if w["method"] == method and fragment in w["path"]]


class ClinikoBooking(unittest.TestCase):
    def setUp(self):
        C.control(reset=True, reset_stats=True)
        for k in C.REDIS.command("KEYS", "fd:{cl}:*"):
            C.REDIS.command("DEL", k)
        self.business = C.online_businesses()[0]["id"]
        self.patient = next(iter(SEED.patients))

    def post(self, route, body, headers=None):
        h = {"x-api-key": C.KEYS["cl"]}
        h.update(headers or {})
        r = H.request(C.SERVER.port, "POST", "/ai_brain/" + route, body, h, timeout=20)
        self.assertNotEqual(r.status, 500, r)
        return r

    def slots(self, day_offset=2):
        pid, tid, frm, _ = C.Cliniko.bookable(None, self.business)
        frm += dt.timedelta(days=day_offset)
        r = self.post("fetchAvailabilityForRange", {"staff_member_id": pid, "treatment_id": tid,
                                                    "locationId": self.business, "start_at": frm.isoformat(),
                                                    "end_at": (frm + dt.timedelta(days=3)).isoformat()})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body["slots"], "the fake offers nothing in that window")
        return r.body["slots"]

    def hold_and_book(self, slot):
        r = self.post("createAppt", {"patient_id": self.patient, "slot_id": slot["slot_id"]})
        self.assertEqual(r.status, 201, r)
        b = self.post("bookAppt", {"appointment_id": r.body["appointment"]["id"]})
        return r, b

    def test_book_writes_one_cliniko_appointment(self):
        slot = self.slots()[0]
        _, b = self.hold_and_book(slot)
        self.assertEqual(b.status, 200, b)
        appt = b.body["appointment"]
        self.assertEqual((appt["state"], appt["start_at"], appt["staff_member_id"]),
                         ("booked", slot["start_at"], slot["staff_member_id"]))
        creates = writes("POST", "/individual_appointments")
        self.assertEqual(len(creates), 1, creates)
        self.assertEqual(creates[0]["body"]["patient_id"], self.patient)
        self.assertGreater(int(appt["id"]), 2 ** 53)  # Cliniko's id, kept as a string
        # The booked time leaves availability (Cliniko's available_times and our cache both know).
        again = [s["start_at"] for s in self.slots()]
        self.assertNotIn(slot["start_at"], again)

    def test_fifty_concurrent_holds_one_winner(self):
        slot = self.slots()[0]
        results = []

        def call():
            results.append(self.post("createAppt", {"patient_id": self.patient, "slot_id": slot["slot_id"]}).status)
        threads = [threading.Thread(target=call) for _ in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(results), [201] + [409] * 49)
        self.assertEqual(writes("POST", "/individual_appointments"), [], "a hold must not write to Cliniko")

    def test_conflict_probe_rolls_back_a_double_booking(self):
        slot = self.slots()[0]
        r = self.post("createAppt", {"patient_id": self.patient, "slot_id": slot["slot_id"]})
        self.assertEqual(r.status, 201, r)
        # Someone books the same time straight in Cliniko (the front desk), which Cliniko allows.
        other = list(SEED.patients)[1]
        import base64
        import json
        import urllib.request
        auth = base64.b64encode((C.CLINIKO_KEY + ":").encode()).decode()
        body = {"starts_at": slot["start_at"].replace(".000Z", "Z"), "ends_at": slot["end_at"].replace(".000Z", "Z"),
                "patient_id": other, "practitioner_id": slot["staff_member_id"],
                "appointment_type_id": slot["treatment_id"], "business_id": self.business}
        req = urllib.request.Request(C.FAKE_URL + "/v1/individual_appointments", data=json.dumps(body).encode(),
                                     method="POST", headers={"Authorization": "Basic " + auth,
                                                             "User-Agent": "front desk staff", "Content-Type":
                                                             "application/json"})
        with urllib.request.urlopen(req, timeout=5) as resp:
            self.assertEqual(resp.status, 201)
        b = self.post("bookAppt", {"appointment_id": r.body["appointment"]["id"]})
        self.assertEqual((b.status, b.body["error"]["code"]), (409, "slot_taken"), b)
        ours = [w for w in writes("POST", "/individual_appointments") if w["body"].get("patient_id") == self.patient]
        self.assertEqual(len(ours), 1, "our create should have been tried once")
        self.assertEqual(len(writes("DELETE", "/individual_appointments/")), 1, "and deleted after the probe")

    def test_write_that_commits_then_times_out_is_booked_once(self):
        slot = self.slots()[0]
        r = self.post("createAppt", {"patient_id": self.patient, "slot_id": slot["slot_id"]})
        self.assertEqual(r.status, 201, r)
        C.control(delay_ms=1500, fail_path="/individual_appointments")  # slower than the tenant's 1 s timeout
        C.control(fail_status=0)
        first = self.post("bookAppt", {"appointment_id": r.body["appointment"]["id"]})
        self.assertEqual(first.status, 504, first)
        C.control(delay_ms=0)
        import time
        time.sleep(1.0)  # the fake finishes the slow write: Cliniko now has the appointment
        retry = self.post("bookAppt", {"appointment_id": r.body["appointment"]["id"]})
        self.assertEqual(retry.status, 200, retry)
        creates = writes("POST", "/individual_appointments")
        self.assertEqual(len(creates), 1, "the retry must find the committed appointment, not write again")
        self.assertEqual(retry.body["appointment"]["start_at"], slot["start_at"])

    def test_cancel_and_reschedule_reach_cliniko(self):
        slots = self.slots()
        _, b = self.hold_and_book(slots[0])
        self.assertEqual(b.status, 200, b)
        appt_id = b.body["appointment"]["id"]
        later = slots[-1]
        m = self.post("rescheduleAppt", {"appointment_id": appt_id, "start_at": later["start_at"]})
        self.assertEqual(m.status, 200, m)
        self.assertEqual(m.body["appointment"]["start_at"], later["start_at"])
        moves = writes("PATCH", "/individual_appointments/") + writes("PUT", "/individual_appointments/")
        self.assertTrue(moves, "the move did not reach Cliniko")
        c = self.post("cancelAppt", {"appointment_id": m.body["appointment"]["id"], "cancelled_reason": "feeling better"})
        self.assertEqual((c.status, c.body["appointment"]["state"]), (200, "cancelled"), c)
        cancels = writes("PATCH", "/cancel")
        self.assertEqual(len(cancels), 1, cancels)
        self.assertIn("cancellation_reason", cancels[0]["body"])
        again = self.post("cancelAppt", {"appointment_id": m.body["appointment"]["id"]})
        self.assertEqual((again.status, again.body.get("error", {}).get("code")), (409, "already_cancelled"), again)

    def test_lookup_create_patient(self):
        known = SEED.patients[self.patient]
        r = self.post("lookup-create-patient", {"first_name": known["first_name"], "last_name": known["last_name"],
                                                "email": known["email"].upper()})
        self.assertEqual((r.status, r.body["created"], r.body["patient"]["id"]), (200, False, self.patient), r)
        new = self.post("lookup-create-patient", {"first_name": "Nora", "last_name": "Newcomer",
                                                  "email": "nora@example.com", "phone": "+1 212 555 0199"})
        self.assertEqual((new.status, new.body.get("created")), (201, True), new)
        self.assertEqual(len(writes("POST", "/patients")), 1)

    def test_lookup_by_name_and_date_of_birth_alone(self):
        # No phone, no e-mail: Cliniko's patient search by last name, first name and date of birth finds them.
        known = SEED.patients[self.patient]
        r = self.post("lookup-create-patient", {"first_name": known["first_name"].upper(),
                                                "last_name": known["last_name"], "dob": known["date_of_birth"]})
        self.assertEqual((r.status, r.body.get("created"), r.body.get("patient", {}).get("id")),
                         (200, False, self.patient), r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
