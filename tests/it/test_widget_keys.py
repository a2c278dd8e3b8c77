#!/usr/bin/env python3
"""tests/it/test_widget_keys.py: publishable widget keys over HTTP against the real binary and redis-server:
config refused with the JSON path, CORS preflight and answer headers for listed origins only, the routes a
widget key may use, lookup-create-patient answering only the id, and the limits per client address, per key and
per tenant (429 with Retry-After). Two client addresses are 127.0.0.1 and 127.0.0.2 (both loopback on Linux).
"""

import base64
import datetime as dt
import hashlib
import http.client
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402
import clock  # noqa: E402

API_KEY = "it-widget-api-key-5c3e9d"
TIGHT_API_KEY = "it-widget-tight-api-key-81aa0e"
WIDGET_KEY = "pk_it_widget_public_0001"
TIGHT_KEY = "pk_it_widget_tight_00002"
SITE = "https://clinic.example"
STAFF, TX, LOC = "pr-zoe-martin", "tx-initial-physio", "loc-sydney"
REDIS = SERVER = None


def tenant(tid, key, widget_keys):
    return {"id": tid, "api_key_sha256": H.sha256_hex(key), "provider": "sandbox", "time_zone": "Australia/Sydney",
            "locale": "en-AU", "country": "AU", "rate_limit": {"per_second": 5000, "burst": 5000},
            "widget_keys": widget_keys}


def config():
    return {"slot_secret": "it-widget-slot-secret-0123456789", "tenants": [
        tenant("w", API_KEY, [{"key": WIDGET_KEY, "allowed_origins": [SITE, "http://127.0.0.1:8080"],
                               "demo_page": True}]),
        tenant("tight", TIGHT_API_KEY, [{"key": TIGHT_KEY, "allowed_origins": [SITE], "limits": {
            "requests_per_minute_per_address": 1000, "requests_per_minute": 1000, "open_holds_per_address": 1,
            "open_holds": 2, "patients_per_hour_per_address": 1}}]),
    ]}


def setUpModule():
    global REDIS, SERVER
    REDIS = H.Redis().start()
    SERVER = H.Frontdesk(config(), REDIS).start()


def tearDownModule():
    H.shut_down(SERVER, REDIS)


def call(method, path, body=None, headers=None, source="127.0.0.1", port=None):
    """One exchange from the client address `source` (127.0.0.x)."""
    conn = http.client.HTTPConnection("127.0.0.1", port or SERVER.port, timeout=20, source_address=(source, 0))
    try:
        return H.exchange(conn, method, path, body, headers)
    finally:
        conn.close()


def widget(route, body=None, key=WIDGET_KEY, origin=SITE, source="127.0.0.1", headers=None):
    h = {"x-api-key": key}
    if origin is not None:
        h["Origin"] = origin
    h.update(headers or {})
    return call("POST", "/ai_brain/" + route, body if body is not None else {}, h, source)


class Case(unittest.TestCase):
    def error(self, r, status, code):
        self.assertEqual(r.status, status, r)
        self.assertTrue(r.is_json, r)
        self.assertEqual(r.body["error"]["code"], code, r)

    def slots(self, api_key=API_KEY):
        r = SERVER.post("/ai_brain/fetchAvailabilityNext7Days", {"staff_member_id": STAFF, "treatment_id": TX,
                                                                 "locationId": LOC}, key=api_key)
        self.assertEqual(r.status, 200, r)
        self.assertGreater(len(r.body["slots"]), 6, r)
        return r.body["slots"]

    def patient(self, phone, api_key=API_KEY):
        r = SERVER.post("/ai_brain/lookup-create-patient", {"first_name": "Wid", "last_name": "Get", "phone": phone},
                        key=api_key)
        self.assertIn(r.status, (200, 201), r)
        return r.body["patient"]["id"]


