#!/usr/bin/env python3
"""tests/it/test_lifecycle.py: frontdesk starts and stops like a well-behaved server, against a real redis-server:

- SIGTERM while a request's body is still arriving: the rest of the body is read, the request is answered, and the
  process exits 0 (within the 5 s the README promises);
- a second frontdesk (or any program) already listening on the address: frontdesk refuses to start, exits non-zero
  and names the address on stderr, instead of silently sharing the port through SO_REUSEPORT; once the address is
  free again it starts.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

KEY = "it-lifecycle-key-3a9d51"
REDIS = None


def config(port=None):
    cfg = {"tenants": [{"id": "life", "api_key_sha256": H.sha256_hex(KEY), "provider": "sandbox",
                        "time_zone": "Australia/Sydney", "country": "AU"}]}
    if port is not None:
        cfg["listen"] = {"address": "127.0.0.1", "port": port}
    return cfg


def setUpModule():
    global REDIS
    REDIS = H.Redis().start()


def tearDownModule():
    REDIS.close()


def read_response(sock, timeout=10.0):
    """Reads one HTTP/1.1 response with a Content-Length from a raw socket: (status, parsed JSON body)."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the answer's headers: %r" % data)
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    length = next(int(l.split(":", 1)[1]) for l in lines if l.lower().startswith("content-length:"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed inside the answer's body")
        body += chunk
    return int(lines[0].split()[1]), json.loads(body[:length])


class GracefulStop(unittest.TestCase):
    def test_body_still_arriving_at_sigterm_is_answered(self):
        server = H.Frontdesk(config(), REDIS).start()
        try:
            body = json.dumps({"first_name": "Half", "last_name": "Body", "phone": "0413 200 001"}).encode()
            head = ("POST /ai_brain/lookup-create-patient HTTP/1.1\r\nHost: frontdesk\r\nx-api-key: %s\r\n"
                    "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (KEY, len(body))).encode()
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            sock.sendall(head + body[:len(body) // 2])
            time.sleep(0.3)  # the server has read the headers and half the body
            stopped_at = time.monotonic()
            server.proc.send_signal(signal.SIGTERM)
            time.sleep(1.5)  # longer than the grace an idle keep-alive connection gets
            sock.sendall(body[len(body) // 2:])
            status, answer = read_response(sock)
            sock.close()
            self.assertEqual(status, 201, answer)
            self.assertEqual(answer["patient"]["last_name"], "Body", answer)
            try:
                code = server.proc.wait(6)
            except subprocess.TimeoutExpired:
                self.fail("frontdesk did not exit after answering")
            self.assertEqual(code, 0, server.stderr()[-2000:])
            self.assertLess(time.monotonic() - stopped_at, 5.5)
            with self.assertRaises(OSError):  # and it no longer listens
                H.request(server.port, "GET", "/healthz", timeout=1)
        finally:
            server.close()


class OneServerPerAddress(unittest.TestCase):
    def refused(self, port):
        """Runs a frontdesk configured for 127.0.0.1:port; asserts it exits non-zero naming the address."""
        other = H.Frontdesk(config(port), REDIS)
        try:
            try:
                done = H.run_cli("--config", other.config_path, timeout=5)
            except subprocess.TimeoutExpired:
                self.fail("a second frontdesk started on 127.0.0.1:%d" % port)
            self.assertNotEqual(done.returncode, 0, done.stderr)
            self.assertIn("127.0.0.1:%d" % port, done.stderr)
        finally:
            other.close()

    def test_second_frontdesk_on_a_held_port_refuses_to_start(self):
        first = H.Frontdesk(config(), REDIS, workers=3).start()
        try:
            self.refused(first.port)
            # the first one still answers, on every worker (fresh connections are spread over them)
            for _ in range(12):
                self.assertEqual(H.request(first.port, "GET", "/healthz", timeout=2).status, 200)
        finally:
            problem = first.stop_problem()
            first.close()
        self.assertIsNone(problem)
        # once the address is free a frontdesk starts there again
        again = H.Frontdesk(config(first.port), REDIS)
        again.port = first.port
        try:
            again.start()
            self.assertEqual(again.get("/healthz").status, 200)
        finally:
            problem = again.stop_problem()
            again.close()
        self.assertIsNone(problem)

    def test_another_program_sharing_the_port_is_refused(self):
        holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # as a worker of ours would
            holder.bind(("127.0.0.1", 0))
            holder.listen(8)
            self.refused(holder.getsockname()[1])
        finally:
            holder.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
