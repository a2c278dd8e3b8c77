#!/usr/bin/env python3
"""tests/it/test_request_id.py: every answer of the real binary carries a request id: the caller's X-Request-Id
when it is sane (1 to 64 of [A-Za-z0-9._:-]), else one made by the service (a fresh one for every request), in
the X-Request-Id header, in every JSON error body (error.request_id, h2o's own errors included, and an
idempotent replay of an error gets the new request's id) and in the access log line of that request, with the
error code."""

import os
import re
import socket
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

KEY = "it-request-id-key-61c0d2"
REDIS = SERVER = None
SANE = re.compile(r"[A-Za-z0-9._:-]{1,64}\Z")


def setUpModule():
    global REDIS, SERVER
    REDIS = H.Redis(aof=False).start()
    SERVER = H.Frontdesk({"tenants": [{"id": "rid", "api_key_sha256": H.sha256_hex(KEY), "provider": "sandbox",
                                       "time_zone": "Australia/Sydney", "locale": "en-AU", "country": "AU",
                                       "rate_limit": {"per_second": 5000, "burst": 5000}}],
                          "slot_secret": "it-request-id-slot-secret-012345"}, REDIS).start()


def tearDownModule():
    H.shut_down(SERVER, REDIS)


def raw_exchange(data):
    """Sends raw bytes, returns (status, headers dict lower-case, body bytes) of the answer."""
    with socket.create_connection(("127.0.0.1", SERVER.port), timeout=10) as s:
        s.sendall(data)
        f = s.makefile("rb")
        status = int(f.readline().split()[1])
        headers = {}
        while True:
            line = f.readline().strip()
            if not line:
                break
            k, v = line.decode().split(":", 1)
            headers[k.strip().lower()] = v.strip()
        return status, headers, f.read(int(headers.get("content-length", "0")))


class RequestId(unittest.TestCase):
    def log_of(self, rid):
        rec = SERVER.wait_for_log(lambda rec: rec.get("request_id") == rid)
        self.assertIsNotNone(rec, "no log line with request_id %s" % rid)
        return rec

    def test_sane_id_is_echoed_in_header_body_and_log(self):
        for rid in ("call-7f3a.22:leg_1", "A" * 64, "x"):
            r = SERVER.get("/voice/clinic-info", headers={"x-request-id": rid})  # no key: 401
            self.assertEqual(r.status, 401, r)
            self.assertEqual(r.header("x-request-id"), rid)
            self.assertEqual(r.body["error"]["request_id"], rid)
            rec = self.log_of(rid)
            self.assertEqual((rec["status"], rec["error"], rec["route"]), (401, "unauthorized", "/voice/clinic-info"))
        ok = SERVER.get("/healthz", headers={"x-request-id": "probe-1"})
        self.assertEqual((ok.status, ok.header("x-request-id")), (200, "probe-1"))
        self.assertIsNone(self.log_of("probe-1")["error"])

    def test_insane_id_is_replaced(self):
        for bad in ("A" * 65, "has space", "semi;colon", "quote\"d", "slash/ed", "ünï", ""):
            r = SERVER.get("/nothing/here", headers={"x-request-id": bad})
            self.assertEqual(r.status, 404, r)
            made = r.header("x-request-id")
            self.assertTrue(made and SANE.match(made), made)
            self.assertNotEqual(made, bad)
            self.assertEqual(r.body["error"]["request_id"], made)
            self.assertEqual(self.log_of(made)["error"], "not_found")

    def test_made_ids_are_never_reused(self):
        seen, lock = [], threading.Lock()

        def run():
            for _ in range(60):
                r = SERVER.get("/healthz")
                with lock:
                    seen.append(r.header("x-request-id"))
        threads = [threading.Thread(target=run) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(seen), 240)
        self.assertTrue(all(s and SANE.match(s) for s in seen), seen[:3])
        self.assertEqual(len(set(seen)), len(seen), "an id was made twice")

    def test_error_answers_of_every_kind_carry_it(self):
        cases = [
            ("POST", "/ai_brain/fetchAllStaff", "{not json", {"content-type": "application/json"}, 400),
            ("POST", "/ai_brain/fetchAllStaff", "{}", {"content-type": "text/plain"}, 415),
            ("PUT", "/healthz", None, {}, 405),
            ("GET", "/voice/bestSlot?treatment_name=nothing+we+offer&time_zone=Sydney+time", None, {}, None),
        ]
        for i, (method, path, body, headers, status) in enumerate(cases):
            rid = "kind-%d" % i
            h = dict(headers, **{"x-api-key": KEY, "x-request-id": rid})
            r = SERVER.request(method, path, body.encode() if body else None, h)
            if status is not None:
                self.assertEqual(r.status, status, r)
            self.assertGreaterEqual(r.status, 400, r)
            self.assertEqual((r.header("x-request-id"), r.body["error"]["request_id"]), (rid, rid), r)
            self.assertEqual(self.log_of(rid)["error"], r.body["error"]["code"])

    def test_h2o_own_error_carries_it(self):
        """A body over h2o's own limit is refused by h2o before any route runs: still JSON with the id."""
        status, headers, body = raw_exchange(
            b"POST /ai_brain/fetchAllStaff HTTP/1.1\r\nHost: x\r\nx-request-id: big-body-1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 99999999\r\n\r\n")
        self.assertEqual(status, 413)
        self.assertEqual(headers.get("x-request-id"), "big-body-1")
        self.assertIn(b'"request_id":"big-body-1"', body)
        self.assertEqual(self.log_of("big-body-1")["error"], "body_too_large")

    def test_replayed_error_gets_the_new_request_id(self):
        body = {"appointment_id": "hold_" + "0" * 24 + "." + "0" * 32}  # no such hold: 409 hold_expired, kept
        first = SERVER.request("POST", "/ai_brain/bookAppt", body,
                               {"x-api-key": KEY, "idempotency-key": "rid-replay-1", "x-request-id": "first-1"})
        again = SERVER.request("POST", "/ai_brain/bookAppt", body,
                               {"x-api-key": KEY, "idempotency-key": "rid-replay-1", "x-request-id": "again-2"})
        self.assertEqual(again.header("idempotent-replayed"), "true", again)
        self.assertEqual(first.status, again.status)
        self.assertGreaterEqual(first.status, 400, first)
        self.assertEqual(first.body["error"]["request_id"], "first-1")
        self.assertEqual(again.body["error"]["request_id"], "again-2")
        self.assertEqual(first.body["error"]["code"], again.body["error"]["code"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