class Config(Case):
    """A bad widget key config exits 2 before serving, naming the JSON path."""

    def refused(self, widget_keys, field, api_key=API_KEY):
        """Starts frontdesk on a config whose one tenant has these widget keys; returns its stderr."""
        c = {"listen": {"address": "127.0.0.1", "port": H.free_port()}, "workers": 1, "redis": "127.0.0.1:1",
             "tenants": [tenant("demo", api_key, widget_keys)]}
        d = H._tempdir("fd-it-config-")
        try:
            path = os.path.join(d, "config.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(c, f)
            p = H.run_cli("--config", path, timeout=10)
        finally:
            H._rmtree(d)
        self.assertEqual(p.returncode, 2, "exit %s; stderr: %s" % (p.returncode, p.stderr))
        self.assertIn(field + ":", p.stderr)
        return p.stderr

    def test_bad_widget_keys_are_refused_with_their_path(self):
        ok = {"key": WIDGET_KEY, "allowed_origins": [SITE]}
        self.refused([dict(ok, allowed_origins=[SITE + "/"])], "tenants[0].widget_keys[0].allowed_origins[0]")
        self.refused([dict(ok, allowed_origins=["*"])], "tenants[0].widget_keys[0].allowed_origins[0]")
        self.refused([ok, dict(ok, allowed_origins=[])], "tenants[0].widget_keys[1].allowed_origins")
        self.refused([dict(ok, key="not-a-publishable-key")], "tenants[0].widget_keys[0].key")
        self.refused([ok, dict(ok)], "tenants[0].widget_keys[1].key")  # the same key twice
        self.refused([dict(ok, limits={"open_holds": 0})], "tenants[0].widget_keys[0].limits.open_holds")
        self.refused([dict(ok, limits={"holds": 3})], "tenants[0].widget_keys[0].limits.holds")
        self.refused([dict(ok, colour="red")], "tenants[0].widget_keys[0].colour")
        self.refused([ok, dict(ok, key=WIDGET_KEY + "2", demo_page=True), dict(ok, key=WIDGET_KEY + "3",
                      demo_page=True)], "tenants[0].widget_keys[2].demo_page")

    def test_a_tenant_api_key_used_as_widget_key_is_refused(self):
        key = "pk_this_is_also_an_api_key"
        stderr = self.refused([{"key": key, "allowed_origins": [SITE]}], "tenants[0].widget_keys[0].key", key)
        self.assertIn("is a tenant's API key", stderr)


class Cors(Case):
    def preflight(self, route, origin=SITE, method="POST"):
        return call("OPTIONS", route, None, {"Origin": origin, "Access-Control-Request-Method": method,
                                             "Access-Control-Request-Headers": "content-type,x-api-key"})

    def test_preflight_from_a_listed_origin_allows_the_widget_headers(self):
        r = self.preflight("/ai_brain/createAppt")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.header("access-control-allow-origin"), SITE)
        self.assertEqual(r.header("access-control-allow-methods"), "POST")
        allowed = {h.strip() for h in r.header("access-control-allow-headers").split(",")}
        self.assertLessEqual({"content-type", "x-api-key", "idempotency-key"}, allowed)
        self.assertEqual(r.header("access-control-max-age"), "600")
        self.assertIn("origin", r.header("vary").lower())
        r = self.preflight("/voice/bestSlot", method="GET")
        self.assertEqual((r.status, r.header("access-control-allow-methods")), (204, "GET"), r)

    def test_preflight_from_another_origin_gets_no_cors_headers(self):
        for origin in ("https://evil.example", SITE + ":8443", "http://clinic.example"):
            r = self.preflight("/ai_brain/createAppt", origin)
            self.error(r, 403, "origin_forbidden")
            self.assertIsNone(r.header("access-control-allow-origin"), origin)

    def test_preflight_of_a_route_widgets_may_not_use_is_refused(self):
        for route in ("/ai_brain/cancelAppt", "/ai_brain/fetchPatientsAppointments", "/voice/book"):
            r = self.preflight(route, method="GET" if route.startswith("/voice") else "POST")
            self.error(r, 403, "widget_route_forbidden")
            self.assertIsNone(r.header("access-control-allow-origin"), route)

    def test_answers_to_a_listed_origin_carry_cors_and_the_service_clock(self):
        r = widget("fetchAllTreatments")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body["treatments"])
        self.assertEqual(r.header("access-control-allow-origin"), SITE)
        self.assertIn("origin", r.header("vary").lower())
        self.assertIn("retry-after", r.header("access-control-expose-headers"))
        self.assertGreater(int(r.header("frontdesk-now")), 0)

    def test_another_origin_or_none_is_refused_without_cors(self):
        for origin in ("https://evil.example", None):
            r = widget("fetchAllTreatments", origin=origin)
            self.error(r, 403, "origin_forbidden")
            self.assertEqual(r.body["error"]["field"], "origin")
            self.assertIsNone(r.header("access-control-allow-origin"))

    def test_api_keys_get_no_cors_headers(self):
        r = SERVER.post("/ai_brain/fetchAllTreatments", {}, key=API_KEY, headers={"Origin": SITE})
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.header("access-control-allow-origin"))


