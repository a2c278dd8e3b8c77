#!/usr/bin/env python3
"""tests/it/test_events.py: webhook events (docs/events.md) from the real binary to a real HTTP receiver on
loopback: every booking route emits exactly its events, signed so that the `standardwebhooks` npm package verifies
them with either secret of a rotation; a receiver that answers 503 and then refuses connections gets everything
once it is back; a process killed with -9 in the middle of delivery loses nothing; two processes never deliver one
event at the same time; an event past its retry window is dead, listed and replayed; an address that is not public
is refused unless the tenant allows it. Config mistakes stop the start with the path of the field.
"""

import collections
import os
import signal
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402
import clock  # noqa: E402
import webhooks as W  # noqa: E402

STAFF, TX, LOC = "pr-zoe-martin", "tx-initial-physio", "loc-sydney"
VOICE_STAFF = "pr-sam-nguyen"
SECRET_OLD, SECRET_NEW = W.new_secret("old-secret"), W.new_secret("new-secret")
REDIS = SERVER = None
RECEIVERS = {}
KEYS = {t: "it-events-key-%s-5c1e" % t for t in ("ev", "out", "dead", "priv", "kill", "two")}


def tenant(tid, url, allow=True, **endpoint):
    ep = {"id": "main", "url": url, "secrets": [SECRET_OLD]}
    if allow:
        ep["allow_private_addresses"] = True
    ep.update(endpoint)
    return {"id": tid, "api_key_sha256": H.sha256_hex(KEYS[tid]), "provider": "sandbox",
            "time_zone": "Australia/Sydney", "locale": "en-AU", "country": "AU",
            "rate_limit": {"per_second": 5000, "burst": 5000}, "webhooks": [ep]}


def setUpModule():
    global REDIS, SERVER
    REDIS = H.Redis().start()
    for name in ("ev", "out", "dead", "priv", "kill", "two"):
        RECEIVERS[name] = W.Receiver(H.free_port()).start()
    priv_url = "http://localhost:%d/hooks" % RECEIVERS["priv"].port  # a name: only its address tells
    SERVER = H.Frontdesk({"tenants": [
        tenant("ev", RECEIVERS["ev"].url, secrets=[SECRET_OLD, SECRET_NEW]),
        tenant("out", RECEIVERS["out"].url),
        tenant("dead", RECEIVERS["dead"].url, retry_window_seconds=3),
        tenant("priv", priv_url, allow=False),
    ], "slot_secret": "it-events-slot-secret-0123456789"}, REDIS).start()


def tearDownModule():
    H.shut_down(SERVER, REDIS)
    for r in RECEIVERS.values():
        r.stop()


_phones = [0]


def new_phone():
    _phones[0] += 1
    return "+61491700%03d" % _phones[0]


class Client:
    """The /ai_brain and /voice calls of one tenant on one server."""

    used = set()

    def __init__(self, test, tid, server=None):
        self.t, self.key, self.server = test, KEYS[tid], server or SERVER

    def post(self, route, body, expect=(200, 201)):
        r = self.server.post("/ai_brain/" + route, body, key=self.key, timeout=20)
        if expect:
            self.t.assertIn(r.status, expect, r)
        return r

    def voice(self, route, **params):
        r = self.server.request("GET", "/voice/" + route + "?" + urllib.parse.urlencode(params), None,
                                {"x-api-key": self.key}, timeout=20)
        self.t.assertEqual(r.status, 200, r)
        return r.body

    def patient(self, phone=None, first="Eve", last="Vent"):
        r = self.post("lookup-create-patient", {"first_name": first, "last_name": last, "phone": phone or new_phone(),
                                                "email": "eve.vent%d@example.com" % _phones[0]})
        return r.body["patient"]

    def slot(self, staff=STAFF):
        """A free slot an hour away from any slot another test took (tenants share the demo clinic's calendar)."""
        now = clock.now_s()
        iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
        slots = self.post("fetchAvailabilityForRange", {"staff_member_id": staff, "treatment_id": TX,
                                                         "locationId": LOC, "start_at": iso(now + 86400),
                                                         "end_at": iso(now + 28 * 86400)}).body["slots"]
        for s in reversed(slots):
            at = H_time(s["start_at"])
            if all(abs(at - u) >= 3600 for (p, u) in Client.used if p == staff):
                Client.used.add((staff, at))
                return s
        self.t.skipTest("no free slot left")

    def book(self, patient_id):
        slot = self.slot()
        held = self.post("createAppt", {"patient_id": patient_id, "slot_id": slot["slot_id"]}).body["appointment"]
        return self.post("bookAppt", {"appointment_id": held["id"]}).body["appointment"]


