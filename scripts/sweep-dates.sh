#!/usr/bin/env bash
# Runs the integration tests (ctest label `it`) with the clock pinned at N dates spread over the coming year
# (default 30), at a different hour of the day each time, and prints the dates on which anything failed.
# Needs a build: ./scripts/test.sh first (or BUILD=dir). Usage: scripts/sweep-dates.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-30}"
dir="${BUILD:-build-test}"
start=$(date -u +%s)
failed=()
for i in $(seq 0 $((n - 1))); do
  at=$((start + i * 365 * 86400 / n + i * 7919))  # ~12 days apart, and a different time of day each time
  now=$(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ)
  if FD_IT_NOW="$now" ctest --test-dir "$dir" -j2 --timeout 600 -L it --output-on-failure >"/tmp/sweep-$now.log" 2>&1; then
    echo "pass $now"
  else
    echo "FAIL $now (log: /tmp/sweep-$now.log)"
    failed+=("$now")
  fi
done
echo "${#failed[@]} of $n dates failed${failed:+: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
