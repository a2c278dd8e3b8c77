#!/usr/bin/env python3
"""tests/it/test_bad_input.py: malformed requests get a clear 4xx JSON error and store nothing (issue #13 §5).

Over HTTP against the real binary and a real redis-server: query values that are not UTF-8 text or hold a NUL,
JSON strings with an escaped NUL, a slot_id spelled a second way, h2o's own error answers (a 9 MiB body, broken
chunked encoding or Content-Length, an unknown Expect), Content-Length together with Transfer-Encoding, a date
of birth in the future, the Factory time zone, and a flood of wrong API keys (throttled per address, valid keys
unaffected). Each rejected create is followed by a check that no patient or appointment was left behind.
"""

import datetime as dt
import json
import os
import re
import socket
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402
import clock  # noqa: E402

KEY = "it-bad-input-key-7d3e0a"
OTHER_KEY = "it-bad-input-other-key-41ab"
SECRET = "it-bad-input-slot-secret-0123456789"
TENANT = "bad"
STAFF, TREATMENT = "pr-sam-nguyen", "tx-initial-physio"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
REDIS = SERVER = None
_phone = [0]


def setUpModule():
    global REDIS, SERVER
    REDIS = H.Redis().start()
    base = {"provider": "sandbox", "country": "AU", "time_zone": "Australia/Sydney", "locale": "en-AU",
            "rate_limit": {"per_second": 5000, "burst": 5000}}
    tenants = [dict(base, id=TENANT, api_key_sha256=H.sha256_hex(KEY)),
               dict(base, id="bad-other", api_key_sha256=H.sha256_hex(OTHER_KEY))]
    # one worker: the wrong-key throttle is per worker, and these tests count on one table
    SERVER = H.Frontdesk({"tenants": tenants, "slot_secret": SECRET}, REDIS, workers=1).start()


def tearDownModule():
    H.shut_down(SERVER, REDIS)


def new_phone():
    _phone[0] += 1
    return "+614917%05d" % (_phone[0] + os.getpid() % 1000 * 10)


def raw_exchange(data, source="127.0.0.1", timeout=10.0):
    """Sends data as is on a fresh connection; returns (status, headers dict, body bytes, closed after)."""
    s = socket.create_connection(("127.0.0.1", SERVER.port), timeout=timeout, source_address=(source, 0))
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # answered and closed before reading everything: allowed
        got = b""
        closed = False
        while True:
            head, sep, rest = got.partition(b"\r\n\r\n")
            if sep:
                m = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
                if m and len(rest) >= int(m.group(1)):
                    break
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                closed = True
                break
            if not chunk:
                closed = True
                break
            got += chunk
        if not closed:  # after a complete answer: is the connection closed (EOF) or kept?
            s.settimeout(0.5)
            try:
                closed = s.recv(1) == b""
            except socket.timeout:
                closed = False
            except ConnectionResetError:
                closed = True
    finally:
        s.close()
    head, _, body = got.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else 0
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body, closed


class Case(unittest.TestCase):
    def post(self, route, body, key=KEY, headers=None):
        r = SERVER.post("/ai_brain/" + route, body, key=key, headers=headers, timeout=20)
        self.assertNotEqual(r.status, 500, r)
        return r

    def voice(self, route, query, key=KEY):
        """query: a dict (urlencoded) or a str sent as is."""
        q = query if isinstance(query, str) else urllib.parse.urlencode(query)
        return SERVER.get("/voice/%s?%s" % (route, q), key=key, timeout=20)

    def assertError(self, r, status, code, field="-"):
        self.assertEqual(r.status, status, r)
        self.assertTrue(r.is_json, r)
        self.assertEqual(r.body["error"]["code"], code, r)
        if field != "-":
            self.assertEqual(r.body["error"]["field"], field, r)

    def patients_stored(self):
        return REDIS.command("HLEN", "fd:{%s}:sandbox:patients" % TENANT)

    def assertNoPatient(self, phone, before):
        """Nothing was stored: the count of stored patients did not move, and the phone finds no one."""
        self.assertEqual(self.patients_stored(), before)
        r = self.post("fetchPatientsAppointments", {"phone": phone})
        self.assertEqual((r.status, r.body["appointments"]), (200, []), r)
        created = self.post("lookup-create-patient", {"first_name": "Ann", "last_name": "Check", "phone": phone})
        self.assertEqual((created.status, created.body["created"]), (201, True), created)

    def slot(self, skip=0):
        r = self.post("fetchAvailabilityNext7Days", {"staff_member_id": STAFF, "treatment_id": TREATMENT})
        self.assertEqual(r.status, 200, r)
        if len(r.body["slots"]) <= skip:
            self.skipTest("no free slot this week")
        return r.body["slots"][-1 - skip]


