"""tests/conformance/scenarios.py: what every provider must do, as a caller or an operator would notice it through
the real binary over HTTP (docs/API.md). Each scenario takes the run's context (run_context.RunContext) and
raises AssertionError (FAIL) or NotApplicable (n/a, with the reason). Scenario names are the table's rows and
the same in every column; profiles (profiles/base.py) are the only provider-specific code."""

import datetime as dt
import threading
import time
import uuid
from zoneinfo import ZoneInfo

import clock
import avail_support as A
from profiles.base import utc_ms


class NotApplicable(Exception):
    """The provider has no such thing (the cell reads n/a and the reason)."""


class Scenario:
    def __init__(self, name, run, prepare=None, late=False):
        self.name, self.run, self.prepare, self.late = name, run, prepare, late


def sentence(test_label, r):
    """The error answer carries a sentence an agent can say, and no EMR text."""
    msg = r.body["error"]["message"] if isinstance(r.body, dict) and "error" in r.body else None
    assert isinstance(msg, str) and len(msg) > 20 and msg.rstrip().endswith((".", "?", "!")), \
        "%s: no sentence to say in %r" % (test_label, r)
    for word in ("injected", "Unauthorized", "Internal Server Error", "fake"):
        assert word not in msg, "%s: EMR text reached the caller: %r" % (test_label, msg)


def needs_network(ctx):
    if not ctx.profile.network:
        raise NotApplicable("%s has no network EMR to fail" % ctx.profile.name)


def needs_writes(ctx):
    """Scenarios that need an appointment written in the EMR: n/a for a provider that cannot write appointments
    (profile.writes False), whose bookings become booking requests (hold_then_book, race_two_processes, cancel,
    the reschedules and patient_appointments run against those)."""
    if not ctx.profile.writes:
        raise NotApplicable("%s cannot write appointments (PROV_CAP_NO_WRITE)" % ctx.profile.name)


def offered(ctx, slot):
    """True when the slot's time is offered to callers now."""
    return slot["start_at"] in [s["start_at"] for s in ctx.slots()]


def held_at(ctx, slot):
    """Whose booking takes the slot's time: the EMR's live appointment ids there, or for a provider that cannot
    write (its bookings are requests Frontdesk keeps) ["taken"] when the time is no longer offered, else []."""
    if ctx.profile.writes:
        return [x["id"] for x in ctx.live_at(slot["staff_member_id"], utc_ms(slot["start_at"]))]
    assert not appointments_written(ctx, slot), "a request wrote to the EMR"
    return [] if offered(ctx, slot) else ["taken"]


# ---- catalog and availability -----------------------------------------------------------------------------------

def catalog(ctx):
    locs = ctx.post("fetchAllLocations", {})
    assert locs.status == 200 and locs.body["locations"], "fetchAllLocations answered %r" % (locs,)
    for l in locs.body["locations"]:
        assert isinstance(l["id"], str) and l["name"] and ZoneInfo(l["time_zone"]), l
    first = locs.body["locations"][0]["id"]
    staff = ctx.post("fetchAllStaff", {"locationId": first})
    treatments = ctx.post("fetchAllTreatments", {"locationId": first})
    assert staff.status == 200 and staff.body["staff"], "fetchAllStaff answered %r" % (staff,)
    assert treatments.status == 200 and treatments.body["treatments"], "fetchAllTreatments answered %r" % (treatments,)
    tids = {t["id"] for t in treatments.body["treatments"]}
    for t in treatments.body["treatments"]:
        assert isinstance(t["id"], str) and t["duration_minutes"] > 0 and first in t["location_ids"], t
    for s in staff.body["staff"]:
        assert isinstance(s["id"], str) and s["name"] and first in s["location_ids"], s
    assert any(s["ai_enabled"] and set(s["treatment_ids"]) & tids for s in staff.body["staff"]), \
        "nobody bookable by an agent at %s" % first
    info = ctx.voice("clinic-info", {})
    assert info.status == 200 and info.body["staff"] and info.body["message"], info
    assert {s["id"] for s in info.body["staff"]} <= {s["id"] for s in staff.body["staff"] if s["ai_enabled"]} | \
        {s["id"] for s in info.body["staff"]}, info
    again = ctx.post("fetchAllStaff", {"locationId": first})
    assert again.body == staff.body, "a second read of the catalog differs"


