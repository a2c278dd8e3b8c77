#!/usr/bin/env python3
"""tests/it/test_agents_retell.py: POST /agents/retell as Retell's custom functions call it: the {name, args, call}
envelope (call with its id, transcript and numbers) and the "args at root" form on /agents/retell/{tool}, each
signed with X-Retell-Signature (v=<ms>,d=<HMAC-SHA256 of body then ms, keyed by the Retell API key>) since the
tenant configures that key: a whole conversation, a bad, stale or missing signature refused, an unknown tool,
bad arguments and a slow clinic answered with a sentence in HTTP 200, and Retell's retry of a function call
booking once."""

import hashlib
import hmac
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agents_support as A  # noqa: E402
import clock  # noqa: E402

M = A.Module(retell_key=A.RETELL_KEY)
setUpModule, tearDownModule = M.start, M.stop

CALL = {"call_id": "Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6", "agent_id": "oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD",
        "call_type": "phone_call", "call_status": "ongoing", "direction": "inbound",
        "from_number": "+61491570156", "to_number": "+61291234567",
        "transcript": "Agent: Harbour and Pine, how can I help?\nUser: I'd like to book a physio appointment."}


def signature(raw, key=A.RETELL_KEY, at_ms=None):
    at = clock.now_ms() if at_ms is None else at_ms
    digest = hmac.new(key.encode(), raw + str(at).encode(), hashlib.sha256).hexdigest()
    return "v=%d,d=%s" % (at, digest)


def post(path, payload, api_key=A.KEY, sign=True, timeout=10.0):
    raw = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "Authorization": "Bearer " + api_key}
    if sign:
        headers["X-Retell-Signature"] = signature(raw)
    return M.svc.post(path, raw, headers, timeout=timeout)


def function(name, args, call=CALL, api_key=A.KEY):
    r = post("/agents/retell", {"name": name, "call": call, "args": args}, api_key)
    assert r.status == 200, r
    return r.body


def at_root(name, args):
    r = post("/agents/retell/" + name, args)
    assert r.status == 200, r
    return r.body


class Conversation(unittest.TestCase):
    def test_full_conversation_in_the_envelope(self):
        A.conversation(self, function)

    def test_full_conversation_with_args_at_root(self):
        A.conversation(self, at_root)

    def test_envelope_on_a_function_path(self):
        r = post("/agents/retell/clinic_info", {"name": "clinic_info", "call": CALL, "args": {}})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body["ok"] and r.body["staff"])


class Signature(unittest.TestCase):
    def test_signed_with_another_key_is_refused(self):
        raw = json.dumps({"name": "clinic_info", "call": CALL, "args": {}}).encode()
        for header in (signature(raw, key="someone-elses-key"), signature(raw + b" "), "v=1,d=00", "",
                       signature(raw, at_ms=clock.now_ms() - 10 * 60 * 1000)):
            r = M.svc.post("/agents/retell", raw, {"Content-Type": "application/json", "x-api-key": A.KEY,
                                                 "X-Retell-Signature": header})
            self.assertEqual((r.status, r.body["error"]["field"]), (401, "x-retell-signature"), header)

    def test_unsigned_is_refused(self):
        r = post("/agents/retell", {"name": "clinic_info", "call": CALL, "args": {}}, sign=False)
        self.assertEqual((r.status, r.body["error"]["code"]), (401, "unauthorized"))

    def test_good_signature_still_needs_the_api_key(self):
        r = post("/agents/retell", {"name": "clinic_info", "call": CALL, "args": {}}, api_key="not-a-key")
        self.assertEqual(r.status, 401)


class Mistakes(unittest.TestCase):
    def test_unknown_function_is_a_sentence(self):
        answer = function("end_call", {})
        self.assertEqual((answer["ok"], answer["error"]["code"]), (False, "unknown_tool"))
        self.assertIn("book", answer["message"])
        answer = at_root("lookup_weather", {"city": "Sydney"})
        self.assertEqual(answer["error"]["code"], "unknown_tool")

    def test_bad_arguments_are_sentences(self):
        for args, field in (("not an object", "arguments"), ({"time_zone": "sydney"}, "treatment_name"),
                            ({"treatment_name": "initial physio", "time_zone": "Mars/Olympus"}, "time_zone"),
                            ({"treatment_name": {"name": "physio"}, "time_zone": "sydney"}, "treatment_name")):
            answer = function("best_slot", args)
            self.assertFalse(answer["ok"], answer)
            self.assertEqual(answer["error"]["field"], field, answer)
            self.assertTrue(answer["message"].strip())

    def test_slow_clinic_gets_the_deadline_answer(self):
        M.svc.slow_cliniko(A.SLOW_EMR_MS)
        try:
            answer, took = A.timed(lambda: function("clinic_info", {}, api_key=A.SLOW_KEY))
        finally:
            M.svc.slow_cliniko(0)
        self.assertFalse(answer["ok"], answer)
        self.assertEqual(answer["error"]["code"], "emr_timeout", answer)
        A.assert_sayable(self, answer)
        self.assertLess(took, A.SLOW_EMR_MS / 1000 - 1.0)  # the deadline answer, not the EMR's

    def test_retried_function_books_once(self):
        args = A.book_args(function)
        call = dict(CALL, call_id="RetryCall%d" % clock.now_ms())
        first = function("book", args, call)
        again = function("book", args, call)
        self.assertTrue(first["booked"] and again["booked"], (first, again))
        self.assertEqual(again["appointment"]["id"], first["appointment"]["id"])
        self.assertEqual([a["id"] for a in A.bookings_of(function, args["phone"])], [first["appointment"]["id"]])

    def test_retried_args_at_root_book_once(self):
        args = A.book_args(at_root)
        first, again = at_root("book", args), at_root("book", args)
        self.assertEqual(again["appointment"]["id"], first["appointment"]["id"])
        self.assertEqual(len(A.bookings_of(at_root, args["phone"])), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
