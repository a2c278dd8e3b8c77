#!/usr/bin/env python3
"""tests/it/test_foundation.py: the foundation routes of frontdesk, driven over HTTP against a real redis-server.

Covers the command line, config validation, /healthz, /readyz, the three catalog routes (answers compared with
providers/sandbox/demo_clinic.json), auth, location scoping, body and URI limits, media types, routing errors,
rate limiting, logs, keep-alive, a Redis restart under a running server, a Redis unix socket, tenants in a
file, and a graceful stop. Run: python3 tests/it/test_foundation.py [-v] [Class.test_name]
"""

import copy
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

KEYS = {
    "demo": "it-demo-key-5c1e0b7d9a",
    "off": "it-off-key-88a2f4c613",
    "sydonly": "it-sydonly-key-0d4b6e2a71",
    "slow": "it-slow-key-e93f1c57b2",
}
UNKNOWN_KEY = "it-unknown-key-4f2a9c0e11"
STAFF = "/ai_brain/fetchAllStaff"
TREATMENTS = "/ai_brain/fetchAllTreatments"
LOCATIONS = "/ai_brain/fetchAllLocations"
AI_ROUTES = (STAFF, TREATMENTS, LOCATIONS)
NOT_ENABLED_MESSAGE = "This location is not enabled for booking"

CATALOG = None   # H.Catalog of the demo clinic, set by setUpModule
SYDNEY = None    # id of the demo clinic's Sydney location
SERVER = None    # the shared frontdesk
REDIS = None     # its redis-server


def project_version():
    with open(os.path.join(H.SOURCE_DIR, "CMakeLists.txt"), encoding="utf-8") as f:
        m = re.search(r"project\(\s*frontdesk\s+VERSION\s+([0-9.]+)", f.read())
    return m.group(1) if m else "0.1.0"


def tenant(tid, **extra):
    t = {"id": tid, "api_key_sha256": H.sha256_hex(KEYS[tid]), "provider": "sandbox",
         "time_zone": "Australia/Sydney", "locale": "en-AU", "country": "AU", "ai_booking": True}
    t.update(extra)
    return t


def standard_tenants():
    # demo gets a generous rate limit so that the suite's own request bursts never meet it.
    return [
        tenant("demo", rate_limit={"per_second": 1000, "burst": 2000}),
        tenant("off", ai_booking=False),
        tenant("sydonly", locations=[SYDNEY], default_location=SYDNEY,
               rate_limit={"per_second": 1000, "burst": 2000}),
        tenant("slow", rate_limit={"per_second": 2, "burst": 3}),
    ]


def setUpModule():
    global CATALOG, SYDNEY, SERVER, REDIS
    H.require_bin()
    if not os.path.exists(H.DEMO_CLINIC_PATH):
        raise RuntimeError("missing %s" % H.DEMO_CLINIC_PATH)
    CATALOG = H.Catalog(H.demo_clinic())
    syd = CATALOG.sydney_location()
    if syd is None:
        raise RuntimeError("the demo clinic has no Sydney location; the sydonly tenant needs one")
    SYDNEY = str(syd["id"])
    REDIS = H.Redis().start()
    try:
        SERVER = H.Frontdesk({"tenants": standard_tenants()}, REDIS).start()
    except Exception:
        REDIS.close()
        raise


def tearDownModule():
    H.shut_down(SERVER, REDIS)


class Case(unittest.TestCase):
    """Assertions shared by every case."""

    server = None  # defaults to the shared SERVER

    @property
    def srv(self):
        return self.server or SERVER

    def call(self, method, path, body=None, key=None, headers=None, srv=None):
        r = (srv or self.srv).request(method, path, body, headers, key)
        self.assertNoCrash(r, method, path)
        return r

    def post(self, path, body=None, key="demo", headers=None, srv=None):
        return self.call("POST", path, body, KEYS.get(key, key) if key else None, headers, srv)

    def get(self, path, key=None, headers=None, srv=None):
        return self.call("GET", path, None, KEYS.get(key, key) if key else None, headers, srv)

    def assertNoCrash(self, r, method="", path=""):
        self.assertNotEqual(r.status, 500, "%s %s answered 500: %r" % (method, path, r))
        if r.status >= 400 and method != "HEAD":  # HEAD answers carry no body
            self.assertTrue(r.is_json, "%s %s: error %d is not JSON: %r" % (method, path, r.status, r))

    def assertError(self, r, status, code, field=None, message=None):
        """r is the JSON error {"error": {"code", "request_id", "message", "field"}} with this status, code and
        field, and the request id of its X-Request-Id header."""
        self.assertEqual(r.status, status, r)
        self.assertTrue(r.is_json, "error is not JSON: %r (content-type %r)" % (r, r.header("content-type")))
        self.assertIsInstance(r.body, dict, r)
        self.assertEqual(set(r.body), {"error"}, r)
        err = r.body["error"]
        self.assertEqual(set(err), {"code", "request_id", "message", "field"}, r)
        self.assertEqual(err["request_id"], r.header("x-request-id"), r)
        self.assertEqual(err["code"], code, r)
        self.assertIsInstance(err["message"], str)
        self.assertTrue(err["message"].strip(), "empty error message: %r" % r)
        self.assertEqual(err["field"], field, r)
        if message is not None:
            self.assertEqual(err["message"], message, r)
        return err

    def assertRetryAfter(self, r):
        value = r.header("retry-after")
        self.assertIsNotNone(value, "no Retry-After on %r" % r)
        self.assertRegex(value, r"^[0-9]+$")
        self.assertGreaterEqual(int(value), 1)
        self.assertLessEqual(int(value), 60)

    def assertOk(self, r, key):
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.is_json, r)
        self.assertIn(key, r.body, r)
        self.assertIsInstance(r.body[key], list, r)
        return r.body[key]


