#!/usr/bin/env bash
# Installs what the tests need, builds everything and runs the whole suite (unit, fuzz-corpus replay,
# integration against the real binary with a private redis-server, OpenAPI lint, banned-function check).
# --sanitize runs the same suite on an ASan+UBSan build (build-asan/).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh --test
dir=build-test
flags=(-DCMAKE_BUILD_TYPE=Debug)
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  flags+=(-DFD_SANITIZE=ON)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
fi
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
ctest --test-dir "$dir" --output-on-failure -j2 --timeout 600
