#!/usr/bin/env python3
"""tests/browser/test_widget_browser.py: the booking widget in a real browser. Starts redis-server and frontdesk
(tests/it/harness.py) with two tenants on the sandbox clinic (the demo page's, and one whose holds last 10 s),
serves a clinic's page that embeds the widget on another origin (127.0.0.1:<port>, listed) and the same page on an
origin that is not listed (localhost:<port>), then runs tests/browser/widget.test.js (puppeteer-core driving
Debian's chromium headless). Installs the npm packages (npm ci) when they are missing. Screenshots of every step
land in FD_WIDGET_OUT (ctest: <build>/test-output/widget)."""

import base64
import hashlib
import http.server
import os
import shutil
import subprocess
import sys
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "it"))
import harness as H  # noqa: E402

API_KEY = "browser-demo-api-key-3f0c2a"
SHORT_API_KEY = "browser-short-api-key-9e1d77"
DEMO_WIDGET_KEY = "pk_browser_demo_widget_01"
SHORT_WIDGET_KEY = "pk_browser_short_hold_002"
LIMITS = {"requests_per_minute_per_address": 5000, "requests_per_minute": 5000, "open_holds_per_address": 100,
          "open_holds": 100, "patients_per_hour_per_address": 100}


def chromium():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if name and shutil.which(name):
            return shutil.which(name)
    raise RuntimeError("no chromium: install Debian's `chromium` (scripts/install-deps.sh --test)")


def npm_ci():
    if os.path.isdir(os.path.join(HERE, "node_modules", "puppeteer-core")):
        return
    p = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True, text=True,
                       timeout=600)
    if p.returncode != 0:
        raise RuntimeError("npm ci failed in tests/browser:\n" + p.stdout[-2000:] + p.stderr[-2000:])


def tenant(tid, key, widget_key, origins, **extra):
    t = {"id": tid, "api_key_sha256": H.sha256_hex(key), "provider": "sandbox", "time_zone": "Australia/Sydney",
         "locale": "en-AU", "country": "AU", "rate_limit": {"per_second": 5000, "burst": 5000},
         "widget_keys": [dict({"key": widget_key, "allowed_origins": origins, "limits": LIMITS}, **extra.pop("wk", {}))]}
    t.update(extra)
    return t


class PageServer:
    """A clinic's web site: /clinic.html embeds the widget from frontdesk with the short-hold tenant's key."""

    def __init__(self):
        self.page = b""
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                self.send_response(200 if self.path == "/clinic.html" else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(site.page)))
                self.end_headers()
                self.wfile.write(site.page)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def embed(self, frontdesk_url, integrity):
        self.page = ("<!doctype html><html lang=\"en-AU\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                "content=\"width=device-width, initial-scale=1\"><title>A clinic</title></head><body>"
                "<h1>A clinic's own site</h1>"
                "<script src=\"%s/widget/v1/frontdesk-widget.js\" integrity=\"%s\" crossorigin=\"anonymous\" "
                "defer></script><div data-frontdesk-widget data-key=\"%s\" data-locale=\"en-AU\"></div>"
                "</body></html>" % (frontdesk_url, integrity, SHORT_WIDGET_KEY)).encode()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class WidgetInBrowser(unittest.TestCase):
    def test_widget_scenarios(self):
        npm_ci()
        exe = chromium()
        redis = H.Redis().start()
        port = H.free_port()
        fd_origin = "http://127.0.0.1:%d" % port
        pages = PageServer()  # its port is known before frontdesk's config lists its origin
        page_origin = "http://127.0.0.1:%d" % pages.port
        server = None
        try:
            server = H.Frontdesk({"slot_secret": "browser-widget-slot-secret-0123", "tenants": [
                tenant("demo", API_KEY, DEMO_WIDGET_KEY, [fd_origin, page_origin], wk={"demo_page": True}),
                tenant("short", SHORT_API_KEY, SHORT_WIDGET_KEY, [page_origin], policy={"hold_seconds": 10}),
            ], "listen": {"address": "127.0.0.1", "port": port}}, redis)
            server.port = port
            server.start()
            script = H.request(port, "GET", "/widget/v1/frontdesk-widget.js").raw
            integrity = "sha384-" + base64.b64encode(hashlib.sha384(script).digest()).decode()
            pages.embed(fd_origin, integrity)
            out = os.environ.get("FD_WIDGET_OUT") or os.path.join(H.SOURCE_DIR, "build-test", "test-output", "widget")
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(out, exist_ok=True)
            env = dict(os.environ, CHROMIUM=exe, FD_URL=fd_origin, API_KEY=API_KEY, FD_WIDGET_OUT=out,
                       EMBED_URL="%s/clinic.html" % page_origin,
                       DENIED_URL="http://localhost:%d/clinic.html" % pages.port)
            p = subprocess.run(["node", os.path.join(HERE, "widget.test.js")] + sys.argv[1:2], cwd=HERE, env=env,
                               capture_output=True, text=True, timeout=480)
            sys.stdout.write(p.stdout)
            sys.stdout.write(p.stderr[-3000:])
            self.assertEqual(p.returncode, 0, "browser scenarios failed (screenshots in %s)" % out)
            self.assertIn(" passed, 0 failed", p.stdout)
        finally:
            pages.close()
            H.shut_down(server, redis)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