def H_time(iso):
    import datetime as dt
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def types(deliveries):
    return [d.event["type"] for d in deliveries]


class Signatures(unittest.TestCase):
    def verify_both_secrets(self, deliveries):
        for secret in (SECRET_OLD, SECRET_NEW):
            results = W.verify(deliveries, secret)
            self.assertEqual([ok for ok, _ in results], [True] * len(deliveries), (secret, results))
        tampered = [W.Delivery(d.headers, d.body[:-1] + " }", 0, 0, 200) for d in deliveries[:1]]
        self.assertFalse(W.verify(tampered, SECRET_OLD)[0][0])


class Routes(Signatures):
    """Every booking route emits exactly the events it should, with the fields docs/events.md lists."""

    def take(self, n, timeout=5.0):
        rec = RECEIVERS["ev"]
        got = rec.wait_for(lambda d: len(d) >= self.seen + n, timeout, "%d events" % n)
        time.sleep(0.6)  # nothing more arrives
        got = rec.all()
        self.assertEqual(len(got), self.seen + n, types(got[self.seen:]))
        new = got[self.seen:]
        self.seen = len(got)
        return new

    def test_ai_brain_routes(self):
        c = Client(self, "ev")
        self.seen = len(RECEIVERS["ev"].all())
        phone = new_phone()
        p = c.patient(phone)
        created = self.take(1)
        self.assertEqual(types(created), ["patient.created"])
        data = created[0].event["data"]
        self.assertEqual((data["patient_id"], data["firstName"], data["lastName"], data["phone"], data["email"]),
                         (p["id"], "Eve", "Vent", phone, p["email"]))
        self.assertNotIn("dateOfBirth", data)
        c.patient(phone)  # found again: no event
        a = c.book(p["id"])
        booked = self.take(1)
        self.assertEqual(types(booked), ["appointment.created"])
        ev = booked[0].event
        self.assertEqual((ev["id"], ev["tenant_id"]), (booked[0].id, "ev"))
        d = ev["data"]
        self.assertEqual((d["appointment_id"], d["appointment_state"], d["appointment_start_time"]),
                         (a["id"], "booked", a["start_at"]))
        self.assertEqual((d["appointment_practitioner_id"], d["appointment_type_id"], d["appointment_business_id"]),
                         (STAFF, TX, LOC))
        self.assertEqual((d["appointment_practitioner_name"], d["appointment_type"], d["appointment_time_zone"]),
                         (a["staff_member_name"], a["treatment_name"], "Australia/Sydney"))
        self.assertTrue(d["appointment_business_name"])
        self.assertEqual(d["appointment_start_time_local"][:19], a["start_local"][:19])
        self.assertRegex(d["appointment_spoken_time"], r"^\w+day, \d+ \w+ at ")  # en-AU, never "tomorrow"
        self.assertEqual((d["patient_id"], d["firstName"], d["phone"]), (p["id"], "Eve", phone))
        # a failed booking (the time is taken now) records nothing
        taken = c.post("createAppt", {"patient_id": p["id"], "staff_member_id": STAFF, "treatment_id": TX,
                                      "locationId": LOC, "start_at": a["start_at"]}, expect=None)
        self.assertEqual(taken.status, 409, taken)
        new = c.slot()
        moved = c.post("rescheduleAppt", {"appointment_id": a["id"], "start_at": new["start_at"]}).body["appointment"]
        ev = self.take(1)[0].event
        self.assertEqual(ev["type"], "appointment.rescheduled")
        self.assertEqual((ev["data"]["appointment_id"], ev["data"]["appointment_start_time"]),
                         (moved["id"], new["start_at"]))
        self.assertEqual((ev["data"]["previous_appointment_id"], ev["data"]["previous_appointment_start_time"]),
                         (a["id"], a["start_at"]))
        c.post("cancelAppt", {"appointment_id": moved["id"], "cancelled_reason": "feeling better"})
        ev = self.take(1)[0].event
        self.assertEqual((ev["type"], ev["data"]["appointment_id"], ev["data"]["appointment_state"]),
                         ("appointment.cancelled", moved["id"], "cancelled"))
        self.assertEqual(ev["data"]["appointment_cancellation_reason"], "feeling better")
        self.assertEqual(ev["data"]["email"], p["email"])
        # a provisional appointment released is no booking change
        held = c.post("createAppt", {"patient_id": p["id"], "slot_id": c.slot()["slot_id"]}).body["appointment"]
        c.post("cancelAppt", {"appointment_id": held["id"]})
        self.assertEqual(self.take(0), [])
        self.verify_both_secrets(RECEIVERS["ev"].all()[-4:])
        ids = [d.id for d in RECEIVERS["ev"].all()]
        self.assertEqual(len(ids), len(set(ids)))
        sig = RECEIVERS["ev"].all()[-1].headers["webhook-signature"].split(" ")
        self.assertEqual([s[:3] for s in sig], ["v1,", "v1,"])  # one per secret while rotating

    def test_voice_routes(self):
        c = Client(self, "ev")
        self.seen = len(RECEIVERS["ev"].all())
        phone = new_phone()
        slot = c.slot(VOICE_STAFF)
        b = c.voice("book", first_name="Vic", last_name="Voice", phone=phone, slot_id=slot["slot_id"])
        got = self.take(2)
        self.assertEqual(types(got), ["patient.created", "appointment.created"])  # in that order: one patient
        appt = b["appointment"]
        self.assertEqual(got[1].event["data"]["appointment_id"], appt["id"])
        self.assertEqual((got[1].event["data"]["firstName"], got[1].event["data"]["phone"]), ("Vic", phone))
        # the agent's retry of the same booking is the same booking: no second event
        again = c.voice("book", first_name="Vic", last_name="Voice", phone=phone, slot_id=slot["slot_id"])
        self.assertEqual(again["appointment"]["id"], appt["id"])
        self.assertEqual(self.take(0), [])
        new = c.slot(VOICE_STAFF)
        moved = c.voice("reschedule", appointment_id=appt["id"], new_start_at=new["start_at"])["appointment"]
        ev = self.take(1)[0].event
        self.assertEqual((ev["type"], ev["data"]["appointment_id"], ev["data"]["previous_appointment_id"]),
                         ("appointment.rescheduled", moved["id"], appt["id"]))
        c.voice("cancel", phone=phone)
        ev = self.take(1)[0].event
        self.assertEqual((ev["type"], ev["data"]["appointment_id"], ev["data"]["lastName"]),
                         ("appointment.cancelled", moved["id"], "Voice"))
        self.verify_both_secrets(RECEIVERS["ev"].all()[-4:])


