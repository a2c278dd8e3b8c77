#!/usr/bin/env python3
"""tests/fakes/fake_bridge.py: the reference EMR bridge: a server implementing our own contract
(openapi/emr-bridge.yaml, docs/bridge.md) over an in-memory clinic, for tests and for integrators to compare their
bridge with.

What it does as the contract says every bridge must:
- Every operation is POST <base>/<operation path> with a JSON object body whose "operation" names it; every answer
  is JSON: the operation's object on 2xx, else {"error": {"code", "message"}} with the contract's status (400 bad
  request, 401 signature refused, 404 not found, 409 conflict, 422 rejected, 429 with Retry-After, 5xx).
- Every request is signed: X-Frontdesk-Timestamp (Unix seconds) and X-Frontdesk-Signature "v1=<hex HMAC-SHA256 of
  timestamp + "." + body with the shared secret>". A wrong signature is 401 "bad_signature"; a timestamp more than
  300 s away from the bridge's clock (older: a replay; newer: a wrong clock) is 401 "stale_timestamp".
- Times are RFC 3339 instants with an offset (answers use the location's offset); ids are opaque strings.
- Capabilities are configurable (--capabilities or the control "capabilities"):
    full       write, native_hold, phone_search, conflict_probe, reschedule: the bridge refuses overlapping
               bookings (409) and answers the probe.
    no-hold    full without native_hold.
    no-probe   full without conflict_probe, and the EMR behind it does not stop double bookings either (the worst
               case: Frontdesk's own holds are all that keeps two callers apart).
    read-only  catalog, availability, patients.find and appointments.list only; every write is 422 "read_only".
- Holds (native_hold): holds.create reserves a practitioner's time until its expires_at (on the suite's clock, then
  it is dropped by itself); a held time is not offered by availability and refuses other holds, bookings and moves
  that overlap (409 slot_taken), except the appointments.create carrying its hold_id, which consumes it. The same
  idempotency_key answers the same hold. holds.release drops it (404 when it is not live). An unknown or expired
  hold_id on appointments.create is ignored: the booking is checked like any other.
- Availability: every practitioner works --hours (default 09:00-17:00) every day at each of their locations;
  openings follow one another from the period's start, one treatment long, minus live appointments, from now on.

Test controls (no signature): POST /__control with any of
  {"delay_ms", "fail_status" (HTTP status answered with an error envelope), "fail_count" (default: every call),
   "retry_after" (secs, with fail_status or rate_limit), "rate_limit": n calls a minute, "lose_answer": n (the next
   n appointments.create commit, then the connection closes unanswered), "revoke": bool (the bridge's secret
   changes: every signature is refused), "page_size_cap" (accepted; the contract has no paging), "capabilities":
   mode, "garbage": n (the next n operations answer 200 with a body outside the contract), "skew_s": n (the bridge's
   clock for signature checks runs n seconds ahead), "hold": {"staff_id", "start_ms", "end_ms", "expires_ms", "offered"}
   (someone else's live hold of that time; "offered": availability still offers it, as when the hold was placed
   through another channel just after Frontdesk read the openings), "fail_only": operation (fail_status
   and fail_count apply to that operation only), "reset": true (seed again, controls off), "reset_stats": true}
GET /__stats -> {"total", "requests": {"operation": n}, "refused": {"bad_signature": n, "stale_timestamp": n},
                 "writes": [{"operation", "body"}]}
GET /__state -> {"appointments": [{"id", "staff_id", "start_ms", "cancelled", "hold_id"}],
                 "holds": [{"id", "staff_id", "start_ms", "end_ms", "expires_ms", "key"}] (live holds only)}

CLI: python3 fake_bridge.py --port P --secret S [--capabilities full|no-hold|no-probe|read-only] [--hours HH:MM-HH:MM]
[--record FILE] (prints "ready" when listening; --port 0 picks one and prints "ready <port>"; --record appends each
answer as a JSON line {"method", "path", "status", "headers", "body"}, for tests/contract/check_responses.js against
openapi/emr-bridge.yaml).
"""
import argparse
import datetime as dt
import hashlib
import hmac
import json
import os
import sys
import time
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "it"))
import clock  # noqa: E402  (the suite's clock, pinned or not)
from fake_common import FakeState  # noqa: E402
from fake_http import FakeHandler, serve  # noqa: E402

