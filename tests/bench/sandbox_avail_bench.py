#!/usr/bin/env python3
"""tests/bench/sandbox_avail_bench.py: start-up, availability read times and peak memory on issue 21's 20 x 90 clinic.

Generates the 20 x 90 workload (tests/it/big_clinic.py: one location in America/New_York, 20 practitioners on
Mon-Fri 09:00-12:30 + 13:00-17:00, a 90-day horizon spanning the March DST change, a 30-minute treatment on a
15-minute step, 120 minutes' notice, about 30% of the working time booked; seeded, so every run is the same
clinic), on a clock pinned at FD_IT_NOW (default 2027-02-01T13:00:00Z), then starts frontdesk (default: the
Release build in build-bench) with its own redis-server and prints:

- start-up: from spawning the process to GET /healthz answering (config + clinic file load and validation),
  and to GET /readyz answering on every worker (Redis connected, clinic seeded);
- a cold 90-day read: for all 20 practitioners, three fetchAvailabilityForRange windows of at most 31 days
  each (60 calls), all at once, on an empty availability cache (every day asks the sandbox);
- the same read warm (every day from the Redis cache), several rounds;
- the slot count, checked against big_clinic.count_slots' independent count, and frontdesk's peak RSS (VmHWM).
Figures only; nothing is asserted about time.

Build: cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DFD_TESTS=OFF && cmake --build build-bench --target frontdesk
Run:   python3 tests/bench/sandbox_avail_bench.py [--bin PATH] [--rounds N] [--workers N]
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time

os.environ.setdefault("FD_IT_NOW", "2027-02-01T13:00:00Z")
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "it"))
import big_clinic  # noqa: E402
import clock  # noqa: E402
import harness as H  # noqa: E402

KEY = "bench-sandbox-avail-key-6d1f0a"
RANGE = "/ai_brain/fetchAvailabilityForRange"
PRACTITIONERS = 20
DAYS = 90


def wait_for(port, path, deadline, streak_needed=1):
    streak = 0
    while time.monotonic() < deadline:
        try:
            r = H.request(port, "GET", path, timeout=1.0)
            streak = streak + 1 if r.status == 200 else 0
            if streak >= streak_needed:
                return time.monotonic()
        except OSError:
            streak = 0
        time.sleep(0.002)
    raise RuntimeError("no 200 on %s in time" % path)


def calls_for(clinic):
    """Three windows of at most 31 days per practitioner over the horizon: the bodies and their [from, to) ms."""
    out = []
    now = clock.now_ms()
    for p in clinic["practitioners"]:
        for k in range(3):
            frm, to = now + k * 31 * 86400000, now + min((k + 1) * 31, DAYS + 3) * 86400000
            iso = lambda ms: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))
            out.append(({"staff_member_id": p["id"], "treatment_id": "tx-30", "locationId": "loc-nyc",
                         "start_at": iso(frm), "end_at": iso(to)}, (frm, to)))
    return out


def expected_slots(clinic, calls):
    """The independent count (tests/it/big_clinic.py) of every call's slots, from the clinic file alone."""
    return sum(big_clinic.count_slots(clinic, b["staff_member_id"], 30, clock.now_ms(), w[0], w[1], DAYS)
               for b, w in calls)


def peak_rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def rss_parts_mb(pid):
    """(VmRSS, RssFile) in MB: RssFile is mostly shared libraries' pages (ICU, OpenSSL, libc), which no change
    to frontdesk's own memory moves."""
    with open("/proc/%d/status" % pid) as f:
        kb = {ln.split(":")[0]: int(ln.split()[1]) for ln in f if ln.startswith(("VmRSS:", "RssFile:"))}
    return kb.get("VmRSS", 0) / 1024, kb.get("RssFile", 0) / 1024