def availability_dst_day(ctx):
    """The next DST change in the clinic's zone: the day's slots are at true local times (the offset each slot
    carries is the zone's at that instant), none twice, none in the skipped hour, none lost in the repeated one:
    exactly the openings the profile computes from the EMR's rules."""
    loc, sid, tr = ctx.choice()
    zone_name = ctx.profile.zone()
    assert loc["time_zone"] == zone_name, "the first location is in %s, the profile says %s" % (
        loc["time_zone"], zone_name)
    zone = ZoneInfo(zone_name)
    for day, minutes in A.next_dst_changes(zone_name, 2):
        nxt = day + dt.timedelta(days=1)
        r = ctx.post("fetchAvailabilityForRange", {
            "staff_member_id": sid, "treatment_id": tr["id"], "locationId": loc["id"],
            "start_at": day.isoformat() + "T00:00:00", "end_at": nxt.isoformat() + "T00:00:00"})
        assert r.status == 200, "%s (%+d min): fetchAvailabilityForRange answered %r" % (day, minutes, r)
        starts = [utc_ms(s["start_at"]) for s in r.body["slots"]]
        assert starts, "%s: no slot on the DST day" % day
        assert len(starts) == len(set(starts)), "%s: a slot offered twice" % day
        assert starts == sorted(starts), "%s: slots out of order" % day
        for s in r.body["slots"]:
            at = A.utc_of(utc_ms(s["start_at"])).astimezone(zone)
            assert s["start_local"] == at.isoformat(timespec="seconds"), \
                "%s: %s is %s locally, answered %s" % (day, s["start_at"], at.isoformat(), s["start_local"])
            assert at.date() == day, "%s: %s is on another local date" % (day, s["start_local"])
            assert utc_ms(s["end_at"]) - utc_ms(s["start_at"]) == tr["duration_minutes"] * A.MS_MIN, s
        expected = ctx.profile.dst_day_starts(day, sid, tr["id"], loc["id"])
        if expected is not None:
            missing = sorted(set(expected) - set(starts))
            extra = sorted(set(starts) - set(expected))
            assert not missing and not extra, "%s (%+d min): missing %s, extra %s" % (
                day, minutes, A.describe([(m, m) for m in missing], zone), A.describe([(m, m) for m in extra], zone))


# ---- patients -----------------------------------------------------------------------------------------------------

def patient_create(ctx):
    name = ctx.unique("Create")
    body = {"first_name": "Nora", "last_name": name, "email": "%s@Example.com" % name, "phone": "+61 412 555 019",
            "dob": "1984-02-29"}
    r = ctx.post("lookup-create-patient", body)
    assert r.status == 201 and r.body["created"] is True, "lookup-create-patient answered %r" % (r,)
    p = r.body["patient"]
    ctx.patient_ids.add(("main", p["id"]))
    assert isinstance(p["id"], str) and p["last_name"] == name and p["email"] == body["email"].lower(), p
    again = ctx.post("lookup-create-patient", body)
    assert again.status == 200 and again.body["created"] is False and again.body["patient"]["id"] == p["id"], \
        "the same caller again was not found: %r" % (again,)


def patient_by_phone(ctx):
    if not ctx.profile.phone_search:
        raise NotApplicable("%s cannot search patients by phone (documented: lookups go by e-mail, then name and "
                            "date of birth)" % ctx.profile.name)
    p = ctx.patient("Phone", phone="+61 412 555 020")
    r = ctx.post("lookup-create-patient", {"first_name": "Conf", "last_name": p["last_name"], "phone": "0412 555 020"})
    assert r.status == 200 and r.body["created"] is False and r.body["patient"]["id"] == p["id"], \
        "found by phone? %r" % (r,)


