"""tests/it/clock.py: the integration suite's clock, which may be pinned to any date.

Every "now" a test or a fake EMR uses comes from here, and the frontdesk processes the harness starts get the same
clock through FRONTDESK_CLOCK_OFFSET_MS, so a test never depends on the day it runs.

- FD_IT_NOW=2027-04-03T16:30:00Z: "now" is that instant when the test process starts, and runs on from there.
- FD_IT_CLOCK_OFFSET_MS=N: the clock runs N ms ahead of the system's (set here for child processes, so a test and
  the servers it starts share one clock to the millisecond).
- Neither: the system's clock (offset 0).
Redis keeps the system's clock for its TTLs and TIME; the service moves what it reads from Redis onto its own.
"""

import datetime as dt
import os
import time

UTC = dt.timezone.utc


def _offset_ms():
    text = os.environ.get("FD_IT_CLOCK_OFFSET_MS")
    if text:
        return int(text)
    pinned = os.environ.get("FD_IT_NOW")
    if not pinned:
        return 0
    at = dt.datetime.fromisoformat(pinned.replace("Z", "+00:00"))
    if at.tzinfo is None:
        raise ValueError("FD_IT_NOW needs an offset or Z: %r" % pinned)
    offset = int(at.timestamp() * 1000) - int(time.time() * 1000)
    os.environ["FD_IT_CLOCK_OFFSET_MS"] = str(offset)
    return offset


OFFSET_MS = _offset_ms()


def now_ms():
    """The suite's now, in ms since the epoch."""
    return int(time.time() * 1000) + OFFSET_MS


def now_s():
    """The suite's now, in seconds since the epoch (float), for code that wants time.time()."""
    return time.time() + OFFSET_MS / 1000.0


def now(zone=UTC):
    """The suite's now as an aware datetime in zone (UTC by default)."""
    return dt.datetime.fromtimestamp(now_s(), zone)


def today(zone):
    """The suite's current date in zone."""
    return now(zone).date()


def service_env():
    """Environment entries that put a frontdesk process on the suite's clock."""
    return {"FRONTDESK_CLOCK_OFFSET_MS": str(OFFSET_MS)} if OFFSET_MS else {}
