#!/usr/bin/env python3
"""tests/bench/instructions_bench.py: instructions per request of frontdesk's hot routes, counted by callgrind.

Starts its own redis-server and one frontdesk (1 worker, default the RelWithDebInfo build in build-rel) under
`valgrind --tool=callgrind --instr-atstart=no`, warms each case up, then switches instrumentation on with
callgrind_control around N requests only and prints the instructions per request (and per slot where answers
list slots), each also as a ratio to GET /healthz measured the same way in the same run:

- GET /healthz;
- computed /voice/bestSlot on the built-in demo clinic: a new question (another requested time) each request,
  the availability cache warm, so every answer is searched, scored and written afresh;
- the same on a generated clinic of 50 practitioners at two locations;
- POST /ai_brain/fetchAvailabilityNext7Days, warm, on the demo clinic;
- cold /voice/bestSlot: N more sandbox tenants on the demo clinic, each asked its first question once (its
  catalog and week of days read from Redis and computed: the path of a cold burst over many tenants);
- issue 21's 20 x 90 workload (tests/it/big_clinic.py): 20 practitioners x three fetchAvailabilityForRange
  windows of at most 31 days (60 calls), warm; the slot count is checked against big_clinic.count_slots.
The clock is pinned (FD_IT_NOW, default 2027-02-01T13:00:00Z) so the 90 days span New York's March change and
every run counts the same work. Figures only; nothing is asserted about speed.

Build: cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFD_TESTS=OFF && cmake --build build-rel -j2 \
           --target frontdesk
Run:   python3 tests/bench/instructions_bench.py [--bin PATH] [--requests N] [--keep DIR]
       --keep DIR keeps each case's callgrind dump (DIR/<n>.<case>.callgrind) for callgrind_annotate.
"""

import argparse
import datetime as dt
import glob
import http.client
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse

os.environ.setdefault("FD_IT_NOW", "2027-02-01T13:00:00Z")
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "it"))
import big_clinic  # noqa: E402
import clock  # noqa: E402
import harness as H  # noqa: E402

KEYS = {"demo": "instr-bench-demo-key", "many": "instr-bench-many-key", "ny": "instr-bench-ny-key"}
POLICY = {"voice_deadline_ms": 10000, "availability_ttl_seconds": 3600}  # valgrind runs ~50x slower


def key_of(tid):
    return KEYS.get(tid) or "instr-bench-%s-key" % tid