class Outages(unittest.TestCase):
    def test_receiver_down_then_back(self):
        """503s, then refused connections, then back: every event arrives, in order per patient."""
        rec, c = RECEIVERS["out"], Client(self, "out")
        rec.status = 503
        patients = [c.patient()["id"] for _ in range(3)]
        for pid in patients:
            c.book(pid)
        rec.wait_for(lambda d: len(d) >= 3, 5, "503 answers")
        rec.stop()
        time.sleep(3)
        rec.status = 200
        rec.start()
        got = rec.wait_for(lambda d: len({x.id for x in d if x.status == 200}) >= 6, 30, "6 events after the outage")
        ok = [d for d in got if d.status == 200]
        self.assertEqual(len({d.id for d in ok}), 6)
        by_patient = collections.defaultdict(list)
        for d in ok:
            by_patient[d.event["data"]["patient_id"]].append(d.event["type"])
        for pid in patients:
            self.assertEqual(by_patient[pid][:2], ["patient.created", "appointment.created"], by_patient)
        # each retry was later than the one before it (backoff), never a burst
        first = [d for d in got if d.status == 503]
        self.assertGreaterEqual(len(first), 3)

    def test_retry_after_is_honoured(self):
        rec, c = RECEIVERS["out"], Client(self, "out")
        time.sleep(0.5)
        before = len(rec.all())
        rec.status, rec.retry_after = 429, 3
        c.patient()
        rec.wait_for(lambda d: len(d) > before, 5, "a 429")
        rec.status, rec.retry_after = 200, None
        got = rec.wait_for(lambda d: any(x.status == 200 for x in d[before:]), 10, "the retry")
        tries = got[before:]
        self.assertGreaterEqual(tries[1].started - tries[0].started, 2.9)


