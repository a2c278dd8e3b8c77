#!/usr/bin/env python3
"""tests/bench/events_bench.py: webhook delivery throughput, and what webhooks add to GET /voice/book.

Starts redis-server, a webhook receiver on loopback (Python's threaded HTTP server: it answers 200 at once and is
likely the limit) and one frontdesk (default: the Release build in build-bench) with two sandbox tenants that
differ only in having a webhook endpoint, then prints, all from the same run:

- GET /healthz latency (sequential, one keep-alive connection): the reference for the ratios below;
- GET /voice/book latency for a new caller (patient created + appointment booked: two events) on the tenant
  without webhooks and on the one with them, interleaved, median and p90, and their ratios to /healthz;
- delivery throughput: N patients are created (N patient.created events) while the receiver holds its answers,
  then it is released and the time until every event has arrived is measured: events/s delivered.
Figures only; nothing is asserted about time.

Build: cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DFD_TESTS=OFF && cmake --build build-bench --target frontdesk
Run:   python3 tests/bench/events_bench.py [--bin PATH] [--events N] [--books N] [--workers N]
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "it"))
import harness as H  # noqa: E402
import clock  # noqa: E402
import webhooks as W  # noqa: E402

KEYS = {"plain": "bench-events-plain-key-01", "wh": "bench-events-hooks-key-02"}


def tenant(tid, url=None):
    t = {"id": tid, "api_key_sha256": H.sha256_hex(KEYS[tid]), "provider": "sandbox", "time_zone": "Australia/Sydney",
         "locale": "en-AU", "country": "AU", "rate_limit": {"per_second": 1000000, "burst": 1000000},
         "policy": {"max_days_ahead": 60}}
    if url:
        t["webhooks"] = [{"id": "bench", "url": url, "secrets": [W.new_secret("bench")],
                          "allow_private_addresses": True, "max_connections": 8}]
    return t


def timed(conn, method, path, headers=None):
    """Milliseconds of one request on a keep-alive connection, and its status."""
    t0 = time.perf_counter()
    conn.request(method, path, headers=headers or {})
    r = conn.getresponse()
    r.read()
    return (time.perf_counter() - t0) * 1000, r.status


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p))]


def slots(port, key, staff, days):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    out = []
    now = clock.now_s()
    for start in range(1, days, 7):
        iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
        body = json.dumps({"staff_member_id": staff, "treatment_id": "tx-followup-physio", "locationId": "loc-sydney",
                           "start_at": iso(now + start * 86400), "end_at": iso(now + (start + 7) * 86400)})
        conn.request("POST", "/ai_brain/fetchAvailabilityForRange", body=body,
                     headers={"x-api-key": key, "content-type": "application/json"})
        out += json.loads(conn.getresponse().read())["slots"]
    conn.close()
    return out


def main():
    ap = argparse.ArgumentParser()
    default_bin = os.path.join(HERE, "..", "..", "build-bench", "server", "frontdesk")
    ap.add_argument("--bin", default=os.environ.get("FRONTDESK_BIN", default_bin))
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--books", type=int, default=150)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    os.environ["FRONTDESK_BIN"] = os.path.abspath(args.bin)

    redis = H.Redis().start()
    rec = W.Receiver(H.free_port()).start()
    fd = H.Frontdesk({"tenants": [tenant("plain"), tenant("wh", rec.url)], "log_level": "warn",
                      "slot_secret": "bench-events-slot-secret-0123456789"}, redis, workers=args.workers).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", fd.port, timeout=30)
        for _ in range(200):
            timed(conn, "GET", "/healthz")
        health = [timed(conn, "GET", "/healthz")[0] for _ in range(2000)]

        # /voice/book: a new caller each time, on the same practitioner in each tenant (each has its own sandbox
        # calendar), tenants interleaved.
        free = {t: slots(fd.port, KEYS[t], s, 56) for t, s in (("plain", "pr-zoe-martin"), ("wh", "pr-zoe-martin"))}
        lat = {"plain": [], "wh": []}
        n = min(args.books, len(free["plain"]) // 2, len(free["wh"]) // 2)
        for i in range(n):
            for t in ("plain", "wh"):
                s = free[t][2 * i]  # every other slot, so bookings never overlap
                q = urllib.parse.urlencode({"first_name": "Bench", "last_name": "Caller%d" % i,
                                            "phone": "+6149%03d%04d" % (1 if t == "wh" else 2, i),
                                            "slot_id": s["slot_id"]})
                ms, status = timed(conn, "GET", "/voice/book?" + q, {"x-api-key": KEYS[t]})
                if status == 200:
                    lat[t].append(ms)
        rec.wait_for(lambda d: len(d) >= 2 * len(lat["wh"]), 30, "the bookings' events")

        # Throughput: queue N events while the receiver holds its answers, then release it.
        held_before = len(rec.all())
        rec.gate.clear()  # the receiver holds what arrives

        def create(k):
            c = http.client.HTTPConnection("127.0.0.1", fd.port, timeout=30)
            for i in range(k, args.events, 8):
                body = json.dumps({"first_name": "Load", "last_name": "Patient%d" % i, "phone": "+6148%07d" % i})
                c.request("POST", "/ai_brain/lookup-create-patient", body=body,
                          headers={"x-api-key": KEYS["wh"], "content-type": "application/json"})
                c.getresponse().read()
            c.close()
        t0 = time.perf_counter()
        threads = [threading.Thread(target=create, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        made = time.perf_counter() - t0
        rec.gate.set()
        t1 = time.perf_counter()
        want = held_before + args.events
        rec.wait_for(lambda d: len({x.id for x in d}) >= want, 120, "every event")
        drained = time.perf_counter() - t1

        hm = statistics.median(health)
        print("GET /healthz: median %.3f ms, p90 %.3f ms (%d sequential requests)" % (hm, pct(health, 0.9), len(health)))
        for t, label in (("plain", "without webhooks"), ("wh", "with webhooks")):
            m = statistics.median(lat[t])
            print("GET /voice/book %s: median %.2f ms, p90 %.2f ms (%d bookings) = %.1fx /healthz"
                  % (label, m, pct(lat[t], 0.9), len(lat[t]), m / hm))
        added = statistics.median(lat["wh"]) - statistics.median(lat["plain"])
        print("added by webhooks on /voice/book: %+.2f ms median (%+.1f%%)"
              % (added, 100 * added / statistics.median(lat["plain"])))
        print("queued %d patient.created events in %.2f s (%.0f creations/s)" % (args.events, made, args.events / made))
        print("delivered them in %.2f s once the receiver let go: %.0f events/s (%d workers, 8 connections), "
              "%.3fx the /healthz request rate of one sequential client (%.0f req/s)"
              % (drained, args.events / drained, args.workers, (args.events / drained) / (1000 / hm), 1000 / hm))
        dup = len(rec.all()) - len({d.id for d in rec.all()})
        print("deliveries received twice (timeouts while the receiver held them): %d" % dup)
    finally:
        H.shut_down(fd, redis)
        rec.stop()


if __name__ == "__main__":
    main()
