#!/usr/bin/env python3
"""tests/it/test_agents_vapi.py: POST /agents/vapi as Vapi's server URL calls it: "tool-calls" messages (the
toolCallList in both shapes Vapi sends, and the toolWithToolCallList form, arguments as an object or as JSON text)
carrying a whole receptionist conversation; several calls in one message answered together; an unknown tool, bad
arguments and a slow clinic answered with a sentence in HTTP 200; a retried tool call that books once; the keys
Vapi can present (Authorization: Bearer, X-Vapi-Secret)."""

import json
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agents_support as A  # noqa: E402
import clock  # noqa: E402

M = A.Module()
setUpModule, tearDownModule = M.start, M.stop



_ids = [0]


def call_id():
    _ids[0] += 1
    return "call_%06dVapiToolCall" % _ids[0]


def tool_call(name, args, shape):
    """One entry of toolCallList: Vapi's own shape, or the OpenAI function shape (arguments as JSON text)."""
    cid = call_id()
    if shape == "openai":
        return {"id": cid, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
    return {"id": cid, "name": name, "arguments": args}


def message(calls, with_tools_form=False):
    m = {"timestamp": clock.now_ms(), "type": "tool-calls",
         "call": {"id": "0f1c6b2e-vapi-call", "orgId": "org-demo", "type": "inboundPhoneCall",
                  "status": "in-progress"},
         "customer": {"number": "+61491570156"},
         "assistant": {"name": "Front desk", "model": {"provider": "openai", "model": "gpt-4o"}},
         "artifact": {"messages": [{"role": "user", "message": "I'd like a physio appointment", "time": 1}]}}
    if with_tools_form:
        m["toolWithToolCallList"] = [{"type": "function", "name": c["name"] if "name" in c else c["function"]["name"],
                                      "toolCall": c} for c in calls]
    else:
        m["toolCallList"] = calls
    return {"message": m}


def send(body, headers=None, timeout=10.0):
    headers = {"Authorization": "Bearer " + A.KEY} if headers is None else headers
    return M.svc.post("/agents/vapi", body, headers, timeout=timeout)


def results(r):
    """{toolCallId: the agent's object} of a 200 answer, checking each result is one line of JSON text."""
    assert r.status == 200, r
    out = {}
    for entry in r.body["results"]:
        assert isinstance(entry["result"], str) and "\n" not in entry["result"], entry
        out[entry["toolCallId"]] = json.loads(entry["result"])
    return out


def one(name, args, shape="vapi", headers=None, key=None):
    c = tool_call(name, args, shape)
    if key is not None:
        c["id"] = key
    got = results(send(message([c]), headers))
    return got[c["id"]]


class Conversation(unittest.TestCase):
    def test_full_conversation_in_vapi_shape(self):
        A.conversation(self, lambda name, args: one(name, args))

    def test_full_conversation_as_openai_function_calls(self):
        A.conversation(self, lambda name, args: one(name, args, shape="openai"))

    def test_tool_with_tool_call_list_form(self):
        c = tool_call("clinic_info", {}, "openai")
        got = results(send(message([c], with_tools_form=True)))
        self.assertTrue(got[c["id"]]["ok"])
        A.assert_sayable(self, got[c["id"]])

    def test_several_calls_in_one_message_answered_together(self):
        calls = [tool_call("clinic_info", {}, "vapi"),
                 tool_call("best_slot", {"treatment_name": "initial physio", "time_zone": "sydney"}, "openai"),
                 tool_call("best_slot", {"treatment_name": "initial physio", "time_zone": "vancouver",
                                         "part_of_day": "afternoon"}, "vapi")]
        r = send(message(calls))
        got = results(r)
        self.assertEqual([e["toolCallId"] for e in r.body["results"]], [c["id"] for c in calls])
        self.assertTrue(got[calls[0]["id"]]["staff"])
        self.assertTrue(got[calls[1]["id"]]["available"] and got[calls[2]["id"]]["available"])
        self.assertNotEqual(got[calls[1]["id"]]["slot_id"], got[calls[2]["id"]]["slot_id"])

    def test_other_server_messages_are_acknowledged(self):
        r = send({"message": {"type": "status-update", "status": "in-progress", "timestamp": clock.now_ms()}})
        self.assertEqual((r.status, r.body), (200, {}))


class Mistakes(unittest.TestCase):
    def test_unknown_tool_is_a_sentence(self):
        good, bad = tool_call("clinic_info", {}, "vapi"), tool_call("transfer_call", {"to": "reception"}, "vapi")
        got = results(send(message([good, bad])))
        self.assertTrue(got[good["id"]]["ok"])
        answer = got[bad["id"]]
        self.assertFalse(answer["ok"])
        self.assertEqual(answer["error"]["code"], "unknown_tool")
        self.assertIn("best_slot", answer["message"])

    def test_bad_arguments_are_sentences(self):
        broken = {"id": call_id(), "type": "function", "function": {"name": "best_slot", "arguments": "{\"treat"}}
        missing = tool_call("best_slot", {"time_zone": "sydney"}, "vapi")
        wrong = tool_call("best_slot", {"treatment_name": "initial physio", "time_zone": "sydney",
                                        "part_of_day": "midnight"}, "openai")
        listed = tool_call("book", {"first_name": ["Mia"], "last_name": "Agent"}, "vapi")
        got = results(send(message([broken, missing, wrong, listed])))
        expect = {broken["id"]: ("invalid_field", "arguments"), missing["id"]: ("missing_field", "treatment_name"),
                  wrong["id"]: ("invalid_field", "part_of_day"), listed["id"]: ("invalid_field", "first_name")}
        for cid, (code, field) in expect.items():
            answer = got[cid]
            self.assertFalse(answer["ok"], answer)
            self.assertEqual((answer["error"]["code"], answer["error"]["field"]), (code, field), answer)
            self.assertTrue(answer["message"].strip())

    def test_slow_clinic_gets_the_deadline_answer(self):
        M.svc.slow_cliniko(A.SLOW_EMR_MS)
        try:
            c = tool_call("best_slot", {"treatment_name": "consult", "time_zone": "eastern"}, "vapi")
            r, took = A.timed(lambda: send(message([c]), {"Authorization": "Bearer " + A.SLOW_KEY}))
            answer = results(r)[c["id"]]
        finally:
            M.svc.slow_cliniko(0)
        self.assertFalse(answer["ok"], answer)
        self.assertEqual(answer["error"]["code"], "emr_timeout", answer)
        A.assert_sayable(self, answer)
        self.assertLess(took, A.SLOW_DEADLINE_MS / 1000 + 1.0, "answered at the tenant's voice deadline")

    def test_retried_call_books_once(self):
        args = A.book_args(lambda n, a: one(n, a))
        key = call_id()
        first = one("book", args, key=key)
        again = one("book", args, key=key)
        self.assertTrue(first["booked"] and again["booked"], (first, again))
        self.assertEqual(again["appointment"]["id"], first["appointment"]["id"])
        mine = A.bookings_of(lambda n, a: one(n, a), args["phone"])
        self.assertEqual([a["id"] for a in mine], [first["appointment"]["id"]])

    def test_retry_arriving_while_the_first_runs_books_once(self):
        args = A.book_args(lambda n, a: one(n, a))
        key = call_id()
        answers = []
        threads = [threading.Thread(target=lambda: answers.append(one("book", args, key=key))) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        booked = {a["appointment"]["id"] for a in answers if a["ok"]}
        self.assertEqual(len(booked), 1, answers)
        for a in answers:
            A.assert_sayable(self, a)
            self.assertNotIn("Idempotency", a["message"])
        mine = A.bookings_of(lambda n, a: one(n, a), args["phone"])
        self.assertEqual([a["id"] for a in mine], list(booked))


class Auth(unittest.TestCase):
    def test_bearer_vapi_secret_and_api_key(self):
        for headers in ({"Authorization": "Bearer " + A.KEY}, {"authorization": "bearer " + A.SECOND_KEY},
                        {"X-Vapi-Secret": A.KEY}, {"x-api-key": A.SECOND_KEY}):
            c = tool_call("clinic_info", {}, "vapi")
            self.assertTrue(results(send(message([c]), headers))[c["id"]]["ok"], headers)

    def test_wrong_or_missing_key_is_refused(self):
        for headers in ({"Authorization": "Bearer not-a-key"}, {"X-Vapi-Secret": "nope"}, {},
                        {"Authorization": "Basic " + A.KEY}):
            r = send(message([tool_call("clinic_info", {}, "vapi")]), headers)
            self.assertEqual(r.status, 401, (headers, r))
            self.assertEqual(r.body["error"]["code"], "unauthorized", (headers, r))


if __name__ == "__main__":
    unittest.main(verbosity=2)