class DeadEvents(unittest.TestCase):
    def get_dead(self):
        r = SERVER.get("/ai_brain/events?state=dead", key=KEYS["dead"])
        self.assertEqual(r.status, 200, r)
        return r.body["events"]

    def test_dead_listed_and_replayed(self):
        rec, c = RECEIVERS["dead"], Client(self, "dead")
        rec.status = 503
        p = c.patient()
        deadline = time.monotonic() + 15
        while not [e for e in self.get_dead() if e["payload"]["data"]["patient_id"] == p["id"]]:
            self.assertLess(time.monotonic(), deadline, "the event never died")
            time.sleep(0.3)
        dead = [e for e in self.get_dead() if e["payload"]["data"]["patient_id"] == p["id"]][0]
        self.assertEqual((dead["type"], dead["state"], dead["endpoint_id"], dead["last_error"]),
                         ("patient.created", "dead", "main", "http_503"))
        self.assertGreaterEqual(dead["attempts"], 2)
        tries = [d for d in rec.all() if d.id == dead["id"]]
        self.assertEqual(len(tries), dead["attempts"])
        rec.status = 200
        r = SERVER.post("/ai_brain/events/%s/replay" % dead["id"], None, key=KEYS["dead"])
        self.assertEqual((r.status, r.body["event"]["id"], r.body["event"]["state"]), (202, dead["id"], "pending"), r)
        got = rec.wait_for(lambda d: any(x.id == dead["id"] and x.status == 200 for x in d), 5, "the replay")
        replayed = [d for d in got if d.id == dead["id"] and d.status == 200][0]
        self.assertEqual(replayed.event, dead["payload"])
        self.assertNotIn(dead["id"], [e["id"] for e in self.get_dead()])
        r = SERVER.post("/ai_brain/events/%s/replay" % dead["id"], None, key=KEYS["dead"])
        self.assertEqual((r.status, r.body["error"]["field"]), (404, "id"), r)

    def test_client_error_stops_at_once(self):
        rec, c = RECEIVERS["dead"], Client(self, "dead")
        rec.status = 410
        p = c.patient()
        time.sleep(2.5)
        rec.status = 200
        mine = [e for e in self.get_dead() if e["payload"]["data"]["patient_id"] == p["id"]]
        self.assertEqual([(e["attempts"], e["last_error"]) for e in mine], [(1, "http_410")])

    def test_bad_requests_name_the_field(self):
        for path, field in (("/ai_brain/events", "state"), ("/ai_brain/events?state=pending", "state")):
            r = SERVER.get(path, key=KEYS["dead"])
            self.assertEqual((r.status, r.body["error"]["field"]), (400, field), r)
        r = SERVER.post("/ai_brain/events/not-an-id/replay", None, key=KEYS["dead"])
        self.assertEqual((r.status, r.body["error"]["field"]), (400, "id"), r)
        r = SERVER.get("/ai_brain/events?state=dead", key="wrong")
        self.assertEqual(r.status, 401, r)


