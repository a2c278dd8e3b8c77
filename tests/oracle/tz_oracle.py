#!/usr/bin/env python3
"""tests/oracle/tz_oracle.py: checks fd_tz conversions against Python's zoneinfo reading the same system tz
database (an implementation nobody here wrote). Usage: tz_oracle.py DRIVER [--cases-per-zone N] [--seed S].

Both directions are checked: UTC -> local (offset and wall time) and local -> UTC under the stated policy
(a wall time in a DST gap moves forward by the gap = zoneinfo fold=0; an overlap takes the first instant =
fold=0), plus whether each wall time is exact, in a gap, or in an overlap."""
import argparse
import os
import random
import subprocess
import sys
from datetime import datetime, timedelta, timezone

ZONES = [
    # required by issue 3
    "America/New_York", "America/St_Johns", "America/Sao_Paulo", "Europe/London", "Europe/Dublin",
    "Africa/Casablanca", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Sydney", "Australia/Adelaide",
    "Australia/Lord_Howe", "Australia/Brisbane", "Pacific/Auckland", "Pacific/Chatham", "America/Phoenix",
    "America/Mexico_City", "Africa/Cairo", "America/Asuncion", "America/Ciudad_Juarez",
    # more rule shapes: southern DST, negative DST, v3 footers, 24h+ rule times, recent rule changes
    "America/Los_Angeles", "America/Chicago", "America/Denver", "America/Halifax", "America/Havana",
    "America/Santiago", "America/Nuuk", "America/Scoresbysund", "Europe/Berlin", "Europe/Lisbon",
    "Europe/Moscow", "Asia/Jerusalem", "Asia/Gaza", "Asia/Tehran", "Asia/Beirut", "Pacific/Apia",
    "Antarctica/Troll", "Australia/Hobart", "Pacific/Kiritimati", "Asia/Tokyo", "Etc/UTC",
]

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
START = int(datetime(2020, 1, 1, tzinfo=timezone.utc).timestamp())
END = int(datetime(2033, 1, 1, tzinfo=timezone.utc).timestamp())


def offset_at(zone, sec):
    return int((EPOCH + timedelta(seconds=sec)).astimezone(zone).utcoffset().total_seconds())


def transitions(zone):
    """[(utc second, offset before, offset after)] between START and END, found by sampling and bisection."""
    out = []
    step = 6 * 3600
    prev_t, prev_o = START, offset_at(zone, START)
    t = START + step
    while t <= END:
        o = offset_at(zone, t)
        if o != prev_o:
            lo, hi = prev_t, t  # offset(lo) == prev_o, offset(hi) != prev_o
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if offset_at(zone, mid) == prev_o:
                    lo = mid
                else:
                    hi = mid
            out.append((hi, prev_o, offset_at(zone, hi)))
        prev_t, prev_o = t, o
        t += step
    return out


def expect_utc(zone, ms):
    d = (EPOCH + timedelta(milliseconds=ms)).astimezone(zone)
    off = int(d.utcoffset().total_seconds())
    return "%d %d %d %d %d %d %d %d" % (off, d.year, d.month, d.day, d.hour, d.minute, d.second,
                                        d.microsecond // 1000)


def expect_local(zone, naive):
    d0 = naive.replace(tzinfo=zone, fold=0)
    d1 = naive.replace(tzinfo=zone, fold=1)
    o0, o1 = d0.utcoffset(), d1.utcoffset()
    inst = (naive - o0).replace(tzinfo=timezone.utc)
    ms = (inst - EPOCH) // timedelta(milliseconds=1)
    if o0 == o1:
        kind = 0
    else:
        back = inst.astimezone(zone).replace(tzinfo=None)
        kind = 2 if back == naive else 1  # the fold=0 instant shows the same wall time only in an overlap
    return "%d %d" % (ms, kind)


def random_local(rng):
    y = rng.randint(2020, 2032)
    m = rng.randint(1, 12)
    d = rng.randint(1, 28 if m == 2 else 30)
    return datetime(y, m, d, rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59),
                    rng.randint(0, 999) * 1000)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("driver")
    ap.add_argument("--cases-per-zone", type=int, default=700)
    ap.add_argument("--seed", type=int, default=20260418)
    args = ap.parse_args()
    try:
        import zoneinfo
    except ImportError:
        print("tz oracle: FAIL: this Python has no zoneinfo (need Python >= 3.9)")
        return 1
    tzpath = os.environ.get("FD_ZONEINFO_DIR", "/usr/share/zoneinfo")
    zoneinfo.reset_tzpath([tzpath])
    rng = random.Random(args.seed)
    queries, expected = [], []
    n = args.cases_per_zone
    for name in ZONES:
        zone = zoneinfo.ZoneInfo(name)
        trans = transitions(zone)
        for i in range(n):  # UTC -> local: half uniform, half within 3 hours of a transition
            if trans and i % 2 == 1:
                t, _, _ = rng.choice(trans)
                ms = t * 1000 + rng.choice([0, -1, 1, rng.randint(-3 * 3600 * 1000, 3 * 3600 * 1000)])
            else:
                ms = rng.randint(START * 1000, END * 1000)
            queries.append("U %s %d" % (name, ms))
            expected.append(expect_utc(zone, ms))
        for i in range(n):  # local -> UTC: half uniform, half around the wall times of a transition
            if trans and i % 2 == 1:
                t, before, after = rng.choice(trans)
                wall = datetime(1970, 1, 1) + timedelta(seconds=t + rng.choice([before, after]))
                naive = wall + timedelta(minutes=rng.randint(-120, 120), seconds=rng.choice([0, 0, rng.randint(0, 59)]))
            else:
                naive = random_local(rng)
            queries.append("L %s %d %d %d %d %d %d %d" % (name, naive.year, naive.month, naive.day, naive.hour,
                                                           naive.minute, naive.second, naive.microsecond // 1000))
            expected.append(expect_local(zone, naive))
    env = dict(os.environ, FD_ZONEINFO_DIR=tzpath)
    proc = subprocess.run([args.driver], input="\n".join(queries) + "\n", capture_output=True, text=True, env=env)
    got = proc.stdout.splitlines()
    if proc.returncode != 0 or len(got) != len(queries):
        print("tz oracle: FAIL: driver exited %d with %d of %d answers\n%s" % (proc.returncode, len(got),
                                                                              len(queries), proc.stderr))
        return 1
    bad = [(q, e, g) for q, e, g in zip(queries, expected, got) if e != g]
    for q, e, g in bad[:20]:
        print("MISMATCH %s: zoneinfo %s, fd_tz %s" % (q, e, g))
    n_utc = sum(1 for q in queries if q[0] == "U")
    kinds = [e.split()[1] for q, e in zip(queries, expected) if q[0] == "L"]
    print("tz oracle: %d zones, %d cases (%d UTC->local, %d local->UTC of which %d in gaps, %d in overlaps), "
          "%d mismatches (tzdata %s, seed %d)" % (len(ZONES), len(queries), n_utc, len(queries) - n_utc,
                                                  kinds.count("1"), kinds.count("2"), len(bad),
                                                  read_version(tzpath), args.seed))
    return 1 if bad else 0


def read_version(tzpath):
    try:
        with open(os.path.join(tzpath, "tzdata.zi")) as f:
            return f.readline().split()[-1]
    except OSError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
