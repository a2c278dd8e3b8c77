#!/usr/bin/env python3
"""tests/lint/layers_check_selftest.py: scripts/check-layers.py on small trees built here: it passes a clean
tree and fails, naming the file, the line and the rule, on an upward include, on store/ used from server/ and
on a three-file include cycle. Python 3 standard library only."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "check-layers.py")

# A tree every arrow of which runs one way down: server -> voice -> booking -> providers -> core -> tz, store/
# under booking and providers, foo.c with its own foo.h (one node, not a cycle), relative and third-party includes.
CLEAN = {
    "server/routes.c": ['#include "server/routes.h"', '#include "voice/best.h"', '#include "core/model.h"'],
    "server/routes.h": [],
    "voice/best.c": ['#include "voice/best.h"', '#include "booking/holds.h"'],
    "voice/best.h": ['#include "core/model.h"'],
    "booking/holds.c": ['#include "booking/holds.h"', '#include "providers/provider.h"', '#include "store/store.h"'],
    "booking/holds.h": [],
    "booking/policy.h": [],
    "providers/provider.h": ['#include "core/model.h"', '#include "store/store.h"'],
    "providers/sandbox/clinic.c": ['#include "clinic.h"', '#include "../provider.h"'],
    "providers/sandbox/clinic.h": [],
    "core/model.c": ['#include "core/model.h"', '#include "tz/tz.h"', '#include <json.h>', '#include "h2o.h"'],
    "core/model.h": [],
    "store/store.c": ['#include "store/store.h"'],
    "store/store.h": [],
    "tz/tz.c": ['#include "tz/tz.h"'],
    "tz/tz.h": [],
}


def build(tree, extra):
    """A temporary directory (removed at exit) holding the clean tree with `extra` files added or replaced."""
    root = tempfile.mkdtemp(prefix="layers-")
    TREES.append(root)
    for rel, includes in {**tree, **extra}.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write("/* " + rel + " */\n" + "".join(line + "\n" for line in includes))
    return root


TREES = []


def run(root):
    p = subprocess.run([sys.executable, SCRIPT, root], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout


class LayersCheck(unittest.TestCase):
    def test_clean_tree_passes(self):
        code, out = run(build(CLEAN, {}))
        self.assertEqual(code, 0, out)
        self.assertIn("no violations", out)

    def test_upward_include_fails(self):
        code, out = run(build(CLEAN, {"core/model.c": ['#include "core/model.h"', '#include "booking/policy.h"']}))
        self.assertEqual(code, 1, out)
        lines = out.splitlines()
        self.assertEqual(len(lines), 1, out)
        self.assertTrue(lines[0].startswith("core/model.c:3: core/ may not include booking/"), out)
        self.assertIn("core/ may include only core/, tz/", out)

    def test_tz_includes_nothing_of_ours(self):
        code, out = run(build(CLEAN, {"tz/tz.c": ['#include "tz/tz.h"', '#include "core/model.h"']}))
        self.assertEqual(code, 1, out)
        self.assertIn("tz/tz.c:3: tz/ may not include core/", out)

    def test_store_from_server_fails(self):
        code, out = run(build(CLEAN, {"server/routes.h": ['#include "store/store.h"']}))
        self.assertEqual(code, 1, out)
        self.assertIn("server/routes.h:2: server/ may not include store/", out)
        self.assertNotIn("may include only booking/, core/, providers/, server/, store/", out)

    def test_three_file_cycle_fails(self):
        code, out = run(
            build(
                CLEAN,
                {
                    "booking/a.c": ['#include "booking/a.h"', '#include "booking/b.h"'],
                    "booking/a.h": [],
                    "booking/b.h": ['#include "booking/c.h"'],
                    "booking/c.c": ['#include "booking/c.h"', '#include "booking/a.h"'],
                    "booking/c.h": [],
                },
            )
        )
        self.assertEqual(code, 1, out)
        lines = out.splitlines()
        self.assertEqual(len(lines), 1, out)
        self.assertIn("include cycle between 3 files (booking/a, booking/b, booking/c)", lines[0])
        self.assertIn("booking/a -> booking/b -> booking/c -> booking/a", lines[0])
        self.assertTrue(lines[0].startswith("booking/a.c:3: "), out)


if __name__ == "__main__":
    try:
        unittest.main()
    finally:
        for root in TREES:
            shutil.rmtree(root, ignore_errors=True)
