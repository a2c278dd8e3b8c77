#!/usr/bin/env bash
# tests/bench/all.sh: every speed and memory figure of the README's speed section in one run. Builds the Release
# binary (build-bench/) and the RelWithDebInfo one callgrind reads (build-rel/), then runs each benchmark; each
# starts its own redis-server and frontdesk on free ports and prints its figures as ratios to GET /healthz on
# the same server in the same run. Figures only: nothing is asserted.
#   warm and computed /voice/bestSlot ........ voice_bench.sh
#   instructions per request (callgrind) .... instructions_bench.py (needs valgrind)
#   the 20 x 90 workload, wall clock + RSS .. sandbox_avail_bench.py
#   1,000 tenants: start, cold burst, RSS; one tenant cold ... tenants_bench.py
#   bookings, contended losers, Redis cost .. bookings_bench.py
#   each EMR against its fake (+50 ms) ...... emr_bench.py --provider P
# Usage: tests/bench/all.sh [--quick]   (--quick skips callgrind, the slowest part)
set -euo pipefail
cd "$(dirname "$0")/../.."
quick=false
[ "${1:-}" = "--quick" ] && quick=true
for tool in wrk redis-server python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install wrk redis-server python3"; exit 1; }
done
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DFD_TESTS=OFF >/dev/null
cmake --build build-bench --target frontdesk -j"$(nproc)" >/dev/null
section() { printf '\n== %s\n' "$1"; }
section "warm and computed /voice/bestSlot (voice_bench.sh)"
tests/bench/voice_bench.sh 5
if ! $quick && command -v valgrind >/dev/null; then
  cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFD_TESTS=OFF >/dev/null
  cmake --build build-rel --target frontdesk -j"$(nproc)" >/dev/null
  section "instructions per request under callgrind (instructions_bench.py)"
  python3 tests/bench/instructions_bench.py --bin build-rel/server/frontdesk
fi
section "20 practitioners x 90 days (sandbox_avail_bench.py)"
python3 tests/bench/sandbox_avail_bench.py --bin build-bench/server/frontdesk
section "1,000 sandbox tenants (tenants_bench.py)"
python3 tests/bench/tenants_bench.py --bin build-bench/server/frontdesk
section "bookings (bookings_bench.py)"
python3 tests/bench/bookings_bench.py --bin build-bench/server/frontdesk
for provider in cliniko nookal halaxy practicebetter; do
  section "$provider against its fake EMR (emr_bench.py)"
  FRONTDESK_BIN=build-bench/server/frontdesk python3 tests/bench/emr_bench.py --provider "$provider"
done
