"""tests/it/contract.py: every answer frontdesk gives the integration suite must match openapi/openapi.yaml.

harness.exchange() hands each exchange with a frontdesk process to record(); when the test process exits, all of
them are checked in one batch by tests/contract/check_responses.js (openapi-backend and ajv from npm, installed
into tests/contract/node_modules by the first test process that needs them, from the pinned package-lock; offline
after that). A drift (an undeclared status, content type or header, a body or header outside its schema) is
printed with the test, route, status and field, and the test process exits 1, so the ctest that received it fails.
"""

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile

CONTRACT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "contract")
CHECKER = os.path.join(CONTRACT_DIR, "check_responses.js")

_exchanges = []


def _test_name():
    """The id of the unittest test (or class) whose code is making the request, else the script's name."""
    frame = sys._getframe(2)
    while frame is not None:
        owner = frame.f_locals.get("self") or frame.f_locals.get("cls")
        test_id = getattr(owner, "id", None)
        if callable(test_id) and not isinstance(owner, type):
            return test_id()
        if isinstance(owner, type) and hasattr(owner, "setUpClass"):
            return "%s.%s" % (owner.__module__, owner.__name__)
        frame = frame.f_back
    return os.path.basename(sys.argv[0])


def record(method, path, status, headers, raw):
    """Keeps one exchange (headers: an http.client.HTTPMessage; raw: the body bytes) for the check at exit."""
    merged = {}
    for name, value in headers.items():
        name = name.lower()
        merged[name] = value if name not in merged else merged[name] + ", " + value
    _exchanges.append({"test": _test_name(), "method": method, "path": path, "status": status,
                       "headers": merged, "body": raw.decode("utf-8", "replace")})


def _install():
    """npm ci into tests/contract once (a lock keeps parallel test processes from installing at the same time)."""
    with open(os.path.join(CONTRACT_DIR, "package-lock.json"), "rb") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            if os.path.isdir(os.path.join(CONTRACT_DIR, "node_modules", "openapi-backend")):
                return
            npm = shutil.which("npm")
            if npm is None:
                raise RuntimeError("npm is required for the contract check (apt-get install npm)")
            subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=CONTRACT_DIR,
                           check=True, stdout=subprocess.DEVNULL, timeout=300)
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def check(spec, exchanges):
    """Runs the checker over exchanges (a list of recorded dicts); returns (drifted, its report text)."""
    _install()
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", prefix="fd-contract-", delete=False) as f:
        for x in exchanges:
            f.write(json.dumps(x) + "\n")
        path = f.name
    try:
        out = subprocess.run(["node", CHECKER, spec, path], capture_output=True, text=True, timeout=120)
    finally:
        os.unlink(path)
    if out.returncode not in (0, 1):
        raise RuntimeError("the contract checker failed (%d): %s" % (out.returncode, out.stderr[-2000:]))
    return out.returncode == 1, out.stdout + out.stderr


def check_at_exit(spec):
    """atexit: checks everything recorded; on a drift prints the report and ends the process with status 1."""
    if not _exchanges:
        return
    try:
        drifted, report = check(spec, _exchanges)
    except Exception as e:  # the check itself could not run: that fails the test too
        drifted, report = True, "contract check could not run: %s\n" % e
    sys.stdout.flush()
    if drifted:
        sys.stderr.write("\nFAILED: responses outside openapi/openapi.yaml:\n" + report)
        sys.stderr.flush()
        os._exit(1)
    sys.stderr.write(report.splitlines()[-1] + "\n")
