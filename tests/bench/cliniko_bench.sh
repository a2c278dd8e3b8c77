#!/usr/bin/env bash
# tests/bench/cliniko_bench.sh: availability reads of a Cliniko tenant, measured with wrk against a Release build
# (build-bench) whose provider points at tests/fakes/fake_cliniko.py answering at once, beside /healthz in the
# same run. Prints figures only (no assertions).
#
#   healthz          GET /healthz: the floor of the HTTP stack.
#   warm             fetchAvailabilityNext7Days with the same body every time: after one priming request every
#                    day comes from the Redis cache (catalog and availability), nothing goes to Cliniko.
#   cold             fetchAvailabilityForRange, one hour on one day, where request n asks practitioner n mod N on
#                    day 1 + (n div N) mod 28 (N = the seeded practitioners): a (practitioner, day) not asked
#                    before, so each request misses the availability cache and costs one available_times call to
#                    the fake (the catalog stays cached). The script counts those calls to show every request
#                    missed. Bounded by the single-threaded-per-request Python fake, whose own figure for the
#                    same call is printed as "fake alone".
#
# Usage: tests/bench/cliniko_bench.sh [seconds per run, default 5]   (BENCH_DEBUG=1 keeps the temp dir)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-5}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install redis-server"; exit 1; }
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DFD_TESTS=OFF >/dev/null
cmake --build build-bench --target frontdesk -j"$(nproc)" >/dev/null
bin=${FRONTDESK_BIN:-build-bench/server/frontdesk}

