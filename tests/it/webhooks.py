"""tests/it/webhooks.py: a real HTTP receiver of webhook deliveries on loopback, and the check of their signatures
with the `standardwebhooks` npm package (tests/node, installed by the first test that needs it).

The receiver answers as it is told (200, any status with an optional Retry-After, slowly), can stop listening (the
port then refuses connections) and listen again on the same port, and keeps every delivery it got."""

import base64
import http.server
import json
import os
import shutil
import socketserver
import subprocess
import threading
import time

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "node")


def new_secret(seed):
    """A Standard Webhooks secret ("whsec_" + base64 of 24 bytes) derived from seed, stable across runs."""
    raw = (seed.encode() * 24)[:24]
    return "whsec_" + base64.b64encode(raw).decode()


class Delivery:
    def __init__(self, headers, body, started, ended, status):
        self.status = status
        self.headers = headers
        self.body = body
        self.started = started
        self.ended = ended

    @property
    def id(self):
        return self.headers.get("webhook-id")

    @property
    def event(self):
        return json.loads(self.body)


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a sender that went away mid-request is part of the tests


class Receiver:
    """A webhook endpoint on 127.0.0.1:port. status: the answer; retry_after: its Retry-After (None: none);
    delay: seconds to wait before answering."""

    def __init__(self, port):
        self.port = port
        self.url = "http://127.0.0.1:%d/hooks" % port
        self.status = 200
        self.retry_after = None
        self.delay = 0.0
        self.gate = threading.Event()  # cleared: requests wait (held open) until it is set again
        self.gate.set()
        self.deliveries = []
        self.lock = threading.Lock()
        self.active = {}          # event id -> requests being handled now
        self.overlaps = []        # event ids delivered twice at the same time
        self.server = None

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # the status line and the body go out at once, not 40 ms apart

            def log_message(self, *args):
                pass

            def do_POST(self):
                started = time.monotonic()
                n = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(n).decode("utf-8")
                headers = {k.lower(): v for k, v in self.headers.items()}
                eid = headers.get("webhook-id")
                with receiver.lock:
                    receiver.active[eid] = receiver.active.get(eid, 0) + 1
                    if receiver.active[eid] > 1:
                        receiver.overlaps.append(eid)
                receiver.gate.wait()
                with receiver.lock:
                    status, retry_after, delay = receiver.status, receiver.retry_after, receiver.delay
                if delay:
                    time.sleep(delay)
                with receiver.lock:
                    receiver.active[eid] -= 1
                    receiver.deliveries.append(Delivery(headers, body, started, time.monotonic(), status))
                try:
                    self.send_response(status)
                    if retry_after is not None:
                        self.send_header("Retry-After", str(retry_after))
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except OSError:  # the sender went away (killed, or gave up after its timeout)
                    pass

        self.server = _Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        """Stops listening: connections to the port are refused until start()."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def all(self):
        with self.lock:
            return list(self.deliveries)

    def wait_for(self, predicate, timeout=10.0, what="deliveries"):
        """Waits until predicate(list of deliveries) is true; returns the list, or raises after timeout."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.all()
            if predicate(got):
                return got
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for %s; got %d: %s" % (
                    what, len(got), [d.event.get("type") for d in got]))
            time.sleep(0.05)


def _node_ready():
    if os.path.isdir(os.path.join(NODE_DIR, "node_modules", "standardwebhooks")):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is required for the signature check (apt-get install npm)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR, check=True,
                   stdout=subprocess.DEVNULL, timeout=300)


def verify(deliveries, secret):
    """Verifies each delivery with standardwebhooks' Webhook(secret).verify; returns a list of (ok, error)."""
    _node_ready()
    items = [{"secret": secret, "headers": d.headers, "body": d.body} for d in deliveries]
    out = subprocess.run(["node", os.path.join(NODE_DIR, "verify_webhooks.js")], input=json.dumps(items),
                         capture_output=True, text=True, timeout=60, check=True)
    return [(r["ok"], r.get("error")) for r in json.loads(out.stdout)]
