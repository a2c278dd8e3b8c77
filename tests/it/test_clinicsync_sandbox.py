#!/usr/bin/env python3
"""tests/it/test_clinicsync_sandbox.py: the drop-in ClinicSync routes on the sandbox demo clinic, replaying every
example body of tests/fixtures/clinicsync (Jane, Cliniko and Nookal-style sections, GHL workflow webhooks) filled
with the demo clinic's practitioners (by e-mail and by name), treatments, locations and times the service offers
now: each books, moves and cancels the appointment and answers the documented shape; a retried booking books once;
missing fields (400), an unknown practitioner (422), a taken time (422), a missing key (401), an unknown or
cancelled appointment (404, 422); the patient's city, state and country are kept; a GHL webhook path works with
either of a tenant's two tokens and answers a wrong one exactly as a route that does not exist (404); after 50 wrong
tokens from one address within a minute the next is 429 with Retry-After, and so is a right token never used from
there before, while one that was keeps booking (server/auth_throttle.h)."""

import datetime as dt
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402
import clinicsync_support as S  # noqa: E402

KEY = "it-clinicsync-sandbox-key-8d2f"
SLOT_SECRET = "it-clinicsync-slot-secret-0123456789"
WRONG_TOKEN_LIMIT = 50  # server/auth_throttle.h: SRV_AUTH_FAIL_LIMIT wrong keys or tokens a minute per address
REDIS = SERVER = None
CLINIC = TENANT = None
TOKENS = {}  # old, new: the tenant's two GHL tokens; unlisted: made but never configured
ZONE = "Australia/Sydney"
STAFF_ID, TREATMENT_ID, LOCATION_ID = "pr-sam-nguyen", "tx-followup-physio", "loc-sydney"


def setUpModule():
    global REDIS, SERVER, CLINIC, TENANT
    CLINIC = H.demo_clinic()
    for name in ("old", "new", "unlisted"):
        TOKENS[name] = S.new_ghl_token()
    REDIS = H.Redis().start()
    TENANT = {"id": "cs", "api_key_sha256": H.sha256_hex(KEY), "locale": "en-AU", "country": "AU",
              "time_zone": ZONE, "rate_limit": {"per_second": 5000, "burst": 5000},
              "ghl_webhook_tokens_sha256": [TOKENS["old"][1], TOKENS["new"][1]]}
    SERVER = H.Frontdesk({"tenants": [TENANT], "slot_secret": SLOT_SECRET}, REDIS).start()


def tearDownModule():
    H.shut_down(SERVER, REDIS)


def practitioner(pid):
    return next(p for p in CLINIC["practitioners"] if p["id"] == pid)


def treatment(tid):
    return next(t for t in CLINIC["treatments"] if t["id"] == tid)


def location(lid):
    return next(l for l in CLINIC["locations"] if l["id"] == lid)


_seq = [0]


def unique():
    _seq[0] += 1
    return _seq[0]