def patient_by_email(ctx):
    p = ctx.patient("Email")
    r = ctx.post("lookup-create-patient", {"first_name": "Someone", "last_name": "Else",
                                           "email": p["email"].upper()})
    assert r.status == 200 and r.body["created"] is False and r.body["patient"]["id"] == p["id"], \
        "found by e-mail? %r" % (r,)


def patient_by_name_dob(ctx):
    p = ctx.patient("Dob", dob="1971-07-04")
    r = ctx.post("lookup-create-patient", {"first_name": "conf", "last_name": p["last_name"].upper(),
                                           "email": "other.%s@example.com" % p["last_name"].lower(),
                                           "dob": "1971-07-04"})
    assert r.status == 200 and r.body["created"] is False and r.body["patient"]["id"] == p["id"], \
        "found by name and date of birth? %r" % (r,)


# ---- booking ------------------------------------------------------------------------------------------------------

def appointments_written(ctx, slot):
    """The EMR's live appointments at the slot, booking requests aside (a profile whose "EMR" is Frontdesk's own
    records, like schedule's, lists the requests it keeps there: ids "req_...")."""
    live = ctx.live_at(slot["staff_member_id"], utc_ms(slot["start_at"]))
    return [x for x in live if not str(x["id"]).startswith("req_")]


def request_then_book_again(ctx):
    """A provider that cannot write appointments (PROV_CAP_NO_WRITE): bookAppt records a booking request, the
    time stays held for the caller, nothing reaches the EMR, and asking again answers the same request."""
    p = ctx.patient("Request")
    slot = ctx.slots()[0]
    h = ctx.hold(p["id"], slot)
    assert h.status == 201 and h.body["appointment"]["state"] == "provisional", h
    b = ctx.post("bookAppt", {"appointment_id": h.body["appointment"]["id"]})
    assert b.status == 200 and b.body["appointment"]["state"] == "requested", "bookAppt answered %r" % (b,)
    request_id = b.body["appointment"]["id"]
    assert request_id.startswith("req_"), b
    assert slot["start_at"] not in [s["start_at"] for s in ctx.slots()], "a requested time is still offered"
    assert not appointments_written(ctx, slot), "a request wrote to the EMR"
    again = ctx.post("bookAppt", {"appointment_id": h.body["appointment"]["id"]})
    assert again.status == 200 and again.body["appointment"]["id"] == request_id, "booking again: %r" % (again,)


def hold_then_book(ctx):
    if not ctx.profile.writes:
        return request_then_book_again(ctx)
    needs_writes(ctx)
    p = ctx.patient("Book")
    slot = ctx.slots()[0]
    h = ctx.hold(p["id"], slot)
    assert h.status == 201 and h.body["appointment"]["state"] == "provisional" and \
        h.body["appointment"]["hold_expires_at"], h
    offered = [s["start_at"] for s in ctx.slots()]
    assert slot["start_at"] not in offered, "a held time is still offered"
    assert not ctx.live_at(slot["staff_member_id"], utc_ms(slot["start_at"])), "a hold wrote to the EMR"
    b = ctx.post("bookAppt", {"appointment_id": h.body["appointment"]["id"]})
    assert b.status == 200 and b.body["appointment"]["state"] == "booked", "bookAppt answered %r" % (b,)
    a = b.body["appointment"]
    assert (a["start_at"], a["staff_member_id"], a["patient_id"]) == (slot["start_at"], slot["staff_member_id"],
                                                                     p["id"]), a
    live = ctx.live_at(slot["staff_member_id"], utc_ms(slot["start_at"]))
    assert [x["id"] for x in live] == [a["id"]], "the EMR holds %s" % ctx.dump(live)
    again = ctx.post("bookAppt", {"appointment_id": h.body["appointment"]["id"]})
    assert again.status == 200 and again.body["appointment"]["id"] == a["id"], "booking again: %r" % (again,)
    assert len(ctx.live_at(slot["staff_member_id"], utc_ms(slot["start_at"]))) == 1


