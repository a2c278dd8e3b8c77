#!/usr/bin/env python3
"""tests/fakes/fake_nookal.py: a fake Nookal v2 API (https://api.nookal.com/production/v2/<method>) for tests.

Behaves like the real one as far as the research on Nookal's SDK and third-party clients tells, and where it
is silent, like the least kind reading (each marked "our reading"):
- One path per RPC method, POST with an application/x-www-form-urlencoded body (GET with a query string also
  works, as third-party clients found). The api_key parameter authenticates every call.
- Every answer is HTTP 200 with an envelope {"status": "success", "data": {"api_call", "results"}, "details":
  {"currentItems", "totalItems"}, "settings": {"currentPage", "nextPage", "pageLength"}}; a failure is also
  HTTP 200 with {"status": "failure", "details": {"errorMessage", "errorCode", "alerts": []}}. Error codes are
  not documented (the one seen is "L000_1"): ours look like it, and the messages say what happened.
- Types are loose on purpose: IDs are sometimes "1", sometimes 1; booleans are "0"/"1"; currentPage is "1" or 1;
  appointment_id and patient_id come back as integers.
- Lists page with page / page_length (our reading: at most 200, else a failure) and settings.nextPage (null on
  the last page).
- Times are a local date plus a local time without an offset, in the location's zone. A start time that does
  not exist that day (a DST gap) is refused (our reading); a repeated local time means its first occurrence.
- getAppointmentAvailabilities answers free periods of the practitioner at the location (our reading of an
  undocumented shape): [{"date", "start_time", "end_time"}], the roster minus appointments, from now on.
- addAppointmentBooking refuses a clash with the practitioner's appointments unless allow_overlap_bookings is
  set (research [INF]); the control "overlap_guard": false turns that off, as a server that does not check.
- cancelAppointment needs the appointment's patient_id; cancelling twice is a failure.
- searchPatients and getAppointments with nothing to answer are failures "No ... found" (our reading, the less
  kind one).
- A revoked key is a failure "Invalid API key"; rate limits are not documented: our reading is HTTP 429 with
  Retry-After and a failure envelope "Too many requests".

Test controls (no auth): POST /__control with any of
  {"delay_ms", "fail_status" (HTTP status answered with a failure envelope), "fail_count" (default: every call),
   "retry_after" (secs, with fail_status or rate_limit), "rate_limit": n calls a minute, "lose_answer": n (the
   next n addAppointmentBooking calls commit, then the connection closes unanswered), "revoke": bool,
   "page_size_cap": n, "overlap_guard": bool, "race_next": n (the next n addAppointmentBooking calls meet a
   booking of the same practitioner and time made a moment earlier by the clinic's front desk, for patient 102),
   "reset": true (seed again, controls off), "reset_stats": true}
GET /__stats -> {"total", "requests": {"method": n}, "writes": [{"method", "params"}]} (params without api_key)
GET /__state -> {"appointments": [{"id", "staff_id", "start_ms", "cancelled"}]}

CLI: python3 fake_nookal.py --port P --api-key KEY [--hours 00:00-24:00 --every-day]   (prints "ready" when
listening; --port 0 picks one and prints "ready <port>"; --every-day: every practitioner works --hours daily).
"""
import argparse
import datetime as dt
import json
import os
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "it"))
import clock  # noqa: E402  (the suite's clock, pinned or not)
from fake_common import FakeState  # noqa: E402
from fake_http import serve  # noqa: E402

API_KEY = "fake-nookal-key"
PREFIX = "/production/v2/"
MAX_PAGE_LENGTH = 200
WRITES = ("addAppointmentBooking", "cancelAppointment", "addPatient", "rebookAppointment")

# Rosters: weekday (0 = Monday) -> [(start minute, end minute)] at each location of the practitioner.
WEEKDAYS = {d: [(9 * 60, 17 * 60)] for d in range(5)}
EVERY_DAY = None  # --hours with --every-day: every practitioner works these (start, end) minutes every day