dir=$(mktemp -d)
fake_pid="" fd_pid=""
cleanup() {
  [ -n "$fd_pid" ] && kill "$fd_pid" 2>/dev/null || true
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null || true
  [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
  if [ -n "${BENCH_DEBUG:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); rport=$(free_port)
clinic_key=bench-clinic-key-au1
python3 tests/fakes/fake_cliniko.py --port 0 --api-key "$clinic_key" > "$dir/fake.out" 2>"$dir/fake.err" &
fake_pid=$!
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --daemonize yes \
  --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
for _ in $(seq 100); do grep -q ready "$dir/fake.out" && break; sleep 0.1; done
fake_url="http://127.0.0.1:$(awk '{print $2}' "$dir/fake.out")"
digest=$(printf 'bench-tenant-key' | sha256sum | cut -d' ' -f1)
cat > "$dir/config.json" <<JSON
{"listen": {"address": "127.0.0.1", "port": $port}, "redis": "127.0.0.1:$rport", "log_level": "warn",
 "workers": 2, "slot_secret": "bench-secret-0123456789",
 "tenants": [{"id": "bench", "api_key_sha256": "$digest", "provider": "cliniko", "country": "US",
              "provider_settings": {"api_key": "$clinic_key", "base_url": "$fake_url/v1",
                                    "rate_limit_per_minute": 100000, "max_in_flight": 64},
              "policy": {"min_notice_minutes": 0, "availability_ttl_seconds": 3600, "catalog_ttl_seconds": 3600},
              "rate_limit": {"per_second": 1000000, "burst": 1000000}}]}
JSON
curl -sf -X POST "$fake_url/__control" -d "{\"seed_practitioners\": ${BENCH_PRACTITIONERS:-3000}}" >/dev/null
"$bin" --config "$dir/config.json" 2>"$dir/frontdesk.log" &
fd_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
post() { curl -s -H 'x-api-key: bench-tenant-key' -X POST "http://127.0.0.1:$port/ai_brain/$1" -d "$2"; }

# The catalog (3,000+ practitioners with ids above 2^53, fetched once and cached) gives the cold run its ids.
post fetchAllStaff '{}' | python3 -c '
import datetime as dt, json, sys
staff = [s for s in json.load(sys.stdin)["staff"] if s["ai_enabled"] and s["treatment_ids"]]
common = sorted(set.intersection(*[set(s["treatment_ids"]) for s in staff]))
print("ids = {" + ",".join("\"%s\"" % s["id"] for s in staff) + "}")
print("treatment = \"%s\"" % common[0])
day0 = dt.datetime.now(dt.timezone.utc).replace(hour=15, minute=0, second=0, microsecond=0)
fmt = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
print("starts = {" + ",".join("\"%s\"" % fmt(day0 + dt.timedelta(days=d)) for d in range(1, 29)) + "}")
print("ends = {" + ",".join("\"%s\"" % fmt(day0 + dt.timedelta(days=d, hours=1)) for d in range(1, 29)) + "}")
' > "$dir/ids.lua"
treatment=$(awk -F'"' '/^treatment/ {print $2}' "$dir/ids.lua")
first=$(awk -F'"' '/^ids/ {print $2}' "$dir/ids.lua")
nstaff=$(grep -o '"[0-9]*"' <(grep '^ids' "$dir/ids.lua") | wc -l)
business=$(post fetchAllLocations '{}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["locations"][0]["id"])')
body="{\"staff_member_id\":\"$first\",\"treatment_id\":\"$treatment\"}"

cat > "$dir/warm.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["x-api-key"] = "bench-tenant-key"
wrk.headers["Content-Type"] = "application/json"
LUA
cat "$dir/ids.lua" > "$dir/cold.lua"
cat >> "$dir/cold.lua" <<'LUA'
-- setup() runs in the main Lua state and sets each thread's global thread_no (0, 1, ...); it must stay a global:
-- a `local thread_no` here would shadow it, every thread would send the same sequence and half would hit.
local counter = 0
local threads = 0
local next_thread = 0
setup = function(thread) thread:set("thread_no", next_thread); next_thread = next_thread + 1 end
init = function(args) threads = tonumber(args[1]) or 2 end
-- Request n asks practitioner n mod N for one hour on day 1 + (n div N) mod 28: a (practitioner, day) never
-- asked before (for the first N * 28 requests), so each one misses the cache.
request = function()
  local n = counter * threads + thread_no
  counter = counter + 1
  local id = ids[(n % #ids) + 1]
  local day = (math.floor(n / #ids) % #starts) + 1
  return wrk.format("POST", nil, {["x-api-key"] = "bench-tenant-key", ["Content-Type"] = "application/json"},
                    '{"staff_member_id":"' .. id .. '","treatment_id":"' .. treatment .. '","start_at":"' ..
                    starts[day] .. '","end_at":"' .. ends[day] .. '"}')
end
LUA
auth=$(printf '%s:' "$clinic_key" | base64 -w0)
today=$(TZ=America/New_York date +%F); week=$(TZ=America/New_York date -d '+6 days' +%F)
cat > "$dir/fake.lua" <<LUA
wrk.headers["Authorization"] = "Basic $auth"
wrk.headers["User-Agent"] = "bench"
LUA

available_times_calls() {
  curl -s "$fake_url/__stats" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(n for k,n in d["requests"].items() if k.endswith("available_times")))'
}
run() {
  local name=$1; shift
  local out; out=$(wrk "$@")
  local reqs; reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  printf '%-46s %9s req/s  p50 %-9s p99 %-9s requests %-7s non-2xx %s\n' "$name" \
    "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" "$(echo "$out" | awk '$1=="50%" {print $2}')" \
    "$(echo "$out" | awk '$1=="99%" {print $2}')" "$reqs" \
    "$(echo "$out" | awk '/Non-2xx/ {print $5}' | grep . || echo 0)"
  last_requests=$reqs
}

echo "frontdesk Release ($bin), 2 workers; Cliniko tenant on fake_cliniko.py (answers at once, $nstaff bookable"
echo "practitioners); redis-server; wrk; all on this $(nproc)-core machine; ${secs} s per run"
run "GET /healthz (c64)" -t2 -c64 -d"${secs}s" --latency "http://127.0.0.1:$port/healthz"
post fetchAvailabilityNext7Days "$body" >/dev/null   # prime: the warm run reads only the cache
before=$(available_times_calls)
run "warm fetchAvailabilityNext7Days (c64)" -t2 -c64 -d"${secs}s" --latency -s "$dir/warm.lua" \
  "http://127.0.0.1:$port/ai_brain/fetchAvailabilityNext7Days"
echo "    warm run: $(( $(available_times_calls) - before )) available_times calls reached the fake (0 = all cached)"
before=$(available_times_calls)
run "cold fetchAvailabilityForRange 1 h (c16)" -t2 -c16 -d"${secs}s" --latency -s "$dir/cold.lua" \
  "http://127.0.0.1:$port/ai_brain/fetchAvailabilityForRange" -- 2
calls=$(( $(available_times_calls) - before ))
if [ "$calls" -ge "$last_requests" ]; then verdict="every request missed the cache"; else verdict="$(( last_requests - calls )) requests hit the cache"; fi
echo "    cold run: $calls available_times calls for $last_requests requests: $verdict"
echo "    (cold = a (practitioner, day) not read before; the catalog is cached; one upstream call each)"
run "fake alone: GET available_times (c16)" -t2 -c16 -d"${secs}s" --latency -s "$dir/fake.lua" \
  "$fake_url/v1/businesses/$business/practitioners/$first/appointment_types/$treatment/available_times?from=$today&to=$week&per_page=100"