class Addresses(unittest.TestCase):
    def test_name_resolving_to_loopback_is_refused(self):
        rec, c = RECEIVERS["priv"], Client(self, "priv")
        p = c.patient()
        deadline = time.monotonic() + 10
        while True:
            dead = SERVER.get("/ai_brain/events?state=dead", key=KEYS["priv"]).body["events"]
            mine = [e for e in dead if e["payload"]["data"]["patient_id"] == p["id"]]
            if mine or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual([(e["attempts"], e["last_error"]) for e in mine], [(1, "address_not_public")])
        self.assertEqual(rec.all(), [])

    def test_config_mistakes_stop_the_start(self):
        port = RECEIVERS["priv"].port
        cases = [
            ({"url": "http://127.0.0.1:%d/x" % port}, "tenants[0].webhooks[0].url"),
            ({"url": "http://[::1]:%d/x" % port}, "tenants[0].webhooks[0].url"),
            ({"url": "http://169.254.169.254/latest"}, "tenants[0].webhooks[0].url"),
            ({"url": "ftp://example.com/x"}, "tenants[0].webhooks[0].url"),
            ({"secrets": ["not-a-secret"]}, "tenants[0].webhooks[0].secrets[0]"),
            ({"secrets": [SECRET_OLD, SECRET_NEW, SECRET_OLD]}, "tenants[0].webhooks[0].secrets"),
            ({"events": ["appointment.created", "appointment.moved"]}, "tenants[0].webhooks[0].events[1]"),
            ({"retry_window_seconds": 0}, "tenants[0].webhooks[0].retry_window_seconds"),
            ({"colour": "blue"}, "tenants[0].webhooks[0].colour"),
        ]
        for change, path in cases:
            t = tenant("ev", "https://hooks.example.com/x", allow=False)
            t["webhooks"][0].update(change)
            fd = H.Frontdesk({"tenants": [t]}, REDIS)
            try:
                with self.assertRaises(RuntimeError) as e:
                    fd.start(timeout=5)
                self.assertIn(path + ":", str(e.exception), change)
            finally:
                fd.close()


class Processes(unittest.TestCase):
    def start(self, tid, **endpoint):
        fd = H.Frontdesk({"tenants": [tenant(tid, RECEIVERS[tid].url, **endpoint)],
                          "slot_secret": "it-events-slot-secret-0123456789"}, REDIS)
        self.addCleanup(fd.close)
        return fd.start()

    def test_kill_9_in_the_middle_of_delivery(self):
        """The event a killed process was sending is taken over by the next one (its pending entry goes idle)."""
        rec = RECEIVERS["kill"]
        rec.gate.clear()  # the receiver holds the first delivery open
        first = self.start("kill", max_connections=1)
        c = Client(self, "kill", first)
        made = [c.patient()["id"] for _ in range(6)]
        deadline = time.monotonic() + 10
        while not any(rec.active.values()):
            self.assertLess(time.monotonic(), deadline, "no delivery started")
            time.sleep(0.05)
        first.stop(signal.SIGKILL)
        rec.status = 503  # what the killed process was sending does not count as delivered
        rec.gate.set()
        time.sleep(0.3)
        rec.status = 200
        held = rec.all()[-1].event["data"]["patient_id"]
        second = self.start("kill", max_connections=1)
        got = rec.wait_for(lambda d: {x.event["data"]["patient_id"] for x in d if x.status == 200} >= set(made), 40,
                           "every event")
        self.assertEqual({d.event["data"]["patient_id"] for d in got if d.status == 200}, set(made))
        self.assertIn(held, made)
        self.assertIsNone(second.stop_problem())

    def test_two_processes_never_deliver_one_event_at_once(self):
        rec = RECEIVERS["two"]
        rec.delay = 0.2
        one, two = self.start("two"), self.start("two")
        made = []
        for i in range(12):
            made.append(Client(self, "two", (one, two)[i % 2]).patient()["id"])
        got = rec.wait_for(lambda d: len({x.id for x in d}) >= 12, 20, "12 events")
        self.assertEqual(rec.overlaps, [])
        self.assertEqual(len(got), 12, "each event delivered once while nothing failed")
        # a stop with deliveries under way is clean: they are left to their leases
        rec.delay = 2.0
        Client(self, "two", one).patient()
        rec.wait_for(lambda d: len(d) >= 13 or any(rec.active.values()), 5, "a delivery under way")
        self.assertIsNone(one.stop_problem())
        self.assertIsNone(two.stop_problem())
        rec.delay = 0


if __name__ == "__main__":
    unittest.main(verbosity=2)