# ---- command line ----------------------------------------------------------------------------------------------

class CommandLine(Case):
    def test_version(self):
        p = H.run_cli("--version")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), "frontdesk %s" % project_version())

    def test_help(self):
        p = H.run_cli("--help")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("--config", p.stdout)
        self.assertIn("hash-key", p.stdout)

    def test_hash_key_prints_sha256(self):
        for key in (KEYS["demo"], "k", "a key with spaces", "ключ-🔑"):
            p = H.run_cli("hash-key", key)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout, H.sha256_hex(key) + "\n", key)

    def test_no_arguments_is_a_usage_error(self):
        p = H.run_cli()
        self.assertNotEqual(p.returncode, 0)
        self.assertGreater(p.returncode, 0, "killed by a signal")
        self.assertIn("--config", p.stderr)


# ---- config validation -------------------------------------------------------------------------------------------

class BadConfig(Case):
    """A bad config exits with status 2 before serving, naming the offending field on stderr."""

    def run_config(self, text):
        d = H._tempdir("fd-it-config-")
        try:
            path = os.path.join(d, "config.json")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text if isinstance(text, str) else json.dumps(text))
            return H.run_cli("--config", path, timeout=10)
        finally:
            H._rmtree(d)

    def base(self):
        return {"listen": {"address": "127.0.0.1", "port": H.free_port()}, "workers": 1,
                "redis": "127.0.0.1:1", "tenants": [tenant("demo")]}

    def assertRefused(self, config, field):
        p = self.run_config(config)
        self.assertEqual(p.returncode, 2, "exit %s; stderr: %s" % (p.returncode, p.stderr))
        self.assertIn(field + ":", p.stderr, "stderr does not name %s: %r" % (field, p.stderr))
        return p

    def test_missing_tenants(self):
        c = self.base()
        del c["tenants"]
        self.assertRefused(c, "tenants")

    def test_empty_tenants(self):
        c = self.base()
        c["tenants"] = []
        self.assertRefused(c, "tenants")

    def test_tenants_file_missing(self):
        c = self.base()
        c["tenants"] = "no-such-tenants.json"
        self.assertRefused(c, "tenants")

    def test_missing_redis(self):
        c = self.base()
        del c["redis"]
        self.assertRefused(c, "redis")

    def test_port_out_of_range(self):
        c = self.base()
        c["listen"]["port"] = 70000
        self.assertRefused(c, "listen.port")

    def test_port_not_a_number(self):
        c = self.base()
        c["listen"]["port"] = "8080"
        self.assertRefused(c, "listen.port")

    def test_unknown_log_level(self):
        c = self.base()
        c["log_level"] = "loud"
        self.assertRefused(c, "log_level")

    def test_unknown_provider(self):
        c = self.base()
        c["tenants"][0]["provider"] = "no-such-emr"
        self.assertRefused(c, "tenants[0].provider")

    def test_bad_digest(self):
        for digest in ("abc", "g" * 64, H.sha256_hex("x") + "0"):
            c = self.base()
            c["tenants"][0]["api_key_sha256"] = digest
            p = self.assertRefused(c, "tenants[0].api_key_sha256")
            self.assertIn("64 hex", p.stderr)

    def test_duplicate_tenant_id(self):
        c = self.base()
        twin = tenant("off")
        twin["id"] = "demo"
        c["tenants"].append(twin)
        self.assertRefused(c, "tenants[1].id")

    def test_unknown_default_location(self):
        c = self.base()
        c["tenants"][0]["default_location"] = "no-such-location"
        self.assertRefused(c, "tenants[0].default_location")

    def test_unknown_location_in_list(self):
        c = self.base()
        c["tenants"][0]["locations"] = [CATALOG.location_ids[0], "no-such-location"]
        self.assertRefused(c, "tenants[0].locations[1]")

    def test_default_location_outside_allowed(self):
        others = [i for i in CATALOG.location_ids if i != SYDNEY]
        if not others:
            self.skipTest("the demo clinic has one location")
        c = self.base()
        c["tenants"][0]["locations"] = [SYDNEY]
        c["tenants"][0]["default_location"] = others[0]
        self.assertRefused(c, "tenants[0].default_location")

    def test_bad_json(self):
        for text in ('{"listen": ', '{"tenants": []} trailing', ""):
            p = self.run_config(text)
            self.assertEqual(p.returncode, 2, "%r: exit %s; stderr: %s" % (text, p.returncode, p.stderr))
            self.assertTrue(p.stderr.strip(), "no message for %r" % text)

    def test_config_file_missing(self):
        p = H.run_cli("--config", "/nonexistent/frontdesk-it.json", timeout=10)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertTrue(p.stderr.strip())


# ---- health -----------------------------------------------------------------------------------------------------