def local_instant(zone, date, minute):
    """The instant (aware UTC) of a local date and minute in zone: a repeated time is its first occurrence
    (fold=0); None when the time does not exist (a DST gap)."""
    naive = dt.datetime(date.year, date.month, date.day) + dt.timedelta(minutes=minute)
    t = naive.replace(tzinfo=zone)
    back = t.astimezone(dt.timezone.utc).astimezone(zone).replace(tzinfo=None)
    if back != naive:
        return None
    return t.astimezone(dt.timezone.utc)


def wall_instant(zone, date, minute):
    """The instant (aware UTC) a local date and minute (up to 1440, the next midnight) stands for, as a period's
    end: a time in a DST gap is where the clock resumes after it, a repeated time its first occurrence."""
    naive = dt.datetime(date.year, date.month, date.day) + dt.timedelta(minutes=minute)
    return naive.replace(tzinfo=zone).astimezone(dt.timezone.utc)


def openings(zone, date, periods, duration):
    """What a client should make of free periods (local minutes) on a date: openings of `duration` minutes one
    after another in real time from each period's start, keeping the starts that exist exactly once as local
    times (a repeated local time cannot be written back unambiguously). Aware UTC datetimes."""
    out = []
    for s, e in periods:
        t, end = wall_instant(zone, date, s), wall_instant(zone, date, e)
        while t + dt.timedelta(minutes=duration) <= end:
            local = t.astimezone(zone)
            if local_instant(zone, local.date(), local.hour * 60 + local.minute) == t:
                out.append(t)
            t += dt.timedelta(minutes=duration)
    return out


def hhmm(minute, seconds=False):
    return "%02d:%02d" % (minute // 60, minute % 60) + (":00" if seconds else "")


def parse_hhmm(s):
    parts = (s or "").split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() and len(p) == 2 for p in parts):
        return None
    h, m = int(parts[0]), int(parts[1])
    return h * 60 + m if h < 24 and m < 60 else None


def parse_date(s):
    try:
        return dt.date.fromisoformat(s or "")
    except ValueError:
        return None


