#!/usr/bin/env python3
"""tests/it/test_voice_continuity.py: /voice/bestSlot prefers the practitioner a caller saw last, found by phone.

A sandbox clinic where Ava's 10:00 slot is nearest to the 10:00 asked for and Ben's (09:45, 10:15) are 15 minutes
off: a caller whose latest past appointment was with Ben gets Ben when their phone is given (as a parameter, or
as the number Vapi's or Retell's call comes from), Ava without it; an unknown phone changes nothing; a lookup that
fails or is slow (Redis pausing the sandbox's patient scripts) still answers, in time, without the preference,
and the slow one's result serves the caller's next question. A second clinic puts Ben's only slot just past the
week bestSlot reads first: the early stop must not keep Ava's answer from that week when Ben's slot, with the
last-seen bonus, beats it."""

import datetime as dt
import json
import os
import signal
import sys
import time
import unittest
import urllib.parse
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clock  # noqa: E402
import harness as H  # noqa: E402

SYD = "Australia/Sydney"
ZONE = ZoneInfo(SYD)
KEY = "it-continuity-key-5e21"
EDGE_KEY = "it-continuity-edge-key-0b7d"
ALL_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
CAROL, DAVE, ERIN, NOBODY = "+61491570156", "+61491570157", "+61491570158", "+61491570999"
REDIS = SERVER = None