def race_two_processes(ctx):
    """Two frontdesk processes on one Redis, 16 callers at once for one slot: one booking, in the EMR too (for a
    provider that cannot write: one booking request, and nothing in the EMR)."""
    second = ctx.second_server()
    patients = [ctx.patient("Race")["id"] for _ in range(2)]
    slot = ctx.slots()[0]
    results = []
    start = threading.Barrier(16)

    def caller(i):
        server = second if i % 2 else ctx.server
        start.wait()
        h = ctx.hold(patients[i % 2], slot, server=server)
        if h.status != 201:
            results.append(("hold", h.status, h.body["error"]["code"]))
            return
        b = ctx.post("bookAppt", {"appointment_id": h.body["appointment"]["id"]}, server=server)
        results.append(("book", b.status, b.body.get("appointment", {}).get("id")))

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    booked = [r for r in results if r[:2] == ("book", 200)]
    assert len(booked) == 1, "callers booked %d times: %s" % (len(booked), results)
    assert all(r[:2] == ("hold", 409) and r[2] in ("slot_taken", "slot_unavailable") for r in results
               if r not in booked), results
    live = appointments_written(ctx, slot)
    want = [booked[0][2]] if ctx.profile.writes else []
    assert [x["id"] for x in live] == want, "the EMR holds %s" % ctx.dump(live)


def hold_expires_prepare(ctx):
    p = ctx.patient("Expire", tenant="short")
    slot = ctx.slots(tenant="short", days_ahead=4)[0]
    h = ctx.hold(p["id"], slot, tenant="short")
    assert h.status == 201, "createAppt answered %r" % (h,)
    ctx.notes["hold_expires"] = (p, slot, h.body["appointment"]["id"], utc_ms(h.body["appointment"]["hold_expires_at"]))


def hold_expires(ctx):
    """A hold nobody books expires (policy.hold_seconds): bookAppt is 409 hold_expired, the time is offered again
    and another caller can have it. The hold was placed before the other scenarios ran, so little waiting is left."""
    p, slot, hold_id, expires = ctx.notes["hold_expires"]
    wait = (expires - clock.now_ms()) / 1000.0 + 0.3
    if wait > 0:
        time.sleep(wait)
    b = ctx.post("bookAppt", {"appointment_id": hold_id}, tenant="short")
    assert b.status == 409 and b.body["error"]["code"] == "hold_expired", "bookAppt of an expired hold: %r" % (b,)
    offered = [s["start_at"] for s in ctx.slots(tenant="short", days_ahead=4)]
    assert slot["start_at"] in offered, "the expired hold's time is not offered again"
    other = ctx.patient("Expire2", tenant="short")
    h = ctx.hold(other["id"], slot, tenant="short")
    assert h.status == 201, "another caller could not hold the freed time: %r" % (h,)
    assert not ctx.live_at(slot["staff_member_id"], utc_ms(slot["start_at"])), "an expired hold reached the EMR"


def apart(slots, n):
    """The first n slots of the list that do not overlap each other."""
    out = []
    for s in slots:
        if all(utc_ms(s["start_at"]) >= utc_ms(o["end_at"]) or utc_ms(s["end_at"]) <= utc_ms(o["start_at"])
               for o in out):
            out.append(s)
            if len(out) == n:
                return out
    raise AssertionError("fewer than %d separate free slots" % n)