class Health(Case):
    def test_healthz(self):
        r = self.get("/healthz")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, {"status": "ok"})
        self.assertEqual(r.header("content-type").split(";")[0], "application/json")

    def test_readyz(self):
        r = self.get("/readyz")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, {"status": "ready"})

    def test_head_on_probes(self):
        """Uptime monitors probe with HEAD; RFC 9110 section 9.1: a server supports HEAD wherever it supports GET."""
        for path, status in (("/healthz", 200), ("/readyz", 200)):
            r = self.call("HEAD", path)
            self.assertEqual(r.status, status, "HEAD %s: %r (Allow: %r)" % (path, r, r.header("allow")))
            self.assertEqual(r.raw, b"")

    def test_health_needs_no_key_and_ignores_a_bad_one(self):
        self.assertEqual(self.get("/healthz", key=UNKNOWN_KEY).status, 200)
        self.assertEqual(self.get("/readyz", key=UNKNOWN_KEY).status, 200)


# ---- routing -----------------------------------------------------------------------------------------------------

def openapi_paths():
    with open(os.path.join(H.SOURCE_DIR, "openapi", "openapi.yaml"), encoding="utf-8") as f:
        return [m.group(1) for m in (re.match(r"^  (/[^:\s]*):\s*$", line) for line in f) if m]


class Routing(Case):
    def test_unknown_route_is_json_404(self):
        for method, path in (("GET", "/no/such/route"), ("POST", "/ai_brain/fetchNothing"), ("GET", "/"),
                             ("DELETE", "/ai_brain"), ("POST", "/ai_brain/fetchAllStaffX")):
            r = self.call(method, path, key=KEYS["demo"])
            self.assertError(r, 404, "not_found")

    def test_every_openapi_path_is_routed(self):
        paths = openapi_paths()
        self.assertGreaterEqual(len(paths), 5, "openapi.yaml lists too few paths: %r" % paths)
        for path in paths:
            if path.startswith("/ghl/{token}/"):
                continue  # a wrong token is a 404 by design (test_clinicsync_sandbox routes the real tokens)
            for method in ("GET", "POST"):
                r = self.call(method, path, {} if method == "POST" else None)
                # the route table's own 404 (a routed path may answer 404 too: /widget/demo without a demo key)
                is_unknown = r.status == 404 and isinstance(r.body, dict) and \
                    r.body.get("error", {}).get("message") == "There is no such route."
                self.assertFalse(is_unknown, "%s %s is in openapi.yaml but the server does not know it: %r"
                                 % (method, path, r))

    def test_post_on_get_routes_is_405(self):
        for path in ("/healthz", "/readyz"):
            r = self.call("POST", path, {})
            self.assertError(r, 405, "method_not_allowed")
            allow = [m.strip() for m in (r.header("allow") or "").split(",")]
            self.assertIn("GET", allow, r.header("allow"))
            self.assertNotIn("POST", allow)

    def test_get_on_ai_brain_routes_is_405(self):
        for path in AI_ROUTES:
            for method in ("GET", "PUT", "DELETE"):
                r = self.call(method, path, key=KEYS["demo"])
                self.assertError(r, 405, "method_not_allowed")
                allow = [m.strip() for m in (r.header("allow") or "").split(",")]
                self.assertIn("POST", allow, "%s %s: Allow %r" % (method, path, r.header("allow")))
                self.assertNotIn(method, allow)


# ---- auth ------------------------------------------------------------------------------------------------------

class Auth(Case):
    def test_missing_key_is_401(self):
        for path in AI_ROUTES:
            self.assertError(self.post(path, {}, key=None), 401, "unauthorized", "x-api-key")

    def test_unknown_key_is_401(self):
        for key in (UNKNOWN_KEY, KEYS["demo"].upper(), KEYS["demo"] + " ", H.sha256_hex(KEYS["demo"])):
            for path in AI_ROUTES:
                self.assertError(self.post(path, {}, key=key), 401, "unauthorized", "x-api-key")

    def test_empty_key_is_401(self):
        r = self.call("POST", STAFF, {}, headers={"x-api-key": ""})
        self.assertError(r, 401, "unauthorized", "x-api-key")

    def test_auth_comes_before_body_parsing(self):
        r = self.post(STAFF, "{not json", key=None)
        self.assertError(r, 401, "unauthorized", "x-api-key")

    def test_key_header_name_is_case_insensitive(self):
        r = self.call("POST", STAFF, {}, headers={"X-API-Key": KEYS["demo"]})
        self.assertOk(r, "staff")

    def test_booking_not_enabled(self):
        for path in AI_ROUTES:
            r = self.post(path, {}, key="off")
            self.assertError(r, 403, "booking_not_enabled", None, NOT_ENABLED_MESSAGE)


# ---- catalog -----------------------------------------------------------------------------------------------------

def _str(v):
    return None if v is None else str(v)


