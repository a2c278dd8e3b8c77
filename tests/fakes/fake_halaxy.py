#!/usr/bin/env python3
"""tests/fakes/fake_halaxy.py: a fake Halaxy FHIR R4 API (https://au-api.halaxy.com/main) for tests.

Behaves like the real one as far as the research and the vendor's example payloads tell, and where they are silent
it takes the reading least kind to a client (each such choice is marked "unknown:" below):
- OAuth2 client credentials: POST /main/oauth/token with a JSON body {grant_type, client_id, client_secret}
  answers {"token_type": "Bearer", "expires_in": 3600, "access_token": ...} (the example answer's 3600) while the
  token really dies after 15 minutes (the documentation's text); a bad client is 401 {"error": "invalid_client"}.
  Every other route wants "Authorization: Bearer <live token>", else 401 with an OperationOutcome (code login).
- Resources are FHIR R4 JSON (application/fhir+json): Organization (clinics "CL-...", a practice group "OG-..."),
  Practitioner and PractitionerRole ("PR-..."), HealthcareService (duration and allow-online-booking extensions),
  Patient and Appointment (numeric string ids). References are absolute URLs.
- Searches answer Bundles paged with page/_count and link[relation=next] (absolute URLs on this server).
- Appointment/$find?start=&end=&duration=[&practitioner-role=] proposes the free times of each role: every day
  08:00-18:00 in the clinic zone (Australia/Sydney, with its DST changes), every `duration` minutes, after now.
- Appointment/$book takes a FHIR Parameters body (appt-resource, patient-id, healthcare-service-id, location-type,
  status) and answers 201 with the Appointment. unknown: whether it refuses a taken time; it does not here.
- PATCH Appointment/<id> must be application/merge-patch+json (else 415); arrays are replaced whole (RFC 7386).
  Cancelling sets the patient participant's appointment-participant-status modifierExtension to "cancelled"; the
  appointment's own status stays "booked" (unknown: a real one may change it too).
- Patient search: unknown which parameters Halaxy has; this fake takes FHIR's email, family, given, birthdate and
  phone, and ignores unknown parameters as FHIR servers do.
- Errors are OperationOutcome {"resourceType": "OperationOutcome", "issue": [{"severity", "code", "diagnostics"}]}.
- Rate limit: 500 requests a minute per OAuth client, sliding window; x-ratelimit-limit/-remaining on answers; over
  it, 429 with retry-after (seconds) and an OperationOutcome (code throttled).

Test controls (no auth), the suite's common vocabulary: POST /__control with any of
  {"delay_ms", "fail_status", "fail_count" (default: every request), "retry_after", "rate_limit": n per minute,
   "lose_answer": n ($book writes committed whose connection is then closed unanswered), "revoke": bool,
   "page_size_cap": n, "reset": true}
plus {"token_ttl": s (tokens die after s seconds and expires_in says s), "expire_tokens": true, "reset_stats": true}.
GET /__stats -> {"total", "requests": {"GET /main/Patient": n}, "token_requests", "unauthorized", "writes"}
GET /__state -> {"appointments": [{"id", "staff_id", "start_ms", "cancelled"}]}

CLI: python3 fake_halaxy.py --port P --client-id ID --client-secret SECRET (prints "ready <port>" when listening).
"""
import argparse
import datetime as dt
import json
import os
import re
import secrets
import socket
import sys
import threading
import time
import urllib.parse
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "it"))
import clock  # noqa: E402  (the suite's clock, pinned or not)
from fake_http import FakeHandler, serve  # noqa: E402

ZONE = ZoneInfo("Australia/Sydney")
TERMINOLOGY = "https://terminology.halaxy.com/StructureDefinition/"
STATUS_EXT = TERMINOLOGY + "appointment-participant-status"
DEFAULT_RATE = 500
OPEN_HOUR, CLOSE_HOUR = 8, 18


def iso_local(t):
    return t.astimezone(ZONE).isoformat(timespec="seconds")


def parse_instant(s):
    if not isinstance(s, str):
        raise ValueError("not a string")
    t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise ValueError("no offset")
    return t.astimezone(dt.timezone.utc)


