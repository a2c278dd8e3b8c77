#!/usr/bin/env python3
"""tests/fakes/fake_cliniko.py: a fake Cliniko API (https://api.<shard>.cliniko.com/v1) for tests.

Behaves like the real one as far as research/emr_apis.md and the vendor fixtures tell:
- HTTP Basic auth with the API key as user name and an empty password; anything else is 401 (JSON body).
- A request without a User-Agent is refused with 403: Cliniko says requests without one "may be blocked";
  the exact status is undocumented, 403 is our reading (documented here, counted in /__stats).
- IDs are int64 values sent as JSON strings, above 2**53 (they do not survive a double).
- Related records are link objects ({"links": {"self": ".../practitioners/123"}}).
- Lists page with page/per_page (default 50, more than 100 is a 400), total_entries and links.next.
- available_times: from/to are dates in the account's zone, at most 7 days apart, not before today
  (else 400 "Invalid time frame definition..." as text); a business x practitioner x type not enabled for
  online bookings answers 404 with an EMPTY body; times reflect existing appointments.
- No double-booking protection: creating over an existing appointment succeeds; /conflicts says so.
- Cancel is PATCH .../cancel with a cancellation_reason code (422 without), answering 204; DELETE is 204.
- Updates accept PATCH (the OpenAPI verb) and PUT (the 2022 docs' verb).
- Validation errors are 422 {"errors": {...}, "message": "Validation Failed"}; an unknown patient_id on
  appointment create is a 500 (as reported in Cliniko's issue #215).
- Rate limit: past rate_limit_per_minute requests in a fixed minute window, 429 with X-RateLimit-Reset.

Test controls (no auth), the vocabulary every fake in tests/fakes/ shares: POST /__control with any of
  {"delay_ms": n, "fail_status": code, "fail_count": n (default: every request), "fail_path": "substring",
   "retry_after": secs (header on failures), "garbage": bool, "oversize": bool,
   "rate_limit_per_minute" or "rate_limit": n (Cliniko's own limit: 429 with X-RateLimit-Reset, its window's end),
   "lose_answer": n (the next n appointment creates are committed, then the connection closes unanswered),
   "revoke": bool (the API key stops working: 401 as Cliniko answers a revoked key),
   "page_size_cap": n (pages silently shorter), "reset": true (seed data again), "reset_stats": true,
   "seed_practitioners": n (extra practitioners for paging tests)}
GET /__stats -> {"total": n, "requests": {"GET /v1/path": n}, "writes": [{"method", "path", "body"}], ...}
GET /__state -> {"appointments": [{"id", "staff_id", "start_ms", "cancelled"}]}: what the account holds.

Opening hours: 09:00-17:00 on weekdays in the account's zone, or --hours HH:MM-HH:MM and --every-day (a clinic
that works across a DST change); openings step by the type's duration in real (UTC) time, so a day with a DST
change has one opening more or fewer, never one in the skipped hour.

CLI: python3 fake_cliniko.py --port P --api-key KEY [--hours 00:00-24:00] [--every-day]   (prints "ready" when
listening; --port 0 picks one and prints "ready <port>").
"""
import argparse
import base64
import datetime as dt
import json
import os
import re
import socket
import sys
import threading
import time
import urllib.parse
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "it"))
import clock  # noqa: E402  (the suite's clock, pinned or not: Cliniko's "today" is the service's)
from fake_http import FakeHandler, serve  # noqa: E402

RAILS_ZONES = {
    "Eastern Time (US & Canada)": "America/New_York",
    "Pacific Time (US & Canada)": "America/Los_Angeles",
    "Melbourne": "Australia/Melbourne",
    "Sydney": "Australia/Sydney",
}
ACCOUNT_ZONE_LABEL = "Eastern Time (US & Canada)"
BIG = 1665207664587580000  # IDs above 2**53, like real Cliniko ones

BAD_TIMEFRAME = "Invalid time frame definition. Please check from/to param limitations."


def wall_instant(day, minute, zone):
    """The UTC instant of minute-of-day `minute` (1440: the next day's start) on local date `day`; a skipped wall
    time moves forward by the gap."""
    if minute >= 1440:
        day, minute = day + dt.timedelta(days=1), minute - 1440
    local = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zone)
    return local.astimezone(dt.timezone.utc).astimezone(zone).astimezone(dt.timezone.utc)


