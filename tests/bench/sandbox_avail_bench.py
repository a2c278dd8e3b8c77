#!/usr/bin/env python3
"""tests/bench/sandbox_avail_bench.py: start-up and availability read times of frontdesk on a big sandbox clinic.

Generates a clinic file with 20 practitioners at two locations (Australia/Sydney, America/New_York), four
treatments, weekly hours Monday-Saturday, a 90-day horizon and a few thousand fixed bookings over the next 90
days (seeded, so every run is the same clinic), then starts frontdesk (default: the Release build in
build-bench) with its own redis-server and prints:

- start-up: from spawning the process to GET /healthz answering (config + clinic file load and validation),
  and to GET /readyz answering on every worker (Redis connected, clinic seeded);
- a cold 90-day read: for all 20 practitioners, three 31-day fetchAvailabilityForRange calls each (60 calls),
  all at once, on an empty availability cache (every day asks the sandbox);
- the same read warm (every day from the Redis cache), several rounds.
Figures only; nothing is asserted about time.

Build: cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DFD_TESTS=OFF && cmake --build build-bench --target frontdesk
Run:   python3 tests/bench/sandbox_avail_bench.py [--bin PATH] [--rounds N] [--workers N] [--bookings-per-day N]
"""

import argparse
import datetime as dt
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "it"))
import harness as H  # noqa: E402

KEY = "bench-sandbox-avail-key-6d1f0a"
RANGE = "/ai_brain/fetchAvailabilityForRange"
PRACTITIONERS = 20
DAYS = 90
LOCATIONS = (("loc-syd", "Australia/Sydney", "AU"), ("loc-nyc", "America/New_York", "US"))
TREATMENTS = (("tx-30", 30), ("tx-45", 45), ("tx-60", 60), ("tx-90", 90))
HOURS = ((8 * 60, 12 * 60), (13 * 60, 18 * 60))


def make_clinic(bookings_per_day, seed=20261122):
    rnd = random.Random(seed)
    practitioners, bookings = [], []
    today = dt.datetime.now(dt.timezone.utc).date()
    for i in range(PRACTITIONERS):
        lid, zone_name, _ = LOCATIONS[i % len(LOCATIONS)]
        zone = ZoneInfo(zone_name)
        pid = "pr-%02d" % i
        practitioners.append({
            "id": pid, "first_name": "Pract", "last_name": "Number%02d" % i,
            "treatment_ids": [t for t, _ in TREATMENTS],
            "schedules": [{"location_id": lid, "weekly": [{"days": ["mon", "tue", "wed", "thu", "fri", "sat"],
                                                          "intervals": [{"start": "%02d:%02d" % (s // 60, s % 60),
                                                                         "end": "%02d:%02d" % (e // 60, e % 60)}
                                                                        for s, e in HOURS]}]}]})
        for k in range(DAYS + 1):
            day = today + dt.timedelta(days=k)
            if day.weekday() == 6:
                continue
            taken = []
            for _ in range(bookings_per_day):
                tid, minutes = rnd.choice(TREATMENTS)
                s, e = rnd.choice(HOURS)
                start = s + 15 * rnd.randrange(0, (e - s - minutes) // 15 + 1)
                if any(start < b + bm and b < start + minutes for b, bm in taken):
                    continue
                taken.append((start, minutes))
                local = dt.datetime(day.year, day.month, day.day, start // 60, start % 60, tzinfo=zone)
                bookings.append({"practitioner_id": pid, "treatment_id": tid, "location_id": lid,
                                 "start": local.isoformat(timespec="seconds")})
    return {
        "clinic": {"name": "Bench Clinic", "country": "AU", "locale": "en-AU"},
        "locations": [{"id": lid, "name": "Bench " + lid, "time_zone": zone,
                       "address": {"line1": "1 Bench St", "city": "Bench", "country": country}}
                      for lid, zone, country in LOCATIONS],
        "practitioners": practitioners,
        "treatments": [{"id": t, "name": "Visit %d" % m, "duration_minutes": m,
                        "price": {"amount": m, "currency": "AUD"}} for t, m in TREATMENTS],
        "bookings": bookings,
        "policy": {"min_notice_minutes": 120, "max_days_ahead": DAYS, "slot_step_minutes": 15},
    }


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
    """(practitioner, treatment, location, start_at, end_at): three 31-day windows per practitioner."""
    out = []
    now = time.time()
    for i, p in enumerate(clinic["practitioners"]):
        lid = p["schedules"][0]["location_id"]
        tid = TREATMENTS[i % len(TREATMENTS)][0]
        for k in range(3):
            frm = now + k * 31 * 86400
            to = frm + 31 * 86400
            out.append({"staff_member_id": p["id"], "treatment_id": tid, "locationId": lid,
                        "start_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(frm)),
                        "end_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(to))})
    return out


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
    ap.add_argument("--bookings-per-day", type=int, default=2)
    args = ap.parse_args()
    if not os.access(args.bin, os.X_OK):
        sys.exit("no frontdesk binary at %s (build: cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release "
                 "-DFD_TESTS=OFF && cmake --build build-bench --target frontdesk)" % args.bin)
    os.environ["FRONTDESK_BIN"] = os.path.abspath(args.bin)

    t0 = time.perf_counter()
    clinic = make_clinic(args.bookings_per_day)
    text = json.dumps(clinic)
    print("clinic: %d practitioners, %d locations, %d treatments, %d fixed bookings over %d days, %.0f KiB "
          "(generated in %.0f ms)" % (len(clinic["practitioners"]), len(clinic["locations"]),
                                      len(clinic["treatments"]), len(clinic["bookings"]), DAYS, len(text) / 1024,
                                      (time.perf_counter() - t0) * 1000))
    print("binary: %s, workers %d, cores %d" % (args.bin, args.workers, os.cpu_count() or 0))

    redis = H.Redis().start()
    tenant = {"id": "bench", "api_key_sha256": H.sha256_hex(KEY), "provider": "sandbox",
              "provider_settings": {"clinic_file": "clinic.json"}, "time_zone": "Australia/Sydney",
              "locale": "en-AU", "country": "AU", "rate_limit": {"per_second": 100000, "burst": 100000},
              "policy": {"availability_ttl_seconds": 3600}}
    server = H.Frontdesk({"tenants": [tenant], "log_level": "warn"}, redis, workers=args.workers,
                         files={"clinic.json": text})
    try:
        out = open(server.stdout_path, "wb")
        err = open(server.stderr_path, "wb")
        spawned = time.monotonic()
        server.proc = H._spawn([H.require_bin(), "--config", server.config_path], out, err, cwd="/")
        deadline = spawned + 60
        healthy = wait_for(server.port, "/healthz", deadline)
        ready = wait_for(server.port, "/readyz", deadline, streak_needed=args.workers * 2)
        print("start-up: /healthz after %.1f ms (config + clinic file load and validation), /readyz on every "
              "worker after %.1f ms" % ((healthy - spawned) * 1000, (ready - spawned) * 1000))

        bodies = calls_for(clinic)
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