class Case(unittest.TestCase):
    _used = set()

    def setUp(self):
        n = unique()
        self.who = {"FIRST": "Casey", "LAST": "Sync%d" % n, "EMAIL": "casey.sync%d@example.com" % n,
                    "PHONE": "+61491571%03d" % n, "EXT_ID": "ghl-appt-%d-xyz" % n, "ZONE": ZONE}

    def slots(self):
        r = SERVER.post("/ai_brain/fetchAvailabilityNext7Days", {"staff_member_id": STAFF_ID,
                        "treatment_id": TREATMENT_ID, "locationId": LOCATION_ID}, key=KEY, timeout=20)
        self.assertEqual(r.status, 200, r)
        return r.body["slots"]

    def fresh_slot(self, keep=True):
        """A slot no other test used, an hour from any other (so nothing overlaps); keep=False for a body that will
        be refused before it books (the slot stays free for others)."""
        for s in reversed(self.slots()):
            t = dt.datetime.strptime(s["start_at"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
            if all(abs(t - u) >= 3600 for u in Case._used):
                if keep:
                    Case._used.add(t)
                return s
        self.skipTest("no free slot left this week")

    def times(self, slot, ghl=False):
        if ghl:
            return {"START": S.local_naive(slot["start_at"], ZONE), "END": S.local_naive(slot["end_at"], ZONE)}
        return {"START": S.utc_z(slot["start_at"]), "END": S.utc_z(slot["end_at"])}

    def send(self, path, body, key=KEY):
        r = SERVER.post(path, body, key=key, timeout=20)
        self.assertNotEqual(r.status, 500, r)
        self.assertTrue(r.is_json, r)
        return r

    def appointments_of(self, phone):
        r = SERVER.post("/ai_brain/fetchPatientsAppointments", {"phone": phone}, key=KEY, timeout=20)
        self.assertEqual(r.status, 200, r)
        return [a for a in r.body["appointments"] if a["state"] == "booked"]

    def check_appt(self, a, slot):
        self.assertEqual(a["staff_member_id"], STAFF_ID)
        self.assertEqual(a["treatment_id"], TREATMENT_ID)
        self.assertEqual(a["location_id"], LOCATION_ID)
        self.assertTrue(S.same_instant(a["start_at"], slot["start_at"]), (a, slot))


class ClinicSyncRoutes(Case):
    def replay(self, family, staff):
        """Books, moves and cancels with the family's three example bodies."""
        first, second = self.fresh_slot(), self.fresh_slot()
        values = dict(self.who, STAFF=staff, TREATMENT=treatment(TREATMENT_ID)["name"],
                      LOCATION=location(LOCATION_ID)["name"])
        r = self.send("/api-book-appointment", S.body(family + "_book", **values, **self.times(first)))
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.body["success"], True)
        self.assertEqual(r.body["message"], "Appointment booked successfully")
        self.assertEqual(r.body["bookedAppointment"], r.body["appointment"])
        self.check_appt(r.body["appointment"], first)
        appt_id = r.body["appointment"]["id"]
        self.assertEqual([a["id"] for a in self.appointments_of(self.who["PHONE"])], [appt_id])

        r = self.send("/api-update-appointment", S.body(family + "_update", **values, **self.times(second)))
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.body["success"], True)
        self.check_appt(r.body["appointment"], second)
        booked = self.appointments_of(self.who["PHONE"])
        self.assertEqual(len(booked), 1, booked)
        self.assertTrue(S.same_instant(booked[0]["start_at"], second["start_at"]), booked)

        r = self.send("/api-cancel-appointment", S.body(family + "_cancel", **values))
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.body["success"], True)
        self.assertEqual(r.body["appointment"]["state"], "cancelled", r)
        self.assertEqual(self.appointments_of(self.who["PHONE"]), [])
        r = self.send("/api-cancel-appointment", S.body(family + "_cancel", **values))
        self.assertEqual((r.status, r.body["error"]["code"]), (422, "appointment_cancelled"), r)

    def test_jane_examples_with_staff_by_email(self):
        self.replay("jane", practitioner(STAFF_ID)["email"])

    def test_cliniko_examples_with_staff_by_name(self):
        p = practitioner(STAFF_ID)
        self.replay("cliniko", "%s %s" % (p["first_name"], p["last_name"]))

    def test_nookal_examples(self):
        first, second = self.fresh_slot(), self.fresh_slot()
        p = practitioner(STAFF_ID)
        values = dict(self.who, STAFF="%s %s %s" % (p["title"], p["first_name"], p["last_name"]),
                      TREATMENT=treatment(TREATMENT_ID)["name"], LOCATION=location(LOCATION_ID)["name"])
        r = self.send("/api/nookal/book_appt", S.body("nookal_book", **values, START=S.utc_z(first["start_at"])))
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.body["success"], True)
        self.check_appt(r.body["appointment"], first)
        # no endTime in Nookal's body: the treatment's duration
        self.assertTrue(S.same_instant(r.body["appointment"]["end_at"], first["end_at"]), r)
        appt_id = r.body["apptID"]
        self.assertEqual(appt_id, r.body["appointment"]["id"])

        r = self.send("/api/nookal/update_appt", S.body("nookal_update", APPT_ID=appt_id,
                                                        START=S.utc_z(second["start_at"])))
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.body["success"], True)
        self.check_appt(r.body["updated"], second)

        r = self.send("/api/nookal/cancel_appt", S.body("nookal_cancel", APPT_ID=appt_id))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["canceled"]["state"], "cancelled", r)
        self.assertEqual(self.appointments_of(self.who["PHONE"]), [])

    def test_retried_booking_books_once(self):
        slot = self.fresh_slot()
        values = dict(self.who, STAFF=practitioner(STAFF_ID)["email"], TREATMENT=treatment(TREATMENT_ID)["name"],
                      LOCATION=location(LOCATION_ID)["name"], **self.times(slot))
        first = self.send("/api-book-appointment", S.body("jane_book", **values))
        again = self.send("/api-book-appointment", S.body("jane_book", **values))
        self.assertEqual((first.status, again.status), (200, 200), (first, again))
        self.assertEqual(first.body["appointment"]["id"], again.body["appointment"]["id"])
        self.assertIs(again.body.get("replayed"), True, again)
        self.assertEqual(len(self.appointments_of(self.who["PHONE"])), 1)

    def test_identical_bookings_at_once_book_once(self):
        slot = self.fresh_slot()
        values = dict(self.who, STAFF=practitioner(STAFF_ID)["email"], TREATMENT=treatment(TREATMENT_ID)["name"],
                      LOCATION=location(LOCATION_ID)["name"], **self.times(slot))
        answers = []

        def book():
            answers.append(SERVER.post("/api-book-appointment", S.body("cliniko_book", **values), key=KEY,
                                       timeout=30))
        threads = [threading.Thread(target=book) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual([a.status for a in answers], [200] * 5, answers)
        self.assertEqual(len({a.body["appointment"]["id"] for a in answers}), 1, answers)
        self.assertEqual(len(self.appointments_of(self.who["PHONE"])), 1)

    def test_city_state_country_are_kept_on_the_patient(self):
        slot = self.fresh_slot()
        values = dict(self.who, STAFF=practitioner(STAFF_ID)["email"], TREATMENT=treatment(TREATMENT_ID)["name"],
                      LOCATION=location(LOCATION_ID)["name"], **self.times(slot))
        self.assertEqual(self.send("/api-book-appointment", S.body("jane_book", **values)).status, 200)
        r = SERVER.post("/ai_brain/lookup-create-patient", {"first_name": self.who["FIRST"],
                        "last_name": self.who["LAST"], "phone": self.who["PHONE"]}, key=KEY, timeout=20)
        self.assertEqual(r.status, 200, r)
        p = r.body["patient"]
        self.assertEqual((p.get("city"), p.get("state"), p.get("country")), ("Newtown", "NSW", "AU"), p)


class BadInput(Case):
    def book_body(self, keep=False, **over):
        slot = self.fresh_slot(keep)
        values = dict(self.who, STAFF=practitioner(STAFF_ID)["email"], TREATMENT=treatment(TREATMENT_ID)["name"],
                      LOCATION=location(LOCATION_ID)["name"], **self.times(slot))
        values.update(over)
        return S.body("jane_book", **values)

    def test_missing_fields_are_400_naming_them(self):
        body = self.book_body()
        del body["first_name"]
        r = self.send("/api-book-appointment", body)
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]),
                         (400, "missing_field", "first_name"), r)
        body = self.book_body()
        del body["calendar"]["startTime"]
        r = self.send("/api-book-appointment", body)
        self.assertEqual((r.status, r.body["error"]["field"]), (400, "calendar.startTime"), r)
        r = self.send("/api-update-appointment", {"calendar": {"startTime": "2030-01-01T00:00:00Z"}})
        self.assertEqual((r.status, r.body["error"]["field"]), (400, "appointmentId"), r)
        r = self.send("/api-cancel-appointment", {"cancelled_reason": "no id"})
        self.assertEqual((r.status, r.body["error"]["field"]), (400, "appointmentId"), r)

    def test_unknown_staff_is_422(self):
        r = self.send("/api-book-appointment", self.book_body(STAFF="nobody@harbourandpine.example"))
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]),
                         (422, "unknown_staff", "customData.staff_member"), r)
        r = self.send("/api-book-appointment", self.book_body(STAFF="Quentin Nobody"))
        self.assertEqual((r.status, r.body["error"]["code"]), (422, "unknown_staff"), r)

    def test_taken_time_is_422(self):
        body = self.book_body(keep=True)
        self.assertEqual(self.send("/api-book-appointment", body).status, 200)
        other = dict(body, first_name="Other", last_name="Person", email="other.person@example.com",
                     phone="+61491579999")
        r = self.send("/api-book-appointment", other)
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]),
                         (422, "time_unavailable", "calendar.startTime"), r)

    def test_unknown_appointment_is_404(self):
        r = self.send("/api-cancel-appointment", {"appointmentId": "never-booked-anywhere"})
        self.assertEqual((r.status, r.body["error"]["code"]), (404, "not_found"), r)

    def test_missing_or_wrong_key_is_401(self):
        r = SERVER.post("/api-book-appointment", self.book_body(), timeout=20)
        self.assertEqual(r.status, 401, r)
        r = SERVER.post("/api/nookal/cancel_appt", {"appointmentId": "1"}, key="not-a-key", timeout=20)
        self.assertEqual(r.status, 401, r)


