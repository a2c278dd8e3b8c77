"""tests/it/harness.py: drives the real `frontdesk` binary against a private redis-server over loopback.

Python 3 standard library only. What it gives a test:

- Redis: a private redis-server on a free port (and optionally a unix socket), stopped reliably (explicitly,
  at interpreter exit, and by the kernel if this process dies: PR_SET_PDEATHSIG); restart() brings it back
  on the SAME port with an empty data set.
- Frontdesk: writes a config file into a temp dir, starts the binary, waits for GET /healthz, captures
  stdout/stderr into files (the service writes one JSON log line per request on stderr), stops it with
  SIGTERM and reports the exit status.
- request(): one HTTP exchange -> Response(status, headers, body) where body is the parsed JSON when the
  answer is JSON, else the raw bytes. A Response unpacks as (status, headers, body). Every exchange with a
  Frontdesk started here is checked against openapi/openapi.yaml when the test process exits (contract.py).
- demo_clinic(): the demo clinic file (providers/sandbox/demo_clinic.json) and expectations derived from it.

Environment: FRONTDESK_BIN (else the first of build/server/frontdesk, build-*/server/frontdesk that exists),
FD_SOURCE_DIR (else two folders up from this file), REDIS_SERVER (else redis-server on PATH),
FD_IT_KEEP=1 keeps the temp dirs and prints where they are.
"""

import atexit
import ctypes
import glob
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import clock
import contract

