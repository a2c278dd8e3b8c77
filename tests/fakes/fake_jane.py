#!/usr/bin/env python3
"""tests/fakes/fake_jane.py: a fake of a Jane clinic's public online-booking site (https://<clinic>.janeapp.com), the
JSON its booking app reads without a login, for tests.

Behaves like the real site as far as the research on Jane's booking app tells, and where it is silent, like the
least kind reading (each marked "our reading"):
- GET /api/v2/openings?location_id=&staff_member_id=&treatment_id=&date=YYYY-MM-DD&num_days=N answers an array of
  staff entries {"id", "full_name", "first_date", "openings": [...], "shifts": [...]}; each opening is
  {"staff_member_id", "location_id", "treatment_id", "duration" (SECONDS), "start_at", "end_at" (ISO 8601 with the
  clinic's offset at that instant), "room_id": null, "parent_appointment_id": null, "status": "available"}.
  Openings start at the shift's start and follow each other by the treatment's length in real time, so on the
  day clocks go back the repeated hour is offered twice (two offsets), and the skipped hour in spring never.
  Past times and the clinic's own appointments ("busy", see controls) are not offered. num_days is 1..7 (our
  reading: more is a 400 {"errors": [...]}); a date that is not a date likewise.
- GET /api/v2/treatments answers {"treatments": [...]} (or a bare array: control "treatments_shape": "array", as
  other versions do): {"id", "name", "treatment_duration" (seconds), "staff_member_ids", "price" ("85.00"),
  "discipline_id"}.
- GET /api/v2/locations, /api/v2/disciplines, /api/v2/staff_members: what the booking page embeds (our reading of
  its shape, as JSON lists): locations {"id", "name", "time_zone", "phone", "address": {"street", "city",
  "province", "postal_code", "country_code"}}; staff {"id", "full_name", "discipline_ids", "location_ids"}.
- IDs are integers. There is no auth and nothing to write: a POST is a 404.
- Any other path answers 200 text/html (the booking app's page), as single-page apps do.
- A rate limit (control "rate_limit": n a minute) answers 429 text/plain "Retry later" with Retry-After, as a
  Rails site behind Rack::Attack does (our reading).

Test controls (no auth): POST /__control with any of
  {"delay_ms", "fail_status" (an HTML error page with that status), "fail_count" (default: every call),
   "retry_after" (secs, with fail_status or rate_limit), "rate_limit": n requests a minute,
   "treatments_shape": "object" | "array", "busy": [{"staff_member_id", "start_at", "end_at"}] (appointments the
   front desk made: those times are not offered), "reset": true, "reset_stats": true}
  (the shared vocabulary's "lose_answer", "revoke" and "page_size_cap" are accepted and mean nothing here: the
  site has no writes, no credential and no paging)
GET /__stats -> {"total", "requests": {path: n}, "user_agents": [distinct User-Agent values],
                 "max_concurrent": the most requests served at once}
GET /__state -> {"appointments": [] (Jane is never written), "busy": [...]}

CLI: python3 fake_jane.py --port P [--hours 09:00-17:00] [--every-day]  (prints "ready <port>" for --port 0;
default: every practitioner works 09:00-17:00 Monday to Friday; --every-day: every day).
"""
import argparse
import datetime as dt
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "it"))
import clock  # noqa: E402  (the suite's clock, pinned or not)

ZONE = "America/Vancouver"  # the clinic's zone: DST in March and November
HOURS = (9 * 60, 17 * 60)
EVERY_DAY = False

LOCATIONS = [
    {"id": 1, "name": "Kitsilano Physio", "time_zone": ZONE, "phone": "+1 604 555 0101",
     "address": {"street": "2100 W 4th Ave", "city": "Vancouver", "province": "BC", "postal_code": "V6K 1N6",
                 "country_code": "CA"}},
    {"id": 2, "name": "Downtown Physio", "time_zone": ZONE, "phone": "+1 604 555 0102",
     "address": {"street": "800 Burrard St", "city": "Vancouver", "province": "BC", "postal_code": "V6Z 2J7",
                 "country_code": "CA"}},
]
DISCIPLINES = [{"id": 1, "name": "Physiotherapy"}, {"id": 2, "name": "Massage Therapy"}]
STAFF = [
    {"id": 11, "full_name": "Dr. Ava Stone", "discipline_ids": [1], "location_ids": [1, 2]},
    {"id": 12, "full_name": "Ben Cole", "discipline_ids": [2], "location_ids": [1]},
]
TREATMENTS = [
    {"id": 101, "name": "Physiotherapy Initial Assessment", "treatment_duration": 3600, "staff_member_ids": [11],
     "price": "110.00", "discipline_id": 1},
    {"id": 102, "name": "Physiotherapy Follow-up", "treatment_duration": 1800, "staff_member_ids": [11],
     "price": "85.00", "discipline_id": 1},
    {"id": 201, "name": "Massage Therapy 60", "treatment_duration": 3600, "staff_member_ids": [12],
     "price": "120.00", "discipline_id": 2},
]
MAX_NUM_DAYS = 7


