#!/usr/bin/env bash
# Availability reads of a Cliniko tenant with wrk, against tests/fakes/fake_cliniko.py answering at once, beside
# /healthz in the same run: warm (the same request: every day comes from the Redis cache) and cold (each request
# asks a (practitioner, day) not asked before, so it misses the cache and costs one available_times call). The cold figure is bounded by the Python fake, not by frontdesk. Prints figures only.
# Usage: tests/bench/cliniko_bench.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-5}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DFD_TESTS=OFF >/dev/null
cmake --build build-bench --target frontdesk -j"$(nproc)" >/dev/null
dir=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); rport=$(free_port)
python3 tests/fakes/fake_cliniko.py --port 0 --api-key bench-key-au1 > "$dir/fake.out" 2>/dev/null &
fake_pid=$!
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --daemonize yes \
  --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
for _ in $(seq 50); do grep -q ready "$dir/fake.out" && break; sleep 0.1; done
fake_url="http://127.0.0.1:$(awk '{print $2}' "$dir/fake.out")"
digest=$(printf 'bench-tenant-key' | sha256sum | cut -d' ' -f1)
cat > "$dir/config.json" <<JSON
{"listen": {"address": "127.0.0.1", "port": $port}, "redis": "127.0.0.1:$rport", "log_level": "warn",
 "slot_secret": "bench-secret-0123456789",
 "tenants": [{"id": "bench", "api_key_sha256": "$digest", "provider": "cliniko", "country": "US",
              "provider_settings": {"api_key": "bench-key-au1", "base_url": "$fake_url/v1",
                                    "rate_limit_per_minute": 100000, "max_in_flight": 64},
              "policy": {"min_notice_minutes": 0, "availability_ttl_seconds": 3600},
              "rate_limit": {"per_second": 100000, "burst": 100000}}]}
JSON
curl -s -X POST "$fake_url/__control" -d '{"seed_practitioners": 3000}' >/dev/null
./build-bench/server/frontdesk --config "$dir/config.json" 2>"$dir/frontdesk.log" &
fd_pid=$!
cleanup() {
  kill "$fd_pid" "$fake_pid" 2>/dev/null || true
  kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
  [ -n "${BENCH_DEBUG:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
[ -n "${BENCH_DEBUG:-}" ] && echo "dir $dir"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
post() { curl -s -H 'x-api-key: bench-tenant-key' -X POST "http://127.0.0.1:$port/ai_brain/$1" -d "$2"; }
# Everything the cold run needs: the practitioners (ids above 2^53) offering the first type at the first business.
post fetchAllStaff '{}' | python3 -c '
import json, sys
staff = [s for s in json.load(sys.stdin)["staff"] if s["ai_enabled"] and s["treatment_ids"]]
print("ids = {" + ",".join("\"%s\"" % s["id"] for s in staff) + "}")
print("treatment = \"%s\"" % sorted(set.intersection(*[set(s["treatment_ids"]) for s in staff]))[0])
import datetime as dt
day0 = dt.datetime.now(dt.timezone.utc).replace(hour=15, minute=0, second=0, microsecond=0)
hours = [(day0 + dt.timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%SZ") for d in range(1, 29)]
ends = [(day0 + dt.timedelta(days=d, hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ") for d in range(1, 29)]
print("starts = {" + ",".join("\"%s\"" % h for h in hours) + "}")
print("ends = {" + ",".join("\"%s\"" % h for h in ends) + "}")
' > "$dir/ids.lua"
treatment=$(awk -F'"' '/^treatment/ {print $2}' "$dir/ids.lua")
first=$(awk -F'"' '/^ids/ {print $2}' "$dir/ids.lua")
body="{\"staff_member_id\":\"$first\",\"treatment_id\":\"$treatment\"}"
cat > "$dir/warm.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["x-api-key"] = "bench-tenant-key"
LUA
cat "$dir/ids.lua" > "$dir/cold.lua"
cat >> "$dir/cold.lua" <<'LUA'
local counter = 0
local thread_no = 0
setup = function(thread) thread:set("thread_no", thread_no); thread_no = thread_no + 1 end
-- Request n asks practitioner n mod N for one hour on day 1 + (n div N) mod 28: a (practitioner, local date)
-- never asked before, so each one misses the cache and costs one available_times call.
request = function()
  local n = counter * 2 + thread_no
  counter = counter + 1
  local id = ids[(n % #ids) + 1]
  local day = (math.floor(n / #ids) % #starts) + 1
  return wrk.format("POST", nil, {["x-api-key"] = "bench-tenant-key"},
                    '{"staff_member_id":"' .. id .. '","treatment_id":"' .. treatment .. '","start_at":"' ..
                    starts[day] .. '","end_at":"' .. ends[day] .. '"}')
end
LUA
run() {
  local name=$1; shift
  local out; out=$(wrk "$@")
  printf '%-44s %10s req/s   p50 %-9s p99 %-9s non-2xx %s\n' "$name" \
    "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" "$(echo "$out" | awk '$1=="50%" {print $2}')" \
    "$(echo "$out" | awk '$1=="99%" {print $2}')" "$(echo "$out" | awk '/Non-2xx/ {print $5}' | grep . || echo 0)"
}
echo "frontdesk Release, 2 workers, Cliniko tenant on a fake Cliniko (Python, answers at once); same machine"
run "GET /healthz" -t2 -c64 -d"${secs}s" --latency "http://127.0.0.1:$port/healthz"
post fetchAvailabilityNext7Days "$body" >/dev/null
run "fetchAvailabilityNext7Days warm (cached)" -t2 -c64 -d"${secs}s" --latency -s "$dir/warm.lua" \
  "http://127.0.0.1:$port/ai_brain/fetchAvailabilityNext7Days"
calls_before=$(curl -s "$fake_url/__stats" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(n for k,n in d["requests"].items() if k.endswith("available_times")))')
run "fetchAvailabilityForRange cold (1 h, misses)" -t2 -c16 -d"${secs}s" --latency -s "$dir/cold.lua" \
  "http://127.0.0.1:$port/ai_brain/fetchAvailabilityForRange"
calls_after=$(curl -s "$fake_url/__stats" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(n for k,n in d["requests"].items() if k.endswith("available_times")))')
echo "cold run: $((calls_after - calls_before)) available_times calls reached the fake"
