#!/usr/bin/env python3
"""tests/it/test_booking_requests.py: booking requests (API.md "Booking requests") on a sandbox clinic that takes
requests only ("writes": false), through two real frontdesk processes sharing one Redis, with the events delivered
to a real webhook receiver and verified with the `standardwebhooks` npm package.

A request's whole life: requested -> confirmed (with the EMR's id), -> declined, -> expired (a tenant with a one
minute deadline: appointment.request_expired exactly once although both processes sweep); the held slot stays
taken for every other caller until then; two processes racing for one slot make one request; the patient's
appointments list requests, cancel withdraws one and reschedule moves its hold; /voice/book says the truth.
"""

import os
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402
import clock  # noqa: E402
import webhooks as W  # noqa: E402
import test_events as E  # noqa: E402
import prom_text  # noqa: E402

STAFF, TX, LOC = "pr-zoe-martin", "tx-initial-physio", "loc-sydney"
SECRET = W.new_secret("requests-secret")
KEYS = {"req": "it-requests-key-req-7a1f", "short": "it-requests-key-short-7a1f"}
REDIS = A = B = RECEIVER = None
METRICS_PORTS = []  # A's and B's /metrics
EXPIRING = {}  # the request of tenant "short" made at the start, which expires during the run


def tenant(tid, **policy):
    return {"id": tid, "api_key_sha256": H.sha256_hex(KEYS[tid]), "provider": "sandbox",
            "provider_settings": {"writes": False}, "time_zone": "Australia/Sydney", "locale": "en-AU",
            "country": "AU", "rate_limit": {"per_second": 5000, "burst": 5000}, "policy": policy,
            "webhooks": [{"id": "main", "url": RECEIVER.url, "secrets": [SECRET], "allow_private_addresses": True}]}


def config(metrics_port):
    return {"tenants": [tenant("req"), tenant("short", request_ttl_minutes=1)],
            "slot_secret": "it-requests-slot-secret-0123456789",
            "metrics": {"listen": "127.0.0.1:%d" % metrics_port}}


def request_counts():
    """frontdesk_booking_requests_total by outcome, summed over both processes."""
    out = {}
    for port in METRICS_PORTS:
        r = H.request(port, "GET", "/metrics")
        assert r.status == 200, r
        text = prom_text.parse(r.body.decode() if isinstance(r.body, bytes) else r.body)
        for outcome in ("requested", "confirmed", "declined", "withdrawn", "expired"):
            out[outcome] = out.get(outcome, 0) + text.value("frontdesk_booking_requests_total", outcome=outcome)
    return out


class Client(E.Client):
    """test_events.py's client of one tenant (post, voice, patient), on this module's servers and keys."""

    used = set()

    def __init__(self, test, tid, server=None):
        self.t, self.key, self.server = test, KEYS[tid], server or A

    def patient(self, first="Rae", last="Quest"):
        return super().patient(first=first, last=last)

    def slots(self):
        now = clock.now_s()
        iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
        return self.post("fetchAvailabilityForRange", {"staff_member_id": STAFF, "treatment_id": TX,
                                                        "locationId": LOC, "start_at": iso(now + 86400),
                                                        "end_at": iso(now + 28 * 86400)}).body["slots"]

    def slot(self):
        """A free slot two hours away from any slot another test took (both tenants share the demo calendar, but
        each tenant has its own holds)."""
        for s in reversed(self.slots()):
            at = s["start_at"]
            if all(abs(stamp(at) - stamp(u)) >= 7200 for u in Client.used):
                Client.used.add(at)
                return s
        self.t.skipTest("no free slot left")

    def request(self, patient_id, slot=None):
        slot = slot or self.slot()
        held = self.post("createAppt", {"patient_id": patient_id, "slot_id": slot["slot_id"]}).body["appointment"]
        self.t.assertEqual(held["state"], "provisional")
        return self.post("bookAppt", {"appointment_id": held["id"]}).body["appointment"], slot, held


