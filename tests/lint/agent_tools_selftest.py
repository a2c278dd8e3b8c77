#!/usr/bin/env python3
"""tests/lint/agent_tools_selftest.py: scripts/gen-agent-tools.py --check fails when openapi/openapi.yaml changes a
tool's parameter and docs/agents/ was not regenerated, passes again once it is; and scripts/yaml_subset.py reads
the YAML forms the contract is written in (block and flow collections over several lines, block scalars, quoted
and plain scalars, comments)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import yaml_subset as Y  # noqa: E402

SAMPLE = """\
# a comment
openapi: 3.1.0
info:
  title: 'It''s ours'   # trailing comment
  version: "1.0 #not a comment"
paths:
  /voice/x:
    get:
      description: |
        First line.

        Second paragraph.
      folded: >
        one
        two
      plain: a plain value
        continued here
      parameters:
        - {name: a, in: query, required: true, schema: {type: string, enum: [x, y]}, example: '0491 570 456'}
        - name: b
          in: query
        - $ref: '#/components/parameters/C'
      list: [one, two,
        three]
      '200': {message: I can't say "no", field: null, n: 3, f: 1.5, ok: false}
empty:
seq:
- 1
- -2
"""


class YamlSubset(unittest.TestCase):
    def test_forms(self):
        doc = Y.load(SAMPLE)
        self.assertEqual(doc["openapi"], "3.1.0")
        self.assertEqual(doc["info"], {"title": "It's ours", "version": "1.0 #not a comment"})
        get = doc["paths"]["/voice/x"]["get"]
        self.assertEqual(get["description"], "First line.\n\nSecond paragraph.\n")
        self.assertEqual(get["folded"], "one two\n")
        self.assertEqual(get["plain"], "a plain value continued here")
        self.assertEqual(get["parameters"][0], {"name": "a", "in": "query", "required": True,
                                                "schema": {"type": "string", "enum": ["x", "y"]},
                                                "example": "0491 570 456"})
        self.assertEqual(get["parameters"][1], {"name": "b", "in": "query"})
        self.assertEqual(get["parameters"][2], {"$ref": "#/components/parameters/C"})
        self.assertEqual(get["list"], ["one", "two", "three"])
        self.assertEqual(get["200"], {"message": "I can't say \"no\"", "field": None, "n": 3, "f": 1.5, "ok": False})
        self.assertIsNone(doc["empty"])
        self.assertEqual(doc["seq"], [1, -2])

    def test_refuses_anchors(self):
        with self.assertRaises(Y.YamlError):
            Y.load("a: &anchor 1\nb: *anchor\n")


class Drift(unittest.TestCase):
    def test_check_fails_when_the_contract_changes(self):
        tmp = tempfile.mkdtemp(prefix="agent-tools-")
        try:
            for part in ("scripts", "openapi", os.path.join("docs", "agents")):
                shutil.copytree(os.path.join(ROOT, part), os.path.join(tmp, part))
            os.makedirs(os.path.join(tmp, "server"))
            shutil.copy(os.path.join(ROOT, "server", "agent_tools.c"), os.path.join(tmp, "server"))
            gen = [sys.executable, os.path.join(tmp, "scripts", "gen-agent-tools.py")]
            self.assertEqual(subprocess.run(gen + ["--check"]).returncode, 0)
            contract = os.path.join(tmp, "openapi", "openapi.yaml")
            with open(contract, encoding="utf-8") as f:
                text = f.read()
            changed = text.replace("{name: part_of_day, in: query, required: false",
                                   "{name: part_of_day, in: query, required: true")
            self.assertNotEqual(changed, text, "the contract no longer names part_of_day as this test expects")
            with open(contract, "w", encoding="utf-8") as f:
                f.write(changed)
            run = subprocess.run(gen + ["--check"], capture_output=True, text=True)
            self.assertEqual(run.returncode, 1)
            self.assertIn("vapi-tools.json", run.stderr)
            self.assertEqual(subprocess.run(gen).returncode, 0)
            self.assertEqual(subprocess.run(gen + ["--check"]).returncode, 0)
            with open(os.path.join(tmp, "docs", "agents", "retell-functions.json"), encoding="utf-8") as f:
                best = next(t for t in json.load(f) if t["name"] == "best_slot")
            self.assertIn("part_of_day", best["parameters"]["required"])
        finally:
            shutil.rmtree(tmp)


if __name__ == "__main__":
    unittest.main(verbosity=2)