# ---- query strings ---------------------------------------------------------------------------------------------

class QueryText(Case):
    def test_name_that_is_not_text_is_400_and_books_nothing(self):
        for encoded in ("%C3%28", "Ann%00Evil"):  # invalid UTF-8; a percent-encoded NUL
            with self.subTest(first_name=encoded):
                slot, phone, before = self.slot(), new_phone(), self.patients_stored()
                q = "first_name=%s&last_name=Test&phone=%s&slot_id=%s" % (encoded, urllib.parse.quote(phone),
                                                                          slot["slot_id"])
                self.assertError(self.voice("book", q), 400, "invalid_field", "first_name")
                self.assertNoPatient(phone, before)

    def test_raw_non_utf8_bytes_are_400(self):
        status, headers, body, _ = raw_exchange(
            b"GET /voice/patientAppointments?phone=0400111222&first_name=Zo\xe9 HTTP/1.1\r\nHost: x\r\n"
            b"x-api-key: " + KEY.encode() + b"\r\n\r\n")
        self.assertEqual(status, 400, body)
        self.assertEqual(json.loads(body)["error"]["field"], "first_name")

    def test_utf8_names_still_work(self):
        r = self.voice("patientAppointments", {"phone": new_phone(), "first_name": "Zoë", "last_name": "Martín"})
        self.assertEqual(r.status, 200, r)


# ---- JSON bodies -------------------------------------------------------------------------------------------------

class JsonNul(Case):
    def test_nul_in_a_name_is_400_and_creates_nothing(self):
        phone, before = new_phone(), self.patients_stored()
        body = '{"first_name":"Ann\\u0000Evil","last_name":"Test","phone":"%s"}' % phone
        self.assertError(self.post("lookup-create-patient", body), 400, "invalid_field", "first_name")
        self.assertNoPatient(phone, before)

    def test_nul_in_an_appointment_id_cancels_nothing(self):
        phone = new_phone()
        pid = self.post("lookup-create-patient", {"first_name": "Nul", "last_name": "Cancel", "phone": phone})
        slot = self.slot(skip=1)
        hold = self.post("createAppt", {"patient_id": pid.body["patient"]["id"], "slot_id": slot["slot_id"]})
        self.assertEqual(hold.status, 201, hold)
        booked = self.post("bookAppt", {"appointment_id": hold.body["appointment"]["id"]})
        self.assertEqual(booked.status, 200, booked)
        appt = booked.body["appointment"]["id"]
        body = '{"appointment_id":"%s\\u0000zz"}' % appt
        self.assertError(self.post("cancelAppt", body), 400, "invalid_field", "appointment_id")
        listed = self.post("fetchPatientsAppointments", {"phone": phone}).body["appointments"]
        self.assertEqual([(a["id"], a["state"]) for a in listed], [(appt, "booked")])
        self.post("cancelAppt", {"appointment_id": appt})  # leave the slot free for the other tests

    def test_nul_deep_inside_is_named_by_its_member(self):
        body = '{"first_name":"A","last_name":"B","phone":"0400111222","extra":{"x":["ok","a\\u0000"]}}'
        self.assertError(self.post("lookup-create-patient", body), 400, "invalid_field", "extra")

    def test_nul_in_a_key_is_invalid_json(self):
        phone, before = new_phone(), self.patients_stored()
        body = '{"first_name":"Ann","first_name\\u0000x":"Evil","last_name":"Test","phone":"%s"}' % phone
        self.assertError(self.post("lookup-create-patient", body), 400, "invalid_json")
        self.assertNoPatient(phone, before)


# ---- slot ids, dates of birth, time zones -------------------------------------------------------------------------