class State(FakeState):
    def reset_controls(self):
        self.reset_faults()
        self.page_size_cap = 0
        self.overlap_guard = True
        self.race_next = 0

    def reset_stats(self):
        self.requests = {}
        self.total = 0
        self.writes = []

    def next_id(self):
        self.id_counter += 1
        return self.id_counter

    def seed(self):
        self.id_counter = 5000
        self.locations = {
            "1": {"ID": "1", "Name": "Harbour Physio", "Timezone": "Australia/Sydney", "AddressLine1": "1 Quay St",
                  "AddressLine2": None, "AddressLine3": None, "City": "Sydney", "State": "NSW", "Country": "Australia",
                  "Postcode": "2000", "Telephone": "02 9000 0000", "Email": "front@harbour.example", "Website": None,
                  "lockNewPatientsToLocation": "0"},
            "2": {"ID": "2", "Name": "Perth Rooms", "Timezone": "Australia/Perth", "AddressLine1": "9 Hay St",
                  "AddressLine2": None, "AddressLine3": None, "City": "Perth", "State": "WA", "Country": "Australia",
                  "Postcode": "6000", "Telephone": "08 9000 0000", "Email": "front@perth.example", "Website": None,
                  "lockNewPatientsToLocation": "1"},
        }
        self.practitioners = {
            "1": {"ID": "1", "FirstName": "Jane", "LastName": "Citizen", "Title": "Dr", "Speciality": "Physiotherapist",
                  "Email": "jane@harbour.example", "locations": [1, 2], "ShowInDiary": "1", "status": "1"},
            "2": {"ID": 2, "FirstName": "Sam", "LastName": "Okafor", "Title": None, "Speciality": "Osteopath",
                  "Email": "sam@harbour.example", "locations": [1], "ShowInDiary": "1", "status": 1},
            "3": {"ID": "3", "FirstName": "Noor", "LastName": "Haddad", "Title": "Ms", "Speciality": "Telehealth",
                  "Email": "noor@harbour.example", "locations": ["1"], "ShowInDiary": "0", "status": "1"},
            "4": {"ID": "4", "FirstName": "Old", "LastName": "Staffer", "Title": None, "Speciality": "Massage",
                  "Email": None, "locations": [1], "ShowInDiary": "1", "status": "0"},
        }
        night = dict(WEEKDAYS)
        night[6] = [(0, 6 * 60)]  # Sundays 00:00-06:00: across the 02:00/03:00 DST changes of Sydney
        self.rosters = {"1": WEEKDAYS, "2": night, "3": WEEKDAYS, "4": WEEKDAYS}
        if EVERY_DAY is not None:
            self.rosters = {p: {d: [EVERY_DAY] for d in range(7)} for p in self.practitioners}
        self.services = {
            "1": {"ID": "1", "Name": "Initial Consultation", "Description": "First visit", "Duration": "60",
                  "Price": "95.00", "hasTax": "0", "Locations": [1, 2]},
            "2": {"ID": 2, "Name": "Follow-up", "Description": None, "Duration": 30, "Price": 70, "hasTax": 0,
                  "Locations": "1"},
        }
        self.patients = {
            "101": {"ID": "101", "Title": "Ms", "FirstName": "Mia", "MiddleName": None, "LastName": "Wong",
                    "Nickname": None, "DOB": "1988-02-14", "Gender": "F", "Email": "mia.wong@example.com",
                    "Mobile": "0412 345 678", "Home": None, "Work": None, "LocationID": "1", "active": "1",
                    "deceased": "0", "allowOnlineBookings": "1"},
            "102": {"ID": "102", "Title": "Mr", "FirstName": "Tom", "MiddleName": None, "LastName": "Baker",
                    "Nickname": None, "DOB": "1975-11-30", "Gender": "M", "Email": "tom.baker@example.com",
                    "Mobile": "+61 498 765 432", "Home": "02 9111 2222", "Work": None, "LocationID": "1",
                    "active": "1", "deceased": "0", "allowOnlineBookings": "1"},
        }
        self.appointments = {}
        zone = ZoneInfo(self.locations["1"]["Timezone"])
        today = clock.today(zone)
        d = today + dt.timedelta(days=1)
        while d.weekday() >= 5:
            d += dt.timedelta(days=1)
        for aid, pid, staff, date, start, cancelled in (("701", "101", "1", d, 10 * 60, "0"),
                                                        ("702", "101", "2", d, 11 * 60, "1"),
                                                        ("703", "102", "2", d + dt.timedelta(days=1), 9 * 60, "0")):
            self.appointments[aid] = self.appt(aid, pid, staff, "1", "1", date, start, cancelled)

    def appt(self, aid, patient, staff, location, service, date, start, cancelled="0"):
        duration = int(self.services[service]["Duration"])
        stamp = clock.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        return {"ID": aid, "patientID": int(patient), "appointmentDate": date.isoformat(),
                "appointmentStartTime": hhmm(start, True), "appointmentEndTime": hhmm(start + duration, True),
                "locationID": int(location), "appointmentType": self.services[service]["Name"],
                "appointmentTypeID": str(service), "practitionerID": str(staff), "cancelled": cancelled,
                "cancellationDate": None, "DNA": "0", "arrived": "0", "Notes": None, "dateCreated": stamp,
                "lastModified": stamp}

    def zone_of(self, location):
        return ZoneInfo(self.locations[str(location)]["Timezone"])

    def start_ms(self, a):
        t = local_instant(self.zone_of(a["locationID"]), parse_date(a["appointmentDate"]),
                          parse_hhmm(a["appointmentStartTime"]))
        return int(t.timestamp() * 1000)

    def busy(self, staff, date):
        """(start, end) local minutes of the practitioner's live appointments that date, any location."""
        out = []
        for a in self.appointments.values():
            if a["practitionerID"] == str(staff) and a["appointmentDate"] == date.isoformat() and a["cancelled"] != "1":
                out.append((parse_hhmm(a["appointmentStartTime"]), parse_hhmm(a["appointmentEndTime"])))
        return out

    def free(self, staff, location, date):
        """Free local periods of a practitioner at a location on a date: roster minus appointments, from now."""
        periods = list(self.rosters[str(staff)].get(date.weekday(), []))
        zone = self.zone_of(location)
        now_local = clock.now(zone)
        if date < now_local.date():
            return []
        if date == now_local.date():
            cut = now_local.hour * 60 + now_local.minute
            periods = [(max(s, cut), e) for s, e in periods if e > cut]
        for bs, be in self.busy(staff, date):
            nxt = []
            for s, e in periods:
                if be <= s or bs >= e:
                    nxt.append((s, e))
                    continue
                if s < bs:
                    nxt.append((s, bs))
                if be < e:
                    nxt.append((be, e))
            periods = nxt
        return periods