def altered(token):
    """The token with its last digit changed (never the token itself)."""
    return token[:-1] + ("1" if token.endswith("0") else "0")


class GhlWebhooks(Case):
    def path(self, token, action):
        return "/ghl/%s/%s" % (TOKENS[token][0], action)

    def test_ghl_examples_book_update_cancel_with_either_token(self):
        first, second = self.fresh_slot(), self.fresh_slot()
        values = dict(self.who, STAFF=practitioner(STAFF_ID)["email"], TREATMENT=treatment(TREATMENT_ID)["name"],
                      LOCATION=location(LOCATION_ID)["name"])
        r = self.send(self.path("new", "bookAppt"), S.body("ghl_book", **values, **self.times(first, ghl=True)),
                      key=None)
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.body["success"], True)
        for k in ("appointment_id", "start_at", "staff_member_name", "treatment_name", "location_name"):
            self.assertIsInstance(r.body[k], str, r)  # flat: every value maps into a GHL custom value
        self.assertFalse(any(isinstance(v, (dict, list)) for v in r.body.values()), r)
        self.assertTrue(S.same_instant(r.body["start_at"], first["start_at"]), r)
        r = self.send(self.path("old", "update_appt"),
                      S.body("ghl_update", **values, **self.times(second, ghl=True)), key=None)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(S.same_instant(r.body["start_at"], second["start_at"]), r)
        r = self.send(self.path("new", "cancel_appt"), S.body("ghl_cancel", **values), key=None)
        self.assertEqual((r.status, r.body["state"]), (200, "cancelled"), r)
        self.assertEqual(self.appointments_of(self.who["PHONE"]), [])

    def test_wrong_token_is_404_like_no_route(self):

        slot = self.fresh_slot(keep=False)
        values = dict(self.who, STAFF=practitioner(STAFF_ID)["email"], TREATMENT=treatment(TREATMENT_ID)["name"],
                      LOCATION=location(LOCATION_ID)["name"], **self.times(slot, ghl=True))
        body = S.body("ghl_book", **values)
        def seen(r):  # what a caller can tell apart: status and body but the request's own id
            error = dict(r.body["error"])
            error.pop("request_id", None)
            return r.status, error
        missing = seen(SERVER.post("/no-such-route", body, timeout=20))
        for token in (TOKENS["unlisted"][0], altered(TOKENS["new"][0]), "x"):
            r = SERVER.post("/ghl/%s/bookAppt" % token, body, timeout=20)
            self.assertEqual(seen(r), missing, r)
            r = SERVER.request("GET", "/ghl/%s/bookAppt" % token, timeout=20)
            self.assertEqual(seen(r), missing, r)
        self.assertEqual(self.appointments_of(self.who["PHONE"]), [])


