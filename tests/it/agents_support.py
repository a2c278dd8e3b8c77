"""tests/it/agents_support.py: what the voice platforms' tests (test_agents_*.py) share: a frontdesk with a
sandbox tenant (the demo clinic) and a Cliniko tenant on the fake with a short voice deadline, and the full
conversation a receptionist agent has with the tool set (clinic info, best slot, book, appointments, reschedule,
cancel), driven through whatever envelope a test hands it. Each envelope's test builds its platform's own
payloads; this module never builds one."""

import datetime as dt
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
import test_cliniko as C  # noqa: E402  (the fake Cliniko's process and control calls)

KEY = "it-agents-sandbox-key-7d1c"
SECOND_KEY = "it-agents-sandbox-second-key-19fe"
SLOW_KEY = "it-agents-cliniko-quick-key-3b80"
RETELL_KEY = "it-agents-retell-api-key-51aa"
SLOW_DEADLINE_MS = 700
# How slow the slow tenant's Cliniko is made: far past the deadline, so that an answer that waited for it is
# told apart from the deadline answer by whole seconds, even on a loaded machine.
SLOW_EMR_MS = 5000

# A sentence an agent reads aloud: no ISO times, ids or markdown.
NOT_SAYABLE = re.compile(r"\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}|sb-appt|pr-|tx-|loc-|[*_#`\[\]{}<>|]")


class Service:
    """The frontdesk, its Redis and the fake Cliniko for one test module."""

    def __init__(self, retell_key=None):
        self.fake, C.FAKE_URL = C.start_fake()
        self.redis = H.Redis().start()
        base = {"locale": "en-AU", "country": "AU", "time_zone": "Australia/Sydney",
                "rate_limit": {"per_second": 5000, "burst": 5000}}
        sandbox = dict(base, id="ag", api_keys_sha256=[H.sha256_hex(KEY), H.sha256_hex(SECOND_KEY)])
        if retell_key is not None:
            sandbox["retell_api_key"] = retell_key
        slow = {"id": "agslow", "api_key_sha256": H.sha256_hex(SLOW_KEY), "provider": "cliniko", "country": "US",
                "provider_settings": {"api_key": C.CLINIKO_KEY, "base_url": C.FAKE_URL + "/v1", "timeout_ms": 5000,
                                      "connect_timeout_ms": 500, "rate_limit_per_minute": 100000},
                "policy": {"min_notice_minutes": 0, "max_days_ahead": 30, "voice_deadline_ms": SLOW_DEADLINE_MS}}
        if retell_key is not None:
            slow["retell_api_key"] = retell_key
        self.server = H.Frontdesk({"tenants": [sandbox, slow], "slot_secret": "it-agents-slot-secret-0123456789"},
                                  self.redis).start()
        self.port = self.server.port

    def close(self):
        try:
            H.shut_down(self.server, self.redis)
        finally:
            self.fake.terminate()
            self.fake.wait(5)

    def post(self, path, body, headers, timeout=10.0):
        return H.request(self.port, "POST", path, body, headers, timeout=timeout)

    def slow_cliniko(self, delay_ms):
        """Every Cliniko request answers after delay_ms, and nothing Cliniko said before is cached."""
        C.control(reset=True, reset_stats=True)
        for k in self.redis.command("KEYS", "fd:{agslow}:*"):
            self.redis.command("DEL", k)
        C.control(delay_ms=delay_ms)


class Module:
    """A test module's Service: started by the module's setUpModule (module.start), stopped by its tearDownModule
    (module.stop); the tests reach it as module.svc."""

    def __init__(self, **service_args):
        self.args, self.svc = service_args, None

    def start(self):
        self.svc = Service(**self.args)

    def stop(self):
        self.svc.close()


_phones = [0]


def new_phone():
    _phones[0] += 1
    return "+6149157%04d" % (1000 + _phones[0] + (os.getpid() % 4000))


def assert_sayable(test, answer):
    message = answer["message"]
    test.assertIsInstance(message, str)
    test.assertTrue(message.strip(), answer)
    test.assertLess(len(message.split()), 40, message)
    test.assertIsNone(NOT_SAYABLE.search(message), message)


def conversation(test, call):
    """A caller books, hears their appointments, moves and cancels: call(tool, args) -> the agent's object (the
    test's envelope unwraps it). Asserts what the caller would hear and that the clinic's calendar follows."""
    info = call("clinic_info", {})
    test.assertTrue(info["ok"], info)
    assert_sayable(test, info)
    test.assertTrue(info["staff"] and info["treatments"] and info["locations"], info)
    treatment = next(t for t in info["treatments"] if "physio" in t["name"].lower() and "initial" in t["name"].lower())

    best = call("best_slot", {"treatment_name": treatment["name"].lower(), "time_zone": "sydney"})
    test.assertTrue(best["ok"] and best["available"], best)
    assert_sayable(test, best)
    test.assertIn(best["spoken"], best["message"])

    phone = new_phone()
    book = call("book", {"slot_id": best["slot_id"], "first_name": "Mia", "last_name": "Agent", "phone": phone})
    test.assertTrue(book["ok"] and book["booked"], book)
    assert_sayable(test, book)
    appt = book["appointment"]
    test.assertEqual(appt["start_at"], best["start_at"])

    mine = call("patient_appointments", {"phone": phone})
    test.assertTrue(mine["ok"], mine)
    test.assertEqual([a["id"] for a in mine["appointments"]], [appt["id"]])
    test.assertIn(appt["spoken"], mine["message"])

    # The same practitioner a few days later: the new time the caller asks for.
    later = call("best_slot", {"treatment_name": treatment["name"], "time_zone": "sydney",
                               "staff_member_name": best["slot"]["staff_member_name"],
                               "requested_time_utc": _days_after(appt["start_at"], 3)})
    test.assertTrue(later["ok"] and later["available"], later)
    test.assertEqual(later["slot"]["staff_member_name"], best["slot"]["staff_member_name"])
    moved = call("reschedule", {"appointment_id": appt["id"], "new_start_at": later["start_at"],
                                "staff_member_id": later["slot"]["staff_member_id"],
                                "clinic_location_id": later["slot"]["location_id"]})
    test.assertTrue(moved["ok"] and moved["rescheduled"], moved)
    assert_sayable(test, moved)
    test.assertEqual(moved["appointment"]["start_at"], later["start_at"])
    now = call("patient_appointments", {"phone": phone})
    test.assertEqual([a["start_at"] for a in now["appointments"]], [later["start_at"]])

    gone = call("cancel", {"phone": phone, "first_name": "Mia", "last_name": "Agent"})
    test.assertTrue(gone["ok"] and gone["cancelled"], gone)
    assert_sayable(test, gone)
    empty = call("patient_appointments", {"phone": phone})
    test.assertTrue(empty["ok"], empty)
    test.assertEqual(empty["appointments"], [])


def _days_after(iso, days):
    t = dt.datetime.fromisoformat(iso.replace("Z", "+00:00")) + dt.timedelta(days=days)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def book_args(call):
    """Arguments that book the best physio slot for a new caller (read through call)."""
    best = call("best_slot", {"treatment_name": "initial physio", "time_zone": "sydney"})
    assert best["ok"], best
    return {"slot_id": best["slot_id"], "first_name": "Ren", "last_name": "Retry", "phone": new_phone()}


def bookings_of(call, phone):
    return call("patient_appointments", {"phone": phone})["appointments"]


def timed(fn):
    started = time.monotonic()
    out = fn()
    return out, time.monotonic() - started