SOURCE_DIR = os.environ.get("FD_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

# Every process and temp dir we make, so that nothing outlives the test run (atexit below).
_live = set()
_dirs = set()
# The ports of the frontdesk processes started here: every exchange with one is checked against the contract.
_frontdesk_ports = set()
OPENAPI_PATH = os.path.join(SOURCE_DIR, "openapi", "openapi.yaml")
atexit.register(contract.check_at_exit, OPENAPI_PATH)  # registered first, so it runs after the cleanup below


def _kill_all_live():
    for proc in list(_live):
        if proc.poll() is None:
            try:
                proc.kill()
                proc.wait(5)
            except Exception:  # best effort at exit
                pass
    _live.clear()
    for path in list(_dirs):
        _rmtree(path)


atexit.register(_kill_all_live)


def _die_with_parent():
    """preexec_fn: the child gets SIGKILL when the test process dies (even on SIGKILL or a ctest timeout)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def _spawn(args, stdout, stderr, cwd=None, env=None):
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, cwd=cwd,
                            env=env, preexec_fn=_die_with_parent)
    _live.add(proc)
    return proc


def _reap(proc, sig=signal.SIGTERM, timeout=10.0):
    """Sends sig, waits up to timeout, SIGKILLs if needed. Returns (exit status, seconds taken, killed)."""
    started = time.monotonic()
    killed = False
    if proc.poll() is None:
        try:
            proc.send_signal(sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
            killed = True
    _live.discard(proc)
    return proc.returncode, time.monotonic() - started, killed


def free_port():
    """A TCP port free on 127.0.0.1 right now (bind to port 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sha256_hex(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _tempdir(prefix):
    path = tempfile.mkdtemp(prefix=prefix)
    _dirs.add(path)
    if os.environ.get("FD_IT_KEEP"):
        print("keeping %s" % path)
    return path


def _rmtree(path):
    if path and not os.environ.get("FD_IT_KEEP"):
        shutil.rmtree(path, ignore_errors=True)
        _dirs.discard(path)


# ---- binary -------------------------------------------------------------------------------------------------

def frontdesk_bin():
    """Path of the frontdesk binary, or None when there is none yet."""
    env = os.environ.get("FRONTDESK_BIN")
    if env:
        return os.path.abspath(env)
    candidates = [os.path.join(SOURCE_DIR, "build", "server", "frontdesk")]
    candidates += sorted(glob.glob(os.path.join(SOURCE_DIR, "build-*", "server", "frontdesk")))
    for c in candidates:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def require_bin():
    path = frontdesk_bin()
    if path is None or not os.path.isfile(path):
        raise RuntimeError("no frontdesk binary: set FRONTDESK_BIN or build the `frontdesk` target "
                           "(looked for build/server/frontdesk and build-*/server/frontdesk under %s)" % SOURCE_DIR)
    return path


def run_cli(*args, timeout=15):
    """Runs the binary with args; returns subprocess.CompletedProcess (text stdout/stderr)."""
    return subprocess.run([require_bin()] + list(args), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=_die_with_parent)


# ---- redis --------------------------------------------------------------------------------------------------

class Redis:
    """A private redis-server: TCP on 127.0.0.1:<free port>, optionally also a unix socket. With persistence, as
    Redis runs wherever we start it: an append-only file (appendfsync everysec) in its dir, which a restart
    reloads. aof=False only for tests of a Redis that lost everything (a restart then comes back empty)."""

    def __init__(self, unix_socket=False, aof=True):
        self.dir = _tempdir("fd-it-redis-")
        self.port = free_port()
        self.socket_path = os.path.join(self.dir, "redis.sock") if unix_socket else None
        self.proc = None
        self.log_path = os.path.join(self.dir, "redis.log")
        self.aof = aof

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port

    def start(self, timeout=10.0):
        exe = os.environ.get("REDIS_SERVER") or shutil.which("redis-server") or "/usr/bin/redis-server"
        args = [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", self.dir, "--daemonize", "no", "--logfile", self.log_path]
        if self.aof:
            args += ["--appendonly", "yes", "--appendfsync", "everysec"]
        if self.socket_path:
            args += ["--unixsocket", self.socket_path, "--unixsocketperm", "700"]
        self.proc = _spawn(args, subprocess.DEVNULL, subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("redis-server exited with status %s:\n%s" % (self.proc.returncode, self._log()))
            try:
                if self.command("PING") == "PONG":
                    if self.socket_path is None or os.path.exists(self.socket_path):
                        return self
            except OSError:
                pass
            except RuntimeError as e:  # "LOADING": still reading its append-only file
                if not str(e).startswith("LOADING"):
                    raise
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not answer PING within %.0f s:\n%s" % (timeout, self._log()))

    def _log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return "(no redis log)"

    def stop(self, hard=False):
        """Stops redis-server (SIGKILL when hard, as a crash would) and waits until it is gone."""
        if self.proc is not None:
            _reap(self.proc, signal.SIGKILL if hard else signal.SIGTERM, timeout=10.0)
            self.proc = None
        if self.socket_path and os.path.exists(self.socket_path):
            os.unlink(self.socket_path)

    def restart(self, down_seconds=0.0, hard=True):
        """Kills redis and starts it again on the SAME port (and socket) with what its file kept (aof=False:
        empty); down_seconds in between."""
        self.stop(hard=hard)
        if down_seconds:
            time.sleep(down_seconds)
        return self.start()

    def close(self):
        self.stop()
        _rmtree(self.dir)

    def command(self, *args, timeout=2.0):
        """One RESP command over TCP; returns a str/int/list/None, raises RuntimeError on an error reply."""
        payload = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            payload += b"$%d\r\n%s\r\n" % (len(a), a)
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(payload)
            f = s.makefile("rb")
            return _read_resp(f)


def _read_resp(f):
    line = f.readline()
    if not line:
        raise ConnectionError("redis closed the connection")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise RuntimeError(rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        return data[:-2].decode("utf-8", "replace")
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_read_resp(f) for _ in range(n)]
    raise ConnectionError("bad RESP reply %r" % line)


# ---- HTTP ---------------------------------------------------------------------------------------------------

class Response:
    """status, headers (case-insensitive lookup via .header(name)), body (parsed JSON or bytes), raw bytes."""

    def __init__(self, status, headers, raw, will_close=False):
        self.status = status
        self.headers = headers  # http.client.HTTPMessage: .get(name) is case-insensitive
        self.raw = raw
        self.will_close = will_close
        ctype = (headers.get("content-type") or "").split(";")[0].strip().lower()
        self.is_json = ctype == "application/json" or ctype.endswith("+json")
        self.body = raw
        if self.is_json:
            try:
                self.body = json.loads(raw.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                self.body = raw
                self.is_json = False

    def header(self, name):
        return self.headers.get(name)

    def __iter__(self):
        return iter((self.status, self.headers, self.body))

    def __repr__(self):
        body = self.raw[:300]
        return "<%d %s>" % (self.status, body.decode("utf-8", "replace"))


def _encode_body(body):
    if body is None:
        return None
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body).encode("utf-8")


def exchange(conn, method, path, body=None, headers=None):
    """One request on an open http.client connection; returns a Response."""
    hdrs = dict(headers or {})
    data = _encode_body(body)
    if data is not None and not any(k.lower() == "content-type" for k in hdrs):
        hdrs["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=hdrs)
    resp = conn.getresponse()
    raw = resp.read()
    if conn.port in _frontdesk_ports:
        contract.record(method, path, resp.status, resp.headers, raw)
    return Response(resp.status, resp.headers, raw, will_close=resp.will_close)


def request(port, method, path, body=None, headers=None, timeout=10.0, host="127.0.0.1"):
    """One HTTP exchange on a fresh connection. body: dict/list (sent as JSON), str/bytes (sent as is), None."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        return exchange(conn, method, path, body, headers)
    finally:
        conn.close()


# ---- frontdesk ----------------------------------------------------------------------------------------------

class Frontdesk:
    """One frontdesk process with its own config file in a temp dir.

    config: a dict written as the config file; "listen" and "redis" are filled in when absent.
    """

    def __init__(self, config, redis=None, workers=2, files=None):
        self.dir = _tempdir("fd-it-server-")
        self.port = free_port()
        _frontdesk_ports.add(self.port)
        cfg = dict(config)
        cfg.setdefault("listen", {"address": "127.0.0.1", "port": self.port})
        cfg.setdefault("workers", workers)
        if redis is not None:
            cfg.setdefault("redis", redis.address)
        cfg.setdefault("log_level", "info")
        self.config = cfg
        self.config_path = os.path.join(self.dir, "config.json")
        for name, content in (files or {}).items():  # extra files next to the config (tenants, clinics)
            with open(os.path.join(self.dir, name), "w", encoding="utf-8") as f:
                f.write(content if isinstance(content, str) else json.dumps(content, indent=2))
        with open(self.config_path, "w", encoding="utf-8") as f:
            json.dump(cfg, f, indent=2)
        self.stdout_path = os.path.join(self.dir, "stdout.log")
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self.proc = None
        self.exit_status = None

    def start(self, timeout=10.0, ready=True):
        """Starts the binary and waits for GET /healthz to answer 200 (and, when ready, GET /readyz 200 on a few
        fresh connections, so that every worker has its Redis connection); raises with the captured stderr."""
        self._out = open(self.stdout_path, "wb")
        self._err = open(self.stderr_path, "wb")
        # cwd "/": relative paths in the config must resolve against the config's folder, not the cwd.
        try:
            env = dict(os.environ, **clock.service_env())  # the service runs on the suite's (maybe pinned) clock
            self.proc = _spawn([require_bin(), "--config", self.config_path], self._out, self._err, cwd="/", env=env)
        except Exception:
            self._close_files()
            raise
        deadline = time.monotonic() + timeout
        last = None
        streak = 0
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._close_files()
                raise RuntimeError("frontdesk exited with status %s at start; stderr:\n%s"
                                   % (self.proc.returncode, self.stderr()[-4000:]))
            try:
                r = request(self.port, "GET", "/healthz", timeout=1.0)
                if r.status == 200 and not ready:
                    return self
                if r.status == 200:
                    r = request(self.port, "GET", "/readyz", timeout=1.0)
                    streak = streak + 1 if r.status == 200 else 0
                    if streak >= 4:
                        return self
                last = r
            except OSError as e:
                last = e
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("frontdesk did not answer GET /healthz%s within %.0f s (last: %r); stderr:\n%s"
                           % (" and /readyz" if ready else "", timeout, last, self.stderr()[-4000:]))

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Stops the process; returns (exit status, seconds it took, whether it had to be SIGKILLed)."""
        if self.proc is None:
            return self.exit_status, 0.0, False
        result = _reap(self.proc, sig, timeout)
        self.exit_status = result[0]
        self.proc = None
        self._close_files()
        return result

    def stop_problem(self, sig=signal.SIGTERM, max_seconds=6.0):
        """Stops the process; returns None when it exited 0 within max_seconds, else a description of what went
        wrong with the end of its stderr (sanitizer reports land there)."""
        status, seconds, killed = self.stop(sig)
        if status == 0 and not killed and seconds <= max_seconds:
            return None
        how = "was SIGKILLed after %.1f s" % seconds if killed else "exited with status %s after %.1f s" % (
            status, seconds)
        text = "\n".join(l for l in self.stderr().splitlines() if '"msg":"request"' not in l)
        at = max(text.find("ERROR: AddressSanitizer"), text.find("ERROR: LeakSanitizer"), text.find("runtime error:"))
        tail = text[at:at + 3000] if at >= 0 else text[-3000:]
        return "frontdesk %s on %s; stderr (request lines left out):\n%s" % (
            how, signal.Signals(sig).name, tail)

    def _close_files(self):
        for f in (getattr(self, "_out", None), getattr(self, "_err", None)):
            if f is not None and not f.closed:
                f.close()

    def close(self):
        self.stop()
        _rmtree(self.dir)

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def request(self, method, path, body=None, headers=None, key=None, timeout=10.0):
        hdrs = dict(headers or {})
        if key is not None:
            hdrs["x-api-key"] = key
        return request(self.port, method, path, body, hdrs, timeout=timeout)

    def post(self, path, body=None, key=None, headers=None, timeout=10.0):
        return self.request("POST", path, body, headers, key, timeout)

    def get(self, path, key=None, headers=None, timeout=10.0):
        return self.request("GET", path, None, headers, key, timeout)

    def connection(self, timeout=10.0):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def stderr(self):
        try:
            with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stdout(self):
        try:
            with open(self.stdout_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_lines(self):
        """stderr as a list of (line, parsed JSON or None)."""
        out = []
        for line in self.stderr().splitlines():
            if not line.strip():
                continue
            try:
                out.append((line, json.loads(line)))
            except ValueError:
                out.append((line, None))
        return out

    def request_logs(self):
        return [obj for _, obj in self.log_lines() if isinstance(obj, dict) and "status" in obj]

    def wait_for_log(self, predicate, timeout=3.0):
        """The first request log record matching predicate, waiting up to timeout (logs are written async)."""
        deadline = time.monotonic() + timeout
        while True:
            for rec in self.request_logs():
                if predicate(rec):
                    return rec
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.05)


def wait_until(predicate, timeout=5.0):
    """True once predicate() is, polling until timeout seconds (of the monotonic clock) passed; else False. For
    effects the service makes after it answered (fire-and-forget calls)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


# ---- the demo clinic and what the catalog routes must answer for it --------------------------------------------

DEMO_CLINIC_PATH = os.path.join(SOURCE_DIR, "providers", "sandbox", "demo_clinic.json")


def shut_down(server, redis):
    """Stops a module's frontdesk (it must exit 0 within a few seconds) and its redis; raises what went wrong."""
    problem = server.stop_problem() if server is not None else None
    if redis is not None:
        redis.close()
    if server is not None:
        server.close()
    if problem:
        raise AssertionError(problem)


def demo_clinic():
    with open(DEMO_CLINIC_PATH, encoding="utf-8") as f:
        return json.load(f)


class Catalog:
    """What fetchAll* must answer for a clinic file, derived from the file (see providers/sandbox_clinic*)."""

    def __init__(self, clinic):
        self.clinic = clinic
        self.locations = clinic["locations"]
        self.practitioners = clinic["practitioners"]
        self.treatments = clinic["treatments"]
        self.location_ids = [str(l["id"]) for l in self.locations]
        # who offers what: the union of practitioners[].treatment_ids and treatments[].practitioner_ids
        self.links = set()
        for p in self.practitioners:
            for t in p.get("treatment_ids", []) or []:
                self.links.add((str(p["id"]), str(t)))
        for t in self.treatments:
            for p in t.get("practitioner_ids", []) or []:
                self.links.add((str(p), str(t["id"])))

    def staff_locations(self, p):
        return {str(s["location_id"]) for s in p.get("schedules", []) or []}

    def staff_treatments(self, p):
        return {t for (pid, t) in self.links if pid == str(p["id"])}

    def treatment_staff(self, t):
        return {pid for (pid, tid) in self.links if tid == str(t["id"])}

    def treatment_locations(self, t):
        if t.get("location_ids") is not None:
            return {str(x) for x in t["location_ids"]}
        out = set()
        for p in self.practitioners:
            if str(p["id"]) in self.treatment_staff(t):
                out |= self.staff_locations(p)
        return out

    def staff_at(self, location_id):
        return [p for p in self.practitioners if location_id in self.staff_locations(p)]

    def treatments_at(self, location_id):
        return [t for t in self.treatments if location_id in self.treatment_locations(t)]

    def sydney_location(self):
        """The Sydney location (by name, city or zone), else None."""
        for l in self.locations:
            hay = " ".join(str(x) for x in (l.get("name"), (l.get("address") or {}).get("city"), l.get("id")))
            if "sydney" in hay.lower():
                return l
        for l in self.locations:
            if l.get("time_zone") == "Australia/Sydney":
                return l
        return None


class SentinelSet:
    """A Redis Sentinel deployment on loopback: one master and one replica (each a Redis above, with its append-only
    file) watched by three sentinels (quorum 2) on free ports, with short timings (down_after_ms, failover_ms) so a
    failover takes seconds. config() is the frontdesk "redis" value naming them."""

    def __init__(self, master_name="fdmaster", down_after_ms=1000, failover_ms=3000):
        self.name = master_name
        self.down_after_ms = down_after_ms
        self.failover_ms = failover_ms
        self.master = Redis()
        self.replica = Redis()
        self.dir = _tempdir("fd-it-sentinel-")
        self.ports = [free_port() for _ in range(3)]
        self.procs = []

    def config(self):
        return {"sentinels": ["127.0.0.1:%d" % p for p in self.ports], "master": self.name}

    def start(self, timeout=30.0):
        self.master.start()
        self.replica.start()
        self.replica.command("REPLICAOF", "127.0.0.1", self.master.port)
        deadline = time.monotonic() + timeout
        while "master_link_status:up" not in self.replica.command("INFO", "replication"):  # before the sentinels
            if time.monotonic() > deadline:  # look, so that their first look at the master lists the replica
                self.close()
                raise RuntimeError("the replica did not sync within %.0f s" % timeout)
            time.sleep(0.05)
        exe = shutil.which("redis-sentinel")
        for i, port in enumerate(self.ports):
            d = os.path.join(self.dir, "s%d" % i)
            os.makedirs(d)
            conf = os.path.join(d, "sentinel.conf")
            with open(conf, "w", encoding="utf-8") as f:
                f.write("port %d\nbind 127.0.0.1\ndaemonize no\ndir %s\nlogfile %s\n"
                        "sentinel monitor %s 127.0.0.1 %d 2\nsentinel down-after-milliseconds %s %d\n"
                        "sentinel failover-timeout %s %d\nsentinel parallel-syncs %s 1\n"
                        % (port, d, os.path.join(d, "sentinel.log"), self.name, self.master.port, self.name,
                           self.down_after_ms, self.name, self.failover_ms, self.name))
            args = [exe, conf] if exe else ["redis-server", conf, "--sentinel"]
            self.procs.append(_spawn(args, subprocess.DEVNULL, subprocess.DEVNULL))
        while time.monotonic() < deadline:  # every sentinel knows the replica and the two other sentinels
            try:
                if all(len(self.ask(i, "SENTINEL", "REPLICAS", self.name)) == 1 and
                       len(self.ask(i, "SENTINEL", "SENTINELS", self.name)) == 2 for i in range(3)):
                    return self
            except (OSError, RuntimeError):
                pass
            time.sleep(0.1)
        self.close()
        raise RuntimeError("the sentinels did not find each other and the replica within %.0f s" % timeout)

    def ask(self, index, *args, timeout=2.0):
        """One command to sentinel `index` (RESP over TCP, like Redis.command)."""
        payload = b"*%d\r\n" % len(args)
        for a in args:
            a = str(a).encode()
            payload += b"$%d\r\n%s\r\n" % (len(a), a)
        with socket.create_connection(("127.0.0.1", self.ports[index]), timeout=timeout) as s:
            s.sendall(payload)
            return _read_resp(s.makefile("rb"))

    def master_port(self):
        """The master's port as the first sentinel that answers sees it, or None."""
        for i in range(3):
            try:
                return int(self.ask(i, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", self.name)[1])
            except (OSError, RuntimeError, TypeError):
                continue
        return None

    def current_master(self):
        """The Redis (master or replica object) the sentinels name master now."""
        port = self.master_port()
        return self.master if port == self.master.port else self.replica if port == self.replica.port else None

    def close(self):
        for p in self.procs:
            _reap(p, signal.SIGTERM, timeout=10.0)
        self.procs = []
        self.master.close()
        self.replica.close()
        _rmtree(self.dir)