def read_all(port, bodies):
    """All bodies at once, one thread and connection each. Returns (wall seconds, latencies, slots, statuses)."""
    lat = [0.0] * len(bodies)
    slots = [0] * len(bodies)
    status = [0] * len(bodies)
    start_gate = threading.Barrier(len(bodies) + 1)
    payloads = [json.dumps(b).encode() for b in bodies]

    def one(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.connect()
        start_gate.wait()
        t0 = time.perf_counter()
        conn.request("POST", RANGE, body=payloads[i], headers={"x-api-key": KEY, "Content-Type": "application/json"})
        resp = conn.getresponse()
        raw = resp.read()
        lat[i] = time.perf_counter() - t0  # the client does not parse the JSON inside the timing
        status[i] = resp.status
        slots[i] = raw.count(b'"slot_id"')
        conn.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    start_gate.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, lat, slots, status


def clear_availability(redis):
    keys = redis.command("KEYS", "fd:{bench}:avail*") or []
    for i in range(0, len(keys), 500):
        redis.command("DEL", *keys[i:i + 500])
    return len(keys)


def fmt(wall, lat):
    lat = sorted(lat)
    return "wall %7.1f ms | per call p50 %6.1f ms  p90 %6.1f ms  max %6.1f ms" % (
        wall * 1000, statistics.median(lat) * 1000, lat[int(0.9 * (len(lat) - 1))] * 1000, lat[-1] * 1000)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.environ.get("FRONTDESK_BIN") or
                    os.path.join(SOURCE_DIR, "build-bench", "server", "frontdesk"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    if not os.access(args.bin, os.X_OK):
        sys.exit("no frontdesk binary at %s (build: cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release "
                 "-DFD_TESTS=OFF && cmake --build build-bench --target frontdesk)" % args.bin)
    os.environ["FRONTDESK_BIN"] = os.path.abspath(args.bin)

    t0 = time.perf_counter()
    clinic = big_clinic.workload_20x90(clock.today(big_clinic.ZoneInfo(big_clinic.NY)), PRACTITIONERS, DAYS)
    text = json.dumps(clinic)
    print("clinic: %d practitioners, %d locations, %d treatments, %d fixed bookings over %d days, %.0f KiB "
          "(generated in %.0f ms)" % (len(clinic["practitioners"]), len(clinic["locations"]),
                                      len(clinic["treatments"]), len(clinic["bookings"]), DAYS, len(text) / 1024,
                                      (time.perf_counter() - t0) * 1000))
    print("binary: %s, workers %d, cores %d" % (args.bin, args.workers, os.cpu_count() or 0))

    redis = H.Redis().start()
    tenant = {"id": "bench", "api_key_sha256": H.sha256_hex(KEY), "provider": "sandbox",
              "provider_settings": {"clinic_file": "clinic.json"}, "time_zone": big_clinic.NY,
              "locale": "en-US", "country": "US", "rate_limit": {"per_second": 100000, "burst": 100000},
              "policy": {"availability_ttl_seconds": 3600, "max_days_ahead": DAYS, "min_notice_minutes": 120}}
    server = H.Frontdesk({"tenants": [tenant], "log_level": "warn"}, redis, workers=args.workers,
                         files={"clinic.json": text})
    try:
        out = open(server.stdout_path, "wb")
        err = open(server.stderr_path, "wb")
        spawned = time.monotonic()
        server.proc = H._spawn([H.require_bin(), "--config", server.config_path], out, err, cwd="/",
                               env=dict(os.environ, **clock.service_env()))
        deadline = spawned + 60
        healthy = wait_for(server.port, "/healthz", deadline)
        ready = wait_for(server.port, "/readyz", deadline, streak_needed=args.workers * 2)
        print("start-up: /healthz after %.1f ms (config + clinic file load and validation), /readyz on every "
              "worker after %.1f ms" % ((healthy - spawned) * 1000, (ready - spawned) * 1000))

        rss0, file0 = rss_parts_mb(server.proc.pid)
        print("RSS when ready, before any read: %.1f MB (%.1f MB of it file-backed: shared libraries)" % (rss0, file0))
        calls = calls_for(clinic)
        bodies = [b for b, _ in calls]
        expected = expected_slots(clinic, calls)
        print("read: %d practitioners x 3 x 31-day fetchAvailabilityForRange = %d concurrent calls"
              % (PRACTITIONERS, len(bodies)))
        colds, warms = [], []
        for rnd in range(args.rounds):
            cleared = clear_availability(redis)
            wall, lat, slots, status = read_all(server.port, bodies)
            bad = [s for s in status if s != 200]
            colds.append(wall)
            print("  cold #%d: %s | %d slots%s%s" % (rnd + 1, fmt(wall, lat), sum(slots),
                                                   " | %d cache keys cleared first" % cleared if rnd else "",
                                                   " | NON-200: %r" % bad if bad else ""))
            for w in range(2):
                wall, lat, slots2, status = read_all(server.port, bodies)
                bad = [s for s in status if s != 200]
                warms.append(wall)
                print("  warm #%d.%d: %s | %d slots%s%s" % (rnd + 1, w + 1, fmt(wall, lat), sum(slots2),
                                                           "" if slots2 == slots else " | SLOTS DIFFER FROM COLD",
                                                           " | NON-200: %r" % bad if bad else ""))
        peak = peak_rss_mb(server.proc.pid)
        print("slots: %d per read, independent count %d%s; frontdesk peak RSS %.1f MB (%.1f MB over the RSS when "
              "ready)" % (sum(slots), expected, "" if sum(slots) == expected else " (MISMATCH)", peak, peak - rss0))
        print("summary: cold 90-day read median %.1f ms (first %.1f ms), warm median %.1f ms (best %.1f ms)" % (
            statistics.median(colds) * 1000, colds[0] * 1000, statistics.median(warms) * 1000, min(warms) * 1000))
    finally:
        problem = server.stop_problem()
        server.close()
        redis.close()
        if problem:
            print(problem)


if __name__ == "__main__":
    main()