class GhlWrongTokenThrottle(Case):
    """Its own frontdesk on the same Redis and clinic, with one worker (each worker counts an address's wrong tokens
    on its own), so the throttle it trips cannot touch the module's other tests, and a second tenant whose token
    this address has never used."""

    @classmethod
    def setUpClass(cls):
        cls.other = S.new_ghl_token()
        other = dict(TENANT, id="cs2", api_key_sha256=H.sha256_hex("it-clinicsync-other-key-41c7"),
                     ghl_webhook_tokens_sha256=[cls.other[1]])
        cls.server = H.Frontdesk({"tenants": [TENANT, other], "slot_secret": SLOT_SECRET}, REDIS, workers=1).start()

    @classmethod
    def tearDownClass(cls):
        problem = cls.server.stop_problem()
        cls.server.close()
        if problem:
            raise AssertionError(problem)

    def post(self, token, body):
        r = self.server.post("/ghl/%s/bookAppt" % token, body, timeout=20)
        self.assertTrue(r.is_json, r)
        return r

    def test_too_many_wrong_tokens_are_429_but_a_token_used_before_still_books(self):
        slot = self.fresh_slot()
        values = dict(self.who, STAFF=practitioner(STAFF_ID)["email"], TREATMENT=treatment(TREATMENT_ID)["name"],
                      LOCATION=location(LOCATION_ID)["name"], **self.times(slot, ghl=True))
        body = S.body("ghl_book", **values)
        # The tenant's token from this address before any wrong one: accepted (refused for its empty body).
        self.assertEqual(self.post(TOKENS["new"][0], {}).status, 400)
        wrong = altered(TOKENS["new"][0])
        for i in range(WRONG_TOKEN_LIMIT):
            r = self.post(wrong, body)
            self.assertEqual(r.status, 404, (i, r))
        r = self.post(wrong, body)
        self.assertEqual((r.status, r.body["error"]["code"]), (429, "rate_limited"), r)
        self.assertIn("Too many wrong keys", r.body["error"]["message"])
        wait = int(r.header("retry-after"))
        self.assertTrue(1 <= wait <= 60, wait)
        # A right token this address never used is refused the same way: a guess cannot be confirmed.
        r = self.post(self.other[0], body)
        self.assertEqual((r.status, r.body["error"]["code"]), (429, "rate_limited"), r)
        self.assertIsNotNone(r.header("retry-after"))
        # The token used before keeps working: it books.
        r = self.post(TOKENS["new"][0], body)
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.body["success"], True, r)
        self.assertEqual(len(self.appointments_of(self.who["PHONE"])), 1)


if __name__ == "__main__":
    unittest.main()
