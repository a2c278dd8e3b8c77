#!/usr/bin/env python3
"""tests/conformance/conformance.py: the same caller-visible scenarios against every provider, through the real
binary over HTTP, each provider against its fake EMR (tests/fakes/) and a private redis-server.

    python3 tests/conformance/conformance.py                    # every profile: the table scenario x provider
    python3 tests/conformance/conformance.py --provider cliniko # one column
    python3 tests/conformance/conformance.py --provider cliniko --only hold_then_book,cancel

A profile is tests/conformance/profiles/<provider>.py defining PROFILE (a profiles.base.Profile subclass); the
scenarios are tests/conformance/scenarios.py. Each cell is pass, FAIL (with the reason below the table) or n/a (the
provider has no such thing, e.g. the sandbox has no network to fail). Exit status 1 when any cell is FAIL.
How to add a provider: tests/conformance/README.md.
"""

import argparse
import glob
import importlib
import os
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "it"))
import harness as H  # noqa: E402
import scenarios as S  # noqa: E402
from run_context import RunContext  # noqa: E402

NOT_PROFILES = {"base", "__init__"}


def profile_names():
    """Every provider with a profile file, sorted (sandbox and cliniko first: the reference columns)."""
    names = [os.path.basename(p)[:-3] for p in glob.glob(os.path.join(HERE, "profiles", "*.py"))]
    names = [n for n in names if n not in NOT_PROFILES]
    return sorted(names, key=lambda n: (n not in ("sandbox", "cliniko"), n != "sandbox", n))


def load_profile(name):
    return importlib.import_module("profiles." + name).PROFILE()


def run_column(name, only=None, verbose=False):
    """Runs every scenario (or `only` those) for one provider: {scenario: (result, detail, seconds)}."""
    profile = load_profile(name)
    results = {}
    ctx = RunContext(profile, tempfile.mkdtemp(prefix="fd-conformance-%s-" % name))
    chosen = [s for s in S.SCENARIOS if only is None or s.name in only]
    try:
        ctx.start()
    except Exception:
        detail = traceback.format_exc(limit=3)
        ctx.close()
        return {s.name: ("FAIL", "the column could not start:\n" + detail, 0.0) for s in chosen}
    try:
        for s in chosen:  # preparations run first: a scenario may need time to pass without sleeping for it
            if s.prepare is not None:
                results[s.name] = outcome(ctx, s.prepare, verbose, "prepare " + s.name)
        for s in sorted(chosen, key=lambda s: s.late):
            if s.name in results and results[s.name][0] != "pass":
                continue
            results[s.name] = outcome(ctx, s.run, verbose, s.name)
            ctx.after_scenario()
    finally:
        problem = ctx.close()
    if problem:
        results["shutdown"] = ("FAIL", problem, 0.0)
    return results


def outcome(ctx, fn, verbose, label):
    t0 = time.monotonic()
    try:
        fn(ctx)
        result, detail = "pass", ""
    except S.NotApplicable as e:
        result, detail = "n/a", str(e)
    except Exception as e:  # an assertion, or anything the scenario did not expect: both fail the cell
        result = "FAIL"
        detail = str(e) if isinstance(e, AssertionError) else traceback.format_exc(limit=4)
    took = time.monotonic() - t0
    if verbose:
        print("  %-24s %-5s %5.1fs %s" % (label, result, took, detail.splitlines()[0] if detail else ""), flush=True)
    return result, detail, took


def print_table(columns):
    names = list(columns)
    rows = [s.name for s in S.SCENARIOS] + (["shutdown"] if any("shutdown" in c for c in columns.values()) else [])
    width = max(len(r) for r in rows) + 2
    print("%-*s%s" % (width, "scenario", "".join("%-14s" % n for n in names)))
    for r in rows:
        cells = [columns[n].get(r, ("-", "", 0.0))[0] for n in names]
        print("%-*s%s" % (width, r, "".join("%-14s" % c for c in cells)))
    print("%-*s%s" % (width, "seconds", "".join("%-14.1f" % sum(v[2] for v in columns[n].values()) for n in names)))
    for n in names:
        for r in rows:
            result, detail, _ = columns[n].get(r, ("-", "", 0.0))
            if result == "FAIL" or (result == "n/a" and detail):
                print("\n[%s] %s %s: %s" % (n, r, result, detail.strip()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--provider", help="one provider (a file name in profiles/); default: every profile")
    ap.add_argument("--only", help="comma-separated scenario names")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each scenario as it ends")
    args = ap.parse_args()
    H.require_bin()
    names = [args.provider] if args.provider else profile_names()
    only = set(args.only.split(",")) if args.only else None
    if only and only - {s.name for s in S.SCENARIOS}:
        ap.error("unknown scenarios: %s" % ", ".join(sorted(only - {s.name for s in S.SCENARIOS})))
    columns = {}
    for n in names:
        if args.verbose:
            print("%s:" % n, flush=True)
        columns[n] = run_column(n, only, args.verbose)
    print_table(columns)
    return 1 if any(v[0] == "FAIL" for c in columns.values() for v in c.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
