#!/usr/bin/env python3
"""tests/bench/tenants_bench.py: frontdesk with many sandbox tenants: start-up, a cold /voice/bestSlot burst (a
different tenant per request, each asked for the first time), CPU of Redis against frontdesk in that burst,
memory once every tenant is warm, and one tenant asked again and again with its cached catalog and days deleted
from Redis before each question (a cold question with everything else warm). Each throughput is also given as a ratio to GET /healthz on the same server in
the same run. Figures only; nothing is asserted.

Build: cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DFD_TESTS=OFF && cmake --build build-bench --target frontdesk
Run:   python3 tests/bench/tenants_bench.py [--bin PATH] [--tenants N] [--workers N] [--connections N]
Needs wrk and redis-server.
"""

import argparse
import hashlib
import json
import os
import re
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BEST = "/voice/bestSlot?treatment_name=follow+up+physio&time_zone=Sydney+time&part_of_day=afternoon"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """User + system CPU seconds of a process, all threads."""
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_kib(pid):
    status = open("/proc/%d/status" % pid).read()
    return tuple(int(re.search(r"^%s:\s+(\d+)" % k, status, re.M).group(1)) for k in ("VmRSS", "VmHWM"))


def wait_ready(port, timeout=60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/readyz" % port, timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.005)
    return False


def start_redis(work):
    """A redis-server with AOF on a free port, its files in work, once it accepts connections: (process, port)."""
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", work,
                              "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
                             stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return redis, port


def stop_all(fd, redis, work):
    """Stops frontdesk and Redis and removes their folder."""
    fd.terminate()
    fd.wait(10)
    redis.terminate()
    redis.wait(10)
    shutil.rmtree(work, ignore_errors=True)


def wrk(url, seconds, connections):
    """Runs wrk; returns (requests per second, p99 in ms, non-2xx count, total requests)."""
    args = ["wrk", "-t1", "-c%d" % connections, "-d%ds" % seconds, "--latency"]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\b", out, re.M)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)] if m else float("nan")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, p99, int(bad.group(1)) if bad else 0, total


def burst(port, requests, connections, answered=None):
    """Sends each request once over `connections` keep-alive connections, one at a time per connection, from one
    thread with non-blocking sockets; returns (elapsed seconds, sorted latencies in ms, statuses). answered, when
    given, is called for each answer as answered(request, status, latency ms, body bytes)."""
    sel = selectors.DefaultSelector()
    queue = list(reversed(requests))
    latencies, statuses = [], []
    conns = []

    def send_next(c):
        if not queue:
            sel.unregister(c["sock"])
            c["sock"].close()
            return
        c["buf"], c["sent_at"], c["request"] = b"", time.perf_counter(), queue.pop()
        c["sock"].sendall(c["request"])

    started = time.perf_counter()
    for _ in range(min(connections, len(requests))):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setblocking(False)
        c = {"sock": sock}
        conns.append(c)
        sel.register(sock, selectors.EVENT_READ, c)
        send_next(c)
    while sel.get_map():
        for key, _ in sel.select(timeout=30):
            c = key.data
            chunk = c["sock"].recv(262144)
            if not chunk:
                raise SystemExit("frontdesk closed a connection")
            c["buf"] += chunk
            head, sep, body = c["buf"].partition(b"\r\n\r\n")
            if not sep:
                continue
            length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
            if len(body) < length:
                continue
            latencies.append((time.perf_counter() - c["sent_at"]) * 1000)
            statuses.append(int(head[9:12]))
            if answered is not None:
                answered(c["request"], statuses[-1], latencies[-1], body[:length])
            send_next(c)
    return time.perf_counter() - started, sorted(latencies), statuses


def redis_command(sock, *args):
    """Sends one command over a raw RESP connection and reads its (integer or simple) one-line reply."""
    out = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in (x.encode() for x in args))
    sock.sendall(out)
    reply = b""
    while not reply.endswith(b"\r\n"):
        reply += sock.recv(4096)
    if reply.startswith(b"-"):
        raise SystemExit("redis: " + reply.decode().strip())
    return reply


# Deletes the tenant's cached catalog and availability days (not its bookings, patients or last good catalog).
DROP_CACHE = """local n = 0
for _, pattern in ipairs(ARGV) do
  for _, k in ipairs(redis.call('KEYS', pattern)) do n = n + redis.call('DEL', k) end
end
return n"""


def one_at_a_time(port, request, rounds, before=None):
    """Sends request `rounds` times on one keep-alive connection, calling before() (not timed) ahead of each;
    returns (sorted latencies in ms, statuses)."""
    sock = socket.create_connection(("127.0.0.1", port))
    latencies, statuses = [], []
    try:
        for _ in range(rounds):
            if before is not None:
                before()
            started = time.perf_counter()
            sock.sendall(request)
            buf = b""
            while True:
                buf += sock.recv(262144)
                head, sep, body = buf.partition(b"\r\n\r\n")
                if sep and len(body) >= int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1)):
                    break
            latencies.append((time.perf_counter() - started) * 1000)
            statuses.append(int(head[9:12]))
    finally:
        sock.close()
    return sorted(latencies), statuses