def works(date):
    """Whether practitioners work on this local date."""
    return EVERY_DAY or date.weekday() < 5


def shift(zone, date):
    """The shift of a working date as aware UTC instants [start, end): local wall times, so a shift crossing a
    change is an hour shorter or longer in real time."""
    def at(minute):
        naive = dt.datetime(date.year, date.month, date.day) + dt.timedelta(minutes=minute)
        return naive.replace(tzinfo=zone).astimezone(dt.timezone.utc)
    return at(HOURS[0]), at(HOURS[1])


def day_starts(zone, date, seconds):
    """Every start the clinic's rules allow on a local date, before the past and its bookings are removed: from
    the shift's start, one treatment after another in real time, each starting on that local date."""
    if not works(date):
        return []
    start, end = shift(zone, date)
    out, t = [], start
    while t + dt.timedelta(seconds=seconds) <= end:
        if t.astimezone(zone).date() == date:
            out.append(t)
        t += dt.timedelta(seconds=seconds)
    return out


class State:
    def __init__(self):
        self.lock = threading.RLock()
        self.reset_controls()
        self.reset_stats()

    def reset_controls(self):
        self.delay_ms = 0
        self.fail_status = 0
        self.fail_count = -1
        self.retry_after = None
        self.rate_limit = 0
        self.window_start = self.window_count = 0
        self.treatments_shape = "object"
        self.busy = []

    def reset_stats(self):
        self.total = 0
        self.requests = {}
        self.user_agents = []
        self.concurrent = self.max_concurrent = 0


STATE = State()


def iso(t, zone):
    return t.astimezone(zone).isoformat(timespec="seconds")


