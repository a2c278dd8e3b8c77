#!/usr/bin/env bash
# tests/bench/voice_bench.sh: GET /healthz and a warm GET /voice/bestSlot in one run, with wrk on loopback against a
# Release frontdesk (build-bench/) and a private redis-server: req/s and p99 of each, and bestSlot / healthz.
# bestSlot runs twice: the same question every time (what agents retrying and callers asking alike look like; the
# worker's answer cache serves it while nothing changed), and a new question every request (a requested time
# stepping through the month, minute by minute), which computes every answer from the read cache. The same question
# also comes as a Vapi tool call (POST /agents/vapi), to show what the envelope and the tool call cost.
# Usage: tests/bench/voice_bench.sh [seconds per route, default 5]   Env: BENCH_DEBUG=1 keeps the temp dir.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-5}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install redis-server"; exit 1; }
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DFD_TESTS=OFF >/dev/null
cmake --build build-bench --target frontdesk -j"$(nproc)" >/dev/null
dir=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
rport=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --daemonize yes \
  --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
digest=$(printf 'voice-bench-key' | sha256sum | cut -d' ' -f1)
# The built-in demo clinic (Harbour & Pine, two locations, six practitioners); the availability TTL is raised so
# the run measures warm answers, not refills.
cat > "$dir/config.json" <<JSON
{"listen": {"address": "127.0.0.1", "port": $port}, "redis": "127.0.0.1:$rport", "log_level": "warn",
 "slot_secret": "voice-bench-secret-0123456789",
 "tenants": [{"id": "vbench", "api_key_sha256": "$digest", "locale": "en-AU", "country": "AU",
              "policy": {"availability_ttl_seconds": 3600},
              "rate_limit": {"per_second": 1000000, "burst": 1000000}}]}
JSON
./build-bench/server/frontdesk --config "$dir/config.json" 2>"$dir/frontdesk.log" &
fd_pid=$!
cleanup() {
  kill "$fd_pid" 2>/dev/null || true
  [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
  [ -n "${BENCH_DEBUG:-}" ] && echo "kept $dir" || rm -rf "$dir"
}
trap cleanup EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "frontdesk did not start:"; cat "$dir/frontdesk.log"; exit 1; }
printf 'wrk.headers["x-api-key"] = "voice-bench-key"\n' > "$dir/key.lua"
# A new question each request: requested_time_utc walks the next 30 days minute by minute (43,200 values, more
# than a run asks), and part_of_day turns with it.
cat > "$dir/new.lua" <<'LUA'
wrk.headers["x-api-key"] = "voice-bench-key"
local parts = {"morning", "afternoon", "evening", "any"}
local base = os.time() + 86400
local n = 0
request = function()
  n = n + 1
  local t = base + (n % 43200) * 60
  local q = "/voice/bestSlot?treatment_name=follow+up+physio&time_zone=Sydney+time&requested_time_utc=" ..
            os.date("!%Y-%m-%dT%H:%M:00Z", t)
  local part = parts[(n % 4) + 1]
  if part ~= "any" then q = q .. "&part_of_day=" .. part end
  return wrk.format("GET", q)
end
LUA
cat > "$dir/vapi.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer voice-bench-key"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"message":{"type":"tool-calls","toolCallList":[{"id":"call_bench","name":"best_slot",' ..
           '"arguments":{"treatment_name":"follow up physio","time_zone":"Sydney time","part_of_day":"afternoon"}}]}}'
LUA
best="http://127.0.0.1:$port/voice/bestSlot?treatment_name=follow+up+physio&time_zone=Sydney+time&part_of_day=afternoon"
code=$(curl -s -o "$dir/best.json" -w '%{http_code}' -H 'x-api-key: voice-bench-key' "$best")
[ "$code" = 200 ] || { echo "bestSlot answered $code:"; cat "$dir/best.json"; exit 1; }
echo "bestSlot says: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["message"])' "$dir/best.json")"
run() {  # name url [wrk args]: sets rps and p99
  local name=$1 url=$2; shift 2
  wrk -t2 -c64 -d1s "$@" "$url" >/dev/null 2>&1   # warm-up: caches, connections
  local out; out=$(wrk -t2 -c64 -d"${secs}s" --latency "$@" "$url")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  local errors; errors=$(echo "$out" | awk '/Non-2xx/ {print $5}'); errors=${errors:-0}
  printf '%-40s %10s req/s   p50 %-9s p99 %-9s non-2xx %s\n' "$name" "$rps" \
    "$(echo "$out" | awk '$1=="50%" {print $2}')" "$p99" "$errors"
}
echo "frontdesk Release, $(nproc) cores shared by wrk, frontdesk and redis; wrk -t2 -c64 -d${secs}s"
run "GET /healthz" "http://127.0.0.1:$port/healthz"
h_rps=$rps h_p99=$p99
run "GET /voice/bestSlot (same question)" "$best" -s "$dir/key.lua"
s_rps=$rps s_p99=$p99
run "POST /agents/vapi best_slot (same)" "http://127.0.0.1:$port/agents/vapi" -s "$dir/vapi.lua"
v_rps=$rps v_p99=$p99
run "GET /voice/bestSlot (new questions)" "http://127.0.0.1:$port/" -s "$dir/new.lua"
awk -v b="$s_rps" -v h="$h_rps" -v bp="$s_p99" -v hp="$h_p99" \
  'BEGIN { printf "bestSlot (same question) / healthz: throughput %.3f (p99 %s vs %s)\n", b / h, bp, hp }'
awk -v b="$rps" -v h="$h_rps" -v bp="$p99" -v hp="$h_p99" \
  'BEGIN { printf "bestSlot (new questions) / healthz: throughput %.3f (p99 %s vs %s)\n", b / h, bp, hp }'
awk -v b="$v_rps" -v h="$h_rps" -v bp="$v_p99" -v hp="$h_p99" \
  'BEGIN { printf "Vapi best_slot (same question) / healthz: throughput %.3f (p99 %s vs %s)\n", b / h, bp, hp }'