def p99(latencies):
    return latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "build-bench", "server", "frontdesk"))
    ap.add_argument("--tenants", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--connections", type=int, default=32)
    a = ap.parse_args()
    if shutil.which("wrk") is None or shutil.which("redis-server") is None:
        sys.exit("needs wrk and redis-server (apt-get install wrk redis-server)")
    work = tempfile.mkdtemp(prefix="fd-tenants-bench-")
    (redis, rport), port = start_redis(work), free_port()
    keys = ["tenant-key-%04d" % i for i in range(a.tenants)]
    config = {"listen": {"address": "127.0.0.1", "port": port}, "redis": "127.0.0.1:%d" % rport,
              "workers": a.workers, "log_level": "warn", "slot_secret": "tenants-bench-secret-0123456789",
              "tenants": [{"id": "t%04d" % i, "api_key_sha256": hashlib.sha256(k.encode()).hexdigest(),
                           "locale": "en-AU", "country": "AU",
                           "rate_limit": {"per_second": 1000000, "burst": 1000000}} for i, k in enumerate(keys)]}
    with open(os.path.join(work, "config.json"), "w") as f:
        json.dump(config, f)
    requests = [("GET %s HTTP/1.1\r\nHost: bench\r\nx-api-key: %s\r\n\r\n" % (BEST, k)).encode() for k in keys]
    started = time.monotonic()
    fd = subprocess.Popen([a.bin, "--config", os.path.join(work, "config.json")], stderr=open(
        os.path.join(work, "frontdesk.log"), "w"))
    try:
        if not wait_ready(port):
            sys.exit("frontdesk did not become ready: " + open(os.path.join(work, "frontdesk.log")).read()[-2000:])
        start_ms = (time.monotonic() - started) * 1000
        print("frontdesk %s, %d sandbox tenants, %d workers, wrk -t1 -c%d, %d cores shared by all" % (
            a.bin, a.tenants, a.workers, a.connections, os.cpu_count()))
        print("start with %d tenants (spawn to /readyz)     %8.0f ms" % (a.tenants, start_ms))
        print("frontdesk memory at start: RSS %.1f MB" % (memory_kib(fd.pid)[0] / 1024))
        h_rps, h_p99, _, _ = wrk("http://127.0.0.1:%d/healthz" % port, 3, a.connections)
        print("GET /healthz                                %8.0f req/s  p99 %7.2f ms" % (h_rps, h_p99))
        r0, f0 = cpu_seconds(redis.pid), cpu_seconds(fd.pid)
        took, lat, statuses = burst(port, requests, a.connections)
        r1, f1 = cpu_seconds(redis.pid), cpu_seconds(fd.pid)
        bad = sum(1 for st in statuses if st != 200)
        print("cold bestSlot, a new tenant each request    %8.0f req/s  p99 %7.2f ms  = %.4f x healthz"
              "  (%d requests, %d not 200)" % (len(requests) / took, p99(lat), len(requests) / took / h_rps,
                                                len(requests), bad))
        print("  CPU in that burst: redis %.2f s, frontdesk %.2f s" % (r1 - r0, f1 - f0))
        took, lat, statuses = burst(port, requests, a.connections)
        print("warm bestSlot, a new tenant each request    %8.0f req/s  p99 %7.2f ms  = %.4f x healthz" % (
            len(requests) / took, p99(lat), len(requests) / took / h_rps))
        print("  (the burst client is one Python thread: past a few thousand req/s it, not frontdesk, is the limit)")
        rss, hwm = memory_kib(fd.pid)
        # One tenant, cache keys deleted before each call: one connection, one question at a time, against
        # /healthz asked the same way; the ratio is of the mean times per answer.
        rounds = 300
        health = ("GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n").encode()
        h_lat, _ = one_at_a_time(port, health, rounds)
        rsock = socket.create_connection(("127.0.0.1", rport))

        def drop_cache():
            dropped = int(redis_command(rsock, "EVAL", DROP_CACHE, "0", "fd:{t0000}:catalog", "fd:{t0000}:avail:*",
                                        "fd:{t0000}:avail-index:*")[1:])
            if dropped == 0:
                raise SystemExit("no cached key of tenant t0000 found: has the key layout changed?")
            time.sleep(0.002)  # the invalidation reaches frontdesk's read cache before the question does

        c_lat, statuses = one_at_a_time(port, requests[0], rounds, drop_cache)
        rsock.close()
        h_mean, c_mean = sum(h_lat) / rounds, sum(c_lat) / rounds
        print("cold bestSlot, one tenant, its cache deleted before each call  %7.3f ms a question, p99 %6.2f ms"
              "  = %.4f x healthz (%.3f ms; one connection, %d rounds, %d not 200)" % (
                  c_mean, p99(c_lat), h_mean / c_mean, h_mean, rounds, sum(1 for st in statuses if st != 200)))
        print("frontdesk memory, every tenant warm: RSS %.1f MB, high-water mark %.1f MB" % (rss / 1024, hwm / 1024))
    finally:
        stop_all(fd, redis, work)


if __name__ == "__main__":
    main()