def stamp(iso):
    import datetime as dt
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def setUpModule():
    global REDIS, A, B, RECEIVER
    REDIS = H.Redis().start()
    RECEIVER = W.Receiver(H.free_port()).start()
    METRICS_PORTS[:] = [H.free_port(), H.free_port()]
    A = H.Frontdesk(config(METRICS_PORTS[0]), REDIS).start()
    B = H.Frontdesk(config(METRICS_PORTS[1]), REDIS).start()
    # The request that expires: made first, so its one minute runs while the other tests run.
    t = unittest.TestCase()
    c = Client(t, "short")
    p = c.patient("Ex", "Pire")
    a, slot, _ = c.request(p["id"])
    EXPIRING.update(appointment=a, slot=slot, patient=p, made=time.monotonic())


def tearDownModule():
    H.shut_down(A, None)
    H.shut_down(B, REDIS)
    RECEIVER.stop()


def events(kind=None, request_id=None):
    out = []
    for d in RECEIVER.all():
        ev = d.event
        if (kind is None or ev["type"] == kind) and (request_id is None or ev["data"].get("request_id") == request_id):
            out.append(d)
    return out


def wait_event(kind, request_id, timeout=10.0):
    RECEIVER.wait_for(lambda _: len(events(kind, request_id)) >= 1, timeout, "%s of %s" % (kind, request_id))
    got = events(kind, request_id)
    return got[0].event["data"]


