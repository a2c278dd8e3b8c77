#!/usr/bin/env python3
"""tests/fakes/fake_practicebetter.py: a fake Practice Better API (https://api.practicebetter.io) for tests.

No vendor documentation exists; this fake follows what third-party clients show of the real API, and where they
are silent the least kind reading (each marked "our reading"):
- OAuth2 client credentials: POST /oauth2/token (form: grant_type=client_credentials, client_id, client_secret,
  optional scope) -> {"access_token", "token_type": "Bearer", "expires_in": 3600}; a wrong client is 400
  {"error": "invalid_client"}. Every other call needs "Authorization: Bearer <token>"; a missing, expired or
  revoked token is 401 {"error": "invalid_token"}. Tokens expire on the suite's clock.
- Rate limit: 5 requests a second with bursts of 20 per API client (a token bucket, the token endpoint counted
  too: our reading); over it, 429 with Retry-After (seconds) and {"error": "rate_limit_exceeded"}.
- Ids are opaque 24-hex strings (our reading of "opaque strings": the shape of a MongoDB ObjectId).
- Lists are {"count", "hasMore", "items"}, newest first, paged with limit (1..100, else 400) and before_id.
- Errors: {"error": <code>, "message": <sentence>} (no schema was captured: our reading); 404 is
  "item_not_found"; a taken time is 400 with a message naming the slot as unavailable (research: the text is
  all clients can go by); a client with an e-mail already used is 400 (research).
- Reads carry instants in UTC ("2027-03-15T14:00:00.000Z"); writes carry sessionDate as a local wall time with
  no offset plus timeZone, a Windows zone name (one with an offset is refused: our reading). A wall time that
  does not exist in that zone is refused; a repeated one is its first occurrence (our reading).
- GET /consultant/availability?consultantId&serviceId&startDate&days(1..7: our reading)&duration(seconds) ->
  {"items": [{"startTime", "endTime"}]}: the roster (--hours, every day with --every-day, else Mon-Fri 09-17 in
  the clinic's zone) cut into back-to-back sessions of `duration` in real time, minus sessions, from now on.
- Sessions refuse a clash with another live session of the consultant (create, and reschedule unless
  ignoreConflict); cancel keeps the session, marked cancelled (twice is a 400).

Test controls (no auth): POST /__control with any of
  {"delay_ms", "fail_status", "fail_count" (default: every call), "retry_after" (secs, with fail_status),
   "rate_limit" (calls a minute: a harsher limit on top), "lose_answer": n (the next n session creates commit,
   then the connection closes unanswered), "revoke": bool (the client's secret and tokens stop working),
   "expire_tokens": true (every token issued so far expires now), "token_ttl" (secs), "page_size_cap": n,
   "add_clients": [{profile...}] (clients made by the clinic's front desk; answered {"ids": [...]}),
   "reset": true, "reset_stats": true}
GET /__stats -> {"total", "requests": {"METHOD /path": n}, "token_grants", "rate_limited" (429s of the 5/s limit),
                 "arrivals_ms": [when each API request arrived], "writes": [{"method", "path", "body"}]}
GET /__state -> {"appointments": [{"id", "staff_id", "start_ms", "cancelled"}]}

CLI: python3 fake_practicebetter.py --port P [--client-id ID --client-secret S] [--hours 00:00-24:00 --every-day]
(prints "ready <port>" with --port 0).
"""
import argparse
import datetime as dt
import itertools
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "it"))
sys.path.insert(0, HERE)
import clock  # noqa: E402  (the suite's clock, pinned or not)
from fake_http import FakeHandler, serve  # noqa: E402
from fake_nookal import local_instant, wall_instant  # noqa: E402  (the same local-time rules)

CLIENT_ID = "fake-pb-client"
CLIENT_SECRET = "fake-pb-secret"
ZONE = "Australia/Sydney"  # the clinic's zone: DST starts in October (02:00 skipped) and ends in April
# The Windows names the fake understands (Practice Better's own list is Windows'; these are the ones tests use).
WINDOWS_ZONES = {"Eastern Standard Time": "America/New_York", "AUS Eastern Standard Time": "Australia/Sydney",
                 "Pacific Standard Time": "America/Los_Angeles", "GMT Standard Time": "Europe/London"}