STATE = State()


class Failure(Exception):
    def __init__(self, message, code):
        super().__init__(message)
        self.message, self.code = message, code


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "FakeNookal/1.0"

    def log_message(self, fmt, *args):  # quiet
        pass

    def send(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def failure(self, message, code, status=200, headers=None):
        self.send(status, {"status": "failure", "details": {"errorMessage": message, "errorCode": code,
                                                            "alerts": []}}, headers)

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def dispatch(self, verb):
        url = urllib.parse.urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n > 0 else b""
        if url.path == "/__control" and verb == "POST":
            return self.control(json.loads(raw or b"{}"))
        if url.path == "/__stats" and verb == "GET":
            with STATE.lock:
                return self.send(200, {"total": STATE.total, "requests": STATE.requests, "writes": STATE.writes})
        if url.path == "/__state" and verb == "GET":
            with STATE.lock:
                return self.send(200, {"appointments": [
                    {"id": a["ID"], "staff_id": a["practitionerID"], "start_ms": STATE.start_ms(a),
                     "cancelled": a["cancelled"] == "1"} for a in STATE.appointments.values()]})
        form = urllib.parse.parse_qs(url.query if verb == "GET" else raw.decode("utf-8", "replace"),
                                     keep_blank_values=True)
        params = {k: v[-1] for k, v in form.items()}
        method = url.path[len(PREFIX):] if url.path.startswith(PREFIX) else None
        with STATE.lock:
            STATE.total += 1
            STATE.requests[method or url.path] = STATE.requests.get(method or url.path, 0) + 1
            if method in WRITES:
                STATE.writes.append({"method": method,
                                     "params": {k: v for k, v in params.items() if k != "api_key"}})
            delay = STATE.delay_ms
        if delay:
            time.sleep(delay / 1000.0)
        with STATE.lock:
            fault = STATE.due_fault()
            if fault is not None:
                kind, status, headers = fault
                if kind == "rate_limited":
                    return self.failure("Too many requests", "R429_1", 429, headers)
                return self.failure("Service temporarily unavailable", "S%d_1" % status, status, headers)
            if params.get("api_key") != API_KEY or STATE.revoked:
                return self.failure("Invalid API key", "A000_1")
            if method is None:
                return self.failure("Unknown API method", "M000_1")
            try:
                results, paging = self.route(method, params)
            except Failure as f:
                return self.failure(f.message, f.code)
            if method == "addAppointmentBooking" and STATE.lose_answer > 0:
                STATE.lose_answer -= 1
                self.close_connection = True
                self.connection.shutdown(2)  # committed, but the answer never leaves
                return None
        items, total, page, nxt, length = paging or (1, 1, "1", None, 1)
        return self.send(200, {"status": "success", "data": {"api_call": method, "results": results},
                               "details": {"currentItems": items, "totalItems": total},
                               "settings": {"currentPage": page, "nextPage": nxt, "pageLength": length}})

    def control(self, c):
        with STATE.lock:
            if c.get("reset"):
                STATE.seed()
                STATE.reset_controls()
            if c.get("reset_stats"):
                STATE.reset_stats()
            STATE.apply_faults(c)
            for k in ("page_size_cap", "overlap_guard", "race_next"):
                if k in c:
                    setattr(STATE, k, c[k])
        self.send(200, {"ok": True})

    # ---- paging ----------------------------------------------------------------------------------------------
    def page(self, key, items, params):
        try:
            page = int(params.get("page") or 1)
            length = int(params.get("page_length") or 100)
        except ValueError:
            raise Failure("page and page_length must be numbers", "P000_1")
        if page < 1 or length < 1 or length > MAX_PAGE_LENGTH:
            raise Failure("page_length must be between 1 and %d" % MAX_PAGE_LENGTH, "P000_2")
        size = min(length, STATE.page_size_cap) if STATE.page_size_cap else length
        chunk = items[(page - 1) * size: page * size]
        nxt = page + 1 if page * size < len(items) else None
        # currentPage is a string on some answers and a number on others, as in Nookal's own fixtures.
        return {key: chunk}, (len(chunk), len(items), str(page) if page % 2 else page, nxt, size)

    # ---- methods ---------------------------------------------------------------------------------------------
    def route(self, method, p):
        S = STATE
        if method == "verify":
            return {"verified": "1"}, None
        if method == "getLocations":
            return self.page("locations", list(S.locations.values()), p)
        if method == "getPractitioners":
            return self.page("practitioners", list(S.practitioners.values()), p)
        if method == "getAppointmentTypes":
            return self.page("services", list(S.services.values()), p)
        if method == "getAppointmentAvailabilities":
            return self.availabilities(p), None
        if method == "searchPatients":
            found = [x for x in S.patients.values() if self.patient_matches(x, p)]
            if not found:
                raise Failure("No patients found", "P404_1")
            return self.page("patients", found, p)
        if method == "addPatient":
            return self.add_patient(p), None
        if method == "getAppointments":
            return self.page("appointments", self.appointments(p), p)
        if method == "addAppointmentBooking":
            return self.add_appointment(p), None
        if method == "cancelAppointment":
            return self.cancel(p), None
        raise Failure("Unknown API method", "M000_1")

    def need(self, p, *names):
        for n in names:
            if not p.get(n):
                raise Failure("%s is required" % n, "V000_1")

    def availabilities(self, p):
        self.need(p, "location_id", "practitioner_id", "date_from", "date_to")
        loc, staff = p["location_id"], p["practitioner_id"]
        if loc not in STATE.locations:
            raise Failure("Location not found", "L404_1")
        if staff not in STATE.practitioners:
            raise Failure("Practitioner not found", "U404_1")
        frm, to = parse_date(p["date_from"]), parse_date(p["date_to"])
        if frm is None or to is None or to < frm or (to - frm).days > 31:
            raise Failure("Invalid date range", "V000_2")
        works_here = int(loc) in [int(x) for x in STATE.practitioners[staff]["locations"]]
        out, d = [], frm
        while d <= to and works_here:
            for s, e in STATE.free(staff, loc, d):
                out.append({"date": d.isoformat(), "start_time": hhmm(s), "end_time": hhmm(e)})
            d += dt.timedelta(days=1)
        return {"date_from": p["date_from"], "date_to": p["date_to"], "location_id": loc, "practitioner_id": staff,
                "availabilities": out}

    def patient_matches(self, x, p):
        if not any(p.get(k) for k in ("patient_id", "email", "first_name", "last_name", "date_of_birth")):
            raise Failure("A search parameter is required", "V000_1")
        checks = (("patient_id", "ID", False), ("email", "Email", True), ("first_name", "FirstName", True),
                  ("last_name", "LastName", True), ("date_of_birth", "DOB", False))
        for param, field, fold in checks:
            v = p.get(param)
            if v and (str(x.get(field) or "").lower() != v.lower() if fold else str(x.get(field)) != v):
                return False
        return True

    def add_patient(self, p):
        self.need(p, "first_name", "last_name")
        if p.get("date_of_birth") and parse_date(p["date_of_birth"]) is None:
            raise Failure("date_of_birth must be YYYY-MM-DD", "V000_3")
        pid = STATE.next_id()
        STATE.patients[str(pid)] = {
            "ID": str(pid), "Title": None, "FirstName": p["first_name"], "MiddleName": None,
            "LastName": p["last_name"], "Nickname": None, "DOB": p.get("date_of_birth") or None, "Gender": None,
            "Email": p.get("email") or None, "Mobile": p.get("mobile") or None, "Home": None, "Work": None,
            "LocationID": "1", "active": "1", "deceased": "0", "allowOnlineBookings": "1"}
        return {"patient_id": pid}

    def appointments(self, p):
        if not p.get("patient_id") and not p.get("practitioner_id"):
            raise Failure("patient_id or practitioner_id is required", "V000_1")
        frm, to = parse_date(p.get("date_from")), parse_date(p.get("date_to"))
        out = []
        for a in sorted(STATE.appointments.values(), key=lambda a: (a["appointmentDate"], a["appointmentStartTime"])):
            d = parse_date(a["appointmentDate"])
            if p.get("patient_id") and str(a["patientID"]) != p["patient_id"]:
                continue
            if p.get("practitioner_id") and a["practitionerID"] != p["practitioner_id"]:
                continue
            if p.get("location_id") and str(a["locationID"]) != p["location_id"]:
                continue
            if (frm and d < frm) or (to and d > to):
                continue
            out.append(a)
        if not out:
            raise Failure("No appointments found", "A404_1")
        return out

    def add_appointment(self, p):
        self.need(p, "location_id", "appointment_date", "start_time", "patient_id", "practitioner_id",
                  "appointment_type_id")
        S = STATE
        if p["patient_id"] not in S.patients:
            raise Failure("Patient not found", "P404_2")
        if p["location_id"] not in S.locations:
            raise Failure("Location not found", "L404_1")
        if p["practitioner_id"] not in S.practitioners:
            raise Failure("Practitioner not found", "U404_1")
        if p["appointment_type_id"] not in S.services:
            raise Failure("Appointment type not found", "T404_1")
        date, start = parse_date(p["appointment_date"]), parse_hhmm(p["start_time"])
        if date is None or start is None:
            raise Failure("Invalid appointment date or start time", "V000_4")
        if local_instant(S.zone_of(p["location_id"]), date, start) is None:
            raise Failure("Invalid start time: it does not exist on that date", "V000_5")
        duration = int(S.services[p["appointment_type_id"]]["Duration"])
        if S.race_next > 0:  # the front desk got there first
            S.race_next -= 1
            rid = str(S.next_id())
            S.appointments[rid] = S.appt(rid, "102", p["practitioner_id"], p["location_id"],
                                         p["appointment_type_id"], date, start)
        overlap_ok = p.get("allow_overlap_bookings") in ("1", "true")
        if S.overlap_guard and not overlap_ok:
            for bs, be in S.busy(p["practitioner_id"], date):
                if bs < start + duration and start < be:
                    raise Failure("The appointment overlaps an existing booking of the practitioner", "B409_1")
        aid = str(S.next_id())
        S.appointments[aid] = S.appt(aid, p["patient_id"], p["practitioner_id"], p["location_id"],
                                     p["appointment_type_id"], date, start)
        return {"appointment_id": int(aid)}

    def cancel(self, p):
        self.need(p, "appointment_id", "patient_id")
        a = STATE.appointments.get(p["appointment_id"])
        if a is None or str(a["patientID"]) != p["patient_id"]:
            raise Failure("Appointment not found", "A404_2")
        if a["cancelled"] == "1":
            raise Failure("Appointment already cancelled", "A409_1")
        a["cancelled"] = "1"
        a["cancellationDate"] = clock.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        return {"ID": a["ID"], "patientID": a["patientID"]}


def main():
    global API_KEY, EVERY_DAY
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--api-key", default=API_KEY)
    ap.add_argument("--hours", default=None, help="HH:MM-HH:MM (24:00 allowed): with --every-day")
    ap.add_argument("--every-day", action="store_true", help="every practitioner works --hours every day")
    args = ap.parse_args()
    API_KEY = args.api_key
    if args.every_day:
        start, end = (args.hours or "00:00-24:00").split("-")
        EVERY_DAY = (int(start[:2]) * 60 + int(start[3:]), int(end[:2]) * 60 + int(end[3:]))
        STATE.seed()
    serve(Handler, args.port, lambda port: "ready" if args.port else "ready %d" % port)


if __name__ == "__main__":
    main()
