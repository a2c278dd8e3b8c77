"""tests/it/clinicsync_support.py: the ClinicSync-style bodies of tests/fixtures/clinicsync filled for the clinic
under test, and a GHL webhook token made by the binary's own `frontdesk ghl-token`."""

import datetime as dt
import json
import os
from zoneinfo import ZoneInfo

import harness as H

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "clinicsync")


def body(name, **values):
    """The fixture `name` (e.g. "jane_book") with every {{KEY}} replaced by values[KEY]; a placeholder left unfilled
    fails the test that forgot it."""
    with open(os.path.join(FIXTURES, name + ".json"), encoding="utf-8") as f:
        text = f.read()
    for k, v in values.items():
        text = text.replace("{{%s}}" % k, str(v))
    if "{{" in text:
        raise AssertionError("%s: unfilled placeholder in %s" % (name, text))
    return json.loads(text)


def utc_z(iso_ms):
    """'2026-12-04T01:00:00.000Z' -> '2026-12-04T01:00:00Z' (the ClinicSync examples' form)."""
    t = dt.datetime.strptime(iso_ms, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def local_naive(iso_ms, zone):
    """The instant as a GHL calendar webhook writes it: local time in `zone`, no offset."""
    t = dt.datetime.strptime(iso_ms, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
    return t.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M:%S")


def same_instant(a, b):
    """True when two ISO instants (any offset, optional fraction) are the same moment."""
    def parse(s):
        return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return parse(a) == parse(b)


def new_ghl_token():
    """(token, sha256 hex) from `frontdesk ghl-token`."""
    out = H.run_cli("ghl-token")
    if out.returncode != 0:
        raise AssertionError(out.stderr)
    lines = dict(line.split(": ", 1) for line in out.stdout.strip().splitlines())
    return lines["token"], lines["sha256"]