def iso(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(s):
    if not isinstance(s, str):
        raise ValueError("not a string")
    t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise ValueError("no offset")
    return t.astimezone(dt.timezone.utc)


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
        self.fail_path = ""
        self.retry_after = None
        self.garbage = False
        self.oversize = False
        self.rate_limit = 0
        self.window_start = 0
        self.window_count = 0
        self.page_size_cap = 0
        self.lose_answer = 0
        self.revoked = False

    def reset_stats(self):
        self.requests = {}
        self.total = 0
        self.writes = []
        self.user_agents = set()

    def next_id(self):
        self.id_counter += 1
        return str(self.id_counter)

    def seed(self):
        self.id_counter = BIG + 1000
        b1, b2, b3 = str(BIG + 1), str(BIG + 2), str(BIG + 3)
        p1, p2, p3 = str(BIG + 11), str(BIG + 12), str(BIG + 13)
        t1, t2, t3 = str(BIG + 21), str(BIG + 22), str(BIG + 23)
        self.businesses = {
            b1: {"id": b1, "business_name": "Healthy Times", "display_name": None, "address_1": "20 Smith Street",
                 "address_2": None, "city": "Smithytown", "state": "NY", "post_code": "10001", "country": "United States",
                 "country_code": "US", "show_in_online_bookings": True, "archived_at": None,
                 "appointment_type_ids": [t1, t2, t3]},
            b2: {"id": b2, "business_name": "Healthy Times Uptown", "display_name": "Uptown", "address_1": "1 Main St",
                 "address_2": None, "city": "Albany", "state": "NY", "post_code": "12207", "country": "United States",
                 "country_code": "US", "show_in_online_bookings": True, "archived_at": None,
                 "appointment_type_ids": [t1]},
            b3: {"id": b3, "business_name": "Back Office", "display_name": None, "address_1": None, "address_2": None,
                 "city": None, "state": None, "post_code": None, "country": None, "country_code": None,
                 "show_in_online_bookings": False, "archived_at": None, "appointment_type_ids": []},
        }
        self.practitioners = {
            p1: {"id": p1, "first_name": "Randy", "last_name": "Savage", "title": "Dr", "designation": "Osteopath",
                 "label": "Randy Savage", "show_in_online_bookings": True, "active": True},
            p2: {"id": p2, "first_name": "Sarah", "last_name": "Lee", "title": None, "designation": "Physiotherapist",
                 "label": "Sarah Lee", "show_in_online_bookings": True, "active": True},
            p3: {"id": p3, "first_name": "Owen", "last_name": "Offline", "title": None, "designation": "Massage",
                 "label": "Owen Offline", "show_in_online_bookings": False, "active": True},
        }
        # Cliniko keeps a practitioner's e-mail on its user (GET /users, /users/{id}), linked from the practitioner.
        u1, u2, u3 = str(BIG + 31), str(BIG + 32), str(BIG + 33)
        self.users = {
            u: {"id": u, "title": "", "first_name": p["first_name"], "last_name": p["last_name"], "email": e,
                "role": "practitioner", "time_zone": "Melbourne", "user_active": True,
                "created_at": "2014-01-29T09:54:54Z", "updated_at": "2014-04-29T00:00:56Z"}
            for u, p, e in ((u1, self.practitioners[p1], "randy.savage@healthytimes.example"),
                            (u2, self.practitioners[p2], "sarah.lee@healthytimes.example"),
                            (u3, self.practitioners[p3], "owen.offline@healthytimes.example"))}
        self.user_of = {p1: u1, p2: u2, p3: u3}  # practitioner -> user
        self.types = {
            t1: {"id": t1, "name": "Initial Consultation", "category": "Osteopathy", "duration_in_minutes": 60,
                 "show_in_online_bookings": True, "billable_item": "31", "archived_at": None},
            t2: {"id": t2, "name": "Follow-up", "category": "Osteopathy", "duration_in_minutes": 30,
                 "show_in_online_bookings": True, "billable_item": "32", "archived_at": None},
            t3: {"id": t3, "name": "Staff Meeting", "category": "Admin", "duration_in_minutes": 45,
                 "show_in_online_bookings": False, "billable_item": None, "archived_at": None},
        }
        self.billable = {"31": {"id": "31", "name": "Initial", "price": "120.50"},
                         "32": {"id": "32", "name": "Follow-up", "price": "85.00"}}
        self.works_at = {p1: [b1, b2], p2: [b1], p3: [b1]}  # practitioner -> businesses
        self.gives = {p1: [t1, t2], p2: [t1, t3], p3: [t2]}  # practitioner -> appointment types
        pa, pb = str(BIG + 101), str(BIG + 102)
        self.patients = {
            pa: {"id": pa, "first_name": "Peter", "last_name": "Patientman", "email": "peter@example.com",
                 "date_of_birth": "2001-05-26", "archived_at": None,
                 "patient_phone_numbers": [{"phone_type": "Mobile", "number": "0412 345 678"},
                                           {"phone_type": "Home", "number": "61399999999"}]},
            pb: {"id": pb, "first_name": "Paula", "last_name": "Patientman", "email": "paula@example.com",
                 "date_of_birth": "1990-01-02", "archived_at": None,
                 "patient_phone_numbers": [{"phone_type": "Mobile", "number": "+1 (555) 010-2000"}]},
        }
        self.appointments = {}

    def seed_practitioners(self, n):
        b1 = str(BIG + 1)
        t1 = str(BIG + 21)
        for i in range(n):
            pid = self.next_id()
            self.practitioners[pid] = {"id": pid, "first_name": "Extra%d" % i, "last_name": "Staff", "title": None,
                                       "designation": "Physio", "label": "Extra", "show_in_online_bookings": True,
                                       "active": True}
            self.works_at[pid] = [b1]
            self.gives[pid] = [t1]

    def account_zone(self):
        return ZoneInfo(RAILS_ZONES[ACCOUNT_ZONE_LABEL])


STATE = State()
API_KEY = "test-key-au1"
HOURS = (9 * 60, 17 * 60)  # opening hours, minutes of the local day [start, end)
EVERY_DAY = False  # open on weekends too


def link(base, path):
    return {"links": {"self": base + path}}


class Handler(FakeHandler):
    server_version = "FakeCliniko/1.0"

    # ---- plumbing -------------------------------------------------------------------------------------------
    def base(self):
        return "http://%s/v1" % (self.headers.get("Host") or "127.0.0.1")

    def send(self, status, body=None, headers=None, raw=None, ctype="application/json"):
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        self.send_response(status)
        if data or status not in (204,):
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def json_body(self, raw):
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        raw = self.read_body()
        if path == "/__control" and method == "POST":
            return self.control(self.json_body(raw) or {})
        if path == "/__stats" and method == "GET":
            with STATE.lock:
                return self.send(200, {"total": STATE.total, "requests": STATE.requests, "writes": STATE.writes,
                                       "user_agents": sorted(STATE.user_agents)})
        if path == "/__state" and method == "GET":
            with STATE.lock:
                return self.send(200, {"appointments": [
                    {"id": a["id"], "staff_id": a["practitioner_id"], "start_ms": int(a["starts_at"].timestamp() * 1000),
                     "cancelled": bool(a.get("cancelled_at"))} for a in STATE.appointments.values()]})
        with STATE.lock:
            STATE.total += 1
            key = "%s %s" % (method, path)
            STATE.requests[key] = STATE.requests.get(key, 0) + 1
            STATE.user_agents.add(self.headers.get("User-Agent") or "")
            delay = STATE.delay_ms
        if delay:
            time.sleep(delay / 1000.0)
        # auth first, like the real API
        auth = self.headers.get("Authorization") or ""
        ok = False
        if auth.startswith("Basic "):
            try:
                user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
                ok = user == API_KEY and pw == ""
            except Exception:
                ok = False
        with STATE.lock:
            ok = ok and not STATE.revoked
        if not ok:
            return self.send(401, {"message": "Unauthorized"}, {"WWW-Authenticate": 'Basic realm="Cliniko"'})
        if not self.headers.get("User-Agent"):
            return self.send(403, {"message": "A User-Agent header is required"})
        with STATE.lock:
            if STATE.rate_limit > 0:
                now = int(clock.now_s())
                if now >= STATE.window_start + 60:
                    STATE.window_start, STATE.window_count = now, 0
                STATE.window_count += 1
                if STATE.window_count > STATE.rate_limit:
                    return self.send(429, raw=b"", headers={"X-RateLimit-Reset": str(STATE.window_start + 60)})
            if STATE.fail_status and STATE.fail_count != 0 and STATE.fail_path in path:
                if STATE.fail_count > 0:
                    STATE.fail_count -= 1
                hdrs = {}
                if STATE.retry_after is not None:
                    hdrs["Retry-After"] = str(STATE.retry_after)
                if STATE.fail_status == 429:
                    hdrs["X-RateLimit-Reset"] = str(int(clock.now_s()) + 60)
                return self.send(STATE.fail_status, {"message": "injected failure"}, hdrs)
            if STATE.garbage:
                return self.send(200, raw=b"<html>Service temporarily unavailable</html>", ctype="text/html")
            if STATE.oversize:
                filler = "x" * (5 << 20)
                return self.send(200, raw=('{"businesses":[],"pad":"%s"}' % filler).encode())
            if not path.startswith("/v1/"):
                return self.send(404, {"status": "404", "error": "Not Found"})
            try:
                return self.route(method, path[3:], query, raw)
            except (BrokenPipeError, ConnectionResetError):
                return None  # the client gave up (a deadline, a cancel): nothing to answer
            except Exception as e:  # a bug in the fake: make it loud
                sys.stderr.write("fake_cliniko error: %r\n" % (e,))
                return self.send(500, {"message": "fake error"})

    def control(self, c):
        with STATE.lock:
            if c.get("reset"):
                STATE.seed()
                STATE.reset_controls()
            if c.get("reset_stats"):
                STATE.reset_stats()
            for k, attr in (("delay_ms", "delay_ms"), ("fail_status", "fail_status"), ("fail_count", "fail_count"),
                            ("fail_path", "fail_path"), ("retry_after", "retry_after"), ("garbage", "garbage"),
                            ("oversize", "oversize"), ("rate_limit_per_minute", "rate_limit"),
                            ("rate_limit", "rate_limit"), ("page_size_cap", "page_size_cap"),
                            ("lose_answer", "lose_answer"), ("revoke", "revoked")):
                if k in c:
                    setattr(STATE, attr, c[k])
            if "fail_status" in c and "fail_count" not in c:
                STATE.fail_count = -1
            if c.get("seed_practitioners"):
                STATE.seed_practitioners(int(c["seed_practitioners"]))
        self.send(200, {"ok": True})

    # ---- paging ----------------------------------------------------------------------------------------------
    def page(self, key, items, query, path):
        try:
            per_page = int((query.get("per_page") or ["50"])[0])
            page = int((query.get("page") or ["1"])[0])
        except ValueError:
            return self.send(400, {"message": "page and per_page must be integers"})
        if per_page < 1 or per_page > 100 or page < 1:
            return self.send(400, {"message": "per_page must be between 1 and 100"})
        size = min(per_page, STATE.page_size_cap) if STATE.page_size_cap else per_page
        chunk = items[(page - 1) * size: page * size]
        params = {k: v for k, v in query.items() if k != "page"}

        def url(p):
            q = urllib.parse.urlencode([(k, x) for k, vs in params.items() for x in vs] + [("page", p)])
            return self.base() + path + "?" + q

        links = {"self": url(page)}
        if page * size < len(items):
            links["next"] = url(page + 1)
        if page > 1:
            links["previous"] = url(page - 1)
        return self.send(200, {key: chunk, "total_entries": len(items), "links": links})

    # ---- renderers -------------------------------------------------------------------------------------------
    def r_business(self, b):
        base = self.base()
        out = dict(b)
        out.update({"created_at": "2013-03-26T14:00:00Z", "updated_at": "2013-03-26T14:00:00Z",
                    "practitioners": link(base, "/businesses/%s/practitioners" % b["id"]),
                    "links": {"self": base + "/businesses/" + b["id"]}})
        return out

    def r_practitioner(self, p):
        base = self.base()
        out = {k: v for k, v in p.items()}
        out.update({"description": None, "created_at": "2013-03-26T14:00:00Z",
                    "appointment_types": link(base, "/practitioners/%s/appointment_types" % p["id"]),
                    "user": link(base, "/users/" + STATE.user_of.get(p["id"], "1")),
                    "links": {"self": base + "/practitioners/" + p["id"]}})
        return out

    def r_user(self, u):
        out = dict(u)
        out["links"] = {"self": self.base() + "/users/" + u["id"]}
        return out

    def r_type(self, t):
        base = self.base()
        out = {k: v for k, v in t.items() if k != "billable_item"}
        out.update({"color": "#00FF00", "description": None, "max_attendees": 1,
                    "practitioners": link(base, "/appointment_types/%s/practitioners" % t["id"]),
                    "links": {"self": base + "/appointment_types/" + t["id"]}})
        if t["billable_item"]:
            out["billable_item"] = link(base, "/billable_items/" + t["billable_item"])
        return out

    def r_patient(self, p):
        base = self.base()
        out = dict(p)
        out.update({"address_1": "", "city": p.get("city") or "", "state": p.get("state") or "",
                    "country": p.get("country") or "", "created_at": "2013-03-26T14:00:00Z", "deleted_at": None,
                    "time_zone": None, "appointments": link(base, "/patients/%s/appointments" % p["id"]),
                    "links": {"self": base + "/patients/" + p["id"]}})
        return out

    def r_appt(self, a):
        base = self.base()
        return {
            "id": a["id"], "created_at": a["created_at"], "updated_at": a["updated_at"],
            "booking_ip_address": None, "cancellation_note": a.get("cancellation_note"),
            "cancellation_reason": a.get("cancellation_reason"),
            "cancellation_reason_description": "Other" if a.get("cancelled_at") else "",
            "conflicts": link(base, "/individual_appointments/%s/conflicts" % a["id"]),
            "did_not_arrive": a.get("did_not_arrive", False), "patient_arrived": a.get("patient_arrived", False),
            "notes": a.get("notes"), "patient_name": a["patient_name"], "deleted_at": None,
            "starts_at": iso(a["starts_at"]), "ends_at": iso(a["ends_at"]), "cancelled_at": a.get("cancelled_at"),
            "appointment_type": link(base, "/appointment_types/" + a["appointment_type_id"]),
            "business": link(base, "/businesses/" + a["business_id"]),
            "practitioner": link(base, "/practitioners/" + a["practitioner_id"]),
            "patient": link(base, "/patients/" + a["patient_id"]),
            "attendees": link(base, "/individual_appointments/%s/attendees" % a["id"]),
            "links": {"self": base + "/individual_appointments/" + a["id"]},
        }

    # ---- routes ----------------------------------------------------------------------------------------------
    def route(self, method, p, q, raw):
        S = STATE
        m = re.fullmatch
        if method == "GET":
            if p in ("/settings", "/settings/public"):
                return self.send(200, {"account": {"id": "123", "name": "Healthy Times", "country": "United States",
                                                   "country_code": "US", "time_zone": ACCOUNT_ZONE_LABEL,
                                                   "currency_symbol": "$", "subdomain": "example"},
                                       "online_bookings": {"enabled": True, "min_hours_advance_required_to_book": 2},
                                       "links": {"self": self.base() + p}})
            if p == "/user":
                return self.send(200, {"id": "1", "first_name": "John", "time_zone": "Melbourne",
                                       "links": {"self": self.base() + "/users/1"}})
            if p == "/users":
                return self.page("users", [self.r_user(u) for u in S.users.values()], q, p)
            r = m(r"/users/(\d+)", p)
            if r:
                u = S.users.get(r[1])
                return self.send(200, self.r_user(u)) if u else self.send(404, {"status": "404", "error": "Not Found"})
            if p == "/businesses":
                return self.page("businesses", [self.r_business(b) for b in S.businesses.values()], q, p)
            if p == "/practitioners":
                return self.page("practitioners", [self.r_practitioner(x) for x in S.practitioners.values()], q, p)
            if p == "/appointment_types":
                return self.page("appointment_types", [self.r_type(t) for t in S.types.values()], q, p)
            if p == "/billable_items":
                return self.page("billable_items", list(S.billable.values()), q, p)
            r = m(r"/businesses/(\d+)/practitioners", p)
            if r:
                if r[1] not in S.businesses:
                    return self.send(404, {"status": "404", "error": "Not Found"})
                items = [self.r_practitioner(x) for pid, x in S.practitioners.items() if r[1] in S.works_at.get(pid, [])]
                return self.page("practitioners", items, q, p)
            r = m(r"/appointment_types/(\d+)/practitioners", p)
            if r:
                if r[1] not in S.types:
                    return self.send(404, {"status": "404", "error": "Not Found"})
                items = [self.r_practitioner(x) for pid, x in S.practitioners.items() if r[1] in S.gives.get(pid, [])]
                return self.page("practitioners", items, q, p)
            r = m(r"/practitioners/(\d+)/appointment_types", p)
            if r:
                if r[1] not in S.practitioners:
                    return self.send(404, {"status": "404", "error": "Not Found"})
                return self.page("appointment_types", [self.r_type(S.types[t]) for t in S.gives.get(r[1], [])], q, p)
            r = m(r"/practitioners/(\d+)", p)
            if r:
                x = S.practitioners.get(r[1])
                return self.send(200, self.r_practitioner(x)) if x else self.send(404, {"status": "404", "error": "Not Found"})
            r = m(r"/businesses/(\d+)/practitioners/(\d+)/appointment_types/(\d+)/available_times", p)
            if r:
                return self.available_times(r[1], r[2], r[3], q, p)
            if p == "/patients":
                return self.page("patients", [self.r_patient(x) for x in self.filter(S.patients.values(), q)], q, p)
            r = m(r"/patients/(\d+)", p)
            if r:
                x = S.patients.get(r[1])
                return self.send(200, self.r_patient(x)) if x else self.send(404, {"status": "404", "error": "Not Found"})
            if p == "/individual_appointments":
                items = sorted(self.filter(S.appointments.values(), q), key=lambda a: a["starts_at"])
                return self.page("individual_appointments", [self.r_appt(a) for a in items], q, p)
            r = m(r"/individual_appointments/(\d+)/conflicts", p)
            if r:
                a = S.appointments.get(r[1])
                if not a:
                    return self.send(404, {"status": "404", "error": "Not Found"})
                return self.send(200, {"conflicts": {"exist": self.conflicts(a)}})
            r = m(r"/individual_appointments/(\d+)", p)
            if r:
                a = S.appointments.get(r[1])
                return self.send(200, self.r_appt(a)) if a else self.send(404, {"status": "404", "error": "Not Found"})
            return self.send(404, {"status": "404", "error": "Not Found"})
        body = self.json_body(raw)
        S.writes.append({"method": method, "path": "/v1" + p, "body": body})
        if method == "POST" and p == "/patients":
            return self.create_patient(body)
        if method == "POST" and p == "/individual_appointments":
            if S.lose_answer > 0:  # committed, then the connection drops before the answer
                S.lose_answer -= 1
                return self.drop_after(lambda: self.create_appt(body, answer=False))
            return self.create_appt(body)
        r = m(r"/individual_appointments/(\d+)/cancel", p)
        if r and method == "PATCH":
            a = S.appointments.get(r[1])
            if not a:
                return self.send(404, {"status": "404", "error": "Not Found"})
            if not isinstance(body, dict) or body.get("cancellation_reason") not in (10, 20, 30, 31, 40, 50, 60):
                return self.send(422, {"errors": {"cancellation_reason": "is not included in the list"},
                                       "message": "Validation Failed"})
            a["cancelled_at"] = iso(clock.now(dt.timezone.utc))
            a["cancellation_reason"] = body["cancellation_reason"]
            a["cancellation_note"] = body.get("cancellation_note")
            return self.send(204)
        r = m(r"/individual_appointments/(\d+)", p)
        if r and method in ("PATCH", "PUT"):
            a = S.appointments.get(r[1])
            if not a:
                return self.send(404, {"status": "404", "error": "Not Found"})
            if not isinstance(body, dict):
                return self.send(422, {"message": "must be an object"})
            try:
                if "starts_at" in body:
                    a["starts_at"] = parse_iso(body["starts_at"])
                if "ends_at" in body:
                    a["ends_at"] = parse_iso(body["ends_at"]) if body["ends_at"] else \
                        a["starts_at"] + dt.timedelta(minutes=S.types[a["appointment_type_id"]]["duration_in_minutes"])
            except ValueError:
                return self.send(422, {"errors": {"starts_at": "is invalid"}, "message": "Validation Failed"})
            if body.get("practitioner_id"):
                if str(body["practitioner_id"]) not in S.practitioners:
                    return self.send(422, {"errors": {"practitioner": "must exist"}, "message": "Validation Failed"})
                a["practitioner_id"] = str(body["practitioner_id"])
            a["updated_at"] = iso(clock.now(dt.timezone.utc))
            return self.send(200, self.r_appt(a))
        if r and method == "DELETE":
            if S.appointments.pop(r[1], None) is None:
                return self.send(404, {"status": "404", "error": "Not Found"})
            return self.send(204)
        return self.send(404, {"status": "404", "error": "Not Found"})

    # ---- behaviour -------------------------------------------------------------------------------------------
    def filter(self, items, q):
        out = list(items)
        for f in q.get("q[]", []):
            r = re.fullmatch(r"([a-z_]+):(>=|<=|!=|=|>|<|~~|~)(.*)", f)
            if not r:
                raise ValueError("bad filter")
            field, op, val = r[1], r[2], r[3]

            def get(x):
                v = x.get(field)
                if field in ("starts_at", "ends_at") and isinstance(v, dt.datetime):
                    return v
                return v

            def keep(x):
                v = get(x)
                if isinstance(v, dt.datetime):
                    w = parse_iso(val)
                else:
                    v = "" if v is None else str(v)
                    w = val
                    if field in ("first_name", "last_name", "email"):
                        v, w = v.lower(), w.lower()
                ops = {"=": lambda: v == w, "!=": lambda: v != w, ">": lambda: v > w, ">=": lambda: v >= w,
                       "<": lambda: v < w, "<=": lambda: v <= w, "~": lambda: str(w) in str(v),
                       "~~": lambda: str(w).replace("%", "") in str(v)}
                return ops[op]()

            out = [x for x in out if keep(x)]
        return out

    def busy(self, practitioner_id, exclude=None):
        return [a for a in STATE.appointments.values() if a["practitioner_id"] == practitioner_id
                and not a.get("cancelled_at") and a["id"] != exclude]

    def conflicts(self, a):
        if a.get("cancelled_at"):
            return False
        return any(b["starts_at"] < a["ends_at"] and a["starts_at"] < b["ends_at"]
                   for b in self.busy(a["practitioner_id"], a["id"]))

    def available_times(self, b, pr, t, q, path):
        S = STATE
        if b not in S.businesses or pr not in S.practitioners or t not in S.types:
            return self.send(404, {"status": "404", "error": "Not Found"})
        bus, prac, typ = S.businesses[b], S.practitioners[pr], S.types[t]
        if not (bus["show_in_online_bookings"] and prac["show_in_online_bookings"] and typ["show_in_online_bookings"]
                and b in S.works_at.get(pr, []) and t in S.gives.get(pr, []) and t in bus["appointment_type_ids"]):
            return self.send(404, raw=b"")
        zone = S.account_zone()
        today = clock.now(zone).date()
        try:
            d0 = dt.date.fromisoformat(q["from"][0])
            d1 = dt.date.fromisoformat(q["to"][0])
        except (KeyError, ValueError):
            return self.send(400, raw=BAD_TIMEFRAME.encode(), ctype="text/plain")
        if d0 < today or d1 < today or d1 < d0 or (d1 - d0).days > 7:
            return self.send(400, raw=BAD_TIMEFRAME.encode(), ctype="text/plain")
        step = dt.timedelta(minutes=typ["duration_in_minutes"])
        now = clock.now(dt.timezone.utc)
        busy = self.busy(pr)
        out = []
        d = d0
        while d <= d1:
            if d.weekday() < 5 or EVERY_DAY:
                su, end = wall_instant(d, HOURS[0], zone), wall_instant(d, HOURS[1], zone)
                while su + step <= end:  # in real time: a DST day has an opening more or fewer
                    eu = su + step
                    if su > now and not any(x["starts_at"] < eu and su < x["ends_at"] for x in busy):
                        out.append({"appointment_start": iso(su)})
                    su += step
            d += dt.timedelta(days=1)
        return self.page("available_times", out, q, path)

    def create_patient(self, body):
        if not isinstance(body, dict):
            return self.send(422, {"message": "must be an object"})
        errors = {k: "can\u2019t be blank" for k in ("first_name", "last_name") if not body.get(k)}
        if errors:
            return self.send(422, {"errors": errors, "message": "Validation Failed"})
        pid = STATE.next_id()
        p = {"id": pid, "first_name": body["first_name"], "last_name": body["last_name"],
             "email": body.get("email") or "", "date_of_birth": body.get("date_of_birth") or "", "archived_at": None,
             "city": body.get("city") or "", "state": body.get("state") or "", "country": body.get("country") or "",
             "patient_phone_numbers": [{"phone_type": n.get("phone_type", "Mobile"), "number": n.get("number", "")}
                                       for n in body.get("patient_phone_numbers") or [] if isinstance(n, dict)]}
        STATE.patients[pid] = p
        return self.send(201, self.r_patient(p), {"Location": self.base() + "/patients/" + pid})

    def drop_after(self, commit):
        """Runs the write, then closes the connection without answering (a reset after the commit)."""
        commit()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        return None

    def create_appt(self, body, answer=True):
        S = STATE
        if not isinstance(body, dict):
            return self.send(422, {"message": "must be an object"})
        need = ("starts_at", "patient_id", "practitioner_id", "appointment_type_id", "business_id")
        errors = {k: "can\u2019t be blank" for k in need if body.get(k) in (None, "")}
        if errors:
            return self.send(422, {"errors": errors, "message": "Validation Failed"})
        for k in need[1:]:
            if not isinstance(body[k], str):  # IDs must travel as strings: a number may have lost precision
                return self.send(422, {"errors": {k: "is not a number"}, "message": "Validation Failed"})
        if body["patient_id"] not in S.patients:
            return self.send(500, {"message": "Internal Server Error"})
        if body["practitioner_id"] not in S.practitioners or body["appointment_type_id"] not in S.types or \
                body["business_id"] not in S.businesses:
            return self.send(422, {"errors": {"base": "Practitioner, appointment type or business not found"},
                                   "message": "Validation Failed"})
        try:
            start = parse_iso(body["starts_at"])
            end = parse_iso(body["ends_at"]) if body.get("ends_at") else \
                start + dt.timedelta(minutes=S.types[body["appointment_type_id"]]["duration_in_minutes"])
        except ValueError:
            return self.send(422, {"errors": {"starts_at": "is invalid"}, "message": "Validation Failed"})
        aid = S.next_id()
        pat = S.patients[body["patient_id"]]
        now = iso(clock.now(dt.timezone.utc))
        a = {"id": aid, "starts_at": start, "ends_at": end, "patient_id": body["patient_id"],
             "practitioner_id": body["practitioner_id"], "appointment_type_id": body["appointment_type_id"],
             "business_id": body["business_id"], "patient_name": pat["first_name"] + " " + pat["last_name"],
             "created_at": now, "updated_at": now, "notes": body.get("notes")}
        S.appointments[aid] = a
        if not answer:
            return None
        return self.send(201, self.r_appt(a), {"Location": self.base() + "/individual_appointments/" + aid})


def main():
    global API_KEY, HOURS, EVERY_DAY
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--api-key", default=API_KEY)
    ap.add_argument("--hours", default="09:00-17:00", help="opening hours HH:MM-HH:MM in the account's zone")
    ap.add_argument("--every-day", action="store_true", help="open on weekends too")
    args = ap.parse_args()
    API_KEY = args.api_key
    lo, hi = ([int(x) for x in part.split(":")] for part in args.hours.split("-"))
    HOURS = (lo[0] * 60 + lo[1], hi[0] * 60 + hi[1])
    EVERY_DAY = args.every_day
    serve(Handler, args.port, lambda port: "ready" if args.port else "ready %d" % port)


if __name__ == "__main__":
    main()
