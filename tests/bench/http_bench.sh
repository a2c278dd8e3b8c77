#!/usr/bin/env bash
# HTTP throughput of the real binary with wrk on loopback: /healthz, fetchAllStaff (warm catalog), a warm
# fetchAvailabilityNext7Days and a warm /voice/bestSlot (every practitioner's 30 days from the cache, scored),
# each for a few seconds, with a private redis-server. Prints req/s, latency and bestSlot's share of healthz.
# Usage: tests/bench/http_bench.sh [seconds]   (builds a Release binary in build-bench/; FRONTDESK_BIN=path runs
# that binary instead, to compare two builds)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-5}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
bin=${FRONTDESK_BIN:-}
if [ -z "$bin" ]; then
  cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DFD_TESTS=OFF >/dev/null
  cmake --build build-bench --target frontdesk -j"$(nproc)" >/dev/null
  bin=./build-bench/server/frontdesk
fi
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --daemonize yes \
  --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
digest=$(printf 'bench-key' | sha256sum | cut -d' ' -f1)
cat > "$dir/config.json" <<JSON
{"listen": {"address": "127.0.0.1", "port": $port}, "redis": "127.0.0.1:$rport", "log_level": "warn",
 "slot_secret": "bench-secret-0123456789",
 "tenants": [{"id": "bench", "api_key_sha256": "$digest", "locale": "en-AU", "country": "AU",
              "rate_limit": {"per_second": 1000000, "burst": 1000000}}]}
JSON
"$bin" --config "$dir/config.json" 2>"$dir/frontdesk.log" &
fd_pid=$!
cleanup() { kill "$fd_pid" 2>/dev/null || true; kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; [ -n "${BENCH_DEBUG:-}" ] || rm -rf "$dir"; }
trap cleanup EXIT
[ -n "${BENCH_DEBUG:-}" ] && echo "dir $dir"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "frontdesk did not start:"; cat "$dir/frontdesk.log"; exit 1; }
post() {
  cat > "$dir/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$1'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-api-key"] = "bench-key"
LUA
}
run() {
  local name=$1 url=$2; shift 2
  wrk -t2 -c64 -d1s "$@" "$url" >/dev/null 2>&1   # warm-up (fills caches)
  local out; out=$(wrk -t2 -c64 -d"${secs}s" --latency "$@" "$url")
  last_rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  printf '%-36s %10s req/s   p50 %-9s p99 %-9s non-2xx %s\n' "$name" \
    "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" "$(echo "$out" | awk '$1=="50%" {print $2}')" \
    "$(echo "$out" | awk '$1=="99%" {print $2}')" "$(echo "$out" | awk '/Non-2xx/ {print $5}' | grep . || echo 0)"
}
echo "frontdesk Release, 2 workers, wrk -t2 -c64 -d${secs}s on this machine (client and server share the cores)"
run "GET /healthz" "http://127.0.0.1:$port/healthz"
healthz_rps=$last_rps
post '{}'
run "POST fetchAllStaff (warm)" "http://127.0.0.1:$port/ai_brain/fetchAllStaff" -s "$dir/post.lua"
post '{"staff_member_id":"pr-sam-nguyen","treatment_id":"tx-followup-physio"}'
run "POST fetchAvailabilityNext7Days (warm)" "http://127.0.0.1:$port/ai_brain/fetchAvailabilityNext7Days" -s "$dir/post.lua"
awk -v b="$last_rps" -v h="$healthz_rps" \
  'BEGIN { printf "fetchAvailabilityNext7Days / healthz throughput: %.3f\n", b / h }'
cat > "$dir/get.lua" <<LUA
wrk.headers["x-api-key"] = "bench-key"
LUA
run "GET /voice/bestSlot (warm)" \
  "http://127.0.0.1:$port/voice/bestSlot?treatment_name=follow+up+physio&time_zone=Sydney+time&part_of_day=afternoon" \
  -s "$dir/get.lua"
awk -v b="$last_rps" -v h="$healthz_rps" 'BEGIN { printf "bestSlot / healthz throughput: %.3f\n", b / h }'
