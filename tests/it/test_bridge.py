#!/usr/bin/env python3
"""tests/it/test_bridge.py: the real binary with bridge tenants against the reference bridge
(tests/fakes/fake_bridge.py, one per capability set: full, no-hold, no-probe, read-only) and a real redis-server.

What a caller and an operator notice: the bridge refuses a request signed with the wrong secret or too long ago
(the caller gets a 502 with a sentence, the operator a line naming the tenant), Frontdesk does itself what the
bridge says it cannot (holds, the double-booking guard, the move), an answer outside the contract is a 502 and an
operator line, a read-only bridge still gives the catalog and openings but is never sent a write, and every answer
the reference bridge gave in this run matches openapi/emr-bridge.yaml."""

import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))
import clock  # noqa: E402
import contract  # noqa: E402
import fake_bridge as F  # noqa: E402
import harness as H  # noqa: E402
import prom_text  # noqa: E402
import webhooks as W  # noqa: E402

SECRET = "it-bridge-shared-secret-5b7e"
MODES = ("full", "no-hold", "no-probe", "read-only")
TENANTS = {"full": "br", "no-hold": "nh", "no-probe": "np", "read-only": "ro"}
KEYS = {"br": "it-bridge-tenant-key-0a11", "nh": "it-bridge-nohold-key-0b22", "np": "it-bridge-noprobe-key-0c33",
        "ro": "it-bridge-readonly-key-0d44", "ws": "it-bridge-wrongsecret-key-0e55"}
SPEC = os.path.join(HERE, "..", "..", "openapi", "emr-bridge.yaml")
REDIS = SERVER = METRICS_PORT = RECEIVER = None
HOOK_SECRET = W.new_secret("bridge-hooks")
FAKES = {}  # mode -> (process, url)
RECORD = None
SEED = F.State()


def start_fake(mode):
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "fakes", "fake_bridge.py"), "--port", "0",
                             "--secret", SECRET, "--capabilities", mode, "--hours", "00:00-24:00",
                             "--record", RECORD], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, **clock.service_env()))
    return proc, "http://127.0.0.1:%d" % int(proc.stdout.readline().decode().split()[1])


def fake(mode, method, path, body=None):
    req = urllib.request.Request(FAKES[mode][1] + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read() or b"null")


def control(mode, **kw):
    fake(mode, "POST", "/__control", kw)


def stats(mode):
    return fake(mode, "GET", "/__stats")


def emr_appointments(mode):
    return fake(mode, "GET", "/__state")["appointments"]


def tenant(tid, mode, secret=SECRET):
    return {"id": tid, "api_key_sha256": H.sha256_hex(KEYS[tid]), "provider": "bridge", "country": "AU",
            "time_zone": SEED.location["time_zone"],
            "provider_settings": {"base_url": FAKES[mode][1], "secret": secret, "timeout_ms": 1500,
                                  "connect_timeout_ms": 500},
            "policy": {"min_notice_minutes": 0, "max_days_ahead": 60},
            "rate_limit": {"per_second": 1000, "burst": 2000}}


def setUpModule():
    global REDIS, SERVER, RECORD, METRICS_PORT, RECEIVER
    fd, RECORD = tempfile.mkstemp(prefix="fd-bridge-exchanges-", suffix=".jsonl")
    os.close(fd)
    for mode in MODES:
        FAKES[mode] = start_fake(mode)
    REDIS = H.Redis().start()
    RECEIVER = W.Receiver(H.free_port()).start()
    tenants = [tenant(TENANTS[m], m) for m in MODES] + [tenant("ws", "full", secret="not-the-bridge-secret-9999")]
    tenants[MODES.index("read-only")]["webhooks"] = [{"id": "main", "url": RECEIVER.url, "secrets": [HOOK_SECRET],
                                                      "allow_private_addresses": True}]
    METRICS_PORT = H.free_port()
    SERVER = H.Frontdesk({"tenants": tenants, "slot_secret": "it-bridge-slot-secret-4242",
                          "metrics": {"listen": "127.0.0.1:%d" % METRICS_PORT}}, REDIS, workers=2).start()


def tearDownModule():
    try:
        H.shut_down(SERVER, REDIS)
        RECEIVER.stop()
    finally:
        for proc, _ in FAKES.values():
            proc.terminate()
            proc.wait(5)
        os.unlink(RECORD)


