#!/usr/bin/env python3
"""tests/it/test_dashboard_metrics.py: the lint of docker/'s monitoring files against what GET /metrics really
exposes. Starts the real binary on docker/config.json (its addresses moved to free loopback ports) and scrapes it;
then every frontdesk_ metric named by the Grafana dashboard (docker/grafana/dashboards/frontdesk.json) and by the
Prometheus rules (docker/prometheus-rules.yml) must be one the scrape describes, every family must be on the
dashboard, and the dashboard's panels must use the provisioned data source. No Docker needed."""

import json
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness as H  # noqa: E402
import prom_text  # noqa: E402

DOCKER = os.path.join(H.SOURCE_DIR, "docker")
NAME = re.compile(r"\bfrontdesk_[a-z0-9_]+\b")
REDIS = SERVER = None
EXPOSED = None


def setUpModule():
    global REDIS, SERVER, EXPOSED
    with open(os.path.join(DOCKER, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    metrics_port = H.free_port()
    config.pop("listen")
    config.pop("redis")
    config["metrics"]["listen"] = "127.0.0.1:%d" % metrics_port
    REDIS = H.Redis(aof=False).start()
    SERVER = H.Frontdesk(config, REDIS).start()
    r = H.request(metrics_port, "GET", "/metrics")
    assert r.status == 200, r
    e = prom_text.parse(r.body.decode())
    EXPOSED = {"families": e.families(), "names": set()}  # the names a query can select: a histogram's have suffixes
    for family, kind in e.types.items():
        EXPOSED["names"] |= {family + s for s in ("_bucket", "_sum", "_count")} if kind == "histogram" else {family}


def tearDownModule():
    H.shut_down(SERVER, REDIS)


def dashboard():
    with open(os.path.join(DOCKER, "grafana", "dashboards", "frontdesk.json"), encoding="utf-8") as f:
        return json.load(f)


def dashboard_exprs():
    out = []
    for panel in dashboard()["panels"]:
        for target in panel.get("targets", []):
            out.append((panel["title"], target["expr"]))
    return out


def rule_exprs():
    """The expr of every rule: one line each (the file's own rule)."""
    out = []
    with open(os.path.join(DOCKER, "prometheus-rules.yml"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = re.match(r"\s+expr:\s*(.+)$", line)
            if m:
                out.append(("prometheus-rules.yml:%d" % n, m.group(1)))
    return out


class Lint(unittest.TestCase):
    def test_every_metric_named_is_exposed(self):
        exprs = dashboard_exprs() + rule_exprs()
        self.assertGreater(len(exprs), 10)
        for where, expr in exprs:
            for name in NAME.findall(expr):
                self.assertIn(name, EXPOSED["names"], "%s names %s, which /metrics does not expose" % (where, name))

    def test_every_family_is_on_the_dashboard(self):
        used = {n for _, e in dashboard_exprs() for n in NAME.findall(e)}
        for family in EXPOSED["families"]:
            sample_names = {family, family + "_bucket", family + "_count", family + "_sum"}
            self.assertTrue(used & sample_names, "%s is on no panel" % family)

    def test_panels_use_the_provisioned_data_source(self):
        with open(os.path.join(DOCKER, "grafana", "provisioning", "datasources", "prometheus.yml"),
                  encoding="utf-8") as f:
            uid = re.search(r"^\s+uid:\s*(\S+)\s*$", f.read(), re.M).group(1)
        ids = set()
        for panel in dashboard()["panels"]:
            self.assertNotIn(panel["id"], ids, "panel ids are unique")
            ids.add(panel["id"])
            if panel["type"] != "row":
                self.assertEqual(panel["datasource"]["uid"], uid, panel["title"])
                self.assertTrue(panel["targets"], panel["title"])

    def test_prometheus_scrapes_the_metrics_address(self):
        with open(os.path.join(DOCKER, "prometheus.yml"), encoding="utf-8") as f:
            text = f.read()
        with open(os.path.join(DOCKER, "config.json"), encoding="utf-8") as f:
            port = json.load(f)["metrics"]["listen"].rsplit(":", 1)[1]
        self.assertIn('targets: ["frontdesk:%s"]' % port, text)
        self.assertIn("rules.yml", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
