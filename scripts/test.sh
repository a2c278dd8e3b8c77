#!/usr/bin/env bash
# Installs what the tests need, builds everything and runs the whole suite (unit, fuzz-corpus replay,
# integration against the real binary with a private redis-server, OpenAPI lint, banned-function check), then the
# integration tests again with the service's clock pinned to dates chosen to be hard (see PINNED_DATES).
# --sanitize runs the same suite on an ASan+UBSan build (build-asan/), at today's date only.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh --test
dir=build-test
flags=(-DCMAKE_BUILD_TYPE=Debug)
sanitize=false
if [ "${1:-}" = "--sanitize" ]; then
  sanitize=true
  dir=build-asan
  flags+=(-DFD_SANITIZE=ON)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
fi
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
# Two tests at a time on this 2-core class of machine: with three, several servers starting at once (a Sentinel
# set among them) sometimes kept a fresh server's first answers past the deadlines the tests hold them to, and
# sanitized binaries run several times slower still.
jobs=2
ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 600
if ! $sanitize; then
  # "now" for the service and the tests (tests/it/clock.py): New York's and Vancouver's spring-forward day,
  # Sydney's fall-back day just after the repeated hour, a month end, and a year end (already next year in Sydney).
  PINNED_DATES=(2027-03-14T06:55:00Z 2027-04-03T16:30:00Z 2027-02-28T23:30:00Z 2027-12-31T13:30:00Z)
  for now in "${PINNED_DATES[@]}"; do
    echo "== integration tests with the clock pinned at $now"
    FD_IT_NOW="$now" ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 600 -L it
  done
fi