def emr_calls(**labels):
    """frontdesk_emr_requests_total of the bridge, summed over the series matching labels."""
    r = H.request(METRICS_PORT, "GET", "/metrics")
    assert r.status == 200, r
    text = r.body.decode() if isinstance(r.body, bytes) else r.body
    return prom_text.parse(text).total("frontdesk_emr_requests_total", provider="bridge", **labels)


def signed(mode, operation, body, stamp, secret=SECRET):
    """Calls a fake bridge directly, signed as the contract says: (status, answer)."""
    raw = json.dumps(dict(body, operation=operation)).encode()
    sig = "v1=" + hmac.new(secret.encode(), str(stamp).encode() + b"." + raw, hashlib.sha256).hexdigest()
    req = urllib.request.Request(FAKES[mode][1] + "/" + operation.replace(".", "/"), data=raw, method="POST",
                                 headers={"Content-Type": "application/json", "X-Frontdesk-Timestamp": str(stamp),
                                          "X-Frontdesk-Signature": sig})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


class Bridge(unittest.TestCase):
    def setUp(self):
        for mode in MODES:
            control(mode, reset=True, reset_stats=True)
        for t in KEYS:
            for k in REDIS.command("KEYS", "fd:{%s}:*" % t):
                REDIS.command("DEL", k)

    def post(self, route, body, tid="br"):
        r = SERVER.post("/ai_brain/" + route, body, key=KEYS[tid])
        self.assertNotEqual(r.status, 500, r)
        return r

    def sentence(self, r):
        msg = r.body["error"]["message"]
        self.assertTrue(msg.endswith(".") and len(msg.split()) >= 5, msg)

    def bridge_lines(self, msg):
        return [o for _, o in SERVER.log_lines() if isinstance(o, dict) and o.get("msg") == msg]

    def slots(self, tid, days_ahead=2):
        staff = SEED.staff[0]
        treatment = SEED.treatment(staff["treatment_ids"][0])
        zone = SEED.zone()
        day = clock.today(zone) + dt.timedelta(days=days_ahead)
        start = dt.datetime.combine(day, dt.time(9), zone)
        r = self.post("fetchAvailabilityForRange", {
            "staff_member_id": staff["id"], "treatment_id": treatment["id"], "locationId": SEED.location["id"],
            "start_at": start.isoformat(), "end_at": (start + dt.timedelta(hours=4)).isoformat()}, tid)
        self.assertEqual(r.status, 200, r)
        return r.body["slots"]

    def patient(self, tid, last):
        r = self.post("lookup-create-patient", {"first_name": "Bridge", "last_name": last,
                                                "email": "%s@example.com" % last.lower()}, tid)
        self.assertIn(r.status, (200, 201), r)
        return r.body["patient"]["id"]

    # ---- signatures --------------------------------------------------------------------------------------------
    def test_wrong_secret_is_refused_and_the_operator_told(self):
        r = self.post("fetchAllStaff", {}, "ws")
        self.assertEqual((r.status, r.body["error"]["code"]), (502, "emr_error"), r)
        self.sentence(r)
        self.assertGreater(stats("full")["refused"]["bad_signature"], 0)
        lines = [o for o in self.bridge_lines("EMR refused the clinic's credential") if o.get("tenant") == "ws"]
        self.assertTrue(lines and lines[0]["provider"] == "bridge", SERVER.stderr()[-2000:])
        self.assertNotIn("not-the-bridge-secret-9999", SERVER.stderr())
        self.assertNotIn(SECRET, SERVER.stderr())
        self.assertEqual(self.post("fetchAllStaff", {}, "br").status, 200)  # the right secret is let in

    def test_replay_window(self):
        now = int(clock.now_s())
        self.assertEqual(signed("full", "catalog", {}, now - 290)[0], 200)  # inside the window
        status, answer = signed("full", "catalog", {}, now - 310)  # a request replayed after five minutes
        self.assertEqual((status, answer["error"]["code"]), (401, "stale_timestamp"))
        self.assertEqual(signed("full", "catalog", {}, now + 310)[0], 401)  # a clock far ahead is refused too
        # Frontdesk signs with its own clock: a bridge whose clock is 4 minutes off still accepts it, one 6
        # minutes off refuses every call, and the caller hears a sentence.
        control("full", skew_s=240)
        self.assertEqual(self.post("fetchAllTreatments", {}).status, 200)
        for k in REDIS.command("KEYS", "fd:{br}:*"):
            REDIS.command("DEL", k)
        control("full", skew_s=360)
        r = self.post("fetchAllTreatments", {})
        self.assertEqual((r.status, r.body["error"]["code"]), (502, "emr_error"), r)
        self.sentence(r)
        self.assertGreater(stats("full")["refused"]["stale_timestamp"], 0)

    def test_a_signed_body_cannot_be_sent_to_another_operation(self):
        now = int(clock.now_s())
        raw = json.dumps({"operation": "appointments.conflicts", "appointment_id": "ap-1"}).encode()
        sig = "v1=" + hmac.new(SECRET.encode(), str(now).encode() + b"." + raw, hashlib.sha256).hexdigest()
        req = urllib.request.Request(FAKES["full"][1] + "/appointments/delete", data=raw, method="POST",
                                     headers={"X-Frontdesk-Timestamp": str(now), "X-Frontdesk-Signature": sig})
        with self.assertRaises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(req, timeout=5)
        self.assertEqual(refused.exception.code, 400)

    # ---- capabilities ------------------------------------------------------------------------------------------
    def book(self, tid, slot, patient):
        h = self.post("createAppt", {"patient_id": patient, "slot_id": slot["slot_id"]}, tid)
        self.assertEqual(h.status, 201, h)
        return h, self.post("bookAppt", {"appointment_id": h.body["appointment"]["id"]}, tid)

    def test_full_bridge_probes_each_booking(self):
        slot = self.slots("br")[0]
        patient = self.patient("br", "Probe")
        before = [emr_calls(operation=op, outcome="ok") for op in ("create_appointment", "check_conflicts")]
        h, b = self.book("br", slot, patient)
        self.assertEqual(b.status, 200, b)
        self.assertEqual(stats("full")["requests"].get("appointments.conflicts"), 1)
        self.assertEqual([a["id"] for a in emr_appointments("full")], [b.body["appointment"]["id"]])
        after = [emr_calls(operation=op, outcome="ok") for op in ("create_appointment", "check_conflicts")]
        self.assertEqual([a - b for a, b in zip(after, before)], [1, 1])  # counted in /metrics

    def test_no_native_hold_frontdesk_holds(self):
        slot = self.slots("nh")[0]
        patient = self.patient("nh", "Hold")
        h = self.post("createAppt", {"patient_id": patient, "slot_id": slot["slot_id"]}, "nh")
        self.assertEqual((h.status, h.body["appointment"]["state"]), (201, "provisional"), h)
        self.assertNotIn(slot["start_at"], [s["start_at"] for s in self.slots("nh")])  # held: not offered
        self.assertEqual(emr_appointments("no-hold"), [])  # nothing reached the EMR yet
        other = self.post("createAppt", {"patient_id": self.patient("nh", "Other"), "slot_id": slot["slot_id"]}, "nh")
        self.assertEqual(other.status, 409, other)
        b = self.post("bookAppt", {"appointment_id": h.body["appointment"]["id"]}, "nh")
        self.assertEqual(b.status, 200, b)
        self.assertEqual(len(emr_appointments("no-hold")), 1)
        self.assertFalse({"holds.create", "holds.release"} & set(stats("no-hold")["requests"]))  # never asked

    # ---- the bridge's own holds (native_hold) -------------------------------------------------------------------
    def bridge_holds(self, mode="full"):
        return fake(mode, "GET", "/__state")["holds"]

    def our_holds(self, tid="br"):
        return REDIS.command("KEYS", "fd:{%s}:hold:*" % tid)

    def test_native_hold_is_taken_at_the_bridge_and_booked_with(self):
        slot = self.slots("br")[0]
        start_ms = int(dt.datetime.fromisoformat(slot["start_at"]).timestamp() * 1000)
        held_before = emr_calls(operation="create_hold", outcome="ok")
        h = self.post("createAppt", {"patient_id": self.patient("br", "Held"), "slot_id": slot["slot_id"]}, "br")
        self.assertEqual(h.status, 201, h)
        holds = self.bridge_holds()
        self.assertEqual([(x["staff_id"], x["start_ms"]) for x in holds], [(SEED.staff[0]["id"], start_ms)])
        expires_ms = int(dt.datetime.fromisoformat(h.body["appointment"]["hold_expires_at"]).timestamp() * 1000)
        self.assertEqual(holds[0]["expires_ms"] // 1000, expires_ms // 1000)  # ends with ours
        self.assertEqual(emr_calls(operation="create_hold", outcome="ok") - held_before, 1)  # counted in /metrics
        b = self.post("bookAppt", {"appointment_id": h.body["appointment"]["id"]}, "br")
        self.assertEqual(b.status, 200, b)
        booked = emr_appointments("full")
        self.assertEqual([(a["id"], a["hold_id"]) for a in booked], [(b.body["appointment"]["id"], holds[0]["id"])])
        self.assertEqual(self.bridge_holds(), [])  # consumed by the booking
        self.assertNotIn("holds.release", stats("full")["requests"])
        # a caller on the phone books through the same hold-then-book flow
        caller = {"first_name": "Ivo", "last_name": "Hale", "phone": "+61491570158",
                  "slot_id": self.slots("br")[1]["slot_id"]}
        v = SERVER.request("GET", "/voice/book?" + urllib.parse.urlencode(caller), None, {"x-api-key": KEYS["br"]})
        self.assertEqual((v.status, v.body["appointment"]["state"]), (200, "booked"), v)
        self.assertEqual(stats("full")["requests"].get("holds.create"), 2)
        voiced = [a for a in emr_appointments("full") if a["id"] == v.body["appointment"]["id"]]
        self.assertTrue(voiced and voiced[0]["hold_id"], emr_appointments("full"))
        self.assertEqual(self.bridge_holds(), [])

    def test_time_the_bridge_holds_for_someone_else_is_slot_taken(self):
        slot = self.slots("br")[0]
        start = dt.datetime.fromisoformat(slot["start_at"])
        ms = [int(t.timestamp() * 1000) for t in (start, start + dt.timedelta(minutes=60))]
        control("full", hold={"staff_id": SEED.staff[0]["id"], "start_ms": ms[0], "end_ms": ms[1], "offered": True})
        h = self.post("createAppt", {"patient_id": self.patient("br", "Late"), "slot_id": slot["slot_id"]}, "br")
        self.assertEqual((h.status, h.body["error"]["code"]), (409, "slot_taken"), h)
        self.assertEqual(self.our_holds(), [])  # ours was released
        self.assertEqual(len(self.bridge_holds()), 1)  # only the other one
        self.assertNotIn("appointments.create", stats("full")["requests"])

    def test_bridge_failing_to_hold_is_a_sentence_and_no_hold_of_ours(self):
        slot = self.slots("br")[0]
        patient = self.patient("br", "Down")
        control("full", fail_status=500, fail_count=1, fail_only="holds.create")
        h = self.post("createAppt", {"patient_id": patient, "slot_id": slot["slot_id"]}, "br")
        self.assertEqual((h.status, h.body["error"]["code"]), (502, "emr_error"), h)
        self.sentence(h)
        self.assertEqual((self.our_holds(), self.bridge_holds()), ([], []))
        h = self.post("createAppt", {"patient_id": patient, "slot_id": slot["slot_id"]}, "br")
        self.assertEqual(h.status, 201, h)  # the time was never kept from the next try

    def test_releasing_our_hold_releases_the_bridges(self):
        patient = self.patient("br", "Release")
        slots = self.slots("br")
        # the caller declines: cancelAppt of the provisional appointment
        h = self.post("createAppt", {"patient_id": patient, "slot_id": slots[0]["slot_id"]}, "br")
        self.assertEqual((h.status, len(self.bridge_holds())), (201, 1), h)
        c = self.post("cancelAppt", {"appointment_id": h.body["appointment"]["id"]}, "br")
        self.assertEqual(c.status, 200, c)
        self.assertTrue(H.wait_until(lambda: self.bridge_holds() == [], 5), self.bridge_holds())
        # the booking fails for good (the EMR refuses the time): ours and the bridge's go
        h = self.post("createAppt", {"patient_id": patient, "slot_id": slots[1]["slot_id"]}, "br")
        self.assertEqual((h.status, len(self.bridge_holds())), (201, 1), h)
        control("full", fail_status=409, fail_count=1)
        b = self.post("bookAppt", {"appointment_id": h.body["appointment"]["id"]}, "br")
        self.assertEqual((b.status, b.body["error"]["code"]), (409, "slot_taken"), b)
        self.assertTrue(H.wait_until(lambda: self.bridge_holds() == [], 5), self.bridge_holds())
        self.assertEqual(stats("full")["requests"].get("holds.release"), 2)
        self.assertEqual(self.our_holds(), [])

    def test_no_probe_still_no_double_booking(self):
        """The no-probe bridge's EMR accepts overlapping bookings: 12 callers at once for one slot must still
        make exactly one appointment, and the bridge is never asked the probe it does not have."""
        slot = self.slots("np")[0]
        patients = [self.patient("np", "Race%d" % i) for i in range(2)]
        barrier, results = threading.Barrier(12), []

        def caller(i):
            barrier.wait()
            h = self.post("createAppt", {"patient_id": patients[i % 2], "slot_id": slot["slot_id"]}, "np")
            if h.status != 201:
                results.append(("hold", h.status))
                return
            b = self.post("bookAppt", {"appointment_id": h.body["appointment"]["id"]}, "np")
            results.append(("book", b.status))

        threads = [threading.Thread(target=caller, args=(i,)) for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(results.count(("book", 200)), 1, results)
        live = [a for a in emr_appointments("no-probe") if not a["cancelled"]]
        self.assertEqual(len(live), 1, live)
        self.assertNotIn("appointments.conflicts", stats("no-probe")["requests"])

    def test_reschedule_in_place_only_where_declared(self):
        slots = self.slots("br")
        _, b = self.book("br", slots[0], self.patient("br", "Move"))
        self.assertEqual(b.status, 200, b)
        r = self.post("rescheduleAppt", {"appointment_id": b.body["appointment"]["id"],
                                         "start_at": slots[1]["start_at"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(stats("full")["requests"].get("appointments.reschedule"), 1)
        self.assertEqual(len(emr_appointments("full")), 1)  # moved, not re-created

    # ---- shapes ------------------------------------------------------------------------------------------------
    def test_an_answer_outside_the_contract_is_a_502(self):
        for route in ("fetchAllStaff", "fetchAllLocations"):
            for k in REDIS.command("KEYS", "fd:{br}:*"):
                REDIS.command("DEL", k)
            control("full", garbage=1)  # one HTML page or wrong shape, then sane answers again
            r = self.post(route, {})
            self.assertEqual((r.status, r.body["error"]["code"]), (502, "emr_error"), r)
            self.sentence(r)
        lines = [o for o in self.bridge_lines("EMR bridge answered outside its contract") if o["tenant"] == "br"]
        self.assertTrue(lines, SERVER.stderr()[-2000:])
        self.assertEqual((lines[0]["provider"], lines[0]["operation"]), ("bridge", "catalog"))
        self.assertEqual(self.post("fetchAllStaff", {}).status, 200)
        # Openings that are not instants with an offset: the availability answer is refused too.
        control("full", garbage=2)
        r = self.post("fetchAvailabilityForRange", {"staff_member_id": "st-1", "treatment_id": "tr-1",
                                                    "locationId": "loc-1", "start_at": clock.now().isoformat(),
                                                    "end_at": (clock.now() + dt.timedelta(days=1)).isoformat()})
        self.assertEqual(r.status, 502, r)

    # ---- read-only ---------------------------------------------------------------------------------------------
    def test_read_only_bridge_reads_and_takes_booking_requests_unsent(self):
        staff = self.post("fetchAllStaff", {}, "ro")
        self.assertEqual(staff.status, 200, staff)
        self.assertEqual({s["id"] for s in staff.body["staff"]}, {s["id"] for s in SEED.staff})
        slots = self.slots("ro")
        self.assertTrue(slots)
        r = self.post("lookup-create-patient", {"first_name": "Ana", "last_name": "Silva",
                                                "email": "ana.silva@example.com"}, "ro")
        self.assertEqual((r.status, r.body["patient"]["id"]), (200, "pt-501"), r)
        h, b = self.book("ro", slots[0], "pt-501")
        # no write at all: a booking request, never sent to the bridge (booking/requests.h)
        self.assertEqual((b.status, b.body["appointment"]["state"]), (200, "requested"), b)
        self.assertNotIn("appointments.create", stats("read-only")["requests"])
        self.assertEqual(emr_appointments("read-only"), [])

    def test_read_only_bridge_keeps_new_callers_as_frontdesk_patients(self):
        def requested(request_id):
            got = RECEIVER.wait_for(lambda ds: any(d.event["type"] == "appointment.requested" and
                                                   d.event["data"].get("request_id") == request_id for d in ds),
                                    10.0, "appointment.requested of %s" % request_id)
            return next(d.event["data"] for d in got if d.event["data"].get("request_id") == request_id)

        slots = self.slots("ro")
        caller = {"first_name": "Nia", "last_name": "Newcomb", "phone": "+61491570156",
                  "email": "nia.newcomb@example.com"}
        r = self.post("lookup-create-patient", caller, "ro")
        # the bridge cannot create patients: the new caller is Frontdesk's own record, found again the next time
        self.assertEqual((r.status, r.body["created"]), (201, True), r)
        pid = r.body["patient"]["id"]
        again = self.post("lookup-create-patient", caller, "ro")
        self.assertEqual((again.status, again.body["patient"]["id"]), (200, pid), again)
        h, b = self.book("ro", slots[0], pid)
        self.assertEqual((b.status, b.body["appointment"]["state"]), (200, "requested"), b)
        d = requested(b.body["appointment"]["id"])
        self.assertEqual((d["patient_id"], d["firstName"], d["lastName"], d["phone"], d["email"]),
                         (pid, "Nia", "Newcomb", caller["phone"], caller["email"]))
        # the caller's appointments list the request
        mine = self.post("fetchPatientsAppointments", {"patient_id": pid}, "ro")
        self.assertEqual([a["id"] for a in mine.body["appointments"]], [b.body["appointment"]["id"]], mine)
        # a new caller on the phone books the same way
        v = SERVER.request("GET", "/voice/book?" + urllib.parse.urlencode(
            {"first_name": "Oto", "last_name": "Vance", "phone": "+61491570157", "slot_id": slots[1]["slot_id"]}),
            None, {"x-api-key": KEYS["ro"]})
        self.assertEqual((v.status, v.body["requested"], v.body["appointment"]["state"]), (200, True, "requested"), v)
        d = requested(v.body["appointment"]["id"])
        self.assertEqual((d["firstName"], d["lastName"], d["phone"]), ("Oto", "Vance", "+61491570157"))
        # nothing was ever written to the bridge: no patient, no appointment
        self.assertEqual(stats("read-only")["writes"], [])
        self.assertNotIn("patients.create", stats("read-only")["requests"])
        self.assertEqual(emr_appointments("read-only"), [])

    # ---- settings ----------------------------------------------------------------------------------------------
    def test_settings_are_refused_at_start_with_their_path(self):
        for setting, value in (("base_url", "ftp://bridge.example"), ("secret", "short"), ("timeout_ms", 5)):
            bad = tenant("br", "full")
            bad["provider_settings"][setting] = value
            server = H.Frontdesk({"tenants": [bad], "slot_secret": "it-bridge-slot-secret-4242"}, REDIS, workers=1)
            try:
                with self.assertRaises(RuntimeError) as refused:
                    server.start(timeout=5)
                self.assertIn("tenants[0].provider_settings.%s" % setting, str(refused.exception))
                self.assertNotIn(SECRET, str(refused.exception))
            finally:
                server.close()

    # ---- the contract ------------------------------------------------------------------------------------------
    def test_zz_every_answer_of_the_reference_bridge_matches_the_contract(self):
        """Runs last (zz): every answer the reference bridges gave this run, faults included, against
        openapi/emr-bridge.yaml."""
        with open(RECORD, encoding="utf-8") as f:
            exchanges = [json.loads(line) for line in f if line.strip()]
        paths = {x["path"] for x in exchanges}
        for op in ("capabilities", "catalog", "availability", "patients/find", "patients/create",
                   "appointments/create", "appointments/conflicts", "appointments/reschedule", "holds/create",
                   "holds/release"):
            self.assertIn("/" + op, paths)
        drifted, report = contract.check(SPEC, exchanges)
        self.assertFalse(drifted, report)


if __name__ == "__main__":
    unittest.main(verbosity=2)
