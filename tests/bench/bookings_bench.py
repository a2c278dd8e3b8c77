#!/usr/bin/env python3
"""tests/bench/bookings_bench.py: bookings on the sandbox through GET /voice/book (32 callers at once): 6,000 at
distinct slots over 30 practitioners of a generated clinic file, then contended rounds where 32 callers ask for
the same slot (one wins, 31 lose with 409 slot_taken). Prints the booking rate per quarter of the 6,000 (does it
slow as bookings pile up?), Redis commands and Redis CPU per booking (INFO commandstats and /proc deltas), and
the losers' p99, each as a ratio to GET /healthz on the same server in the same run. Figures only; nothing is
asserted beyond the answers being what they should be (200 for a distinct slot, 409 for a loser).

Build: cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DFD_TESTS=OFF
       cmake --build build-bench --target frontdesk
Run:   python3 tests/bench/bookings_bench.py [--bin PATH] [--bookings N] [--workers N] [--rounds N]
Needs wrk and redis-server.
"""

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tenants_bench import (ROOT, burst, cpu_seconds, free_port, p99, start_redis, stop_all,  # noqa: E402
                           wait_ready, wrk)

PRACTITIONERS = 30
CALLERS = 32
KEY = "bookings-bench-key-0123456789"
TREATMENT = "tx-visit"