class Client:
    """One keep-alive connection; answers (status, body bytes)."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def send(self, method, path, key=None, body=None):
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            headers = {"x-api-key": key} if key else {}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                return resp.status, resp.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise RuntimeError("unreachable")


class Callgrind:
    """frontdesk under callgrind; measure() counts the instructions of a batch of requests."""

    def __init__(self, binary, config_path, work):
        self.work = work
        self.out = os.path.join(work, "callgrind.out")
        self.log = open(os.path.join(work, "frontdesk.log"), "wb")
        env = dict(os.environ, **clock.service_env())
        self.proc = subprocess.Popen(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                                      "--callgrind-out-file=" + self.out, binary, "--config", config_path],
                                     stdout=self.log, stderr=subprocess.STDOUT, cwd="/", env=env)
        self.dumps = 0

    def control(self, *args):
        subprocess.run(["callgrind_control", *args, str(self.proc.pid)], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)

    def measure(self, batch):
        """Runs batch() with instrumentation on; returns (instructions, batch's result)."""
        self.control("--zero")
        self.control("--instr=on")
        result = batch()
        self.control("--instr=off")
        self.control("--dump")
        self.dumps += 1
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            files = sorted(glob.glob(self.out + ".*"), key=os.path.getmtime)
            if len(files) >= self.dumps:
                with open(files[-1], encoding="utf-8", errors="replace") as f:
                    for line in f:
                        if line.startswith("totals:"):  # the "summary:" of a mid-run dump is 0
                            return int(line.split()[1]), result
            time.sleep(0.2)
        raise RuntimeError("callgrind wrote no dump")

    def keep(self, folder, name):
        """Copies the last dump to folder/<n>.<name>.callgrind (nothing when folder is None)."""
        if folder is None:
            return
        os.makedirs(folder, exist_ok=True)
        last = sorted(glob.glob(self.out + ".*"), key=os.path.getmtime)[-1]
        shutil.copy(last, os.path.join(folder, "%d.%s.callgrind" % (self.dumps, name)))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def wait_healthy(client, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if client.send("GET", "/healthz")[0] == 200 and client.send("GET", "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("frontdesk under valgrind did not become ready")


def must(client, method, path, key=None, body=None, tries=20):
    """Sends until a 200 (a warm-up under valgrind may meet a 503 while the caches fill)."""
    for _ in range(tries):
        status, raw = client.send(method, path, key, body)
        if status == 200:
            return raw
        if status not in (502, 503, 504):
            raise RuntimeError("%s %s: %d %s" % (method, path, status, raw[:300]))
        time.sleep(0.5)
    raise RuntimeError("%s %s: no 200 after %d tries" % (method, path, tries))


def best_paths(treatment, days, per_day, minute_offset, extra=""):
    """Distinct bestSlot questions: per_day requested times on each of `days` days from tomorrow."""
    base = clock.now().replace(minute=0, second=0, microsecond=0)
    out = []
    for d in range(1, days + 1):
        for k in range(per_day):
            t = base + dt.timedelta(days=d, hours=k * 24 // per_day, minutes=minute_offset)
            out.append("/voice/bestSlot?treatment_name=%s&requested_time_utc=%s%s" % (
                urllib.parse.quote(treatment), t.strftime("%Y-%m-%dT%H:%M:00Z"), extra))
    return out


def range_bodies(clinic):
    """Three windows of at most 31 days per practitioner, covering the 90-day horizon from now."""
    now = clock.now_ms()
    out = []
    for p in clinic["practitioners"]:
        for k in range(3):
            frm, to = now + k * 31 * 86400000, now + min((k + 1) * 31, 93) * 86400000
            iso = lambda ms: dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            out.append({"staff_member_id": p["id"], "treatment_id": "tx-30", "locationId": "loc-nyc",
                        "start_at": iso(frm), "end_at": iso(to), "_window": (frm, to)})
    return out


def expected_range_slots(clinic, bodies):
    now = clock.now_ms()
    return sum(big_clinic.count_slots(clinic, b["staff_member_id"], 30, now, b["_window"][0], b["_window"][1], 90)
               for b in bodies)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.environ.get("FRONTDESK_BIN") or
                    os.path.join(SOURCE_DIR, "build-rel", "server", "frontdesk"))
    ap.add_argument("--requests", type=int, default=40, help="requests per measured case")
    ap.add_argument("--skip", default="", help="comma-separated cases to leave out: best,cold,next7,range")
    ap.add_argument("--keep", default=None, help="a folder to keep each case's callgrind dump in")
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin)  # valgrind runs in /
    for tool in ("valgrind", "callgrind_control", "redis-server"):
        if shutil.which(tool) is None:
            sys.exit("needs %s" % tool)
    if not os.access(args.bin, os.X_OK):
        sys.exit("no frontdesk binary at %s (see Build in this file's docstring)" % args.bin)

    ny_today = clock.today(big_clinic.ZoneInfo(big_clinic.NY))
    ny = big_clinic.workload_20x90(ny_today)
    many = big_clinic.many_practitioners(clock.today(dt.timezone.utc), 50)
    redis = H.Redis().start()
    work = H._tempdir("fd-instr-bench-")

    def tenant(tid, extra, policy=None):
        t = {"id": tid, "api_key_sha256": H.sha256_hex(key_of(tid)), "provider": "sandbox", "locale": "en-US",
             "country": "US", "rate_limit": {"per_second": 100000, "burst": 100000},
             "policy": dict(POLICY, **(policy or {}))}
        t.update(extra)
        return t

    config = {"listen": {"address": "127.0.0.1", "port": H.free_port()}, "redis": redis.address, "workers": 1,
              "log_level": "warn", "slot_secret": "instructions-bench-secret-0123456789",
              "tenants": [tenant("demo", {"locale": "en-AU", "country": "AU", "time_zone": "Australia/Sydney"}),
                          tenant("many", {"provider_settings": {"clinic_file": "many.json"}}),
                          tenant("ny", {"provider_settings": {"clinic_file": "ny.json"}, "time_zone": big_clinic.NY},
                                 {"max_days_ahead": 90, "min_notice_minutes": 120})]
              + [tenant("cold-%d" % i, {"locale": "en-AU", "country": "AU", "time_zone": "Australia/Sydney"})
                 for i in range(args.requests)]}
    for name, content in (("many.json", many), ("ny.json", ny), ("config.json", config)):
        with open(os.path.join(work, name), "w", encoding="utf-8") as f:
            json.dump(content, f)
    cg = Callgrind(args.bin, os.path.join(work, "config.json"), work)
    client = Client(config["listen"]["port"])
    n = args.requests
    rows = []
    try:
        wait_healthy(client)
        print("frontdesk %s under callgrind, 1 worker, clock %s, %d requests per case" % (
            args.bin, os.environ["FD_IT_NOW"], n))

        def run(paths, key=None, method="GET", bodies=None):
            def batch():
                slots = 0
                for i, p in enumerate(paths):
                    raw = must(client, method, p, key, bodies[i] if bodies else None, tries=1)
                    slots += raw.count(b'"slot_id"')
                return slots
            return batch

        for _ in range(5):
            must(client, "GET", "/healthz")
        ins, _ = cg.measure(run(["/healthz"] * n))
        healthz = ins / n
        rows.append(("GET /healthz", healthz, None))

        cases = (("computed bestSlot, demo clinic", "demo", "Follow-up Physiotherapy", "&time_zone=Australia/Sydney"),
                 ("computed bestSlot, 50 practitioners", "many", "Visit 30", "&time_zone=Australia/Sydney"))
        skip = set(args.skip.split(","))
        for label, tid, treatment, extra in cases if "best" not in skip else ():
            per_day = max(1, n // 10)
            for p in best_paths(treatment, 10, per_day, 7, extra):  # other questions on the same days: warm cache
                must(client, "GET", p, KEYS[tid])
            paths = best_paths(treatment, 10, per_day, 0, extra)[:n]
            ins, _ = cg.measure(run(paths, KEYS[tid]))
            rows.append((label, ins / len(paths), None))
            cg.keep(args.keep, "best-" + tid)

        if "cold" not in skip:
            paths = best_paths("Follow-up Physiotherapy", 1, 1, 0, "&time_zone=Australia/Sydney")
            for _ in range(3):  # the demo clinic's shared parse is made: what is measured is a tenant's first ask
                must(client, "GET", paths[0], KEYS["demo"])
            cold = ["cold-%d" % i for i in range(n)]

            def first_questions():
                for tid in cold:
                    must(client, "GET", paths[0], key_of(tid), tries=1)
            ins, _ = cg.measure(first_questions)
            rows.append(("cold bestSlot, a new tenant's first question", ins / n, None))
            cg.keep(args.keep, "cold")
        if "next7" not in skip:
            measure_next7(cg, client, run, n, rows)
        if "range" not in skip:
            measure_range(cg, client, run, ny, rows)

        print("%-52s %14s %10s %12s" % ("case", "instructions", "x healthz", "per slot"))
        for label, ins, slots in rows:
            print("%-52s %14.0f %10.1f %12s" % (label, ins, ins / healthz,
                                                 "%.0f" % (ins / slots) if slots else "-"))
    finally:
        cg.stop()
        redis.close()
        H._rmtree(work)


def measure_next7(cg, client, run, n, rows):
    body7 = {"staff_member_id": "pr-sam-nguyen", "treatment_id": "tx-followup-physio"}
    for _ in range(3):
        must(client, "POST", "/ai_brain/fetchAvailabilityNext7Days", KEYS["demo"], body7)
    ins, slots = cg.measure(run(["/ai_brain/fetchAvailabilityNext7Days"] * n, KEYS["demo"], "POST", [body7] * n))
    rows.append(("fetchAvailabilityNext7Days warm (%d slots)" % (slots // n), ins / n, slots // n))


def measure_range(cg, client, run, ny, rows):
    bodies = range_bodies(ny)
    wire = [{k: v for k, v in b.items() if not k.startswith("_")} for b in bodies]
    for b in wire:
        must(client, "POST", "/ai_brain/fetchAvailabilityForRange", KEYS["ny"], b)
    ins, slots = cg.measure(run(["/ai_brain/fetchAvailabilityForRange"] * len(wire), KEYS["ny"], "POST", wire))
    expected = expected_range_slots(ny, bodies)
    rows.append(("20 x 90: 60 range calls warm (%d slots%s)" % (
        slots, "" if slots == expected else ", EXPECTED %d" % expected), ins, slots))


if __name__ == "__main__":
    main()