def outcome(code, text, severity="error"):
    return {"resourceType": "OperationOutcome", "issue": [{"severity": severity, "code": code, "diagnostics": text}]}


def ref_id(ref, kind):
    """The id of a reference of type kind (relative or absolute), or None."""
    if not isinstance(ref, dict) or not isinstance(ref.get("reference"), str):
        return None
    m = re.search(r"(?:^|/)%s/([A-Za-z0-9_-]+)$" % kind, ref["reference"])
    return m.group(1) if m else None


class State:
    def __init__(self):
        self.lock = threading.RLock()
        self.seed()
        self.reset_controls()
        self.reset_stats()

    def reset_controls(self):
        self.delay_ms = 0
        self.fail_status = 0
        self.fail_count = -1
        self.retry_after = None
        self.rate_limit = DEFAULT_RATE
        self.window = []  # instants (s) of the requests of the last minute
        self.lose_answer = 0
        self.revoked = False
        self.page_size_cap = 0
        self.token_ttl = 15 * 60

    def reset_stats(self):
        self.total = 0
        self.requests = {}
        self.token_requests = 0
        self.unauthorized = 0
        self.writes = []

    def seed(self):
        self.tokens = {}  # token -> expiry (s)
        self.next_number = 900000000
        self.orgs = {
            "CL-100001": {"name": "Harbour Physio Sydney", "line": "12 George Street", "city": "Sydney",
                          "state": "NSW", "postalCode": "2000", "phone": "+61290001000"},
            "CL-100002": {"name": "Harbour Physio Parramatta", "line": "3 Church Street", "city": "Parramatta",
                          "state": "NSW", "postalCode": "2150", "phone": "+61290002000"},
            "OG-10001": {"name": "Harbour Physio Group", "group": True},
        }
        self.practitioners = {
            "PR-1000001": {"given": "Sarah", "family": "Lee", "prefix": "Dr", "active": True},
            "PR-1000002": {"given": "Tom", "family": "Nguyen", "prefix": None, "active": True},
            "PR-1000003": {"given": "Olive", "family": "Retired", "prefix": None, "active": False},
        }
        self.services = {
            "558363": {"name": "Initial Consultation", "minutes": 60, "online": True},
            "558364": {"name": "Follow-up", "minutes": 30, "online": True},
            "558365": {"name": "Staff Meeting", "minutes": 45, "online": False},
        }
        self.roles = {
            "PR-2000001": {"practitioner": "PR-1000001", "org": "CL-100001", "services": ["558363", "558364"]},
            "PR-2000002": {"practitioner": "PR-1000002", "org": "CL-100001", "services": ["558363", "558365"]},
            "PR-2000003": {"practitioner": "PR-1000001", "org": "CL-100002", "services": ["558364"]},
            "PR-2000004": {"practitioner": "PR-1000003", "org": "CL-100001", "services": ["558363"]},
        }
        self.patients = {
            "12345678": {"given": "Peter", "family": "Patientman", "phone": "+61412345678",
                         "email": "peter@example.com", "birthDate": "2001-05-26"},
            "12345679": {"given": "Paula", "family": "Patientman", "phone": "+61498765432",
                         "email": "paula@example.com", "birthDate": "1990-01-02"},
        }
        self.appointments = {}
        # Paula already sees Tom tomorrow at 10:00 (clinic time): one busy time in the seeded diary.
        day = clock.today(ZONE) + dt.timedelta(days=1)
        start = dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=ZONE)
        self.add_appointment("PR-2000002", "12345679", "558363", start, start + dt.timedelta(minutes=60))

    def number(self):
        self.next_number += 1
        return str(self.next_number)

    def add_appointment(self, role, patient, service, start, end):
        aid = self.number()
        self.appointments[aid] = {"id": aid, "role": role, "patient": patient, "service": service,
                                  "start": start.astimezone(dt.timezone.utc), "end": end.astimezone(dt.timezone.utc),
                                  "status": "booked", "patient_status": "booked", "description": None}
        return self.appointments[aid]

    def cancelled(self, a):
        return a["status"] == "cancelled" or a["patient_status"] == "cancelled"