def cancel(ctx):
    """Cancel through /ai_brain and /voice: the EMR's appointment is cancelled (a request is withdrawn, never
    sent), its time is offered again, and cancelling again is a clear 409."""
    p = ctx.patient("Cancel")
    slots = apart(ctx.slots(), 2)
    a = ctx.book(p["id"], slots[0])
    c = ctx.post("cancelAppt", {"appointment_id": a["id"], "cancelled_reason": "feeling better"})
    assert c.status == 200 and c.body["appointment"]["state"] == "cancelled", "cancelAppt answered %r" % (c,)
    assert not held_at(ctx, slots[0]), "still live in the EMR (or still held)"
    assert offered(ctx, slots[0]), "the cancelled time is not offered again"
    again = ctx.post("cancelAppt", {"appointment_id": a["id"]})
    assert again.status == 409 and again.body["error"]["code"] == "already_cancelled", again
    b = ctx.book(p["id"], slots[1])
    v = ctx.voice("cancel", {"appointment_id": b["id"]})
    assert v.status == 200 and v.body["cancelled"] is True and v.body["message"], "/voice/cancel answered %r" % (v,)
    assert not held_at(ctx, slots[1]), "voice cancel missed the EMR (or the hold)"


def reschedule_free(ctx):
    """A move to a free time: the old time is free, the new one taken once (a request moves its hold)."""
    p = ctx.patient("Move")
    slots = apart(ctx.slots(), 2)
    a = ctx.book(p["id"], slots[0])
    target = slots[1]
    r = ctx.voice("reschedule", {"appointment_id": a["id"], "new_start_at": target["start_at"]})
    assert r.status == 200 and r.body["rescheduled"] is True, "/voice/reschedule answered %r" % (r,)
    assert r.body["appointment"]["start_at"] == target["start_at"], r
    assert r.body["appointment"]["state"] == a["state"], "the move changed the state: %r" % (r,)
    assert not held_at(ctx, slots[0]), "the old time is still booked in the EMR (or still held)"
    assert len(held_at(ctx, target)) == 1, "the new time is not booked once in the EMR (or not held)"


def reschedule_taken(ctx):
    """A move to a time another caller has: 409, and both stay where they were."""
    p, q = ctx.patient("Stay"), ctx.patient("Taker")
    slots = apart(ctx.slots(), 2)
    a = ctx.book(p["id"], slots[0])
    b = ctx.book(q["id"], slots[1])
    r = ctx.voice("reschedule", {"appointment_id": a["id"], "new_start_at": slots[1]["start_at"]})
    assert r.status == 409 and r.body["error"]["code"] in ("slot_taken", "slot_unavailable"), r
    assert r.body["rescheduled"] is False and r.body["appointment"]["start_at"] == slots[0]["start_at"], r
    assert r.body["message"], r
    if ctx.profile.writes:
        assert held_at(ctx, slots[0]) == [a["id"]], "the original moved"
        assert held_at(ctx, slots[1]) == [b["id"]], "the taken time changed"
        return
    for who, slot in ((p, slots[0]), (q, slots[1])):
        mine = ctx.post("fetchPatientsAppointments", {"patient_id": who["id"]})
        assert mine.status == 200 and [x["start_at"] for x in mine.body["appointments"]] == [slot["start_at"]], \
            "a request moved: %r" % (mine,)
    assert held_at(ctx, slots[0]) and held_at(ctx, slots[1]), "a requested time is offered again"


def patient_appointments(ctx):
    """The patient's appointments, by id and on the phone: the booking (or the request) made."""
    p = ctx.patient("Appts", phone="+61 412 555 021")
    slots = ctx.slots()
    a = ctx.book(p["id"], slots[0])
    r = ctx.post("fetchPatientsAppointments", {"patient_id": p["id"]})
    assert r.status == 200 and [x["id"] for x in r.body["appointments"] if x["state"] == a["state"]] == [a["id"]], r
    v = ctx.voice("patientAppointments", {"phone": "+61412555021", "first_name": "Conf", "last_name": p["last_name"]})
    assert v.status == 200 and [x["id"] for x in v.body["appointments"]] == [a["id"]], \
        "/voice/patientAppointments answered %r" % (v,)
    assert v.body["message"], v


