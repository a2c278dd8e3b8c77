#!/usr/bin/env bash
# Builds frontdesk and runs it on the built-in sandbox clinic with a private redis-server; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFD_TESTS=OFF >/dev/null
cmake --build build --target frontdesk -j"$(nproc)"
mkdir -p run
# An append-only file in run/: a restart keeps the bookings (README: Redis and durability).
redis-server --port 6390 --bind 127.0.0.1 --save '' --appendonly yes --appendfsync everysec --dir "$PWD/run" \
  --daemonize no --logfile "$PWD/run/redis.log" &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do redis-cli -p 6390 ping >/dev/null 2>&1 && break; sleep 0.1; done
cat <<MSG

  Frontdesk is starting on the sandbox clinic: http://127.0.0.1:8080
  Demo API key: demo-key-frontdesk-sandbox
  Try:  curl -H 'x-api-key: demo-key-frontdesk-sandbox' -X POST http://127.0.0.1:8080/ai_brain/fetchAllStaff -d '{}'
  Booking widget demo page: http://127.0.0.1:8080/widget/demo

MSG
./build/server/frontdesk --config config/demo.json