SECRET = "fake-bridge-shared-secret-0001"
REPLAY_WINDOW_S = 300
HOURS = (9 * 60, 17 * 60)
MODES = {
    "full": {"write": True, "native_hold": True, "phone_search": True, "conflict_probe": True, "reschedule": True},
    "no-hold": {"write": True, "native_hold": False, "phone_search": True, "conflict_probe": True,
                "reschedule": True},
    "no-probe": {"write": True, "native_hold": True, "phone_search": True, "conflict_probe": False,
                 "reschedule": True},
    "read-only": {"write": False, "native_hold": False, "phone_search": True, "conflict_probe": False,
                  "reschedule": False},
}
READS = ("capabilities", "catalog", "availability", "patients.find", "appointments.list", "appointments.conflicts")
WRITES = ("patients.create", "appointments.create", "appointments.cancel", "appointments.reschedule",
          "appointments.delete")
HOLDS = ("holds.create", "holds.release")
MODE = "full"
RECORD = None  # --record: a file each answer is appended to (JSON lines) for the contract check


def iso(t, zone):
    return t.astimezone(zone).isoformat(timespec="seconds")


def parse_instant(s):
    try:
        t = dt.datetime.fromisoformat(str(s).replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


def openings(zone, date, period, duration):
    """The openings of a working period (local minutes) on a date, before appointments and now: one treatment
    after another in real time from the period's start (aware UTC datetimes). A period's bounds in a DST gap are
    where the clock resumes; a repeated local time is its first occurrence."""
    base = dt.datetime(date.year, date.month, date.day)
    t = (base + dt.timedelta(minutes=period[0])).replace(tzinfo=zone).astimezone(dt.timezone.utc)
    end = (base + dt.timedelta(minutes=period[1])).replace(tzinfo=zone).astimezone(dt.timezone.utc)
    out = []
    while t + dt.timedelta(minutes=duration) <= end:
        out.append(t)
        t += dt.timedelta(minutes=duration)
    return out


class Refusal(Exception):
    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


class State(FakeState):
    def reset_controls(self):
        self.reset_faults()
        self.garbage = 0
        self.skew_s = 0
        self.fail_only = None
        self.mode = MODE

    def reset_stats(self):
        self.total = 0
        self.requests = {}
        self.refused = {"bad_signature": 0, "stale_timestamp": 0}
        self.writes = []

    def caps(self):
        return MODES[self.mode]

    def seed(self):
        self.counter = 1000
        self.location = {"id": "loc-1", "name": "Riverside Therapy", "time_zone": "Australia/Melbourne",
                         "address": {"line1": "12 River St", "city": "Richmond", "region": "VIC", "postal_code": "3121",
                                     "country": "AU"},
                         "phone": "+61390000100", "booking_url": None}
        self.staff = [
            {"id": "st-1", "first_name": "Maya", "last_name": "Lee", "title": "Dr", "email": "maya@riverside.example",
             "disciplines": ["Psychologist"], "treatment_ids": ["tr-1", "tr-2"], "location_ids": ["loc-1"],
             "ai_enabled": True},
            {"id": "st-2", "first_name": "Omar", "last_name": "Diaz", "title": None, "email": None,
             "disciplines": ["Counsellor"], "treatment_ids": ["tr-1"], "location_ids": ["loc-1"], "ai_enabled": True},
            {"id": "st-3", "first_name": "Ruth", "last_name": "Adams", "title": None, "email": None,
             "disciplines": ["Intake"], "treatment_ids": ["tr-2"], "location_ids": ["loc-1"], "ai_enabled": False},
        ]
        self.treatments = [
            {"id": "tr-1", "name": "Initial Assessment", "duration_minutes": 60,
             "price": {"amount": 150.0, "currency": "AUD"}, "staff_ids": ["st-1", "st-2"], "location_ids": ["loc-1"]},
            {"id": "tr-2", "name": "Follow-up Session", "duration_minutes": 30,
             "price": {"amount": 90.0, "currency": "AUD"}, "staff_ids": ["st-1", "st-3"], "location_ids": ["loc-1"]},
        ]
        self.patients = {
            "pt-501": {"id": "pt-501", "first_name": "Ana", "last_name": "Silva", "phone": "+61412555111",
                       "email": "ana.silva@example.com", "dob": "1990-05-04"},
        }
        self.appointments = {}
        self.holds = {}
        self.booked_holds = {}  # appointment id -> the hold id its create carried

    def next_id(self, prefix):
        self.counter += 1
        return "%s-%d" % (prefix, self.counter)

    def zone(self):
        return ZoneInfo(self.location["time_zone"])

    def treatment(self, tid):
        return next((t for t in self.treatments if t["id"] == tid), None)

    def live_holds(self):
        """The holds not expired yet (expired ones are dropped: the bridge's own expiry)."""
        now = clock.now(dt.timezone.utc)
        for hid in [h["id"] for h in self.holds.values() if h["expires"] <= now]:
            del self.holds[hid]
        return list(self.holds.values())

    def held(self, staff_id, start, end, skip=None, offering=False):
        """Live holds of the practitioner overlapping [start, end), but hold `skip` (and, when `offering`
        openings, those the control armed as still offered)."""
        return [h for h in self.live_holds() if h["staff_id"] == staff_id and h["id"] != skip
                and h["start"] < end and start < h["end"] and not (offering and h.get("offered"))]

    def live(self, staff_id, start, end, skip=None):
        """Live appointments of the practitioner overlapping [start, end)."""
        return [a for a in self.appointments.values() if a["staff_id"] == staff_id and a["state"] != "cancelled"
                and a["id"] != skip and parse_instant(a["start"]) < end and start < parse_instant(a["end"])]


STATE = State()


class Handler(FakeHandler):
    server_version = "FakeBridge/1.0"

    def send(self, status, body, headers=None, raw=None):
        data = raw if raw is not None else json.dumps(body).encode()
        kind = "text/html" if raw is not None else "application/json"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        if RECORD is not None and not self.path.startswith("/__") and not self.off_contract:
            with STATE.lock, open(RECORD, "a", encoding="utf-8") as f:
                f.write(json.dumps({"test": "fake_bridge", "method": self.command, "path": self.path,
                                    "status": status, "body": data.decode("utf-8", "replace"),
                                    "headers": dict({k.lower(): str(v) for k, v in (headers or {}).items()},
                                                    **{"content-type": kind})}) + "\n")

    def error(self, r):
        self.send(r.status, {"error": {"code": r.code, "message": r.message}}, r.headers)

    def dispatch(self, method):
        if method == "POST":
            return self.operation()
        if method != "GET":
            return self.error(Refusal(404, "not_found", "no such operation: every operation is a POST"))
        with STATE.lock:
            if self.path == "/__stats":
                return self.send(200, {"total": STATE.total, "requests": STATE.requests, "refused": STATE.refused,
                                       "writes": STATE.writes})
            if self.path == "/__state":
                return self.send(200, {"appointments": [
                    {"id": a["id"], "staff_id": a["staff_id"],
                     "start_ms": int(parse_instant(a["start"]).timestamp() * 1000),
                     "cancelled": a["state"] == "cancelled", "hold_id": STATE.booked_holds.get(a["id"])}
                    for a in STATE.appointments.values()],
                    "holds": [{"id": h["id"], "staff_id": h["staff_id"], "key": h["key"],
                               "start_ms": int(h["start"].timestamp() * 1000),
                               "end_ms": int(h["end"].timestamp() * 1000),
                               "expires_ms": int(h["expires"].timestamp() * 1000)} for h in STATE.live_holds()]})
        self.error(Refusal(404, "not_found", "no such operation: every operation is a POST"))

    off_contract = False  # this answer is a "garbage" fault: outside the contract on purpose, not recorded

    def operation(self):
        self.off_contract = False
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n > 0 else b""
        if self.path == "/__control":
            return self.control(json.loads(raw or b"{}"))
        parts = self.path.split("?")[0].strip("/").split("/")  # any base path, then the operation's path
        grouped = len(parts) >= 2 and parts[-2] in ("patients", "appointments", "holds")
        op = ".".join(parts[-2:]) if grouped else parts[-1]
        with STATE.lock:
            STATE.total += 1
            STATE.requests[op] = STATE.requests.get(op, 0) + 1
            delay = STATE.delay_ms
        if delay:
            time.sleep(delay / 1000.0)
        try:
            with STATE.lock:
                if STATE.fail_only in (None, op):
                    self.faults()
                body = self.verify(raw, op)
                if op in WRITES:
                    STATE.writes.append({"operation": op, "body": body})
                if STATE.garbage > 0:
                    STATE.garbage -= 1
                    self.off_contract = True
                    return self.send(200, None, raw=b"<html><body>Maintenance</body></html>") \
                        if STATE.garbage % 2 else self.send(200, {"result": "ok", "openings": "soon"})
                status, answer = self.route(op, body)
                if op == "appointments.create" and STATE.lose_answer > 0:
                    STATE.lose_answer -= 1
                    self.close_connection = True
                    self.connection.shutdown(2)  # committed, but the answer never leaves
                    return None
        except Refusal as r:
            return self.error(r)
        return self.send(status, answer)

    def control(self, c):
        with STATE.lock:
            if c.get("reset"):
                STATE.seed()
                STATE.reset_controls()
            if c.get("reset_stats"):
                STATE.reset_stats()
            STATE.apply_faults(c)
            for k in ("garbage", "skew_s", "fail_only"):
                if k in c:
                    setattr(STATE, k, c[k])
            if c.get("capabilities") in MODES:
                STATE.mode = c["capabilities"]
            if isinstance(c.get("hold"), dict):
                h, utc = c["hold"], dt.timezone.utc
                hid = STATE.next_id("hd")
                expires = h.get("expires_ms") or int(clock.now_ms()) + 3600 * 1000
                STATE.holds[hid] = {"id": hid, "staff_id": h["staff_id"], "key": "control-" + hid,
                                    "start": dt.datetime.fromtimestamp(h["start_ms"] / 1000, utc),
                                    "end": dt.datetime.fromtimestamp(h["end_ms"] / 1000, utc),
                                    "expires": dt.datetime.fromtimestamp(expires / 1000, utc),
                                    "offered": bool(h.get("offered"))}
        self.send(200, {"ok": True})

    # ---- what every request goes through ----------------------------------------------------------------------
    def faults(self):
        fault = STATE.due_fault()
        if fault is not None:
            kind, status, headers = fault
            raise Refusal(status, "rate_limited", "Too many requests", headers) if kind == "rate_limited" else \
                Refusal(status, "unavailable", "The EMR is not answering", headers)

    def verify(self, raw, op):
        stamp = self.headers.get("X-Frontdesk-Timestamp") or ""
        given = self.headers.get("X-Frontdesk-Signature") or ""
        secret = SECRET + ("-rotated" if STATE.revoked else "")
        want = "v1=" + hmac.new(secret.encode(), stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
        if not stamp.isdigit() or not hmac.compare_digest(given, want):
            STATE.refused["bad_signature"] += 1
            raise Refusal(401, "bad_signature", "The request's signature does not match the shared secret")
        if abs(int(clock.now_s()) + STATE.skew_s - int(stamp)) > REPLAY_WINDOW_S:
            STATE.refused["stale_timestamp"] += 1
            raise Refusal(401, "stale_timestamp", "The request's timestamp is outside the 5-minute window")
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise Refusal(400, "bad_request", "The body must be a JSON object")
        if body.get("operation") != op:
            raise Refusal(400, "bad_request", "operation does not name this path's operation")
        if op not in READS + WRITES + HOLDS or (op == "appointments.reschedule" and not STATE.caps()["reschedule"]) \
                or (op == "appointments.conflicts" and not STATE.caps()["conflict_probe"]) or \
                (op in HOLDS and not STATE.caps()["native_hold"]):
            raise Refusal(404, "unknown_operation", "This bridge has no such operation")
        if op in WRITES and not STATE.caps()["write"]:
            raise Refusal(422, "read_only", "This bridge cannot write to the EMR")
        return body

    def need(self, body, *names):
        for n in names:
            if not isinstance(body.get(n), str) or not body[n]:
                raise Refusal(400, "bad_request", "%s is required" % n)

    # ---- operations ------------------------------------------------------------------------------------------
    def route(self, op, b):
        S = STATE
        if op == "capabilities":
            return 200, dict(S.caps(), contract=1, cancel_reason_required=False)
        if op == "catalog":
            return 200, {"locations": [S.location], "staff": S.staff, "treatments": S.treatments}
        if op == "availability":
            return 200, self.availability(b)
        if op == "patients.find":
            return 200, {"patients": self.find(b)}
        if op == "patients.create":
            return 201, {"patient": self.add_patient(b)}
        if op == "appointments.list":
            self.need(b, "patient_id", "from")
            frm = parse_instant(b["from"])
            if frm is None:
                raise Refusal(400, "bad_request", "from must be an instant with an offset")
            return 200, {"appointments": sorted(
                (a for a in S.appointments.values()
                 if a["patient_id"] == b["patient_id"] and parse_instant(a["start"]) >= frm),
                key=lambda a: a["start"])}
        if op == "appointments.create":
            hold_id = b.get("hold_id")
            if hold_id is not None and (not isinstance(hold_id, str) or not hold_id):
                raise Refusal(400, "bad_request", "hold_id must be a hold's id")
            return 201, {"appointment": self.create(b.get("appointment") or {}, hold_id)}
        if op == "holds.create":
            return self.hold(b)
        if op == "holds.release":
            self.need(b, "hold_id")
            if not any(h["id"] == b["hold_id"] for h in S.live_holds()):
                raise Refusal(404, "not_found", "No such live hold")
            del S.holds[b["hold_id"]]
            return 200, {"released": True}
        a = self.appointment(b)
        if op == "appointments.cancel":
            if a["state"] == "cancelled":
                raise Refusal(409, "already_cancelled", "The appointment is already cancelled")
            a["state"] = "cancelled"
            return 200, {"appointment": a}
        if op == "appointments.reschedule":
            return 200, {"appointment": self.reschedule(a, b)}
        if op == "appointments.delete":
            del S.appointments[a["id"]]
            return 200, {"deleted": True}
        start, end = parse_instant(a["start"]), parse_instant(a["end"])
        return 200, {"conflict": a["state"] != "cancelled" and bool(S.live(a["staff_id"], start, end, a["id"]))}

    def availability(self, b):
        self.need(b, "staff_id", "treatment_id", "location_id", "from")
        S = STATE
        staff = next((s for s in S.staff if s["id"] == b["staff_id"]), None)
        treatment = S.treatment(b["treatment_id"])
        if staff is None or treatment is None or b["location_id"] != S.location["id"]:
            raise Refusal(404, "not_found", "No such practitioner, treatment or location")
        days = b.get("days")
        try:
            first = dt.date.fromisoformat(b["from"])
        except ValueError:
            first = None
        if first is None or not isinstance(days, int) or not 1 <= days <= 31:
            raise Refusal(400, "bad_request", "from must be a date and days 1..31")
        zone, duration = S.zone(), treatment["duration_minutes"]
        now = clock.now(dt.timezone.utc)
        out = []
        for i in range(days):
            for t in openings(zone, first + dt.timedelta(days=i), HOURS, duration):
                end = t + dt.timedelta(minutes=duration)
                if t >= now and not S.live(staff["id"], t, end) and not S.held(staff["id"], t, end, offering=True):
                    out.append({"start": iso(t, zone), "end": iso(end, zone)})
        return {"openings": out}

    def find(self, b):
        if not any(isinstance(b.get(k), str) and b[k] for k in ("phone", "email", "first_name", "last_name", "dob")):
            raise Refusal(400, "bad_request", "give at least one of phone, email, first_name, last_name, dob")
        if b.get("phone") and not STATE.caps()["phone_search"]:
            raise Refusal(422, "no_phone_search", "This bridge cannot search by phone")
        out = []
        for p in STATE.patients.values():
            ok = True
            for k in ("phone", "email", "first_name", "last_name", "dob"):
                want = b.get(k)
                if want and str(p.get(k) or "").lower() != want.lower():
                    ok = False
            if ok:
                out.append(p)
        return out

    def add_patient(self, b):
        p = b.get("patient")
        if not isinstance(p, dict) or not p.get("first_name") or not p.get("last_name"):
            raise Refusal(422, "invalid_patient", "patient.first_name and patient.last_name are required")
        pid = STATE.next_id("pt")
        STATE.patients[pid] = {"id": pid, "first_name": p["first_name"], "last_name": p["last_name"],
                               "phone": p.get("phone"), "email": p.get("email"), "dob": p.get("dob")}
        return STATE.patients[pid]

    def hold(self, b):
        S = STATE
        self.need(b, "staff_id", "treatment_id", "location_id", "start", "end", "expires_at", "idempotency_key")
        start, end, expires = (parse_instant(b[k]) for k in ("start", "end", "expires_at"))
        if start is None or end is None or expires is None or end <= start:
            raise Refusal(400, "bad_request", "start, end and expires_at must be instants, end after start")
        same = next((h for h in S.live_holds() if h["key"] == b["idempotency_key"]), None)
        if same is not None:
            return 200, {"hold_id": same["id"]}
        if S.treatment(b["treatment_id"]) is None or not any(s["id"] == b["staff_id"] for s in S.staff) or \
                b["location_id"] != S.location["id"]:
            raise Refusal(422, "unknown_record", "No such practitioner, treatment or location")
        if S.live(b["staff_id"], start, end) or S.held(b["staff_id"], start, end):
            raise Refusal(409, "slot_taken", "The practitioner's time is booked or held then")
        hid = S.next_id("hd")
        S.holds[hid] = {"id": hid, "staff_id": b["staff_id"], "key": b["idempotency_key"], "start": start,
                        "end": end, "expires": expires}
        return 201, {"hold_id": hid}

    def create(self, a, hold_id=None):
        S = STATE
        for k in ("patient_id", "staff_id", "treatment_id", "location_id", "start", "end"):
            if not isinstance(a.get(k), str) or not a[k]:
                raise Refusal(400, "bad_request", "appointment.%s is required" % k)
        start, end = parse_instant(a["start"]), parse_instant(a["end"])
        if start is None or end is None or end <= start:
            raise Refusal(400, "bad_request", "appointment.start and end must be instants, end after start")
        if a["patient_id"] not in S.patients or S.treatment(a["treatment_id"]) is None or \
                not any(s["id"] == a["staff_id"] for s in S.staff) or a["location_id"] != S.location["id"]:
            raise Refusal(422, "unknown_record", "No such patient, practitioner, treatment or location")
        if S.caps()["conflict_probe"] and S.live(a["staff_id"], start, end):
            raise Refusal(409, "slot_taken", "The practitioner already has an appointment then")
        if S.held(a["staff_id"], start, end, skip=hold_id):
            raise Refusal(409, "slot_taken", "The practitioner's time is held for another booking")
        S.holds.pop(hold_id, None)  # consumed
        aid = S.next_id("ap")
        S.appointments[aid] = {"id": aid, "state": "booked", "start": iso(start, S.zone()), "end": iso(end, S.zone()),
                               "patient_id": a["patient_id"], "staff_id": a["staff_id"],
                               "treatment_id": a["treatment_id"], "location_id": a["location_id"]}
        if hold_id is not None:
            S.booked_holds[aid] = hold_id  # shown in /__state only (the contract's appointment has no hold)
        return S.appointments[aid]

    def appointment(self, b):
        self.need(b, "appointment_id")
        a = STATE.appointments.get(b["appointment_id"])
        if a is None:
            raise Refusal(404, "not_found", "No such appointment")
        return a

    def reschedule(self, a, b):
        start, end = parse_instant(b.get("start")), parse_instant(b.get("end"))
        if start is None or end is None or end <= start:
            raise Refusal(400, "bad_request", "start and end must be instants, end after start")
        if a["state"] == "cancelled":
            raise Refusal(409, "cancelled", "A cancelled appointment cannot move")
        staff = b.get("staff_id") or a["staff_id"]
        if STATE.live(staff, start, end, a["id"]) or STATE.held(staff, start, end):
            raise Refusal(409, "slot_taken", "The practitioner already has an appointment then")
        a.update(start=iso(start, STATE.zone()), end=iso(end, STATE.zone()), staff_id=staff)
        return a


def main():
    global SECRET, MODE, HOURS, RECORD
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--secret", default=SECRET)
    ap.add_argument("--capabilities", default="full", choices=sorted(MODES))
    ap.add_argument("--hours", default="09:00-17:00", help="HH:MM-HH:MM (24:00 allowed): every practitioner, daily")
    ap.add_argument("--record", default=None, help="append every answer (JSON lines) to this file")
    args = ap.parse_args()
    SECRET, MODE, RECORD = args.secret, args.capabilities, args.record
    start, end = args.hours.split("-")
    HOURS = (int(start[:2]) * 60 + int(start[3:]), int(end[:2]) * 60 + int(end[3:]))
    STATE.reset_controls()
    serve(Handler, args.port, lambda port: "ready" if args.port else "ready %d" % port)

if __name__ == "__main__":
    main()
