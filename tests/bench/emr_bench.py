#!/usr/bin/env python3
"""tests/bench/emr_bench.py: what a voice conversation costs against one provider's EMR (its fake, with 50 ms
added to every answer, as a real EMR over the internet), through the real binary.

Uses the conformance profiles (tests/conformance/profiles/<provider>.py) to start the fake EMR and configure the
tenants, then prints:
- EMR requests per /voice/book conversation (GET /voice/clinic-info -> /voice/bestSlot -> /voice/book), for a
  tenant with nothing cached and again for one whose catalog and days are cached;
- cold and warm /voice/bestSlot latency (cold: availability not cached; warm: cached days, a new requested time
  each call so the one-second answer cache does not answer);
- 20 callers at once asking /voice/bestSlot while the EMR is at its rate limit: how many got which status, on a
  warm tenant (the cache can answer: no 429 and no 503 may reach a caller) and on a cold one;
each latency also as a ratio to GET /healthz on the same server in the same run. Figures only, nothing asserted.

Build: cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DFD_TESTS=OFF && cmake --build build-bench --target frontdesk
Run:   FRONTDESK_BIN=build-bench/server/frontdesk python3 tests/bench/emr_bench.py --provider cliniko [--rounds N]
"""

import argparse
import collections
import datetime as dt
import os
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "conformance"))
sys.path.insert(0, os.path.join(HERE, "..", "it"))
import clock  # noqa: E402
import conformance  # noqa: E402
import harness as H  # noqa: E402
from run_context import RunContext  # noqa: E402

POLICY = {"min_notice_minutes": 0, "max_days_ahead": 30, "voice_deadline_ms": 2000}
TENANTS = {"conv1": {}, "conv2": {}, "cold": {}, "warm": {}, "rl_cold": {}}


def timed(fn):
    t0 = time.perf_counter()
    r = fn()
    return r, (time.perf_counter() - t0) * 1000.0


def healthz_ms(ctx, n=40):
    return statistics.median(timed(lambda: ctx.server.get("/healthz"))[1] for _ in range(n))


def requested(minutes_ahead):
    at = clock.now(dt.timezone.utc) + dt.timedelta(days=1, minutes=minutes_ahead)
    return at.strftime("%Y-%m-%dT%H:%M:00Z")


def emr_total(ctx):
    return ctx.profile.stats().get("total")


def conversation(ctx, tenant, treatment, zone, n):
    """clinic-info -> bestSlot -> book; returns (EMR requests it made or None, statuses)."""
    before = emr_total(ctx)
    info = ctx.voice("clinic-info", {}, tenant)
    best = ctx.voice("bestSlot", {"treatment_name": treatment, "time_zone": zone,
                                  "requested_time_utc": requested(60 * n)}, tenant)
    statuses = [info.status, best.status]
    if best.status == 200 and best.body.get("available"):
        book = ctx.voice("book", {"slot_id": best.body["slot_id"], "first_name": "Bench",
                                  "last_name": "Caller%d" % n, "email": "bench.caller%d@example.com" % n}, tenant)
        statuses.append(book.status)
    after = emr_total(ctx)
    return (after - before if before is not None else None), statuses


def crowd(ctx, tenant, treatment, zone, callers=20):
    """callers /voice/bestSlot at once, each a different requested time; Counter of (status, error code)."""
    out = collections.Counter()
    barrier = threading.Barrier(callers)

    def one(i):
        barrier.wait()
        r = ctx.voice("bestSlot", {"treatment_name": treatment, "time_zone": zone,
                                   "requested_time_utc": requested(7 * i + 3)}, tenant, timeout=30)
        out[(r.status, r.body["error"]["code"] if r.status >= 400 else "ok")] += 1

    threads = [threading.Thread(target=one, args=(i,)) for i in range(callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--provider", required=True)
    ap.add_argument("--rounds", type=int, default=10, help="warm bestSlot calls")
    ap.add_argument("--latency-ms", type=int, default=50)
    args = ap.parse_args()
    profile = conformance.load_profile(args.provider)
    ctx = RunContext(profile, tempfile.mkdtemp(prefix="fd-emr-bench-"), TENANTS, POLICY)
    ctx.start()
    try:
        latency = profile.set_latency(args.latency_ms)
        print("provider %s, binary %s, EMR latency %s" % (args.provider, H.require_bin(),
                                                           "+%d ms" % args.latency_ms if latency else "n/a (no network)"))
        info = ctx.voice("clinic-info", {}, "warm")
        treatment = info.body["treatments"][0]["name"]
        zone = profile.zone()
        hz = healthz_ms(ctx)
        print("GET /healthz median: %.2f ms (the unit of the ratios below)" % hz)

        n1, s1 = conversation(ctx, "conv1", treatment, zone, 1)
        n2, s2 = conversation(ctx, "conv1", treatment, zone, 2)
        print("EMR requests per /voice/book conversation: cold %s (statuses %s), warm %s (statuses %s)"
              % (n1 if n1 is not None else "n/a", s1, n2 if n2 is not None else "n/a", s2))

        ctx.voice("clinic-info", {}, "cold")  # the catalog is cached: cold means the days are not
        _, cold = timed(lambda: ctx.voice("bestSlot", {"treatment_name": treatment, "time_zone": zone,
                                                         "requested_time_utc": requested(0)}, "cold"))
        warm = []
        for i in range(args.rounds):
            r, ms = timed(lambda: ctx.voice("bestSlot", {"treatment_name": treatment, "time_zone": zone,
                                                          "requested_time_utc": requested(11 * (i + 1))}, "cold"))
            warm.append(ms)
        hz = healthz_ms(ctx)
        print("bestSlot cold: %.1f ms (%.0fx /healthz); warm median of %d: %.1f ms (%.0fx /healthz); /healthz %.2f ms"
              % (cold, cold / hz, len(warm), statistics.median(warm), statistics.median(warm) / hz, hz))

        for i in range(20):  # the warm tenant's days are cached for every requested time the crowd uses
            ctx.voice("bestSlot", {"treatment_name": treatment, "time_zone": zone,
                                   "requested_time_utc": requested(7 * i + 3)}, "warm")
        ctx.voice("clinic-info", {}, "rl_cold")
        if profile.fault("rate_limit", retry_after=30, count=100000):
            t0 = time.perf_counter()
            warm_crowd = crowd(ctx, "warm", treatment, zone)
            warm_ms = (time.perf_counter() - t0) * 1000.0
            t0 = time.perf_counter()
            cold_crowd = crowd(ctx, "rl_cold", treatment, zone)
            cold_ms = (time.perf_counter() - t0) * 1000.0
            for label, counts, ms in (("cache can answer", warm_crowd, warm_ms), ("cold days", cold_crowd, cold_ms)):
                print("20 callers at the EMR's rate limit, %s: %s; 429s reaching callers: %d; all answered in "
                      "%.0f ms (%.0fx /healthz)" % (label, dict(counts), sum(n for (st, _), n in counts.items()
                                                                              if st == 429), ms, ms / hz))
        else:
            print("20 callers at the EMR's rate limit: n/a (%s has no rate limit)" % args.provider)
    finally:
        problem = ctx.close()
        if problem:
            print(problem)


if __name__ == "__main__":
    main()
