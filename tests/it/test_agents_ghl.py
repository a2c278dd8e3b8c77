#!/usr/bin/env python3
"""tests/it/test_agents_ghl.py: POST /agents/ghl/{tool}, the POST form of a GoHighLevel Voice AI custom action (a
JSON body of the action's parameters, the answer read whole), next to the GET /voice custom actions: a whole
conversation, the same sentence as the GET form, an unknown action, bad parameters and a slow clinic answered
with a sentence in HTTP 200, and GHL repeating an action booking once."""

import os
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agents_support as A  # noqa: E402

M = A.Module()
setUpModule, tearDownModule = M.start, M.stop



def action(name, params, key=A.KEY):
    r = M.svc.post("/agents/ghl/" + name, params, {"x-api-key": key, "Content-Type": "application/json"})
    assert r.status == 200, r
    return r.body


class Conversation(unittest.TestCase):
    def test_full_conversation(self):
        A.conversation(self, action)

    def test_same_answer_as_the_get_action(self):
        params = {"treatment_name": "initial physio", "time_zone": "sydney", "part_of_day": "afternoon"}
        posted = action("best_slot", params)
        got = M.svc.server.get("/voice/bestSlot?" + urllib.parse.urlencode(params), key=A.KEY)
        self.assertEqual(got.status, 200, got)
        self.assertEqual((posted["message"], posted["slot_id"]), (got.body["message"], got.body["slot_id"]))


class Mistakes(unittest.TestCase):
    def test_unknown_action_is_a_sentence(self):
        answer = action("bestSlot", {"treatment_name": "physio"})
        self.assertEqual((answer["ok"], answer["error"]["code"]), (False, "unknown_tool"))
        self.assertIn("best_slot", answer["message"])

    def test_bad_parameters_are_sentences(self):
        answer = action("book", {"first_name": "Mia", "last_name": "Agent", "phone": "call me maybe"})
        self.assertEqual((answer["ok"], answer["error"]["field"]), (False, "phone"), answer)
        answer = action("reschedule", {"appointment_id": "sb-appt-nope"})
        self.assertEqual((answer["ok"], answer["error"]["field"]), (False, "new_start_at"), answer)
        self.assertIn("new date and time", answer["message"])

    def test_slow_clinic_gets_the_deadline_answer(self):
        M.svc.slow_cliniko(A.SLOW_EMR_MS)
        try:
            answer, took = A.timed(lambda: action("best_slot", {"treatment_name": "consult", "time_zone": "eastern"},
                                                  key=A.SLOW_KEY))
        finally:
            M.svc.slow_cliniko(0)
        self.assertEqual((answer["ok"], answer["error"]["code"]), (False, "emr_timeout"), answer)
        A.assert_sayable(self, answer)
        self.assertLess(took, A.SLOW_EMR_MS / 1000 - 1.0)  # the deadline answer, not the EMR's

    def test_repeated_action_books_once(self):
        args = A.book_args(action)
        first, again = action("book", args), action("book", args)
        self.assertTrue(first["booked"] and again["booked"], (first, again))
        self.assertEqual(again["appointment"]["id"], first["appointment"]["id"])
        self.assertEqual(len(A.bookings_of(action, args["phone"])), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