def make_clinic():
    """30 practitioners at one Sydney location, every day 00:00-23:30, a 30-minute visit on a 30-minute step:
    about 46 slots a day each, none overlapping, so 200 bookings a practitioner fit in the next 7 days."""
    return {
        "clinic": {"name": "Bookings Bench Clinic", "country": "AU", "locale": "en-AU"},
        "locations": [{"id": "loc-bench", "name": "Bench Rooms", "time_zone": "Australia/Sydney",
                       "address": {"line1": "1 Bench St", "city": "Sydney", "country": "AU"}}],
        "practitioners": [{"id": "pr-%02d" % i, "first_name": "Pat%s" % chr(65 + i % 26), "last_name": "Bench%02d" % i,
                           "treatment_ids": [TREATMENT],
                           "schedules": [{"location_id": "loc-bench", "weekly": [{
                               "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                               "intervals": [{"start": "00:00", "end": "23:30"}]}]}]}
                          for i in range(PRACTITIONERS)],
        "treatments": [{"id": TREATMENT, "name": "Bench Visit", "duration_minutes": 30,
                        "price": {"amount": 50, "currency": "AUD"}}],
        "policy": {"min_notice_minutes": 60, "max_days_ahead": 30, "slot_step_minutes": 30},
    }


def redis_cli(port, *args):
    return subprocess.run(["redis-cli", "-p", str(port)] + list(args), capture_output=True, text=True,
                          check=True).stdout


def command_calls(port):
    """Calls of each command (INFO commandstats), scripts' inner commands included."""
    return {name: int(n) for name, n in re.findall(r"^cmdstat_([^:]+):calls=(\d+)",
                                                   redis_cli(port, "INFO", "commandstats"), re.M)}


def per_booking(before, after, n):
    """(total, the most called "name count" strings) of the calls between two command_calls(), per booking."""
    delta = {k: (v - before.get(k, 0)) / n for k, v in after.items() if v > before.get(k, 0)}
    top = sorted(delta.items(), key=lambda kv: -kv[1])[:8]
    return sum(delta.values()), ", ".join("%s %.1f" % kv for kv in top)


def post(port, path, body):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=json.dumps(body).encode(),
                                 headers={"content-type": "application/json", "x-api-key": KEY})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def book_request(slot_id, n):
    q = urllib.parse.urlencode({"slot_id": slot_id, "first_name": "Caller", "last_name": "N%06d" % n,
                                "phone": "+6149%07d" % n})
    return ("GET /voice/book?%s HTTP/1.1\r\nHost: bench\r\nx-api-key: %s\r\n\r\n" % (q, KEY)).encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "build-bench", "server", "frontdesk"))
    ap.add_argument("--bookings", type=int, default=6000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=20, help="contended rounds of 32 callers on one slot")
    a = ap.parse_args()
    if shutil.which("wrk") is None or shutil.which("redis-server") is None:
        sys.exit("needs wrk and redis-server (apt-get install wrk redis-server)")
    per = -(-a.bookings // PRACTITIONERS)
    work = tempfile.mkdtemp(prefix="fd-bookings-bench-")
    (redis, rport), port = start_redis(work), free_port()
    with open(os.path.join(work, "clinic.json"), "w") as f:
        json.dump(make_clinic(), f)
    config = {"listen": {"address": "127.0.0.1", "port": port}, "redis": "127.0.0.1:%d" % rport,
              "workers": a.workers, "log_level": "warn", "slot_secret": "bookings-bench-secret-0123456789",
              "tenants": [{"id": "bench", "api_key_sha256": hashlib.sha256(KEY.encode()).hexdigest(),
                           "provider": "sandbox", "provider_settings": {"clinic_file": "clinic.json"},
                           "time_zone": "Australia/Sydney", "locale": "en-AU", "country": "AU",
                           "rate_limit": {"per_second": 1000000, "burst": 1000000}}]}
    with open(os.path.join(work, "config.json"), "w") as f:
        json.dump(config, f)
    fd = subprocess.Popen([a.bin, "--config", os.path.join(work, "config.json")],
                          stderr=open(os.path.join(work, "frontdesk.log"), "w"))
    try:
        if not wait_ready(port):
            sys.exit("frontdesk did not become ready: " + open(os.path.join(work, "frontdesk.log")).read()[-2000:])
        print("frontdesk %s, sandbox clinic of %d practitioners, %d workers, %d callers, %d cores shared by all" % (
            a.bin, PRACTITIONERS, a.workers, CALLERS, os.cpu_count()))
        slots = {}
        for i in range(PRACTITIONERS):
            got = post(port, "/ai_brain/fetchAvailabilityNext7Days",
                       {"staff_member_id": "pr-%02d" % i, "treatment_id": TREATMENT})["slots"]
            if len(got) < per + a.rounds // PRACTITIONERS + 1:
                sys.exit("pr-%02d has only %d slots this week" % (i, len(got)))
            slots["pr-%02d" % i] = got
        distinct = [s["slot_id"] for k in sorted(slots) for s in slots[k][:per]][:a.bookings]
        random.Random(20261203).shuffle(distinct)
        contended = [slots["pr-%02d" % (r % PRACTITIONERS)][per + r // PRACTITIONERS]["slot_id"]
                     for r in range(a.rounds)]

        h_rps, h_p99, _, _ = wrk("http://127.0.0.1:%d/healthz" % port, 3, CALLERS)
        print("GET /healthz                                %8.0f req/s  p99 %7.2f ms" % (h_rps, h_p99))

        done_at, bad = [], []

        def answered(request, status, latency, body):
            done_at.append(time.perf_counter())
            if status != 200:
                bad.append((status, body[:200]))

        requests = [book_request(s, n) for n, s in enumerate(distinct)]
        calls0, r0, f0 = command_calls(rport), cpu_seconds(redis.pid), cpu_seconds(fd.pid)
        started = time.perf_counter()
        took, lat, _ = burst(port, requests, CALLERS, answered)
        calls1, r1, f1 = command_calls(rport), cpu_seconds(redis.pid), cpu_seconds(fd.pid)
        n = len(requests)
        print("bookings at distinct slots (/voice/book)    %8.0f /s     p99 %7.2f ms  = %.4f x healthz"
              "  (%d, %d not 200)"
              % (n / took, p99(lat), n / took / h_rps, n, len(bad)))
        if bad:
            print("  first refusal: %s %s" % bad[0])
        quarter = n // 4
        rates = []
        for q in range(4):
            t0 = started if q == 0 else done_at[q * quarter - 1]
            t1 = done_at[(q + 1) * quarter - 1]
            rates.append(quarter / (t1 - t0))
        print("  per quarter: %s /s; last / first = %.2f" % ("  ".join("%.0f" % r for r in rates),
                                                            rates[3] / rates[0]))
        total, top = per_booking(calls0, calls1, n)
        print("  Redis commands per booking %.1f, Redis CPU per booking %.3f ms, frontdesk CPU per booking %.3f ms"
              % (total, (r1 - r0) * 1000 / n, (f1 - f0) * 1000 / n))
        print("  most called: %s" % top)

        losers, winners, wrong = [], 0, []

        def judged(request, status, latency, body):
            nonlocal winners
            if status == 200:
                winners += 1
            elif status == 409 and json.loads(body)["error"]["code"] == "slot_taken":
                losers.append(latency)
            else:
                wrong.append((status, body[:200]))

        rounds = [book_request(slot, 100000 + r * CALLERS + c) for r, slot in enumerate(contended)
                  for c in range(CALLERS)]
        calls0, r0, f0 = command_calls(rport), cpu_seconds(redis.pid), cpu_seconds(fd.pid)
        burst(port, rounds, CALLERS, judged)
        calls1, r1, f1 = command_calls(rport), cpu_seconds(redis.pid), cpu_seconds(fd.pid)
        losers.sort()
        print("contended /voice/book, %d rounds of %d callers on one slot: %d won, %d lost (409 slot_taken), %d other"
              % (a.rounds, CALLERS, winners, len(losers), len(wrong)))
        if losers:
            print("  losers p99 %.2f ms = %.2f x healthz's p99 (median %.2f ms)" % (
                p99(losers), p99(losers) / h_p99, losers[len(losers) // 2]))
        total, top = per_booking(calls0, calls1, len(rounds))
        print("  per request: Redis commands %.1f (%s), Redis CPU %.3f ms, frontdesk CPU %.3f ms"
              % (total, top, (r1 - r0) * 1000 / len(rounds), (f1 - f0) * 1000 / len(rounds)))
        if wrong:
            print("  first other answer: %s %s" % wrong[0])
    finally:
        stop_all(fd, redis, work)


if __name__ == "__main__":
    main()
