#!/usr/bin/env python3
"""tests/it/test_patients.py: lookup-create-patient (national vs E.164 phones, e-mail case, name + dob, ambiguity
without PHI) and fetchPatientsAppointments, on the sandbox, over HTTP against a real redis-server."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

KEYS = {"au": "it-patients-au-key-5a1c", "us": "it-patients-us-key-9e2d", "dup": "it-patients-dup-key-31f0"}
TWINS = [{"id": "pt-twin-a", "first_name": "Sam", "last_name": "Twin", "phone": "+61400999000",
          "email": "sam@twins.example"},
         {"id": "pt-twin-b", "first_name": "Alex", "last_name": "Twin", "phone": "+61400999000",
          "email": "alex@twins.example"}]
REDIS = SERVER = None
CLINIC = None


def setUpModule():
    global REDIS, SERVER, CLINIC
    CLINIC = H.demo_clinic()
    REDIS = H.Redis().start()
    tenants = [{"id": tid, "api_key_sha256": H.sha256_hex(k), "provider": "sandbox",
                "country": "US" if tid == "us" else "AU", "time_zone": "Australia/Sydney",
                "rate_limit": {"per_second": 1000, "burst": 2000}} for tid, k in KEYS.items()]
    twins = dict(CLINIC)
    twins["patients"] = CLINIC["patients"] + TWINS
    tenants[2]["provider_settings"] = {"clinic_file": "twins.json"}
    SERVER = H.Frontdesk({"tenants": tenants}, REDIS, files={"twins.json": twins}).start()


def tearDownModule():
    H.shut_down(SERVER, REDIS)


def national_au(e164):
    """+61491570156 -> '0491 570 156' (how a caller says it)."""
    digits = "0" + e164[3:]
    return "%s %s %s" % (digits[:4], digits[4:7], digits[7:])


class Patients(unittest.TestCase):
    def post(self, route, body, tenant="au"):
        r = SERVER.request("POST", "/ai_brain/" + route, body, {"x-api-key": KEYS[tenant]})
        self.assertNotEqual(r.status, 500, r)
        return r

    def test_file_patient_found_by_national_phone(self):
        p = next(p for p in CLINIC["patients"] if p.get("phone", "").startswith("+61"))
        r = self.post("lookup-create-patient", {"first_name": p["first_name"], "last_name": p["last_name"],
                                                "phone": national_au(p["phone"])})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.body["patient"]["id"], r.body["created"]), (p["id"], False))
        self.assertEqual(r.body["patient"]["phone"], p["phone"])

    def test_create_then_find_with_either_form(self):
        r = self.post("lookup-create-patient", {"first_name": "Mia", "last_name": "Rossi", "phone": "0400 111 222",
                                                "email": "Mia.Rossi@Example.com", "dob": "1990-01-02"})
        self.assertEqual((r.status, r.body["created"]), (201, True), r)
        self.assertEqual((r.body["patient"]["phone"], r.body["patient"]["email"]),
                         ("+61400111222", "mia.rossi@example.com"))
        pid = r.body["patient"]["id"]
        for body in ({"phone": "+61 400 111 222"}, {"phone": "0061400111222"}, {"email": "MIA.ROSSI@example.com"}):
            body.update(first_name="Mia", last_name="Rossi")
            f = self.post("lookup-create-patient", body)
            self.assertEqual((f.status, f.body["patient"]["id"], f.body["created"]), (200, pid, False), f)

    def test_find_by_email_of_file_patient(self):
        p = next(p for p in CLINIC["patients"] if p.get("email") and not p.get("phone"))
        r = self.post("lookup-create-patient", {"first_name": p["first_name"], "last_name": p["last_name"],
                                                "email": p["email"].upper()})
        self.assertEqual((r.status, r.body["patient"]["id"]), (200, p["id"]), r)

    def test_us_tenant_reads_national_numbers_as_us(self):
        r = self.post("lookup-create-patient", {"first_name": "Al", "last_name": "Ng", "phone": "(415) 555-0100"},
                      "us")
        self.assertEqual(r.body["patient"]["phone"], "+14155550100")

    def test_ambiguous_without_phi(self):
        r = self.post("lookup-create-patient", {"first_name": "Jo", "last_name": "Other", "phone": "0400 999 000"},
                      "dup")
        self.assertEqual((r.status, r.body["error"]["code"]), (409, "ambiguous_patient"), r)
        raw = r.raw.decode()
        for t in TWINS:
            for v in t.values():
                self.assertNotIn(v, raw)
        self.assertNotIn("400999000", raw)
        named = self.post("lookup-create-patient", {"first_name": "sam", "last_name": "TWIN", "phone": "0400999000"},
                          "dup")
        self.assertEqual((named.status, named.body["patient"]["id"]), (200, "pt-twin-a"), named)

    def test_name_and_date_of_birth_alone(self):
        p = CLINIC["patients"][0]
        r = self.post("lookup-create-patient", {"first_name": p["first_name"].lower(), "last_name": p["last_name"],
                                                "dob": p["dob"]})
        self.assertEqual((r.status, r.body.get("created"), r.body.get("patient", {}).get("id")),
                         (200, False, str(p["id"])), r)
        new = {"first_name": "Ines", "last_name": "Dobson", "dob": "1979-03-08"}
        made = self.post("lookup-create-patient", new)
        self.assertEqual((made.status, made.body.get("created"), made.body["patient"]["dob"]),
                         (201, True, "1979-03-08"), made)
        again = self.post("lookup-create-patient", new)
        self.assertEqual((again.status, again.body["created"], again.body["patient"]["id"]),
                         (200, False, made.body["patient"]["id"]), again)

    def test_bad_input(self):
        for body, field in (({"first_name": "A", "last_name": "B"}, "phone"),
                            ({"first_name": "A", "last_name": "B", "phone": "12ab"}, "phone"),
                            ({"first_name": "A", "last_name": "B", "email": "nope"}, "email"),
                            ({"last_name": "B", "phone": "0400111222"}, "first_name"),
                            ({"first_name": "A", "last_name": "B", "phone": "0400111222", "dob": "1990-02-30"},
                             "dob")):
            r = self.post("lookup-create-patient", body)
            self.assertEqual((r.status, r.body["error"]["field"]), (400, field), r)

    def test_appointments_of_file_patient(self):
        with_bookings = {b.get("patient_id") for b in CLINIC["bookings"]}
        p = next(p for p in CLINIC["patients"] if p["id"] in with_bookings)
        expected = sorted(b["id"] for b in CLINIC["bookings"] if b.get("patient_id") == p["id"])
        r = self.post("fetchPatientsAppointments", {"patient_id": p["id"]})
        self.assertEqual(r.status, 200, r)
        got = [a["id"] for a in r.body["appointments"]]
        # all the file's bookings are in the past or future; at most 5 past ones are listed
        self.assertTrue(set(got) <= set(expected) and len(got) == min(len(expected), 5) or len(got) == len(expected))
        by_phone = self.post("fetchPatientsAppointments", {"phone": national_au(p["phone"])})
        self.assertEqual([a["id"] for a in by_phone.body["appointments"]], got)
        none = self.post("fetchPatientsAppointments", {"phone": "0400 000 001"})
        self.assertEqual((none.status, none.body["appointments"]), (200, []))
        self.assertEqual(self.post("fetchPatientsAppointments", {}).status, 400)


if __name__ == "__main__":
    unittest.main()