class Life(unittest.TestCase):
    def assert_requested(self, a, slot):
        self.assertEqual(a["state"], "requested", a)
        self.assertRegex(a["id"], r"^req_[0-9a-z]{14}$")
        self.assertEqual((a["start_at"], a["staff_member_id"]), (slot["start_at"], STAFF))

    def test_requested_then_confirmed(self):
        c = Client(self, "req")
        p = c.patient()
        a, slot, held = c.request(p["id"])
        self.assert_requested(a, slot)
        d = wait_event("appointment.requested", a["id"])
        self.assertEqual((d["appointment_id"], d["appointment_state"], d["appointment_start_time"]),
                         (a["id"], "requested", slot["start_at"]))
        self.assertEqual((d["patient_id"], d["firstName"], d["lastName"], d["phone"], d["email"]),
                         (p["id"], "Rae", "Quest", p["phone"], p["email"]))
        self.assertTrue(d["request_expires_at"] > slot["start_at"] or d["request_expires_at"])
        # the time is held for no other caller, on either process, and no longer offered
        other = Client(self, "req", B).patient("Oth", "Er")
        taken = Client(self, "req", B).post("createAppt", {"patient_id": other["id"], "slot_id": slot["slot_id"]},
                                            expect=None)
        self.assertEqual(taken.status, 409, taken)
        self.assertNotIn(slot["start_at"], [s["start_at"] for s in c.slots()])
        # bookAppt again (an agent's retry) answers the same request, and nothing new is sent
        again = c.post("bookAppt", {"appointment_id": held["id"]}).body["appointment"]
        self.assertEqual((again["id"], again["state"]), (a["id"], "requested"))
        # the clinic confirms it with the EMR's id
        r = c.post("confirmRequest", {"request_id": a["id"], "appointment_id": "EMR-4471"})
        self.assertEqual((r.body["request"]["state"], r.body["request"]["appointment_id"]), ("confirmed", "EMR-4471"))
        d = wait_event("appointment.created", a["id"])
        self.assertEqual((d["appointment_id"], d["appointment_state"], d["firstName"]), ("EMR-4471", "booked", "Rae"))
        # closing again the same way answers the same; another way is a clear 409
        self.assertEqual(c.post("confirmRequest", {"request_id": a["id"]}).body["request"]["state"], "confirmed")
        r = c.post("declineRequest", {"request_id": a["id"]}, expect=(409,))
        self.assertEqual((r.body["error"]["code"], r.body["error"]["field"]), ("request_closed", "request_id"))
        self.assertIn("confirmed", r.body["error"]["message"])
        time.sleep(1.0)
        self.assertEqual(len(events(None, a["id"])), 2, [e.event["type"] for e in events(None, a["id"])])
        self.assertEqual([ok for ok, _ in W.verify(events(None, a["id"]), SECRET)], [True, True])

    def test_requested_then_declined(self):
        c = Client(self, "req")
        p = c.patient()
        a, slot, _ = c.request(p["id"])
        r = c.post("declineRequest", {"request_id": a["id"], "reason": "Dr Martin is away that week"})
        self.assertEqual(r.body["request"]["state"], "declined")
        d = wait_event("appointment.request_declined", a["id"])
        self.assertEqual((d["appointment_state"], d["appointment_cancellation_reason"]),
                         ("cancelled", "Dr Martin is away that week"))
        # the time is free again
        self.assertIn(slot["start_at"], [s["start_at"] for s in c.slots()])
        r = c.post("confirmRequest", {"request_id": a["id"]}, expect=(409,))
        self.assertIn("declined", r.body["error"]["message"])

    def test_unknown_and_bad_requests(self):
        c = Client(self, "req")
        r = c.post("confirmRequest", {"request_id": "req_0000000000zzzz"}, expect=(404,))
        self.assertEqual((r.body["error"]["code"], r.body["error"]["field"]), ("not_found", "request_id"))
        r = c.post("declineRequest", {}, expect=(400,))
        self.assertEqual(r.body["error"]["field"], "request_id")
        r = c.post("declineRequest", {"request_id": "req_x", "reason": "x" * 501}, expect=(400,))
        self.assertEqual(r.body["error"]["field"], "reason")

    def test_two_processes_race_for_one_slot(self):
        c = Client(self, "req")
        slot = c.slot()
        pa, pb = c.patient("Ann", "Race"), c.patient("Ben", "Race")
        answers = {}

        def go(name, server, patient):
            cl = Client(self, "req", server)
            r = cl.post("createAppt", {"patient_id": patient["id"], "slot_id": slot["slot_id"]}, expect=None)
            if r.status == 201:
                r = cl.post("bookAppt", {"appointment_id": r.body["appointment"]["id"]}, expect=None)
            answers[name] = r

        threads = [threading.Thread(target=go, args=("a", A, pa)), threading.Thread(target=go, args=("b", B, pb))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        statuses = sorted(r.status for r in answers.values())
        self.assertEqual(statuses, [200, 409], answers)
        won = [r for r in answers.values() if r.status == 200][0].body["appointment"]
        self.assertEqual(won["state"], "requested")
        wait_event("appointment.requested", won["id"])
        time.sleep(0.5)
        at = [e for e in events("appointment.requested") if e.event["data"]["appointment_start_time"] ==
              slot["start_at"] and e.event["tenant_id"] == "req"]
        self.assertEqual(len(at), 1)

    def test_listing_reschedule_and_cancel(self):
        c = Client(self, "req")
        p = c.patient("Lis", "Ting")
        a, slot, _ = c.request(p["id"])
        listed = c.post("fetchPatientsAppointments", {"phone": p["phone"]}).body["appointments"]
        self.assertEqual([(x["id"], x["state"]) for x in listed], [(a["id"], "requested")])
        heard = c.voice("patientAppointments", phone=p["phone"])
        self.assertEqual([(x["id"], x["state"]) for x in heard["appointments"]], [(a["id"], "requested")])
        # reschedule moves the request's hold: the new time is taken, the old one free
        new = c.slot()
        moved = c.post("rescheduleAppt", {"appointment_id": a["id"], "start_at": new["start_at"]}).body["appointment"]
        self.assertEqual((moved["id"], moved["state"], moved["start_at"]), (a["id"], "requested", new["start_at"]))
        d = wait_event("appointment.rescheduled", a["id"])
        self.assertEqual((d["appointment_start_time"], d["previous_appointment_start_time"]),
                         (new["start_at"], slot["start_at"]))
        offered = [s["start_at"] for s in c.slots()]
        self.assertIn(slot["start_at"], offered)
        self.assertNotIn(new["start_at"], offered)
        listed = c.post("fetchPatientsAppointments", {"phone": p["phone"]}).body["appointments"]
        self.assertEqual([(x["id"], x["start_at"]) for x in listed], [(a["id"], new["start_at"])])
        # cancel withdraws it and frees the time
        r = c.post("cancelAppt", {"appointment_id": a["id"], "cancelled_reason": "sorted it out"})
        self.assertEqual(r.body["appointment"]["state"], "cancelled")
        d = wait_event("appointment.cancelled", a["id"])
        self.assertEqual(d["appointment_cancellation_reason"], "sorted it out")
        self.assertIn(new["start_at"], [s["start_at"] for s in c.slots()])
        self.assertEqual(c.post("fetchPatientsAppointments", {"phone": p["phone"]}).body["appointments"], [])
        r = c.post("cancelAppt", {"appointment_id": a["id"]}, expect=(409,))
        self.assertEqual(r.body["error"]["code"], "already_cancelled")

    def test_metrics_count_each_request_and_each_close_once(self):
        c = Client(self, "req")
        before = request_counts()
        p = c.patient("Met", "Rics")
        confirmed, _, _ = c.request(p["id"])
        declined, _, _ = c.request(p["id"])
        withdrawn, _, held = c.request(p["id"])
        c.post("bookAppt", {"appointment_id": held["id"]})  # an agent's retry: the same request, not a new one
        c.post("confirmRequest", {"request_id": confirmed["id"], "appointment_id": "EMR-9001"})
        c.post("confirmRequest", {"request_id": confirmed["id"]})  # again: the same answer, not a second close
        Client(self, "req", B).post("declineRequest", {"request_id": declined["id"], "reason": "fully booked"})
        c.post("cancelAppt", {"appointment_id": withdrawn["id"], "cancelled_reason": "sorted it out"})
        c.post("cancelAppt", {"appointment_id": withdrawn["id"]}, expect=(409,))
        after = request_counts()
        self.assertEqual({k: after[k] - before[k] for k in after},
                         {"requested": 3, "confirmed": 1, "declined": 1, "withdrawn": 1, "expired": 0})

    def test_voice_book_says_requested(self):
        c = Client(self, "req")
        slot = c.slot()
        phone = E.new_phone()
        body = c.voice("book", first_name="Vo", last_name="Ice", phone=phone, slot_id=slot["slot_id"])
        a = body["appointment"]
        self.assertEqual((body["booked"], body["requested"], a["state"]), (False, True, "requested"))
        self.assertTrue(body["message"].startswith("I've requested " + a["spoken"]), body["message"])
        self.assertTrue(body["message"].endswith("; the clinic will text you to confirm."), body["message"])
        self.assertIn(a["staff_member_name"], body["message"])
        d = wait_event("appointment.requested", a["id"])
        self.assertEqual((d["firstName"], d["phone"]), ("Vo", phone))


class Zexpiry(unittest.TestCase):
    """Runs last: the request of tenant "short" made at the start expires after its minute, once."""

    def test_unanswered_request_expires_once(self):
        a, slot = EXPIRING["appointment"], EXPIRING["slot"]
        c = Client(self, "short")
        self.assertEqual(a["state"], "requested")
        self.assertNotIn(slot["start_at"], [s["start_at"] for s in c.slots()])
        left = 60 + 15 - (time.monotonic() - EXPIRING["made"])
        d = wait_event("appointment.request_expired", a["id"], timeout=max(left, 5))
        self.assertEqual((d["appointment_id"], d["appointment_state"], d["firstName"]), (a["id"], "cancelled", "Ex"))
        time.sleep(2.5)  # both processes swept at least twice more
        self.assertEqual(len(events("appointment.request_expired", a["id"])), 1)
        self.assertEqual(request_counts()["expired"], 1)  # counted once, by the process whose sweep closed it
        self.assertIn(slot["start_at"], [s["start_at"] for s in c.slots()])
        r = c.post("confirmRequest", {"request_id": a["id"]}, expect=(409,))
        self.assertIn("expired", r.body["error"]["message"])
        self.assertEqual([ok for ok, _ in W.verify(events(None, a["id"]), SECRET)], [True, True])


class Config(unittest.TestCase):
    def test_mistakes_stop_the_start(self):
        cases = [({"policy": {"request_ttl_minutes": 0}}, "tenants[0].policy.request_ttl_minutes"),
                 ({"provider_settings": {"writes": "no"}}, "writes")]
        for change, path in cases:
            t = tenant("req")
            t.update(change)
            fd = H.Frontdesk({"tenants": [t]}, REDIS)
            try:
                with self.assertRaises(RuntimeError) as e:
                    fd.start(timeout=5)
                self.assertIn(path, str(e.exception), change)
            finally:
                fd.close()


if __name__ == "__main__":
    unittest.main()