# ---- the EMR misbehaving ------------------------------------------------------------------------------------------

def emr_429(ctx):
    needs_network(ctx)
    warm = ctx.post("fetchAllStaff", {})  # the main tenant's catalog is cached by now
    assert ctx.profile.fault("rate_limit", retry_after=30, count=1000), "the fake cannot rate-limit"
    cached = ctx.post("fetchAllStaff", {})
    assert cached.status == 200 and cached.body["staff"] == warm.body["staff"], "the cache did not answer: %r" % (
        cached,)
    cold = ctx.post("fetchAllStaff", {}, tenant="f429")
    assert cold.status == 503 and cold.body["error"]["code"] == "emr_rate_limited", "a cold read: %r" % (cold,)
    wait = cold.header("retry-after")
    assert wait is not None and 1 <= int(wait) <= 61, "Retry-After %r" % wait
    sentence("emr_429", cold)
    info = ctx.voice("clinic-info", {}, tenant="f429")
    assert info.status == 503 and info.header("retry-after"), "/voice/clinic-info: %r" % (info,)


def emr_5xx(ctx):
    needs_network(ctx)
    for status in (500, 503):
        ctx.profile.clear_faults()
        assert ctx.profile.fault("server_error", status=status, count=1000), "the fake cannot fail"
        r = ctx.post("fetchAllStaff", {}, tenant="f5xx")
        assert r.status == 502 and r.body["error"]["code"] == "emr_error", "EMR %d: %r" % (status, r)
        sentence("EMR %d" % status, r)
        v = ctx.voice("clinic-info", {}, tenant="f5xx")
        assert v.status == 502, "/voice/clinic-info on EMR %d: %r" % (status, v)
        sentence("/voice/clinic-info on EMR %d" % status, v)


def emr_hung(ctx):
    needs_network(ctx)
    assert ctx.profile.fault("hang", ms=8000), "the fake cannot hang"
    deadline = 2.0  # the tenants' policy.voice_deadline_ms
    for route, params in (("clinic-info", {}), ("bestSlot", {"treatment_name": "x", "time_zone": "UTC"})):
        t0 = time.monotonic()
        r = ctx.voice(route, params, tenant="fhung")
        took = time.monotonic() - t0
        assert r.status == 504 and r.body["error"]["code"] == "emr_timeout", "/voice/%s: %r" % (route, r)
        sentence("/voice/" + route, r)
        assert took < deadline + 0.75, "/voice/%s took %.1f s, past its %.1f s deadline" % (route, took, deadline)


def lost_answer_retry(ctx):
    """The EMR commits the booking but the answer is lost; the caller retries with the same Idempotency-Key and
    gets the one booking the EMR holds."""
    needs_network(ctx)
    needs_writes(ctx)
    p = ctx.patient("Lost")
    slot = ctx.slots()[0]
    h = ctx.hold(p["id"], slot)
    assert h.status == 201, h
    key = {"Idempotency-Key": str(uuid.UUID(int=ctx.serial + 0x1000))}
    assert ctx.profile.fault("lose_answer", count=1), "the fake cannot lose an answer"
    first = ctx.post("bookAppt", {"appointment_id": h.body["appointment"]["id"]}, headers=key)
    assert first.status in (502, 503, 504), "the lost answer was answered %r" % (first,)
    sentence("the lost answer", first)
    ctx.profile.clear_faults()
    retry = ctx.post("bookAppt", {"appointment_id": h.body["appointment"]["id"]}, headers=key)
    assert retry.status == 200 and retry.body["appointment"]["state"] == "booked", "the retry: %r" % (retry,)
    live = ctx.live_at(slot["staff_member_id"], utc_ms(slot["start_at"]))
    assert [x["id"] for x in live] == [retry.body["appointment"]["id"]], "the EMR holds %s" % ctx.dump(live)