def parse_instant(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "FakeJane/1.0"

    def log_message(self, fmt, *args):  # quiet
        pass

    def send(self, status, body, ctype="application/json", headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def page(self, status=200):
        self.send(status, b"<!DOCTYPE html><html><body><div id=\"root\"></div></body></html>",
                  "text/html; charset=utf-8")

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n > 0 else b""
        if url.path == "/__control":
            return self.control(json.loads(raw or b"{}"))
        self.count(url.path)
        self.send(404, {"errors": ["Not found"]})

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/__stats":
            with STATE.lock:
                return self.send(200, {"total": STATE.total, "requests": STATE.requests,
                                       "user_agents": STATE.user_agents, "max_concurrent": STATE.max_concurrent})
        if url.path == "/__state":
            with STATE.lock:
                return self.send(200, {"appointments": [], "busy": STATE.busy})
        self.count(url.path)
        with STATE.lock:
            STATE.concurrent += 1
            STATE.max_concurrent = max(STATE.max_concurrent, STATE.concurrent)
        try:
            self.serve(url)
        finally:
            with STATE.lock:
                STATE.concurrent -= 1

    def count(self, path):
        with STATE.lock:
            STATE.total += 1
            STATE.requests[path] = STATE.requests.get(path, 0) + 1
            ua = self.headers.get("User-Agent") or ""
            if ua not in STATE.user_agents:
                STATE.user_agents.append(ua)

    def serve(self, url):
        with STATE.lock:
            delay = STATE.delay_ms
        if delay:
            time.sleep(delay / 1000.0)
        with STATE.lock:
            if STATE.rate_limit > 0:
                now = int(clock.now_s())
                if now >= STATE.window_start + 60:
                    STATE.window_start, STATE.window_count = now, 0
                STATE.window_count += 1
                if STATE.window_count > STATE.rate_limit:
                    wait = STATE.retry_after if STATE.retry_after is not None else STATE.window_start + 60 - now
                    return self.send(429, b"Retry later\n", "text/plain", {"Retry-After": str(max(1, wait))})
            if STATE.fail_status and STATE.fail_count != 0:
                if STATE.fail_count > 0:
                    STATE.fail_count -= 1
                headers = {"Retry-After": str(STATE.retry_after)} if STATE.retry_after is not None else {}
                return self.send(STATE.fail_status, b"<html><body>We're sorry, but something went wrong.</body>"
                                 b"</html>", "text/html", headers)
            shape = STATE.treatments_shape
            busy = list(STATE.busy)
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        if url.path == "/api/v2/locations":
            return self.send(200, LOCATIONS)
        if url.path == "/api/v2/disciplines":
            return self.send(200, DISCIPLINES)
        if url.path == "/api/v2/staff_members":
            return self.send(200, STAFF)
        if url.path == "/api/v2/treatments":
            return self.send(200, {"treatments": TREATMENTS} if shape == "object" else TREATMENTS)
        if url.path == "/api/v2/openings":
            return self.openings(q, busy)
        return self.page()

    def openings(self, q, busy):
        try:
            first = dt.date.fromisoformat(q.get("date", ""))
            num_days = int(q.get("num_days", "7"))
            location, staff, treatment = (int(q[k]) for k in ("location_id", "staff_member_id", "treatment_id"))
        except (ValueError, KeyError):
            return self.send(400, {"errors": ["location_id, staff_member_id, treatment_id, date and num_days are "
                                              "required"]})
        if not 1 <= num_days <= MAX_NUM_DAYS:
            return self.send(400, {"errors": ["num_days must be between 1 and %d" % MAX_NUM_DAYS]})
        member = next((s for s in STAFF if s["id"] == staff), None)
        tr = next((t for t in TREATMENTS if t["id"] == treatment), None)
        loc = next((l for l in LOCATIONS if l["id"] == location), None)
        if member is None or tr is None or loc is None or staff not in tr["staff_member_ids"] or \
                location not in member["location_ids"]:
            return self.send(200, [])
        zone = ZoneInfo(loc["time_zone"])
        now = dt.datetime.fromtimestamp(clock.now_ms() / 1000.0, dt.timezone.utc)
        seconds = tr["treatment_duration"]
        taken = [(parse_instant(b["start_at"]), parse_instant(b["end_at"])) for b in busy
                 if b["staff_member_id"] == staff]
        openings, shifts = [], []
        for i in range(num_days):
            date = first + dt.timedelta(days=i)
            if works(date):
                s, e = shift(zone, date)
                shifts.append({"start_at": iso(s, zone), "end_at": iso(e, zone), "call_to_book": False})
            for t in day_starts(zone, date, seconds):
                end = t + dt.timedelta(seconds=seconds)
                if t < now or any(a < end and t < b for a, b in taken):
                    continue
                openings.append({"staff_member_id": staff, "location_id": location, "treatment_id": treatment,
                                 "duration": seconds, "start_at": iso(t, zone), "end_at": iso(end, zone),
                                 "room_id": None, "parent_appointment_id": None, "status": "available"})
        self.send(200, [{"id": staff, "full_name": member["full_name"],
                         "first_date": openings[0]["start_at"][:10] if openings else None,
                         "openings": openings, "shifts": shifts}])

    def control(self, c):
        with STATE.lock:
            if c.get("reset"):
                STATE.reset_controls()
            if c.get("reset_stats"):
                STATE.reset_stats()
            for k in ("delay_ms", "fail_status", "fail_count", "retry_after", "rate_limit", "treatments_shape",
                      "busy"):
                if k in c:
                    setattr(STATE, k, c[k])
            if "fail_status" in c and "fail_count" not in c:
                STATE.fail_count = -1
            if "rate_limit" in c:
                STATE.window_start = STATE.window_count = 0
        self.send(200, {"ok": True})


def main():
    global HOURS, EVERY_DAY
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--hours", default="09:00-17:00", help="HH:MM-HH:MM (24:00 allowed): every shift")
    ap.add_argument("--every-day", action="store_true", help="practitioners work every day, not Monday to Friday")
    args = ap.parse_args()
    start, end = args.hours.split("-")
    HOURS = (int(start[:2]) * 60 + int(start[3:]), int(end[:2]) * 60 + int(end[3:]))
    EVERY_DAY = args.every_day
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 128
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("ready" if args.port else "ready %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