class Values(Case):
    def test_slot_id_has_one_spelling(self):
        slot = self.slot()
        sid = slot["slot_id"]
        last = ALPHABET.index(sid[-1])
        self.assertEqual(last % 16, 0, sid)  # a 16-byte signature ends with 4 unused bits, issued as zero
        respelled = sid[:-1] + ALPHABET[last | 1]
        phone, before = new_phone(), self.patients_stored()
        r = self.voice("book", {"first_name": "Two", "last_name": "Spellings", "phone": phone, "slot_id": respelled})
        self.assertError(r, 400, "invalid_slot_id", "slot_id")
        self.assertNoPatient(phone, before)
        r = self.post("createAppt", {"patient_id": "pt-olivia-smith", "slot_id": respelled})
        self.assertEqual(r.status, 400, r)

    def test_future_dob_is_400(self):
        phone, before = new_phone(), self.patients_stored()
        future = (clock.now(dt.timezone.utc) + dt.timedelta(days=3)).date().isoformat()
        r = self.post("lookup-create-patient", {"first_name": "Not", "last_name": "Born", "phone": phone,
                                                "dob": future})
        self.assertError(r, 400, "invalid_field", "dob")
        self.assertNoPatient(phone, before)
        ok = self.post("lookup-create-patient", {"first_name": "Was", "last_name": "Born", "phone": new_phone(),
                                                 "dob": "2001-02-03"})
        self.assertEqual(ok.status, 201, ok)

    def test_factory_is_not_a_time_zone(self):
        r = self.post("fetchAvailabilityForRange", {"staff_member_id": STAFF, "treatment_id": TREATMENT,
                                                    "start_at": "2030-01-07T09:00:00", "end_at": "2030-01-08T09:00:00",
                                                    "time_zone": "Factory"})
        self.assertError(r, 400, "invalid_time_zone", "time_zone")
        r = self.voice("bestSlot", {"treatment_name": "initial physio", "time_zone": "Factory"})
        self.assertError(r, 400, "invalid_time_zone", "time_zone")


# ---- HTTP framing and h2o's own errors ----------------------------------------------------------------------------

def head(path, extra=b"", key=KEY):
    return (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nx-api-key: "
            + key.encode() + b"\r\n" + extra)