class Catalog(Case):
    def check_location(self, got, loc):
        self.assertLessEqual({"id", "name", "address", "phone", "time_zone", "booking_url"}, set(got), got)
        self.assertIsInstance(got["id"], str)
        self.assertEqual(got["id"], str(loc["id"]))
        self.assertEqual(got["name"], loc.get("name"))
        addr = loc.get("address") or {}
        self.assertLessEqual({"line1", "city", "region", "postal_code", "country"}, set(got["address"]), got)
        for k in ("line1", "city", "region", "postal_code", "country"):
            self.assertEqual(got["address"][k], addr.get(k), "%s address.%s" % (loc["id"], k))
        for k in ("phone", "time_zone", "booking_url"):
            self.assertEqual(got[k], loc.get(k), "%s.%s" % (loc["id"], k))

    def check_staff(self, got, p):
        for k in ("id", "name", "first_name", "last_name", "email", "disciplines", "treatment_ids",
                  "location_ids", "ai_enabled"):
            self.assertIn(k, got, got)
        self.assertIsInstance(got["id"], str)
        self.assertEqual(got["id"], str(p["id"]))
        self.assertEqual(got["first_name"], p.get("first_name"))
        self.assertEqual(got["last_name"], p.get("last_name"))
        self.assertIsInstance(got["name"], str)
        self.assertIn(p["first_name"], got["name"])
        self.assertIn(p["last_name"], got["name"])
        self.assertEqual(got["email"], p.get("email"))
        self.assertEqual(sorted(got["disciplines"]), sorted(p.get("disciplines") or []), p["id"])
        self.assertIs(got["ai_enabled"], bool(p.get("ai_enabled", True)), p["id"])
        for k in ("treatment_ids", "location_ids"):
            self.assertTrue(all(isinstance(x, str) for x in got[k]), got[k])
            self.assertEqual(len(got[k]), len(set(got[k])), "duplicates in %s: %r" % (k, got[k]))
        self.assertEqual(set(got["location_ids"]), CATALOG.staff_locations(p), p["id"])
        self.assertEqual(set(got["treatment_ids"]), CATALOG.staff_treatments(p), p["id"])

    def check_treatment(self, got, t):
        self.assertLessEqual({"id", "name", "duration_minutes", "price", "staff_ids", "location_ids"}, set(got), got)
        self.assertIsInstance(got["id"], str)
        self.assertEqual(got["id"], str(t["id"]))
        self.assertEqual(got["name"], t["name"])
        self.assertIsInstance(got["duration_minutes"], int)
        self.assertEqual(got["duration_minutes"], t["duration_minutes"])
        self.assertEqual(set(got["price"]), {"amount", "currency"})
        self.assertIsInstance(got["price"]["amount"], (int, float))
        self.assertAlmostEqual(got["price"]["amount"], t["price"]["amount"], places=6)
        self.assertEqual(got["price"]["currency"], t["price"]["currency"])
        for k in ("staff_ids", "location_ids"):
            self.assertTrue(all(isinstance(x, str) for x in got[k]), got[k])
        self.assertEqual(set(got["staff_ids"]), CATALOG.treatment_staff(t), t["id"])
        self.assertEqual(set(got["location_ids"]), CATALOG.treatment_locations(t), t["id"])

    def check_staff_list(self, staff, location_id):
        expected = {str(p["id"]): p for p in CATALOG.staff_at(location_id)}
        ids = [s["id"] for s in staff]
        self.assertEqual(len(ids), len(set(ids)), "duplicate staff: %r" % ids)
        self.assertEqual(set(ids), set(expected), "staff at %s" % location_id)
        for s in staff:
            self.check_staff(s, expected[s["id"]])

    def check_treatment_list(self, treatments, location_id):
        expected = {str(t["id"]): t for t in CATALOG.treatments_at(location_id)}
        ids = [t["id"] for t in treatments]
        self.assertEqual(len(ids), len(set(ids)), "duplicate treatments: %r" % ids)
        self.assertEqual(set(ids), set(expected), "treatments at %s" % location_id)
        for t in treatments:
            self.check_treatment(t, expected[t["id"]])

    def test_locations_all(self):
        got = self.assertOk(self.post(LOCATIONS, {}), "locations")
        self.assertEqual([l["id"] for l in got], CATALOG.location_ids, "all the clinic's locations, in order")
        for g, loc in zip(got, CATALOG.locations):
            self.check_location(g, loc)

    def test_locations_of_a_restricted_key(self):
        got = self.assertOk(self.post(LOCATIONS, {}, key="sydonly"), "locations")
        self.assertEqual([l["id"] for l in got], [SYDNEY])

    def test_staff_at_default_location(self):
        staff = self.assertOk(self.post(STAFF, {}), "staff")
        self.assertTrue(staff, "no staff at the default location")
        self.check_staff_list(staff, CATALOG.location_ids[0])

    def test_staff_at_each_location(self):
        for lid in CATALOG.location_ids:
            for name in ("locationId", "location_id"):
                staff = self.assertOk(self.post(STAFF, {name: lid}), "staff")
                self.check_staff_list(staff, lid)

    def test_treatments_at_default_location(self):
        treatments = self.assertOk(self.post(TREATMENTS, {}), "treatments")
        self.assertTrue(treatments, "no treatments at the default location")
        self.check_treatment_list(treatments, CATALOG.location_ids[0])

    def test_treatments_at_each_location(self):
        for lid in CATALOG.location_ids:
            for name in ("locationId", "location_id"):
                treatments = self.assertOk(self.post(TREATMENTS, {name: lid}), "treatments")
                self.check_treatment_list(treatments, lid)

    def test_locations_differ_in_staff_when_the_clinic_says_so(self):
        by_location = {lid: {str(p["id"]) for p in CATALOG.staff_at(lid)} for lid in CATALOG.location_ids}
        if len(set(map(frozenset, by_location.values()))) < 2:
            self.skipTest("every location of the demo clinic has the same staff")
        for lid, expected in by_location.items():
            got = {s["id"] for s in self.assertOk(self.post(STAFF, {"locationId": lid}), "staff")}
            self.assertEqual(got, expected)

    def test_restricted_key_defaults_to_its_location(self):
        self.check_staff_list(self.assertOk(self.post(STAFF, {}, key="sydonly"), "staff"), SYDNEY)
        self.check_treatment_list(self.assertOk(self.post(TREATMENTS, {}, key="sydonly"), "treatments"), SYDNEY)
        staff = self.assertOk(self.post(STAFF, {"locationId": SYDNEY}, key="sydonly"), "staff")
        self.check_staff_list(staff, SYDNEY)

    def test_restricted_key_may_not_use_other_locations(self):
        others = [i for i in CATALOG.location_ids if i != SYDNEY]
        if not others:
            self.skipTest("the demo clinic has one location")
        for path in (STAFF, TREATMENTS):
            for lid in others:
                self.assertError(self.post(path, {"locationId": lid}, key="sydonly"), 403, "location_forbidden",
                                 "locationId")
                r = self.post(path, {"location_id": lid}, key="sydonly")
                self.assertEqual(r.status, 403, r)
                self.assertEqual(r.body["error"]["code"], "location_forbidden")
                self.assertIn(r.body["error"]["field"], ("location_id", "locationId"))

    def test_unknown_location_is_forbidden(self):
        for path in (STAFF, TREATMENTS):
            for key in ("demo", "sydonly"):
                r = self.post(path, {"locationId": "no-such-location-42"}, key=key)
                self.assertError(r, 403, "location_forbidden", "locationId")

    def test_location_id_of_wrong_type(self):
        for path in (STAFF, TREATMENTS):
            for value in (True, ["x"], {"id": CATALOG.location_ids[0]}, "", 1.5):
                self.assertError(self.post(path, {"locationId": value}), 400, "invalid_field", "locationId")
            self.assertError(self.post(path, {"location_id": False}), 400, "invalid_field", "location_id")

    def test_integer_location_id_is_an_id_or_refused(self):
        # An integer is either refused as not a string, or read as the ID "42" (that no location has).
        for name in ("locationId", "location_id"):
            r = self.post(STAFF, {name: 42})
            self.assertIn(r.status, (400, 403), r)
            self.assertError(r, r.status, "invalid_field" if r.status == 400 else "location_forbidden", name)

    def test_same_answer_under_concurrency(self):
        first = self.post(STAFF, {}).body
        results, errors = [], []

        def worker():
            try:
                r = SERVER.request("POST", STAFF, {}, None, KEYS["demo"])
                results.append((r.status, r.body))
            except Exception as e:  # collected and reported below
                errors.append(e)

        threads = [threading.Thread(target=worker) for _ in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(15)
        self.assertEqual(errors, [])
        self.assertEqual(len(results), 24)
        for status, body in results:
            self.assertEqual(status, 200, body)
            self.assertEqual(body, first)


# ---- bodies, media types, limits ------------------------------------------------------------------------------

class Bodies(Case):
    def test_invalid_json(self):
        for text in ('{"locationId": ', '{"a":1}}', "{} x", '{"a":1} {"b":2}', "nul", "\x00{}", "{a:1}",
                     '{"a": tru}'):
            for path in AI_ROUTES:
                r = self.post(path, text)
                self.assertEqual(r.status, 400, "%s %r: %r" % (path, text, r))
                self.assertError(r, 400, "invalid_json")

    def test_json_extensions_refused(self):
        """RFC 8259 only: what lenient parsers accept (quotes, commas, NaN, comments, raw controls) is 400."""
        accepted = []
        for text in ("{'locationId': 'loc'}", '{"a": 1,}', '{"a": [1,]}', '{"a": NaN}', '{"a": Infinity}',
                     '{"a": 01}', '{"a": 1 /* note */}', '{"a": "\x01"}', b'{"a": "\xff"}'):
            r = self.post(STAFF, text)
            if r.status != 400:
                accepted.append((text, r.status))
            else:
                self.assertError(r, 400, "invalid_json")
        self.assertEqual(accepted, [], "non-JSON bodies accepted")

    def test_body_not_an_object(self):
        for text in ("[]", "[{}]", '"{}"', "42", "null", "true"):
            self.assertError(self.post(STAFF, text), 400, "invalid_json")

    def test_empty_body_counts_as_empty_object(self):
        expected = self.assertOk(self.post(STAFF, {}), "staff")
        for headers in ({"Content-Type": "application/json"}, {}, {"Content-Type": "application/x-www-form-urlencoded"}):
            r = self.call("POST", STAFF, b"", key=KEYS["demo"], headers=headers)
            self.assertEqual(self.assertOk(r, "staff"), expected, headers)
        r = self.call("POST", STAFF, "  \r\n ", key=KEYS["demo"])
        self.assertEqual(self.assertOk(r, "staff"), expected)

    def test_json_media_types_accepted(self):
        body = json.dumps({"locationId": SYDNEY})
        for ctype in ("application/json", "application/json; charset=utf-8", "Application/JSON",
                      "application/vnd.api+json", "application/x-www-form-urlencoded"):
            r = self.call("POST", STAFF, body, key=KEYS["demo"], headers={"Content-Type": ctype})
            staff = self.assertOk(r, "staff")
            self.assertEqual({s["id"] for s in staff}, {str(p["id"]) for p in CATALOG.staff_at(SYDNEY)}, ctype)

    def test_other_media_types_refused(self):
        for ctype in ("text/plain", "application/xml", "multipart/form-data; boundary=x", "text/json"):
            r = self.call("POST", STAFF, "{}", key=KEYS["demo"], headers={"Content-Type": ctype})
            self.assertError(r, 415, "unsupported_media_type")

    def test_real_form_body_is_refused(self):
        r = self.call("POST", STAFF, "locationId=" + SYDNEY, key=KEYS["demo"],
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertIn(r.status, (400, 415), r)
        self.assertIn(r.body["error"]["code"], ("invalid_json", "unsupported_media_type"))

    def test_body_limit_is_64_kib(self):
        at_limit = "{}" + " " * (65536 - 2)
        self.assertOk(self.post(STAFF, at_limit), "staff")
        self.assertError(self.post(STAFF, at_limit + " "), 413, "body_too_large")
        self.assertError(self.post(STAFF, {"pad": "x" * 200000}), 413, "body_too_large")

    def test_huge_body_is_json_413(self):
        """A body far above any buffer (4 MiB) still gets the JSON 413, not a bare one or a reset."""
        size = 4 << 20
        s = socket.create_connection(("127.0.0.1", SERVER.port), timeout=10)
        data = b""
        try:
            s.sendall(("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       "x-api-key: %s\r\nContent-Length: %d\r\n\r\n" % (STAFF, KEYS["demo"], size)).encode())
            chunk = b" " * 65536
            try:
                for _ in range(size // len(chunk)):
                    s.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may answer and close before reading everything: allowed
            try:
                while b"\r\n\r\n" not in data or len(data) < data.find(b"\r\n\r\n") + 4 + _content_length(data):
                    got = s.recv(65536)
                    if not got:
                        break
                    data += got
            except (ConnectionResetError, socket.timeout):
                pass
        finally:
            s.close()
        self.assertTrue(data, "no answer to a 4 MiB body")
        head, _, body = data.partition(b"\r\n\r\n")
        self.assertRegex(head.split(b"\r\n")[0].decode("latin-1"), r"^HTTP/1\.[01] 413 ")
        self.assertIn(b"application/json", head.lower(), "413 is not JSON: %r" % data[:300])
        err = json.loads(body[:_content_length(data) or len(body)].decode())["error"]
        self.assertEqual(err["code"], "body_too_large")

    def test_query_limit_is_8_kib(self):
        for path, key in (("/healthz", None), (STAFF, "demo")):
            method = "GET" if key is None else "POST"
            ok = self.call(method, path + "?q=" + "x" * (8192 - 2), {} if key else None, KEYS.get(key))
            self.assertEqual(ok.status, 200, "%s with an 8 KiB query: %r" % (path, ok))
            long = self.call(method, path + "?q=" + "x" * (8192 - 1), {} if key else None, KEYS.get(key))
            self.assertError(long, 414, "uri_too_long")
            longer = self.call(method, path + "?q=" + "x" * 20000, {} if key else None, KEYS.get(key))
            self.assertError(longer, 414, "uri_too_long")


def _content_length(data):
    m = re.search(rb"(?im)^content-length:\s*([0-9]+)\s*$", data.partition(b"\r\n\r\n")[0])
    return int(m.group(1)) if m else 0


# ---- keep-alive ----------------------------------------------------------------------------------------------------

class KeepAlive(Case):
    def test_errors_keep_the_connection_open(self):
        conn = SERVER.connection()
        try:
            first = H.exchange(conn, "GET", "/no/such/route")
            self.assertError(first, 404, "not_found")
            self.assertFalse(first.will_close, "a 404 closed the connection")
            sock = conn.sock
            self.assertIsNotNone(sock)
            steps = [
                ("POST", STAFF, {}, {}, 401),
                ("POST", STAFF, "{bad", {"x-api-key": KEYS["demo"]}, 400),
                ("POST", STAFF, "{}", {"x-api-key": KEYS["demo"], "Content-Type": "text/plain"}, 415),
                ("POST", STAFF, "{}" + " " * 70000, {"x-api-key": KEYS["demo"]}, 413),
                ("GET", STAFF, None, {"x-api-key": KEYS["demo"]}, 405),
                ("POST", STAFF, {}, {"x-api-key": KEYS["off"]}, 403),
                ("GET", "/healthz", None, {}, 200),
                ("POST", STAFF, {}, {"x-api-key": KEYS["demo"]}, 200),
            ]
            for method, path, body, headers, status in steps:
                r = H.exchange(conn, method, path, body, headers)
                self.assertEqual(r.status, status, "%s %s: %r" % (method, path, r))
                self.assertIs(conn.sock, sock, "the connection was reopened before %s %s" % (method, path))
                self.assertFalse(r.will_close, "%d closed the connection" % status)
        finally:
            conn.close()


# ---- rate limit ------------------------------------------------------------------------------------------------------

class RateLimit(Case):
    def test_burst_then_429_then_recovery(self):
        time.sleep(2.0)  # a full bucket (burst 3 refills at 2/s)
        statuses = []
        for _ in range(10):
            r = self.post(STAFF, {}, key="slow")
            statuses.append(r.status)
            if r.status == 429:
                self.assertError(r, 429, "rate_limited")
                self.assertRetryAfter(r)
            else:
                self.assertEqual(r.status, 200, r)
        self.assertEqual(statuses[:3], [200, 200, 200], statuses)
        self.assertGreaterEqual(statuses.count(429), 5, statuses)
        # another key is not affected
        self.assertOk(self.post(STAFF, {}, key="demo"), "staff")
        time.sleep(1.6)
        self.assertOk(self.post(STAFF, {}, key="slow"), "staff")

    def test_workers_lease_the_rate_in_batches(self):
        # demo: 1,000/s, burst 2,000, so a worker leases 20 tokens at a time (rate_limit.h). The bucket in Redis
        # (the only HSET of a warm fetchAllStaff) is charged for every request, once per lease.
        self.assertOk(self.post(STAFF, {}, key="demo"), "staff")
        REDIS.command("CONFIG", "RESETSTAT")
        for _ in range(100):
            self.assertOk(self.post(STAFF, {}, key="demo"), "staff")
        stats = REDIS.command("INFO", "commandstats")
        leases = int(stats.split("cmdstat_hset:calls=")[1].split(",")[0]) if "cmdstat_hset:" in stats else 0
        self.assertGreaterEqual(leases, 5, "100 requests cannot fit in fewer than 5 leases of 20")
        self.assertLessEqual(leases, 50, "Redis was asked for most requests: %d leases" % leases)


# ---- logs --------------------------------------------------------------------------------------------------------------

class Logs(Case):
    def test_one_json_line_per_request(self):
        before = len(SERVER.request_logs())
        self.post(STAFF, {"locationId": SYDNEY})
        self.get("/healthz")
        self.post(STAFF, {}, key=None)
        self.call("GET", "/no/such/route")
        deadline = time.monotonic() + 3
        while len(SERVER.request_logs()) < before + 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(len(SERVER.request_logs()), before + 4)
        for line, obj in SERVER.log_lines():
            self.assertIsInstance(obj, dict, "stderr line is not a JSON object: %r" % line)

    def test_request_line_fields(self):
        self.post(STAFF, {"locationId": SYDNEY}, key="sydonly")
        rec = SERVER.wait_for_log(lambda r: r.get("route") == STAFF and r.get("tenant") == "sydonly")
        self.assertIsNotNone(rec, "no log line for the request")
        self.assertEqual(rec["status"], 200)
        self.assertIsInstance(rec["duration_ms"], (int, float))
        self.assertGreaterEqual(rec["duration_ms"], 0)
        self.assertLess(rec["duration_ms"], 10000)
        self.post(LOCATIONS, {}, key=UNKNOWN_KEY)
        rec = SERVER.wait_for_log(lambda r: r.get("route") == LOCATIONS and r.get("status") == 401)
        self.assertIsNotNone(rec, "no log line for the 401")
        self.assertIn("tenant", rec)
        self.assertIsNone(rec["tenant"])

    def test_no_keys_queries_or_personal_data_in_logs(self):
        marker = "it-query-marker-0451"
        for name, key in KEYS.items():
            self.post(STAFF, {"locationId": SYDNEY}, key=name)
            self.call("POST", STAFF + "?phone=%2B61400000000&q=" + marker, {"locationId": SYDNEY}, key)
        self.post(STAFF, {}, key=UNKNOWN_KEY)
        self.get("/healthz?" + marker)
        time.sleep(0.2)
        text = SERVER.stderr()
        for secret in list(KEYS.values()) + [UNKNOWN_KEY, marker, "61400000000"]:
            self.assertNotIn(secret, text)
        for p in CATALOG.practitioners:
            if p.get("email"):
                self.assertNotIn(p["email"], text)
            self.assertNotIn('"%s"' % p["last_name"], text)


# ---- separate servers -----------------------------------------------------------------------------------------------

class RedisRestart(Case):
    """Redis goes away under a running server and comes back empty on the same port."""

    @classmethod
    def setUpClass(cls):
        cls.redis = H.Redis().start()
        try:
            cls.server = H.Frontdesk({"tenants": standard_tenants()}, cls.redis).start()
        except Exception:
            cls.redis.close()
            raise

    @classmethod
    def tearDownClass(cls):
        problem = cls.server.stop_problem()
        cls.server.close()
        cls.redis.close()
        if problem:
            raise AssertionError(problem)

    def test_outage_and_recovery(self):
        before = self.assertOk(self.post(STAFF, {}), "staff")
        self.assertEqual(self.get("/readyz").status, 200)

        self.redis.stop(hard=True)
        t0 = time.monotonic()
        r = self.get("/readyz")
        self.assertError(r, 503, "redis_unavailable")
        self.assertRetryAfter(r)
        for path in AI_ROUTES:
            r = self.post(path, {})
            self.assertError(r, 503, "redis_unavailable")
            self.assertRetryAfter(r)
        self.assertLess(time.monotonic() - t0, 8, "answers while Redis is down are too slow")
        self.assertEqual(self.get("/healthz").status, 200, "healthz must not depend on Redis")
        self.assertError(self.post(STAFF, {}, key=None), 401, "unauthorized", "x-api-key")

        self.redis.start()
        t0 = time.monotonic()
        while self.get("/readyz").status != 200:
            self.assertLess(time.monotonic() - t0, 4.0, "readyz still 503 4 s after Redis came back")
            time.sleep(0.1)
        took = time.monotonic() - t0
        # Redis came back empty: the sandbox clinic must be seeded again, without restarting frontdesk.
        r = self.post(STAFF, {})
        self.assertEqual(r.status, 200, "fetchAllStaff after Redis came back (ready after %.1f s): %r" % (took, r))
        self.assertEqual(r.body["staff"], before)
        self.assertEqual(self.post(LOCATIONS, {}).body["locations"], self.post(LOCATIONS, {}).body["locations"])
        self.assertOk(self.post(TREATMENTS, {"locationId": SYDNEY}), "treatments")

    def test_flushed_redis_is_reseeded(self):
        before = self.assertOk(self.post(TREATMENTS, {}), "treatments")
        self.redis.command("FLUSHALL")
        self.assertEqual(self.assertOk(self.post(TREATMENTS, {}), "treatments"), before)


class RedisDownAtStart(Case):
    def test_starts_without_redis_and_recovers(self):
        """frontdesk starts while Redis is down (e.g. both just launched), answers 503, then serves once it is up."""
        redis = H.Redis()  # port chosen, not started yet
        server = H.Frontdesk({"tenants": [tenant("demo")]}, redis).start(ready=False)
        try:
            self.assertEqual(self.get("/healthz", srv=server).status, 200)
            r = self.get("/readyz", srv=server)
            self.assertError(r, 503, "redis_unavailable")
            self.assertRetryAfter(r)
            r = self.post(STAFF, {}, srv=server)
            self.assertError(r, 503, "redis_unavailable")
            self.assertRetryAfter(r)
            redis.start()
            t0 = time.monotonic()
            while self.get("/readyz", srv=server).status != 200:
                self.assertLess(time.monotonic() - t0, 6.0, "readyz still 503 6 s after Redis came up")
                time.sleep(0.1)
            staff = self.assertOk(self.post(STAFF, {}, srv=server), "staff")
            self.assertEqual({s["id"] for s in staff},
                             {str(p["id"]) for p in CATALOG.staff_at(CATALOG.location_ids[0])})
        finally:
            problem = server.stop_problem()
            server.close()
            redis.close()
        self.assertIsNone(problem)


class RedisUnixSocket(Case):
    def test_socket_path_and_unix_prefix(self):
        redis = H.Redis(unix_socket=True).start()
        try:
            for address in (redis.socket_path, "unix:" + redis.socket_path):
                server = H.Frontdesk({"redis": address, "tenants": [tenant("demo")]}).start()
                try:
                    self.assertEqual(self.get("/readyz", srv=server).status, 200, address)
                    got = self.assertOk(self.post(LOCATIONS, {}, srv=server), "locations")
                    self.assertEqual([l["id"] for l in got], CATALOG.location_ids)
                finally:
                    problem = server.stop_problem()
                    server.close()
                self.assertIsNone(problem)
        finally:
            redis.close()


class TenantsFileAndClinicFile(Case):
    """tenants as a file named relative to the config's folder; a tenant with its own clinic file."""

    def test_tenants_file(self):
        clinic = copy.deepcopy(CATALOG.clinic)
        clinic["locations"][0]["name"] = "Frontdesk IT Renamed Clinic"
        redis = H.Redis().start()
        server = None
        try:
            clinic_path = os.path.join(H._tempdir("fd-it-clinic-"), "clinic.json")
            with open(clinic_path, "w", encoding="utf-8") as f:
                json.dump(clinic, f)
            tenants = [tenant("demo", provider_settings={"clinic_file": clinic_path}), tenant("off", ai_booking=False)]
            server = H.Frontdesk({"tenants": "tenants.json"}, redis, files={"tenants.json": tenants}).start()
            got = self.assertOk(self.post(LOCATIONS, {}, srv=server), "locations")
            self.assertEqual(got[0]["name"], "Frontdesk IT Renamed Clinic")
            self.assertEqual([l["id"] for l in got], CATALOG.location_ids)
            self.assertError(self.post(LOCATIONS, {}, key="off", srv=server), 403, "booking_not_enabled")
            self.assertError(self.post(LOCATIONS, {}, key="sydonly", srv=server), 401, "unauthorized", "x-api-key")
        finally:
            if server is not None:
                problem = server.stop_problem()
                server.close()
                self.assertIsNone(problem)
            redis.close()
            H._rmtree(os.path.dirname(clinic_path))


class GracefulStop(Case):
    def test_sigterm_and_sigint_exit_zero(self):
        redis = H.Redis().start()
        try:
            for sig in (signal.SIGTERM, signal.SIGINT):
                server = H.Frontdesk({"tenants": [tenant("demo")]}, redis).start()
                self.assertOk(self.post(STAFF, {}, srv=server), "staff")
                conn = server.connection()  # an idle keep-alive connection must not hold the stop up
                H.exchange(conn, "GET", "/healthz")
                problem = server.stop_problem(sig)
                conn.close()
                self.assertIsNone(problem)
                with self.assertRaises(OSError):
                    H.request(server.port, "GET", "/healthz", timeout=1)
                server.close()
        finally:
            redis.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