RATE_PER_S, BURST = 5.0, 20
MAX_LIMIT = 100
MAX_DAYS = 7
EVERY_DAY = None  # (start minute, end minute) every day, with --every-day

_ids = itertools.count(0x5f1a00000000000000000000)


def new_id():
    return "%024x" % next(_ids)


def iso(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def slots(zone, date, periods, minutes):
    """Back-to-back sessions of `minutes` in real time from each roster period's start on a local date (aware UTC
    starts), whatever the local clock does in between."""
    out = []
    for s, e in periods:
        t, end = wall_instant(zone, date, s), wall_instant(zone, date, e)
        while t + dt.timedelta(minutes=minutes) <= end:
            out.append(t)
            t += dt.timedelta(minutes=minutes)
    return out


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
        self.rate_limit = 0
        self.window_start = self.window_count = 0
        self.lose_answer = 0
        self.revoked = False
        self.page_size_cap = 0
        self.token_ttl = 3600

    def reset_stats(self):
        self.total = 0
        self.requests = {}
        self.token_grants = 0
        self.rate_limited = 0
        self.arrivals = []
        self.writes = []

    def seed(self):
        self.tokens = {}  # token -> expiry ms
        self.bucket = (float(BURST), clock.now_ms())
        self.members = [
            {"id": "5f1b00000000000000000001", "firstName": "Jane", "lastName": "Citizen", "isOwner": True,
             "isPractitioner": True, "activationStatus": "activated", "emailAddress": "jane@clinic.example"},
            {"id": "5f1b00000000000000000002", "isOwner": False, "isPractitioner": True,
             "activationStatus": "activated", "profile": {"firstName": "Sam", "lastName": "Okafor",
                                                          "emailAddress": "sam@clinic.example"}},
            {"id": "5f1b00000000000000000003", "firstName": "Front", "lastName": "Desk", "isOwner": False,
             "isPractitioner": False, "activationStatus": "activated", "emailAddress": "desk@clinic.example"},
            {"id": "5f1b00000000000000000004", "firstName": "New", "lastName": "Hire", "isOwner": False,
             "isPractitioner": True, "activationStatus": "invited", "emailAddress": "new@clinic.example"},
        ]
        self.services = {"5f1c00000000000000000001": {"name": "Initial Consultation", "minutes": 60},
                         "5f1c00000000000000000002": {"name": "Follow-up", "minutes": 30}}
        self.clients = []  # oldest first; listed newest first
        for first, last, email, mobile, dob in (("Mia", "Wong", "mia.wong@example.com", "+61 412 345 678",
                                                 "1988-02-14"),
                                                ("Tom", "Baker", "tom.baker@example.com", "0498 765 432",
                                                 "1975-11-30")):
            self.add_client({"firstName": first, "lastName": last, "emailAddress": email, "mobilePhone": mobile,
                             "dateOfBirth": dob})
        self.sessions = {}
        zone = ZoneInfo(ZONE)
        d = clock.today(zone) + dt.timedelta(days=1)
        while d.weekday() >= 5:
            d += dt.timedelta(days=1)
        mia = self.clients[0]["id"]
        for staff, minute, cancelled in (("5f1b00000000000000000001", 600, False),
                                         ("5f1b00000000000000000002", 660, True)):
            self.add_session(mia, staff, "5f1c00000000000000000001", local_instant(zone, d, minute), 3600,
                             "AUS Eastern Standard Time", cancelled)

    def add_client(self, profile):
        c = {"id": new_id(), "status": "active", "createdDate": iso(clock.now(dt.timezone.utc)),
             "profile": dict({"timeZone": "AUS Eastern Standard Time"}, **profile)}
        self.clients.append(c)
        return c

    def add_session(self, client, staff, service, start, seconds, windows, cancelled=False):
        s = {"id": new_id(), "client": client, "staff": staff, "service": service, "start": start,
             "seconds": seconds, "timeZone": windows, "cancelled": cancelled}
        self.sessions[s["id"]] = s
        return s

    def busy(self, staff, start, end, skip=None):
        for s in self.sessions.values():
            if s["staff"] == staff and not s["cancelled"] and s["id"] != skip:
                if s["start"] < end and start < s["start"] + dt.timedelta(seconds=s["seconds"]):
                    return True
        return False

    def roster(self, date):
        if EVERY_DAY is not None:
            return [EVERY_DAY]
        return [(9 * 60, 17 * 60)] if date.weekday() < 5 else []

    def openings(self, staff, date, minutes):
        now = clock.now(dt.timezone.utc)
        out = []
        for t in slots(ZoneInfo(ZONE), date, self.roster(date), minutes):
            end = t + dt.timedelta(minutes=minutes)
            if t >= now and not self.busy(staff, t, end):
                out.append(t)
        return out

    def session_json(self, s):
        end = s["start"] + dt.timedelta(seconds=s["seconds"])
        client = next((c for c in self.clients if c["id"] == s["client"]), {"profile": {}})
        member = next((m for m in self.members if m["id"] == s["staff"]), {})
        return {"id": s["id"], "sessionDate": iso(s["start"]), "endDate": iso(end), "duration": s["seconds"],
                "cancelled": s["cancelled"], "status": "cancelled" if s["cancelled"] else "confirmed",
                "serviceType": "in-person",
                "clientRecord": {"id": s["client"], "profile": {"firstName": client["profile"].get("firstName"),
                                                                "lastName": client["profile"].get("lastName")}},
                "consultant": {"id": s["staff"], "profile": {"firstName": member.get("firstName")}},
                "service": {"id": s["service"], "name": self.services[s["service"]]["name"]}}

    def take_rate(self):
        """The account's token bucket: True when this request may pass."""
        tokens, at = self.bucket
        now = clock.now_ms()
        tokens = min(float(BURST), tokens + (now - at) * RATE_PER_S / 1000.0)
        if tokens < 1.0:
            self.bucket = (tokens, now)
            return False, (1.0 - tokens) / RATE_PER_S
        self.bucket = (tokens - 1.0, now)
        return True, 0


STATE = State()


class Refusal(Exception):
    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


class Handler(FakeHandler):
    server_version = "FakePracticeBetter/1.0"

    def send(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def dispatch(self, verb):
        url = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n > 0 else b""
        if url.path == "/__control" and verb == "POST":
            return self.send(200, self.control(json.loads(raw or b"{}")))
        if url.path == "/__stats" and verb == "GET":
            with STATE.lock:
                return self.send(200, {"total": STATE.total, "requests": STATE.requests,
                                       "token_grants": STATE.token_grants, "rate_limited": STATE.rate_limited,
                                       "arrivals_ms": STATE.arrivals[-20000:], "writes": STATE.writes})
        if url.path == "/__state" and verb == "GET":
            with STATE.lock:
                return self.send(200, {"appointments": [
                    {"id": s["id"], "staff_id": s["staff"], "start_ms": int(s["start"].timestamp() * 1000),
                     "cancelled": s["cancelled"]} for s in STATE.sessions.values()]})
        with STATE.lock:
            STATE.total += 1
            key = "%s %s" % (verb, url.path)
            STATE.requests[key] = STATE.requests.get(key, 0) + 1
            STATE.arrivals.append(clock.now_ms())
            if verb in ("POST", "PUT") and url.path != "/oauth2/token":
                try:
                    STATE.writes.append({"method": verb, "path": url.path, "body": json.loads(raw or b"null")})
                except ValueError:
                    pass
            delay = STATE.delay_ms
        if delay:
            time.sleep(delay / 1000.0)
        try:
            with STATE.lock:
                status, body = self.route(verb, url, raw)
                lose = verb == "POST" and url.path == "/consultant/sessions" and STATE.lose_answer > 0
                if lose:
                    STATE.lose_answer -= 1
        except Refusal as r:
            return self.send(r.status, {"error": r.code, "message": r.message}, r.headers)
        if lose:
            self.close_connection = True
            self.connection.shutdown(2)  # committed, but the answer never leaves
            return None
        return self.send(status, body)

    def control(self, c):
        out = {"ok": True}
        with STATE.lock:
            if c.get("reset"):
                STATE.seed()
                STATE.reset_controls()
            if c.get("reset_stats"):
                STATE.reset_stats()
            for k, attr in (("delay_ms", "delay_ms"), ("fail_status", "fail_status"), ("fail_count", "fail_count"),
                            ("retry_after", "retry_after"), ("rate_limit", "rate_limit"),
                            ("lose_answer", "lose_answer"), ("revoke", "revoked"), ("page_size_cap", "page_size_cap"),
                            ("token_ttl", "token_ttl")):
                if k in c:
                    setattr(STATE, attr, c[k])
            if "fail_status" in c and "fail_count" not in c:
                STATE.fail_count = -1
            if "rate_limit" in c:
                STATE.window_start = STATE.window_count = 0
            if c.get("expire_tokens"):
                STATE.tokens = {t: 0 for t in STATE.tokens}
            if c.get("add_clients"):
                out["ids"] = [STATE.add_client(p)["id"] for p in c["add_clients"]]
        return out

    # ---- gatekeeping -----------------------------------------------------------------------------------------
    def gate(self):
        S = STATE
        ok, wait = S.take_rate()
        if not ok:
            S.rate_limited += 1
            raise Refusal(429, "rate_limit_exceeded", "Rate limit exceeded: 5 requests per second",
                          {"Retry-After": str(max(1, int(wait + 0.999)))})
        if S.rate_limit > 0:
            now = int(clock.now_s())
            if now >= S.window_start + 60:
                S.window_start, S.window_count = now, 0
            S.window_count += 1
            if S.window_count > S.rate_limit:
                wait = S.retry_after if S.retry_after is not None else S.window_start + 60 - now
                raise Refusal(429, "rate_limit_exceeded", "Rate limit exceeded", {"Retry-After": str(max(1, wait))})
        if S.fail_status and S.fail_count != 0:
            if S.fail_count > 0:
                S.fail_count -= 1
            headers = {"Retry-After": str(S.retry_after)} if S.retry_after is not None else {}
            raise Refusal(S.fail_status, "server_error", "An unexpected error occurred", headers)

    def authorised(self):
        auth = self.headers.get("Authorization") or ""
        token = auth[7:] if auth.startswith("Bearer ") else None
        expiry = STATE.tokens.get(token)
        if STATE.revoked or expiry is None or expiry <= clock.now_ms():
            raise Refusal(401, "invalid_token", "The access token is invalid or has expired")

    def route(self, verb, url, raw):
        self.gate()
        path = url.path.rstrip("/")
        if path == "/oauth2/token" and verb == "POST":
            return self.token(urllib.parse.parse_qs(raw.decode("utf-8", "replace")))
        self.authorised()
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        body = {}
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                raise Refusal(400, "invalid_request", "The request body is not valid JSON")
        parts = path.split("/")
        if path == "/company/administration/members" and verb == "GET":
            return 200, self.page(list(reversed(STATE.members)), q)
        if path == "/consultant/availability" and verb == "GET":
            return 200, self.availability(q)
        if path == "/consultant/records" and verb == "GET":
            return 200, self.page(list(reversed(STATE.clients)), q)
        if path == "/consultant/records" and verb == "POST":
            return 201, self.create_client(body)
        if len(parts) == 4 and parts[:3] == ["", "consultant", "records"] and verb == "GET":
            return 200, self.find(STATE.clients, parts[3], "Client record")
        if path == "/consultant/sessions" and verb == "GET":
            return 200, self.list_sessions(q)
        if path == "/consultant/sessions" and verb == "POST":
            return 201, self.create_session(body)
        if len(parts) == 5 and parts[:3] == ["", "consultant", "sessions"]:
            s = STATE.sessions.get(parts[3])
            if s is None:
                raise Refusal(404, "item_not_found", "Session not found")
            if parts[4] == "cancel" and verb == "POST":
                if s["cancelled"]:
                    raise Refusal(400, "invalid_operation", "The session is already cancelled")
                s["cancelled"] = True
                return 200, STATE.session_json(s)
            if parts[4] == "date" and verb == "PUT":
                return 200, self.reschedule(s, body)
        raise Refusal(404, "item_not_found", "No such resource")

    def token(self, form):
        f = {k: v[-1] for k, v in form.items()}
        if f.get("grant_type") != "client_credentials":
            raise Refusal(400, "unsupported_grant_type", "grant_type must be client_credentials")
        if f.get("client_id") != CLIENT_ID or f.get("client_secret") != CLIENT_SECRET or STATE.revoked:
            raise Refusal(400, "invalid_client", "Client authentication failed")
        token = secrets.token_urlsafe(32)
        STATE.tokens[token] = clock.now_ms() + STATE.token_ttl * 1000
        STATE.token_grants += 1
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": STATE.token_ttl,
                     "scope": f.get("scope") or "read write"}

    # ---- lists -----------------------------------------------------------------------------------------------
    def page(self, items, q):
        try:
            limit = int(q.get("limit") or 20)
        except ValueError:
            raise Refusal(400, "invalid_request", "limit must be a number")
        if limit < 1 or limit > MAX_LIMIT:
            raise Refusal(400, "invalid_request", "limit must be between 1 and %d" % MAX_LIMIT)
        if STATE.page_size_cap:
            limit = min(limit, STATE.page_size_cap)
        start = 0
        if q.get("before_id"):
            ids = [x["id"] for x in items]
            if q["before_id"] not in ids:
                raise Refusal(400, "invalid_request", "before_id is not an item of this list")
            start = ids.index(q["before_id"]) + 1
        chunk = items[start:start + limit]
        return {"count": len(chunk), "hasMore": start + limit < len(items), "items": chunk}

    def find(self, items, rid, what):
        for x in items:
            if x["id"] == rid:
                return x
        raise Refusal(404, "item_not_found", "%s not found" % what)

    def availability(self, q):
        staff, service = q.get("consultantId"), q.get("serviceId")
        if not any(m["id"] == staff and m["isPractitioner"] for m in STATE.members):
            raise Refusal(404, "item_not_found", "Consultant not found")
        if service not in STATE.services:
            raise Refusal(404, "item_not_found", "Service not found")
        try:
            first = dt.date.fromisoformat(q.get("startDate") or "")
            days, seconds = int(q.get("days") or 1), int(q.get("duration") or 0)
        except ValueError:
            raise Refusal(400, "invalid_request", "startDate, days and duration are required")
        if days < 1 or days > MAX_DAYS or seconds < 300 or seconds % 60:
            raise Refusal(400, "invalid_request", "days must be 1 to %d and duration whole minutes" % MAX_DAYS)
        out = []
        for i in range(days):
            for t in STATE.openings(staff, first + dt.timedelta(days=i), seconds // 60):
                out.append({"startTime": iso(t), "endTime": iso(t + dt.timedelta(seconds=seconds))})
        return {"count": len(out), "items": out}

    def create_client(self, body):
        p = body.get("profile") if isinstance(body, dict) else None
        if not isinstance(p, dict) or not p.get("firstName") or not p.get("lastName"):
            raise Refusal(400, "invalid_request", "profile.firstName and profile.lastName are required")
        email = (p.get("emailAddress") or "").lower()
        if email and any((c["profile"].get("emailAddress") or "").lower() == email for c in STATE.clients):
            raise Refusal(400, "duplicate_email", "A client with this email address already exists")
        if p.get("timeZone") and p["timeZone"] not in WINDOWS_ZONES:
            raise Refusal(400, "invalid_request", "profile.timeZone is not a known time zone")
        return {"id": STATE.add_client(p)["id"]}

    def list_sessions(self, q):
        items = sorted(STATE.sessions.values(), key=lambda s: (s["start"], s["id"]), reverse=True)
        if q.get("records"):
            items = [s for s in items if s["client"] in q["records"].split(",")]
        if q.get("as_consultant"):
            items = [s for s in items if s["staff"] == q["as_consultant"]]
        for name, keep in (("date_gte", lambda s, t: s["start"] >= t), ("date_lte", lambda s, t: s["start"] <= t)):
            if q.get(name):
                try:
                    t = dt.datetime.fromisoformat(q[name].replace("Z", "+00:00"))
                except ValueError:
                    raise Refusal(400, "invalid_request", "%s must be an ISO 8601 instant" % name)
                if t.tzinfo is None:
                    raise Refusal(400, "invalid_request", "%s needs an offset" % name)
                items = [s for s in items if keep(s, t)]
        return self.page([STATE.session_json(s) for s in items], q)

    def wall_time(self, body, default_zone=None):
        windows = body.get("timeZone") or default_zone
        if windows not in WINDOWS_ZONES:
            raise Refusal(400, "invalid_request", "timeZone must be a Windows time zone name")
        zone = ZoneInfo(WINDOWS_ZONES[windows])
        text = body.get("sessionDate") or ""
        try:
            naive = dt.datetime.fromisoformat(text)
        except ValueError:
            raise Refusal(400, "invalid_request", "sessionDate must be a local date and time")
        if naive.tzinfo is not None:
            raise Refusal(400, "invalid_request", "sessionDate must be a local time without an offset")
        start = local_instant(zone, naive.date(), naive.hour * 60 + naive.minute)
        if start is None or naive.second or naive.microsecond:
            raise Refusal(400, "invalid_request", "sessionDate does not exist in that time zone")
        seconds = body.get("duration")
        if not isinstance(seconds, int) or seconds < 300 or seconds > 86400:
            raise Refusal(400, "invalid_request", "duration must be seconds")
        return start, seconds, windows

    def create_session(self, body):
        S = STATE
        if not isinstance(body, dict):
            raise Refusal(400, "invalid_request", "a JSON object is required")
        client, staff, service = body.get("clientRecordId"), body.get("asConsultantId"), body.get("serviceId")
        self.find(S.clients, client, "Client record")
        if not any(m["id"] == staff and m["isPractitioner"] for m in S.members):
            raise Refusal(404, "item_not_found", "Consultant not found")
        if service not in S.services:
            raise Refusal(404, "item_not_found", "Service not found")
        start, seconds, windows = self.wall_time(body)
        if S.busy(staff, start, start + dt.timedelta(seconds=seconds)):
            raise Refusal(400, "validation_error", "The selected time slot is unavailable for this consultant")
        return S.session_json(S.add_session(client, staff, service, start, seconds, windows))

    def reschedule(self, s, body):
        if s["cancelled"]:
            raise Refusal(400, "invalid_operation", "A cancelled session cannot be moved")
        start, seconds, windows = self.wall_time(body, s["timeZone"])
        if not body.get("ignoreConflict") and STATE.busy(s["staff"], start, start + dt.timedelta(seconds=seconds),
                                                         skip=s["id"]):
            raise Refusal(400, "validation_error", "The selected time slot is unavailable for this consultant")
        s.update(start=start, seconds=seconds, timeZone=windows)
        return STATE.session_json(s)


def main():
    global CLIENT_ID, CLIENT_SECRET, EVERY_DAY
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--client-id", default=CLIENT_ID)
    ap.add_argument("--client-secret", default=CLIENT_SECRET)
    ap.add_argument("--hours", default=None, help="HH:MM-HH:MM (24:00 allowed): with --every-day")
    ap.add_argument("--every-day", action="store_true", help="every practitioner works --hours every day")
    args = ap.parse_args()
    CLIENT_ID, CLIENT_SECRET = args.client_id, args.client_secret
    if args.every_day:
        start, end = (args.hours or "00:00-24:00").split("-")
        EVERY_DAY = (int(start[:2]) * 60 + int(start[3:]), int(end[:2]) * 60 + int(end[3:]))
    serve(Handler, args.port)


if __name__ == "__main__":
    main()