class Framing(Case):
    def assertJsonError(self, answer, status, code):
        got, headers, body, _ = answer
        self.assertEqual(got, status, body[:300])
        self.assertEqual(headers.get("content-type"), "application/json", body[:300])
        self.assertEqual(json.loads(body)["error"]["code"], code)

    def test_content_length_with_chunked_is_400_and_stores_nothing(self):
        phone, before = new_phone(), self.patients_stored()
        payload = json.dumps({"first_name": "Smug", "last_name": "Gler", "phone": phone}).encode()
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload), payload)
        answer = raw_exchange(head("/ai_brain/lookup-create-patient",
                                   b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n" % len(chunked))
                              + chunked)
        self.assertJsonError(answer, 400, "bad_request")
        self.assertTrue(answer[3], "the connection stays open after ambiguous framing")
        self.assertNoPatient(phone, before)
        # chunked alone is fine
        phone = new_phone()
        payload = json.dumps({"first_name": "Chunk", "last_name": "Ed", "phone": phone}).encode()
        answer = raw_exchange(head("/ai_brain/lookup-create-patient", b"Transfer-Encoding: chunked\r\n\r\n")
                              + b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload), payload))
        self.assertEqual(answer[0], 201, answer[2])

    def test_nine_mib_body_is_json_413(self):
        answer = raw_exchange(head("/ai_brain/fetchAllStaff", b"Content-Length: %d\r\n\r\n" % (9 << 20)))
        self.assertJsonError(answer, 413, "body_too_large")

    def test_broken_framing_is_json_400(self):
        for extra in (b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
                      b"Transfer-Encoding: gzip\r\n\r\n{}",
                      b"Content-Length: 12abc\r\n\r\n{}"):
            with self.subTest(extra=extra[:40]):
                self.assertJsonError(raw_exchange(head("/ai_brain/fetchAllStaff", extra)), 400, "bad_request")

    def test_unknown_expectation_is_json_417(self):
        answer = raw_exchange(head("/ai_brain/fetchAllStaff", b"Expect: telepathy\r\nContent-Length: 2\r\n\r\n{}"))
        self.assertJsonError(answer, 417, "expectation_failed")

    def test_heads_h2o_cannot_parse_are_json_errors_that_close_the_connection(self):
        """libh2o 2.2.5 refuses these heads before any handler exists (server/head_guard.h): a URI longer than its
        417,792-byte head limit, over 100 headers, a NUL in a header, a broken request line, a head too large.
        Each is the contract's JSON error naming what is wrong, the connection closes, and the service serves on."""
        many = b"".join(b"x-h%d: v\r\n" % i for i in range(2000))
        cases = ((b"GET /healthz?q=" + b"x" * (1 << 20) + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long", "path"),
                 (b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n", 400, "bad_request", "headers"),
                 (b"GET /healthz HTTP/1.1\r\nHost: x\r\nx-bad: a\x00b\r\n\r\n", 400, "bad_request", "headers"),
                 (b"GET /healthz HTTP/1.1\r\nHost: x\r\nx-big: " + b"v" * (500 << 10) + b"\r\n\r\n", 400,
                  "bad_request", "headers"),
                 (b"GET\x01/healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request", "request_line"))
        for data, status, code, field in cases:
            with self.subTest(data=data[:40], code=code):
                got, headers, body, closed = raw_exchange(data)
                self.assertEqual((got, closed), (status, True), body[:200])
                self.assertEqual(headers.get("content-type"), "application/json", body[:200])
                error = json.loads(body)["error"]
                self.assertEqual((error["code"], error["field"]), (code, field))
                self.assertTrue(error["message"])
        self.assertEqual(SERVER.get("/healthz").status, 200)

    def test_a_bad_head_after_a_good_request_on_one_connection_is_a_json_error(self):
        """The guard covers every request of a keep-alive connection, not only its first."""
        good = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        s = socket.create_connection(("127.0.0.1", SERVER.port), timeout=10)
        try:
            s.sendall(good + b"GET /healthz HTTP/1.1\r\nx-bad: a\x00b\r\n\r\n")
            got = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
        finally:
            s.close()
        answers = got.split(b"HTTP/1.1 ")[1:]
        self.assertEqual([a[:3] for a in answers], [b"200", b"400"], got[:600])
        second_head, _, second_body = answers[1].partition(b"\r\n\r\n")
        self.assertIn(b"content-type: application/json", second_head.lower())
        self.assertEqual(json.loads(second_body)["error"]["field"], "headers")


# ---- wrong API keys ------------------------------------------------------------------------------------------------

class WrongKeys(Case):
    def conn(self, source):
        return H.http.client.HTTPConnection("127.0.0.1", SERVER.port, timeout=10, source_address=(source, 0))

    def call(self, conn, key):
        return H.exchange(conn, "POST", "/ai_brain/fetchAllLocations", {}, {"x-api-key": key})

    def test_guessing_is_throttled_per_address_and_valid_keys_keep_working(self):
        flood, other = self.conn("127.0.0.3"), self.conn("127.0.0.4")
        try:
            self.assertEqual(self.call(flood, KEY).status, 200)  # this address's agent, before the flood
            started = time.monotonic()
            statuses = [self.call(flood, "guess-%d" % i) for i in range(500)]
            took = time.monotonic() - started
            self.assertEqual([r.status for r in statuses[:50]], [401] * 50)  # SRV_AUTH_FAIL_LIMIT
            self.assertEqual({r.status for r in statuses[50:]}, {429})
            last = statuses[-1]
            self.assertError(last, 429, "rate_limited", "x-api-key")
            self.assertTrue(1 <= int(last.header("retry-after")) <= 60, last.header("retry-after"))
            # while throttled: the key this address used keeps working, a key never seen from it is refused
            # unchecked (a right guess is not confirmed), and other addresses are not affected
            self.assertEqual(self.call(flood, KEY).status, 200)
            self.assertError(self.call(flood, OTHER_KEY), 429, "rate_limited")
            self.assertEqual(self.call(other, OTHER_KEY).status, 200)
            self.assertEqual(self.call(other, "one-wrong-key").status, 401)
            self.assertLess(took, 30)
        finally:
            flood.close()
            other.close()


if __name__ == "__main__":
    unittest.main()