def same_records(a, b):
    """Equal answers, lists of plain values (ids) compared as sets."""
    def norm(x):
        if isinstance(x, dict):
            return {k: norm(v) for k, v in x.items()}
        if isinstance(x, list):
            items = [norm(v) for v in x]
            return sorted(items) if all(isinstance(v, str) for v in items) else items
        return x
    return norm(a) == norm(b)


def pagination(ctx):
    needs_network(ctx)
    main = {route: ctx.post(route, {}).body for route in ("fetchAllLocations", "fetchAllStaff", "fetchAllTreatments")}
    if not ctx.profile.fault("paging", page_size=1):
        raise NotApplicable("%s has no paged lists" % ctx.profile.name)
    for route, expected in main.items():  # the same records; lists of ids may come in another order
        r = ctx.post(route, {}, tenant="fpage")
        assert r.status == 200 and same_records(r.body, expected), "%s one record a page: %r" % (route, r)
    add = getattr(ctx.profile, "add_patients", None)
    if add is None:
        raise AssertionError("the profile cannot add patients straight into the EMR (add_patients)")
    family = ctx.unique("Family")
    email = "%s@example.com" % family.lower()
    ids = add([ctx.profile.patient_record(first, family, email, "1990-01-0%d" % (i + 1))
               for i, first in enumerate(("Ann", "Bea", "Cam"))])
    r = ctx.post("lookup-create-patient", {"first_name": "Cam", "last_name": family, "email": email}, tenant="fpage")
    assert r.status == 200 and r.body["created"] is False and r.body["patient"]["id"] == ids[2], \
        "the third of three patients sharing an e-mail, one a page: %r" % (r,)


def revoked_credential(ctx):
    needs_network(ctx)
    if not ctx.profile.credential:
        raise NotApplicable("%s is reached without a credential" % ctx.profile.name)
    assert ctx.profile.fault("revoke"), "the fake cannot revoke"
    r = ctx.post("fetchAllStaff", {}, tenant="frevoke")
    assert r.status == 502 and r.body["error"]["code"] == "emr_error", "a revoked credential: %r" % (r,)
    sentence("a revoked credential", r)
    deadline = time.monotonic() + 3
    while True:
        lines = [x for x in ctx.log_records() if x.get("tenant") == "frevoke" and
                 x.get("provider") == ctx.profile.name and "credential" in json_text(x)]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert lines, "no log line names the tenant, the provider and the credential"
    settings = ctx.profile.tenant().get("provider_settings") or {}
    logs = "\n".join(s.stderr() for s in ctx.servers)
    for k, v in settings.items():
        if any(w in k for w in ("key", "secret", "token", "password")) and isinstance(v, str):
            assert v not in logs, "the logs carry provider_settings.%s" % k


def json_text(obj):
    return " ".join(str(v) for v in obj.values()).lower()


SCENARIOS = [
    Scenario("catalog", catalog),
    Scenario("availability_dst_day", availability_dst_day),
    Scenario("patient_by_phone", patient_by_phone),
    Scenario("patient_by_email", patient_by_email),
    Scenario("patient_by_name_dob", patient_by_name_dob),
    Scenario("patient_create", patient_create),
    Scenario("hold_then_book", hold_then_book),
    Scenario("race_two_processes", race_two_processes),
    Scenario("hold_expires", hold_expires, prepare=hold_expires_prepare, late=True),
    Scenario("cancel", cancel),
    Scenario("reschedule_free", reschedule_free),
    Scenario("reschedule_taken", reschedule_taken),
    Scenario("patient_appointments", patient_appointments),
    Scenario("emr_429", emr_429),
    Scenario("emr_5xx", emr_5xx),
    Scenario("emr_hung", emr_hung),
    Scenario("lost_answer_retry", lost_answer_retry),
    Scenario("pagination", pagination),
    Scenario("revoked_credential", revoked_credential),
]