STATE = State()
CLIENT_ID, CLIENT_SECRET = "it-halaxy-client", "it-halaxy-secret"


class Handler(FakeHandler):
    server_version = "FakeHalaxy/1.0"

    # ---- plumbing ---------------------------------------------------------------------------------------------
    def base(self):
        return "http://%s/main" % (self.headers.get("Host") or "127.0.0.1")

    def ref(self, kind, rid):
        return {"reference": "%s/%s/%s" % (self.base(), kind, rid), "type": kind}

    def send(self, status, body=None, headers=None, ctype="application/fhir+json"):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if data:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if data:
            self.wfile.write(data)

    def dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path, urllib.parse.parse_qs(url.query, keep_blank_values=True)
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n > 0 else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = ValueError
        if path == "/__control" and method == "POST":
            return self.control(body if isinstance(body, dict) else {})
        if path == "/__stats" and method == "GET":
            with STATE.lock:
                return self.send(200, {"total": STATE.total, "requests": STATE.requests, "writes": STATE.writes,
                                       "token_requests": STATE.token_requests, "unauthorized": STATE.unauthorized},
                                 ctype="application/json")
        if path == "/__state" and method == "GET":
            with STATE.lock:
                return self.send(200, {"appointments": [
                    {"id": a["id"], "staff_id": STATE.roles[a["role"]]["practitioner"],
                     "start_ms": int(a["start"].timestamp() * 1000), "cancelled": STATE.cancelled(a)}
                    for a in STATE.appointments.values()]}, ctype="application/json")
        with STATE.lock:
            STATE.total += 1
            key = "%s %s" % (method, re.sub(r"/(\d+|[A-Z]{2}-\d+)$", "/{id}", path))
            STATE.requests[key] = STATE.requests.get(key, 0) + 1
            delay = STATE.delay_ms
        if delay:
            time.sleep(delay / 1000.0)
        with STATE.lock:
            limited = self.rate_limited()
            if limited:
                return limited
            if STATE.fail_status and STATE.fail_count != 0:
                if STATE.fail_count > 0:
                    STATE.fail_count -= 1
                hdrs = {"retry-after": str(STATE.retry_after)} if STATE.retry_after is not None else {}
                code = "throttled" if STATE.fail_status == 429 else "transient"
                return self.send(STATE.fail_status, outcome(code, "injected failure"), hdrs)
            if path == "/main/oauth/token" and method == "POST":
                return self.token(body)
            if not self.authorized():
                STATE.unauthorized += 1
                return self.send(401, outcome("login", "The access token is missing, invalid or expired"),
                                 {"WWW-Authenticate": 'Bearer error="invalid_token"'})
            if not path.startswith("/main/"):
                return self.send(404, outcome("not-found", "Unknown resource type"))
            if body is ValueError:
                return self.send(400, outcome("invalid", "The body is not JSON"))
            try:
                return self.route(method, path[5:], query, body)
            except (BrokenPipeError, ConnectionResetError):
                return None
            except Exception as e:  # a bug in the fake: make it loud
                sys.stderr.write("fake_halaxy error: %r\n" % (e,))
                return self.send(500, outcome("exception", "fake error"))

    def rate_limited(self):
        now = clock.now_s()
        STATE.window = [t for t in STATE.window if t > now - 60]
        if len(STATE.window) >= STATE.rate_limit:
            wait = max(1, int(STATE.window[0] + 60 - now + 0.999))
            return self.send(429, outcome("throttled", "Too many requests"),
                             {"retry-after": str(wait), "x-ratelimit-limit": str(STATE.rate_limit),
                              "x-ratelimit-remaining": "0"})
        STATE.window.append(now)
        return None

    def authorized(self):
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Bearer "):
            return False
        exp = STATE.tokens.get(auth[7:])
        return exp is not None and exp > clock.now_s() and not STATE.revoked

    def token(self, body):
        STATE.token_requests += 1
        if not isinstance(body, dict) or body.get("grant_type") != "client_credentials":
            return self.send(400, {"error": "unsupported_grant_type"}, ctype="application/json")
        if body.get("client_id") != CLIENT_ID or body.get("client_secret") != CLIENT_SECRET or STATE.revoked:
            return self.send(401, {"error": "invalid_client", "error_description": "Client authentication failed"},
                             ctype="application/json")
        tok = secrets.token_hex(24)
        STATE.tokens[tok] = clock.now_s() + STATE.token_ttl
        reported = 3600 if STATE.token_ttl == 15 * 60 else STATE.token_ttl
        return self.send(200, {"token_type": "Bearer", "expires_in": reported, "access_token": tok},
                         ctype="application/json")

    def control(self, c):
        with STATE.lock:
            if c.get("reset"):
                STATE.seed()
                STATE.reset_controls()
            if c.get("reset_stats"):
                STATE.reset_stats()
            for k, attr in (("delay_ms", "delay_ms"), ("fail_status", "fail_status"), ("fail_count", "fail_count"),
                            ("retry_after", "retry_after"), ("rate_limit", "rate_limit"),
                            ("lose_answer", "lose_answer"), ("page_size_cap", "page_size_cap"),
                            ("token_ttl", "token_ttl")):
                if k in c:
                    setattr(STATE, attr, c[k] if c[k] is not None else 0)
            if "rate_limit" in c and not c["rate_limit"]:
                STATE.rate_limit = DEFAULT_RATE
            if "fail_status" in c and "fail_count" not in c:
                STATE.fail_count = -1
            if "revoke" in c:
                STATE.revoked = bool(c["revoke"])
            if c.get("expire_tokens"):
                STATE.tokens = {}
        self.send(200, {"ok": True}, ctype="application/json")

    # ---- paging -----------------------------------------------------------------------------------------------
    def bundle(self, resources, query, path):
        try:
            count = int((query.get("_count") or ["30"])[0])
            page = int((query.get("page") or ["1"])[0])
        except ValueError:
            return self.send(400, outcome("invalid", "page and _count must be integers"))
        if count < 1 or page < 1:
            return self.send(400, outcome("invalid", "page and _count must be positive"))
        count = min(count, 100, STATE.page_size_cap or 100)
        chunk = resources[(page - 1) * count: page * count]
        params = [(k, x) for k, vs in query.items() if k != "page" for x in vs]

        def url(p):
            return self.base() + path + "?" + urllib.parse.urlencode(params + [("page", p)])
        links = [{"relation": "self", "url": url(page)}]
        if page * count < len(resources):
            links.append({"relation": "next", "url": url(page + 1)})
        return self.send(200, {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
                               "link": links, "entry": [{"fullUrl": self.base() + "/%s/%s" % (r["resourceType"],
                                                                                              r.get("id", "")),
                                                         "resource": r} for r in chunk]})

    # ---- renderers --------------------------------------------------------------------------------------------
    def r_org(self, oid, o):
        out = {"resourceType": "Organization", "id": oid, "active": True, "name": o["name"]}
        if not o.get("group"):
            out["address"] = [{"line": [o["line"]], "city": o["city"], "state": o["state"],
                               "postalCode": o["postalCode"], "country": "AU"}]
            out["telecom"] = [{"system": "phone", "value": o["phone"]}]
            out["partOf"] = self.ref("Organization", "OG-10001")
        return out

    def r_practitioner(self, pid, p):
        name = {"use": "official", "given": [p["given"]], "family": p["family"]}
        if p["prefix"]:
            name["prefix"] = [p["prefix"]]
        return {"resourceType": "Practitioner", "id": pid, "active": p["active"], "name": [name]}

    def r_role(self, rid, r):
        return {"resourceType": "PractitionerRole", "id": rid, "active": True,
                "practitioner": self.ref("Practitioner", r["practitioner"]),
                "organization": self.ref("Organization", r["org"]),
                "healthcareService": [self.ref("HealthcareService", s) for s in r["services"]]}

    def r_service(self, sid, s):
        return {"resourceType": "HealthcareService", "id": sid, "active": True, "name": s["name"], "comment": None,
                "extension": [
                    {"url": TERMINOLOGY + "healthcare-service-duration",
                     "valueQuantity": {"value": s["minutes"], "unit": "minute"}},
                    {"url": TERMINOLOGY + "healthcare-service-allow-online-booking", "valueBoolean": s["online"]},
                    {"url": TERMINOLOGY + "healthcare-service-max-patients", "valueInteger": 1}]}

    def r_patient(self, pid, p):
        tel = [{"system": "sms", "value": p["phone"], "use": "mobile"}] if p.get("phone") else []
        if p.get("email"):
            tel.append({"system": "email", "value": p["email"]})
        out = {"resourceType": "Patient", "id": pid, "active": True,
               "name": [{"use": "official", "given": [p["given"]], "family": p["family"]}], "telecom": tel}
        if p.get("birthDate"):
            out["birthDate"] = p["birthDate"]
        return out

    def r_appt(self, a):
        status_ext = {"url": STATUS_EXT, "valueCodeableConcept": {"coding": [
            {"system": "https://au-api.halaxy.com/presets/CodeSystem/appointment-participant-status",
             "code": a["patient_status"]}]}}
        return {"resourceType": "Appointment", "id": a["id"], "status": a["status"],
                "start": iso_local(a["start"]), "end": iso_local(a["end"]),
                "minutesDuration": int((a["end"] - a["start"]).total_seconds() // 60),
                "description": a["description"],
                "participant": [{"actor": self.ref("PractitionerRole", a["role"])},
                                {"actor": self.ref("Patient", a["patient"]), "modifierExtension": [status_ext]},
                                {"actor": self.ref("HealthcareService", a["service"])}]}

    # ---- routes -----------------------------------------------------------------------------------------------
    def route(self, method, p, q, body):
        S = STATE
        if method == "GET":
            lists = {"/Organization": lambda: [self.r_org(k, v) for k, v in S.orgs.items()],
                     "/Practitioner": lambda: [self.r_practitioner(k, v) for k, v in S.practitioners.items()],
                     "/PractitionerRole": lambda: [self.r_role(k, v) for k, v in S.roles.items()],
                     "/HealthcareService": lambda: [self.r_service(k, v) for k, v in S.services.items()]}
            if p in lists:
                return self.bundle(lists[p](), q, p)
            if p == "/Patient":
                return self.bundle([self.r_patient(k, v) for k, v in S.patients.items() if self.patient_matches(v, q)],
                                   q, p)
            if p == "/Appointment/$find":
                return self.find(q)
            if p == "/Appointment":
                return self.search_appointments(q)
            m = re.fullmatch(r"/(Patient|Appointment)/([A-Za-z0-9_-]+)", p)
            if m:
                if m[1] == "Patient" and m[2] in S.patients:
                    return self.send(200, self.r_patient(m[2], S.patients[m[2]]))
                if m[1] == "Appointment" and m[2] in S.appointments:
                    return self.send(200, self.r_appt(S.appointments[m[2]]))
            return self.send(404, outcome("not-found", "Resource not found"))
        S.writes.append({"method": method, "path": "/main" + p, "body": body})
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if method == "POST" and p == "/Patient":
            return self.create_patient(body)
        if method == "POST" and p == "/Appointment/$book":
            return self.book(body)
        m = re.fullmatch(r"/Appointment/([A-Za-z0-9_-]+)", p)
        if m and method == "PATCH":
            if ctype != "application/merge-patch+json":
                return self.send(415, outcome("not-supported", "PATCH takes application/merge-patch+json"))
            return self.patch_appointment(m[1], body)
        return self.send(405 if m else 404, outcome("not-supported", "Operation not supported"))

    def patient_matches(self, v, q):
        def one(name):
            vals = q.get(name)
            return vals[0].lower() if vals else None
        email, family, given, dob, phone = one("email"), one("family"), one("given"), one("birthdate"), one("phone")
        if email and (v.get("email") or "").lower() != email:
            return False
        if family and not v["family"].lower().startswith(family):  # FHIR string search: starts-with
            return False
        if given and not v["given"].lower().startswith(given):
            return False
        if dob and v.get("birthDate") != dob:
            return False
        if phone and re.sub(r"\D", "", v.get("phone") or "") != re.sub(r"\D", "", phone):
            return False
        return True

    def date_ok(self, a, q):
        for d in q.get("date", []):
            m = re.fullmatch(r"(ge|gt|le|lt|eq)?(.+)", d)
            try:
                t = parse_instant(m[2])
            except ValueError:
                raise ValueError("bad date")
            op = m[1] or "eq"
            s = a["start"]
            if not {"ge": s >= t, "gt": s > t, "le": s <= t, "lt": s < t, "eq": s == t}[op]:
                return False
        return True

    def search_appointments(self, q):
        S = STATE
        items = []
        try:
            for a in sorted(S.appointments.values(), key=lambda a: (a["start"], a["id"])):
                if q.get("patient") and a["patient"] != q["patient"][0]:
                    continue
                if q.get("practitioner-role") and a["role"] != q["practitioner-role"][0]:
                    continue
                if self.date_ok(a, q):
                    items.append(self.r_appt(a))
        except ValueError:
            return self.send(400, outcome("invalid", "date must be an instant with an offset"))
        return self.bundle(items, q, "/Appointment")

    def busy(self, practitioner):
        return [a for a in STATE.appointments.values()
                if STATE.roles[a["role"]]["practitioner"] == practitioner and not STATE.cancelled(a)]

    def find(self, q):
        S = STATE
        try:
            start, end = parse_instant(q["start"][0]), parse_instant(q["end"][0])
            minutes = int(q["duration"][0])
        except (KeyError, ValueError):
            return self.send(400, outcome("required", "start, end (instants) and duration (minutes) are required"))
        if minutes < 1 or end <= start or end - start > dt.timedelta(days=62):
            return self.send(400, outcome("invalid", "The time range or duration is not valid"))
        roles = q.get("practitioner-role")
        if roles and roles[0] not in S.roles:
            return self.send(404, outcome("not-found", "PractitionerRole not found"))
        now = clock.now(dt.timezone.utc)
        step = dt.timedelta(minutes=minutes)
        out = []
        for rid in ([roles[0]] if roles else sorted(S.roles)):
            role = S.roles[rid]
            if not S.practitioners[role["practitioner"]]["active"]:
                continue
            busy = self.busy(role["practitioner"])
            day = start.astimezone(ZONE).date()
            while day <= end.astimezone(ZONE).date():
                s = dt.datetime(day.year, day.month, day.day, OPEN_HOUR, 0, tzinfo=ZONE)
                close = dt.datetime(day.year, day.month, day.day, CLOSE_HOUR, 0, tzinfo=ZONE)
                while s + step <= close:
                    su = s.astimezone(dt.timezone.utc)
                    eu = su + step
                    if su >= start and eu <= end and su > now and \
                            not any(b["start"] < eu and su < b["end"] for b in busy):
                        out.append({"resourceType": "Appointment", "status": "proposed", "start": iso_local(su),
                                    "end": iso_local(eu), "minutesDuration": minutes,
                                    "participant": [{"actor": self.ref("PractitionerRole", rid)}]})
                    s = (su + step).astimezone(ZONE)
                day += dt.timedelta(days=1)
        out.sort(key=lambda r: r["start"])
        return self.bundle(out, q, "/Appointment/$find")

    def create_patient(self, body):
        if not isinstance(body, dict) or body.get("resourceType") != "Patient":
            return self.send(400, outcome("invalid", "A Patient resource is required"))
        names = body.get("name") or [{}]
        family, given = names[0].get("family"), (names[0].get("given") or [None])[0]
        if not family or not given:
            return self.send(422, outcome("required", "Patient.name needs a family and a given name"))
        tel = {t.get("system"): t.get("value") for t in body.get("telecom") or [] if isinstance(t, dict)}
        phone = tel.get("sms") or tel.get("phone")
        if phone and not re.fullmatch(r"\+\d{6,15}", phone):  # Halaxy keeps +{cc}{number}, no spaces
            return self.send(422, outcome("value", "telecom phone must be +{country code}{number}"))
        pid = STATE.number()
        STATE.patients[pid] = {"given": given, "family": family, "phone": phone, "email": tel.get("email"),
                               "birthDate": body.get("birthDate")}
        return self.send(201, self.r_patient(pid, STATE.patients[pid]),
                         {"Location": self.base() + "/Patient/" + pid})

    def book(self, body):
        S = STATE
        if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
            return self.send(400, outcome("invalid", "A Parameters resource is required"))
        params = {p.get("name"): p for p in body.get("parameter") or [] if isinstance(p, dict)}
        appt = (params.get("appt-resource") or {}).get("resource")
        if not isinstance(appt, dict):
            return self.send(422, outcome("required", "appt-resource is required"))
        try:
            start, end = parse_instant(appt.get("start")), parse_instant(appt.get("end"))
        except ValueError:
            return self.send(422, outcome("value", "start and end must be instants with an offset"))
        role = next((ref_id(p.get("actor"), "PractitionerRole") for p in appt.get("participant") or []
                     if ref_id(p.get("actor"), "PractitionerRole")), None)
        patient = ref_id((params.get("patient-id") or {}).get("valueReference"), "Patient")
        service = ref_id((params.get("healthcare-service-id") or {}).get("valueReference"), "HealthcareService")
        if role not in S.roles or end <= start:
            return self.send(422, outcome("invalid", "The practitioner role or the times are not valid"))
        if patient not in S.patients:
            return self.send(404, outcome("not-found", "Patient not found"))
        if service not in S.services or service not in S.roles[role]["services"]:
            return self.send(422, outcome("business-rule", "The practitioner does not offer this service"))
        status = (params.get("status") or {}).get("valueCode", "booked")
        a = S.add_appointment(role, patient, service, start, end)
        a["status"] = status
        if S.lose_answer > 0:  # committed, but the answer never reaches the client
            S.lose_answer -= 1
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return None
        return self.send(201, self.r_appt(a), {"Location": self.base() + "/Appointment/" + a["id"]})

    def patch_appointment(self, aid, body):
        S = STATE
        a = S.appointments.get(aid)
        if a is None:
            return self.send(404, outcome("not-found", "Appointment not found"))
        if not isinstance(body, dict):
            return self.send(400, outcome("invalid", "A merge-patch object is required"))
        allowed = {"start", "end", "minutesDuration", "participant", "description", "status"}
        if set(body) - allowed:
            return self.send(422, outcome("not-supported", "These fields cannot be changed: %s"
                                          % ", ".join(sorted(set(body) - allowed))))
        new = dict(a)
        try:
            if "start" in body:
                new["start"] = parse_instant(body["start"])
            if "end" in body:
                new["end"] = parse_instant(body["end"])
        except ValueError:
            return self.send(422, outcome("value", "start and end must be instants with an offset"))
        if new["end"] <= new["start"]:
            return self.send(422, outcome("invalid", "end must be after start"))
        if "participant" in body:  # merge-patch: the array is replaced whole
            parts = body["participant"]
            roles = [ref_id(p.get("actor"), "PractitionerRole") for p in parts or [] if isinstance(p, dict)]
            pats = [p for p in parts or [] if isinstance(p, dict) and ref_id(p.get("actor"), "Patient")]
            roles = [r for r in roles if r]
            if len(roles) != 1 or roles[0] not in S.roles or len(pats) != 1 or \
                    ref_id(pats[0].get("actor"), "Patient") != a["patient"]:
                return self.send(422, outcome("invalid", "participant must keep the patient and one practitioner"))
            new["role"] = roles[0]
            code = "booked"
            for ext in pats[0].get("modifierExtension") or []:
                if ext.get("url") == STATUS_EXT:
                    code = ((ext.get("valueCodeableConcept") or {}).get("coding") or [{}])[0].get("code", code)
            new["patient_status"] = code
        if "description" in body:
            new["description"] = body["description"]
        if "status" in body:
            new["status"] = body["status"]
        a.update(new)
        return self.send(200, self.r_appt(a))


def main():
    global CLIENT_ID, CLIENT_SECRET
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--client-id", default=CLIENT_ID)
    ap.add_argument("--client-secret", default=CLIENT_SECRET)
    args = ap.parse_args()
    CLIENT_ID, CLIENT_SECRET = args.client_id, args.client_secret
    serve(Handler, args.port)


if __name__ == "__main__":
    main()
