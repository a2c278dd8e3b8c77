"""tests/it/test_contract_selftest.py: the contract check (contract.py, tests/contract/check_responses.js) catches
a drift: answers that match openapi/openapi.yaml pass, and each kind of drift (a wrong body, an undeclared status,
content type or header, a missing required header) fails, naming the route, status and field."""

import json
import os
import unittest

import contract

SOURCE_DIR = os.environ.get("FD_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SPEC = os.path.join(SOURCE_DIR, "openapi", "openapi.yaml")
JSON = {"content-type": "application/json"}
ERROR = {"error": {"code": "method_not_allowed", "message": "This route does not accept that method.", "field": None}}


def exchange(method, path, status, body, headers=None):
    return {"test": "selftest", "method": method, "path": path, "status": status,
            "headers": dict({"x-request-id": "selftest-1"}, **(headers if headers is not None else JSON)),
            "body": body if isinstance(body, str) else json.dumps(body)}


class ContractCheck(unittest.TestCase):
    def check(self, *exchanges):
        return contract.check(SPEC, list(exchanges))

    def assertDrift(self, x, *words):
        drifted, report = self.check(x)
        self.assertTrue(drifted, report)
        line = report.splitlines()[0]
        self.assertIn("%s %s -> %d" % (x["method"], x["path"].split("?")[0], x["status"]), line)
        for w in words:
            self.assertIn(w, line)

    def test_matching_answers_pass(self):
        drifted, report = self.check(
            exchange("GET", "/healthz", 200, {"status": "ok"}),
            exchange("HEAD", "/healthz", 200, ""),
            exchange("GET", "/ai_brain/fetchAllStaff", 405, ERROR, dict(JSON, allow="POST")),
            exchange("GET", "/no/such/route", 404, dict(ERROR, error=dict(ERROR["error"], code="not_found"))))
        self.assertFalse(drifted, report)
        self.assertIn("4 exchanges checked, 0 drifted", report)

    def test_an_answer_without_a_sane_request_id_fails(self):
        """x-every-response-headers: every answer carries X-Request-Id, in its declared spelling."""
        self.assertDrift(exchange("GET", "/healthz", 200, {"status": "ok"}, dict(JSON, **{"x-request-id": "a b"})),
                         "x-request-id")
        missing = exchange("GET", "/healthz", 200, {"status": "ok"})
        del missing["headers"]["x-request-id"]
        self.assertDrift(missing, "required header 'x-request-id' is missing")

    def test_a_wrong_body_fails(self):
        self.assertDrift(exchange("GET", "/healthz", 200, {"status": 7}), "body", "/status")

    def test_an_error_body_with_an_undeclared_member_fails(self):
        body = dict(ERROR, message="extra")
        self.assertDrift(exchange("GET", "/ai_brain/fetchAllStaff", 405, body, dict(JSON, allow="POST")),
                         "must NOT have additional properties", "message")

    def test_an_undeclared_status_fails(self):
        self.assertDrift(exchange("GET", "/healthz", 418, ERROR), "status 418 is not declared")

    def test_an_undeclared_content_type_fails(self):
        self.assertDrift(exchange("GET", "/healthz", 200, "ok", {"content-type": "text/plain"}),
                         "content type 'text/plain' is not declared")

    def test_an_undeclared_header_fails(self):
        self.assertDrift(exchange("GET", "/healthz", 200, {"status": "ok"}, dict(JSON, **{"x-secret": "1"})),
                         "header 'x-secret' is not declared")

    def test_a_missing_required_header_fails(self):
        self.assertDrift(exchange("GET", "/ai_brain/fetchAllStaff", 405, ERROR), "required header 'allow'")

    def test_a_wrong_header_value_fails(self):
        headers = dict(JSON, **{"retry-after": "soon"})
        self.assertDrift(exchange("GET", "/readyz", 503, {"status": "unavailable"}, headers), "retry-after")


if __name__ == "__main__":
    unittest.main(verbosity=2)
