"""tests/fakes/fake_http.py: the HTTP plumbing every fake EMR shares: a quiet HTTP/1.1 request handler whose verbs all
go to one dispatch(method), a client that hangs up mid-answer ignored, and the threaded server with its "ready"
line. Each fake subclasses FakeHandler and writes only its vendor's behaviour."""

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stalls

    def log_message(self, fmt, *args):  # quiet
        pass

    def dispatch(self, method):
        raise NotImplementedError

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")


def serve(handler, port, ready_line=None):
    """Serves handler on 127.0.0.1:port (0: a free one) until interrupted, after printing ready_line(port) (default
    "ready <port>") so that the test starting it knows where it listens."""
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 128
    srv = ThreadingHTTPServer(("127.0.0.1", port), handler)
    print(ready_line(srv.server_address[1]) if ready_line else "ready %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