def local(day, hour, minute=0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


def utc_iso(when):
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def practitioner(pid, first, last, intervals, days=None):
    return {"id": pid, "first_name": first, "last_name": last, "treatment_ids": ["tx-30"],
            "schedules": [{"location_id": "loc-syd", "weekly": [{"days": days or ALL_DAYS, "intervals": intervals}]}]}


def clinic(practitioners, patients, bookings):
    return {"clinic": {"name": "Continuity Clinic", "country": "AU", "locale": "en-AU"},
            "locations": [{"id": "loc-syd", "name": "Harbour", "time_zone": SYD,
                           "address": {"line1": "1 George St", "city": "Sydney", "country": "AU"}}],
            "practitioners": practitioners,
            "treatments": [{"id": "tx-30", "name": "Consultation", "duration_minutes": 30,
                            "price": {"amount": 80, "currency": "AUD"}}],
            "patients": patients, "bookings": bookings,
            "policy": {"min_notice_minutes": 60, "max_days_ahead": 14, "slot_step_minutes": 30}}


def booking(pid, patient, when):
    return {"practitioner_id": pid, "treatment_id": "tx-30", "location_id": "loc-syd",
            "start": when.isoformat(timespec="seconds"), "patient_id": patient}


def patient(pid, first, phone):
    return {"id": pid, "first_name": first, "last_name": "Caller", "phone": phone}


def near_clinic(today):
    """Ava 09:00-17:00 and Ben 09:15-17:15 every day. Carol saw Ava 40 days ago and Ben 20 days ago, and will see
    Ava in 5 days (not a past visit); Dave and Erin saw Ben."""
    return clinic(
        [practitioner("pr-ava", "Ava", "Adams", [{"start": "09:00", "end": "17:00"}]),
         practitioner("pr-ben", "Ben", "Brown", [{"start": "09:15", "end": "17:15"}])],
        [patient("pt-carol", "Carol", CAROL), patient("pt-dave", "Dave", DAVE), patient("pt-erin", "Erin", ERIN)],
        [booking("pr-ava", "pt-carol", local(today - dt.timedelta(days=40), 10)),
         booking("pr-ben", "pt-carol", local(today - dt.timedelta(days=20), 10)),
         booking("pr-ava", "pt-carol", local(today + dt.timedelta(days=5), 15)),
         booking("pr-ben", "pt-dave", local(today - dt.timedelta(days=10), 11)),
         booking("pr-ben", "pt-erin", local(today - dt.timedelta(days=12), 11))])


def edge_target_day():
    """The local date of the earliest bookable instant (now + 60 minutes' notice): the first pass reads from now to
    the start of the 7th local day after it."""
    return (clock.now(ZONE) + dt.timedelta(minutes=60)).date()


def edge_clinic():
    """Ava works 20:30-23:30 on the weekday 6 days after the target's, Ben 00:00-01:00 on the next one: Ben's
    00:00 is the first instant past the week read first, 30 minutes further than Ava's 20:30 would be from the
    week's end were it 4 hours later. With the 4-hour bonus Ben's costs 30 minutes less than Ava's."""
    t = edge_target_day()
    ava_day, ben_day = ALL_DAYS[(t + dt.timedelta(days=6)).weekday()], ALL_DAYS[t.weekday()]
    c = clinic(
        [practitioner("pr-ava", "Ava", "Adams", [{"start": "20:30", "end": "23:30"}], [ava_day]),
         practitioner("pr-ben", "Ben", "Brown", [{"start": "00:00", "end": "01:00"}], [ben_day])],
        [patient("pt-carol", "Carol", CAROL)],
        [booking("pr-ben", "pt-carol", local(t - dt.timedelta(days=14), 0, 30))])
    # Closed the day before the target's and on it, so that near midnight neither works within the notice's reach.
    c["locations"][0]["closures"] = [{"date": (t + dt.timedelta(days=k)).isoformat()} for k in (-1, 0)]
    return c


def setUpModule():
    global REDIS, SERVER
    today = clock.today(ZONE)
    REDIS = H.Redis().start()
    tenants = [{"id": tid, "api_key_sha256": H.sha256_hex(key), "provider": "sandbox", "locale": "en-AU",
                "country": "AU", "time_zone": SYD, "rate_limit": {"per_second": 100000, "burst": 100000},
                "policy": {"min_notice_minutes": 60, "max_days_ahead": 14},
                "provider_settings": {"clinic_file": tid + ".json"}}
               for tid, key in (("cont", KEY), ("edge", EDGE_KEY))]
    # One worker: what it keeps of a caller's history is what the next question reads.
    SERVER = H.Frontdesk({"tenants": tenants}, REDIS, workers=1,
                         files={"cont.json": near_clinic(today), "edge.json": edge_clinic()}).start()


def tearDownModule():
    H.shut_down(SERVER, REDIS)


def question(**extra):
    day = clock.today(ZONE) + dt.timedelta(days=2)
    q = {"treatment_name": "Consultation", "time_zone": SYD, "requested_time_utc": utc_iso(local(day, 10))}
    q.update(extra)
    return q


def best(key=KEY, **params):
    t0 = time.monotonic()
    r = SERVER.get("/voice/bestSlot?" + urllib.parse.urlencode(params), key=key)
    return r, time.monotonic() - t0


def who(body):
    return body["slot"]["staff_member_id"], body["slot"]["start_at"]


class Continuity(unittest.TestCase):
    def setUp(self):
        day = clock.today(ZONE) + dt.timedelta(days=2)
        self.ava = ("pr-ava", utc_iso(local(day, 10)))
        self.ben = ("pr-ben", utc_iso(local(day, 9, 45)))

    def test_without_a_phone_the_nearest_slot_wins(self):
        r, _ = best(**question())
        self.assertEqual(r.status, 200, r)
        self.assertEqual(who(r.body), self.ava, r.body)
        self.assertNotIn("saw last", r.body["message"])

    def test_a_known_caller_gets_the_practitioner_they_saw_last(self):
        for phone in ("0491 570 156", CAROL):  # national or E.164
            r, _ = best(**question(phone=phone))
            self.assertEqual(r.status, 200, r)
            self.assertEqual(who(r.body), self.ben, r.body)
            self.assertIn("with Ben Brown, whom you saw last", r.body["message"])

    def test_an_unknown_phone_changes_nothing(self):
        plain, _ = best(**question())
        r, _ = best(**question(phone=NOBODY))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(who(r.body), self.ava, r.body)
        self.assertEqual([who({"slot": s}) for s in r.body["alternatives"]],
                         [who({"slot": s}) for s in plain.body["alternatives"]])
        self.assertEqual(r.body["message"], plain.body["message"])

    def test_a_phone_that_is_not_one_is_refused(self):
        r, _ = best(**question(phone="call me maybe"))
        self.assertEqual((r.status, r.body["error"]["code"], r.body["error"]["field"]), (400, "invalid_field", "phone"))

    def test_a_failing_lookup_answers_without_the_preference_and_is_not_kept(self):
        index = "fd:{cont}:sandbox:index"
        REDIS.command("RENAME", index, index + ":aside") if REDIS.command("EXISTS", index) else None
        REDIS.command("SET", index, "not a hash")  # the sandbox's phone lookup now fails (WRONGTYPE)
        try:
            r, _ = best(**question(phone=DAVE))
            self.assertEqual(r.status, 200, r)
            self.assertEqual(who(r.body), self.ava, r.body)
        finally:
            REDIS.command("DEL", index)
            if REDIS.command("EXISTS", index + ":aside"):
                REDIS.command("RENAME", index + ":aside", index)
        r, _ = best(**question(phone=DAVE))  # a failure was not kept: asked again, Dave's history counts
        self.assertEqual(who(r.body), self.ben, r.body)

    def test_a_slow_lookup_answers_in_time_then_serves_the_next_question(self):
        self.assertEqual(best(**question())[0].status, 200)  # the catalog and the days are cached
        REDIS.command("CLIENT", "PAUSE", "1500", "WRITE")  # the sandbox's patient scripts wait 1.5 s
        try:
            r, took = best(**question(phone=ERIN))
            self.assertLess(took, 1.4, r)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(who(r.body), self.ava, r.body)
            self.assertNotIn("saw last", r.body["message"])
            time.sleep(1.8)  # the lookup goes on once Redis answers, and the worker keeps what it found
        finally:
            REDIS.command("CLIENT", "UNPAUSE")
        r, _ = best(**question(phone=ERIN))
        self.assertEqual(who(r.body), self.ben, r.body)


class LookupAcrossAReload(unittest.TestCase):
    """A lookup that outlives the caller's wait goes on reading the tenant's EMR: a reload meanwhile must not free
    the config it reads (the sanitizer run says so), and what it finds still serves the next question."""

    def test_a_reload_while_a_slow_lookup_runs(self):
        redis = H.Redis().start()
        files = {"cont.json": near_clinic(clock.today(ZONE)), "edge.json": edge_clinic()}
        server = H.Frontdesk({"tenants": SERVER.config["tenants"]}, redis, workers=1, files=files).start()
        try:
            for _ in range(2):  # the catalog and the days cached, and a rate lease fresh (100 ms) for what follows
                self.assertEqual(server.get("/voice/bestSlot?" + urllib.parse.urlencode(question()), key=KEY).status,
                                 200)
            # 700 ms: past the caller's wait (at most 250 ms), short of the 1 s that drops a connection as hung
            redis.command("CLIENT", "PAUSE", "700", "WRITE")
            try:
                r = server.get("/voice/bestSlot?" + urllib.parse.urlencode(question(phone=ERIN)), key=KEY)
                self.assertEqual(r.status, 200, r)
                reloaded = dict(server.config)
                reloaded["tenants"] = [dict(t, policy=dict(t["policy"], max_days_ahead=13))
                                       for t in server.config["tenants"]]
                with open(server.config_path + ".tmp", "w", encoding="utf-8") as f:
                    json.dump(reloaded, f)
                os.replace(server.config_path + ".tmp", server.config_path)
                server.proc.send_signal(signal.SIGHUP)
                self.assertTrue(H.wait_until(lambda: any(
                    isinstance(o, dict) and o.get("msg", "").startswith("config reload") for _, o in server.log_lines())),
                    server.stderr()[-2000:])
                time.sleep(1.0)  # Redis answers again; the lookup ends on the config it began with
            finally:
                redis.command("CLIENT", "UNPAUSE")
            r = server.get("/voice/bestSlot?" + urllib.parse.urlencode(question(phone=ERIN)), key=KEY)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(who(r.body)[0], "pr-ben", r.body)
            self.assertIsNone(server.stop_problem())
        finally:
            server.close()
            redis.close()


class Platforms(unittest.TestCase):
    """Vapi and Retell give the caller's number in their call object: best_slot uses it when no phone is named."""

    def args(self):
        q = question()
        return {k: q[k] for k in ("treatment_name", "time_zone", "requested_time_utc")}

    def vapi(self, args, number):
        call = {"id": "call_0001ContinuityTool", "name": "best_slot", "arguments": args}
        body = {"message": {"type": "tool-calls", "timestamp": clock.now_ms(), "toolCallList": [call],
                            "call": {"id": "vapi-call-1", "type": "inboundPhoneCall",
                                     "customer": {"number": number}}}}
        r = SERVER.post("/agents/vapi", body, headers={"Authorization": "Bearer " + KEY})
        self.assertEqual(r.status, 200, r)
        return json.loads(r.body["results"][0]["result"])

    def test_vapi_caller_number(self):
        day = clock.today(ZONE) + dt.timedelta(days=2)
        got = self.vapi(self.args(), CAROL)
        self.assertEqual(who(got), ("pr-ben", utc_iso(local(day, 9, 45))), got)
        got = self.vapi(dict(self.args(), phone=NOBODY), CAROL)  # a phone named in the call wins
        self.assertEqual(who(got), ("pr-ava", utc_iso(local(day, 10))), got)
        got = self.vapi(self.args(), "anonymous")  # a withheld number is no phone
        self.assertEqual(who(got), ("pr-ava", utc_iso(local(day, 10))), got)

    def test_retell_caller_number(self):
        day = clock.today(ZONE) + dt.timedelta(days=2)
        body = {"name": "best_slot", "args": self.args(),
                "call": {"call_id": "retell-continuity-1", "from_number": CAROL, "to_number": "+61290001234"}}
        r = SERVER.post("/agents/retell", body, key=KEY)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(who(r.body), ("pr-ben", utc_iso(local(day, 9, 45))), r.body)


class EarlyStop(unittest.TestCase):
    def test_the_first_week_does_not_settle_what_the_bonus_can_change(self):
        t = edge_target_day()
        ava = ("pr-ava", utc_iso(local(t + dt.timedelta(days=6), 20, 30)))
        ben = ("pr-ben", utc_iso(local(t + dt.timedelta(days=7), 0, 0)))
        r, _ = best(key=EDGE_KEY, treatment_name="Consultation", time_zone=SYD)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(who(r.body), ava, r.body)
        r, _ = best(key=EDGE_KEY, treatment_name="Consultation", time_zone=SYD, phone=CAROL)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(who(r.body), ben, r.body)


if __name__ == "__main__":
    unittest.main()