class Routes(Case):
    def test_only_the_booking_page_routes_are_open_to_a_widget_key(self):
        for route in ("fetchAllStaff", "fetchAllLocations", "fetchAllTreatments"):
            self.assertEqual(widget(route).status, 200, route)
        r = widget("fetchAvailabilityNext7Days", {"staff_member_id": STAFF, "treatment_id": TX, "locationId": LOC})
        self.assertEqual(r.status, 200, r)
        r = call("GET", "/voice/bestSlot?treatment_name=initial&time_zone=Australia/Sydney",
                 headers={"x-api-key": WIDGET_KEY, "Origin": SITE})
        self.assertEqual(r.status, 200, r)
        for route in ("fetchPatientsAppointments", "cancelAppt", "rescheduleAppt"):
            r = widget(route, {"phone": "+61400000000", "appointment_id": "x"})
            self.error(r, 403, "widget_route_forbidden")
            self.assertEqual(r.header("access-control-allow-origin"), SITE)  # the page may read why
        for path in ("/voice/patientAppointments?phone=0400000000", "/voice/cancel?phone=0400000000",
                     "/voice/clinic-info", "/ai_brain/events?state=dead"):
            r = call("GET", path, headers={"x-api-key": WIDGET_KEY, "Origin": SITE})
            self.error(r, 403, "widget_route_forbidden")

    def test_lookup_create_patient_answers_only_the_id(self):
        phone = "+61412000111"
        r = SERVER.post("/ai_brain/lookup-create-patient", {"first_name": "Harriet", "last_name": "Known",
                                                            "phone": phone, "email": "harriet@example.com"},
                        key=API_KEY)
        self.assertIn(r.status, (200, 201), r)
        known_id = r.body["patient"]["id"]
        r = widget("lookup-create-patient", {"first_name": "Someone", "last_name": "Else", "phone": phone})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, {"patient": {"id": known_id}})
        self.assertNotIn(b"Harriet", r.raw)
        self.assertNotIn(b"harriet@", r.raw)
        r = widget("lookup-create-patient", {"first_name": "New", "last_name": "Person", "phone": "+61412000222"})
        self.assertEqual(r.status, 200, r)  # not 201: whether a record existed is not told either
        self.assertEqual(set(r.body["patient"]), {"id"})

    def test_a_widget_booking_goes_through(self):
        slot = self.slots()[-1]
        pid = widget("lookup-create-patient", {"first_name": "Web", "last_name": "Booker",
                                               "phone": "+61412000333"}).body["patient"]["id"]
        r = widget("createAppt", {"patient_id": pid, "slot_id": slot["slot_id"]})
        self.assertEqual(r.status, 201, r)
        r = widget("bookAppt", {"appointment_id": r.body["appointment"]["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body["appointment"]["state"], "booked")

    def test_static_files(self):
        r = call("GET", "/widget/v1/frontdesk-widget.js")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("content-type"), "text/javascript; charset=utf-8")
        self.assertIn("immutable", r.header("cache-control"))
        self.assertEqual(r.header("access-control-allow-origin"), "*")
        integrity = "sha384-" + base64.b64encode(hashlib.sha384(r.raw).digest()).decode()
        page = call("GET", "/widget/demo")
        self.assertEqual(page.status, 200, page)
        self.assertTrue(page.header("content-type").startswith("text/html"))
        self.assertIn(('integrity="%s"' % integrity).encode(), page.raw)
        self.assertIn(('data-key="%s"' % WIDGET_KEY).encode(), page.raw)
        self.assertIn(b'lang="en-AU"', page.raw)
        self.assertNotIn(TIGHT_KEY.encode(), page.raw)
        with open(os.path.join(H.SOURCE_DIR, "README.md"), encoding="utf-8") as f:
            self.assertTrue(integrity in f.read(), "README's integrity hash is not the served widget's: " + integrity)


class Limits(Case):
    def test_requests_are_limited_per_address_and_per_key(self):
        # a server of its own: the counters of this test must not meet the others'
        redis = H.Redis().start()
        srv = H.Frontdesk({"tenants": [tenant("lim", API_KEY, [{"key": WIDGET_KEY, "allowed_origins": [SITE],
                                                                  "limits": {"requests_per_minute_per_address": 2,
                                                                             "requests_per_minute": 3}}])]},
                          redis).start()
        try:
            ask = lambda source: call("POST", "/ai_brain/fetchAllLocations", {},  # noqa: E731
                                      {"x-api-key": WIDGET_KEY, "Origin": SITE}, source, srv.port)
            self.assertEqual([ask("127.0.0.1").status, ask("127.0.0.1").status], [200, 200])
            r = ask("127.0.0.1")
            self.error(r, 429, "rate_limited")
            self.assertIn("from this address", r.body["error"]["message"])
            self.assertGreaterEqual(int(r.header("retry-after")), 1)
            self.assertLessEqual(int(r.header("retry-after")), 60)
            self.assertEqual(r.header("access-control-allow-origin"), SITE)  # the page may read the 429
            self.assertEqual(ask("127.0.0.2").status, 200)  # another address is not limited by the first
            r = ask("127.0.0.3")  # 3 taken by the key in this minute
            self.error(r, 429, "rate_limited")
            self.assertIn("widget key", r.body["error"]["message"])
            self.assertEqual(srv.post("/ai_brain/fetchAllLocations", {}, key=API_KEY).status, 200)  # API key: its own
        finally:
            H.shut_down(srv, redis)

    def test_open_holds_are_limited_per_address_and_per_tenant(self):
        # times at least 2 h apart, so no two holds overlap whatever the date (slots are 15 min apart at best)
        now = clock.now()
        r = SERVER.post("/ai_brain/fetchAvailabilityForRange", {
            "staff_member_id": STAFF, "treatment_id": TX, "locationId": LOC,
            "start_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end_at": (now + dt.timedelta(days=28)).strftime("%Y-%m-%dT%H:%M:%SZ")}, key=TIGHT_API_KEY)
        self.assertEqual(r.status, 200, r)
        slots, last = [], None
        for s in r.body["slots"]:
            if last is None or s["start_at"] >= last:
                slots.append(s)
                last = (dt.datetime.fromisoformat(s["start_at"].replace("Z", "+00:00"))
                        + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        slots = [x for pair in zip(slots, slots) for x in pair]  # the test uses the even indexes
        self.assertGreaterEqual(len(slots), 8, "four times 2 h apart in the coming four weeks")
        pid = self.patient("+61412000444", TIGHT_API_KEY)
        hold = lambda i, source: widget("createAppt", {"patient_id": pid, "slot_id": slots[i]["slot_id"]},  # noqa
                                        key=TIGHT_KEY, source=source)
        self.assertEqual(hold(0, "127.0.0.1").status, 201)
        r = hold(2, "127.0.0.1")
        self.error(r, 429, "rate_limited")
        self.assertIn("held from this address", r.body["error"]["message"])
        self.assertGreater(int(r.header("retry-after")), 200)  # until the first hold's 300 s are over
        self.assertEqual(hold(4, "127.0.0.2").status, 201)
        r = hold(6, "127.0.0.3")
        self.error(r, 429, "rate_limited")
        self.assertIn("through the booking widget", r.body["error"]["message"])
        r = SERVER.post("/ai_brain/createAppt", {"patient_id": pid, "slot_id": slots[6]["slot_id"]},
                        key=TIGHT_API_KEY)
        self.assertEqual(r.status, 201, r)  # the clinic's own agent is not bound by the widget's cap

    def test_new_patients_are_limited_per_address(self):
        new = lambda phone, source: widget("lookup-create-patient", {  # noqa: E731
            "first_name": "Many", "last_name": "Patients", "phone": phone}, key=TIGHT_KEY, source=source)
        self.assertEqual(new("+61412000555", "127.0.0.4").status, 200)
        r = new("+61412000556", "127.0.0.4")
        self.error(r, 429, "rate_limited")
        self.assertIn("new patients", r.body["error"]["message"])
        self.assertGreater(int(r.header("retry-after")), 3000)  # the hour's window
        self.assertEqual(new("+61412000557", "127.0.0.5").status, 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
