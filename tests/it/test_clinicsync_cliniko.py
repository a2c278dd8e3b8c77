#!/usr/bin/env python3
"""tests/it/test_clinicsync_cliniko.py: the drop-in ClinicSync routes against Cliniko (the fake, tests/fakes): every
example body of tests/fixtures/clinicsync, filled with the fake clinic's practitioner (named by the e-mail Cliniko
keeps on its user, and by name), appointment type, business and times the service offers, books, moves and cancels
the appointment in Cliniko and answers the documented shape; the new patient's city, state and country reach
Cliniko; the practitioner's e-mail shows in fetchAllStaff as the contract lists it; a taken time is 422."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
import clinicsync_support as S  # noqa: E402
import test_cliniko as C  # noqa: E402  (the fake's process, control calls and seed data)

SEED = C.SEED
TOKEN = None
ZONE = "America/New_York"  # the fake account's zone (Eastern Time)


def setUpModule():
    global TOKEN
    TOKEN = S.new_ghl_token()
    C.FAKE, C.FAKE_URL = C.start_fake()
    C.REDIS = H.Redis().start()
    tenant = {"id": "cl", "api_key_sha256": H.sha256_hex(C.KEYS["cl"]), "provider": "cliniko", "country": "US",
              "provider_settings": {"api_key": C.CLINIKO_KEY, "base_url": C.FAKE_URL + "/v1", "timeout_ms": 2000,
                                    "connect_timeout_ms": 500, "rate_limit_per_minute": 100000},
              "policy": {"min_notice_minutes": 0, "max_days_ahead": 30},
              "rate_limit": {"per_second": 1000, "burst": 2000}, "ghl_webhook_tokens_sha256": [TOKEN[1]]}
    C.SERVER = H.Frontdesk({"tenants": [tenant], "slot_secret": "it-clinicsync-cliniko-secret-12"}, C.REDIS).start()


def tearDownModule():
    C.tearDownModule()


_seq = [0]


class ClinikoDropIn(unittest.TestCase):
    def setUp(self):
        C.control(reset=True, reset_stats=True)
        for k in C.REDIS.command("KEYS", "fd:{cl}:*"):
            C.REDIS.command("DEL", k)
        self.business = C.online_businesses()[0]
        self.pid, self.tid, _, _ = C.Cliniko.bookable(None, self.business["id"])
        _seq[0] += 1
        n = _seq[0]
        self.values = {"FIRST": "Jordan", "LAST": "Drop%d" % n, "EMAIL": "jordan.drop%d@example.com" % n,
                       "PHONE": "+1212555%04d" % n, "EXT_ID": "ghl-cl-%d" % n, "ZONE": ZONE,
                       "STAFF": SEED.users[SEED.user_of[self.pid]]["email"], "TREATMENT": SEED.types[self.tid]["name"],
                       "LOCATION": self.business["business_name"]}

    def slots(self):
        s = C.offered_slots(self.business["id"])
        self.assertGreaterEqual(len(s), 3, s)
        return s[0], s[-1]

    def send(self, path, body, key="cl"):
        r = C.SERVER.post(path, body, key=C.KEYS[key] if key else None, timeout=20)
        self.assertNotEqual(r.status, 500, r)
        return r

    def cliniko_appt(self, appt_id):
        status, a = C.cliniko_api("GET", "/individual_appointments/" + appt_id)
        self.assertEqual(status, 200, a)
        return a

    def times(self, slot, ghl=False):
        if ghl:
            return {"START": S.local_naive(slot["start_at"], ZONE), "END": S.local_naive(slot["end_at"], ZONE)}
        return {"START": S.utc_z(slot["start_at"]), "END": S.utc_z(slot["end_at"])}

    def replay(self, family, paths, answer_keys):
        first, second = self.slots()
        v = self.values
        ghl = family == "ghl"
        r = self.send(paths[0], S.body(family + "_book", **v, **self.times(first, ghl)), key=None if ghl else "cl")
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.body["success"], True, r)
        booked = r.body if ghl else r.body[answer_keys[0]]
        appt_id = booked["appointment_id" if ghl else "id"]
        a = self.cliniko_appt(appt_id)
        self.assertTrue(S.same_instant(a["starts_at"], first["start_at"]), a)
        self.assertTrue(a["practitioner"]["links"]["self"].endswith("/practitioners/" + self.pid), a)
        v = dict(v, APPT_ID=appt_id)
        r = self.send(paths[1], S.body(family + "_update", **v, **self.times(second, ghl)), key=None if ghl else "cl")
        self.assertEqual(r.status, 200, r)
        moved = r.body if ghl else r.body[answer_keys[1]]
        self.assertTrue(S.same_instant(moved["start_at"], second["start_at"]), r)
        self.assertTrue(S.same_instant(self.cliniko_appt(appt_id)["starts_at"], second["start_at"]))
        r = self.send(paths[2], S.body(family + "_cancel", **v), key=None if ghl else "cl")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.body if ghl else r.body[answer_keys[2]])["state"], "cancelled", r)
        self.assertIsNotNone(self.cliniko_appt(appt_id)["cancelled_at"])
        return appt_id

    def test_jane_examples(self):
        self.replay("jane", ("/api-book-appointment", "/api-update-appointment", "/api-cancel-appointment"),
                    ("bookedAppointment", "appointment", "appointment"))
        patient = next(p for p in C.listed("/patients", "patients") if p["email"] == self.values["EMAIL"])
        self.assertEqual((patient["city"], patient["state"], patient["country"]), ("Newtown", "NSW", "AU"), patient)

    def test_cliniko_examples(self):
        self.replay("cliniko", ("/api-book-appointment", "/api-update-appointment", "/api-cancel-appointment"),
                    ("appointment", "appointment", "appointment"))

    def test_nookal_examples_with_staff_by_name(self):
        p = SEED.practitioners[self.pid]
        self.values["STAFF"] = "%s %s" % (p["first_name"], p["last_name"])
        self.replay("nookal", ("/api/nookal/book_appt", "/api/nookal/update_appt", "/api/nookal/cancel_appt"),
                    ("appointment", "updated", "canceled"))

    def test_ghl_examples(self):
        token = TOKEN[0]
        self.replay("ghl", ("/ghl/%s/bookAppt" % token, "/ghl/%s/update_appt" % token, "/ghl/%s/cancel_appt" % token),
                    None)
        patient = next(p for p in C.listed("/patients", "patients") if p["email"] == self.values["EMAIL"])
        self.assertEqual((patient["city"], patient["state"]), ("Fitzroy", "VIC"), patient)

    def test_taken_time_is_422_and_staff_email_is_in_the_catalog(self):
        first, _ = self.slots()
        body = S.body("cliniko_book", **self.values, **self.times(first))
        self.assertEqual(self.send("/api-book-appointment", body).status, 200)
        other = dict(body, first_name="Other", last_name="Caller", email="other.caller@example.com",
                     phone="+12125559999")
        r = self.send("/api-book-appointment", other)
        self.assertEqual((r.status, r.body["error"]["code"]), (422, "time_unavailable"), r)
        staff = C.SERVER.post("/ai_brain/fetchAllStaff", {"locationId": self.business["id"]}, key=C.KEYS["cl"])
        self.assertEqual(staff.status, 200, staff)
        emails = {s["id"]: s["email"] for s in staff.body["staff"]}
        self.assertEqual(emails[self.pid], SEED.users[SEED.user_of[self.pid]]["email"], emails)


if __name__ == "__main__":
    unittest.main()
