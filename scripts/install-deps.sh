#!/usr/bin/env bash
# Installs (as root, with apt) what building, running and testing frontdesk needs on Debian 12; skips what is
# already there, so running it twice costs a second.
set -euo pipefail
packages=(build-essential cmake pkg-config git ca-certificates
          libh2o-dev libuv1-dev libcurl4-openssl-dev libjson-c-dev libhiredis-dev libicu-dev libssl-dev
          redis-server redis-tools tzdata)
if [ "${1:-}" = "--test" ]; then
  # redis-sentinel: the Sentinel failover test (tests/it/test_sentinel_failover.py).
  packages+=(libcmocka-dev python3 python3-jsonschema curl redis-sentinel)
  # The booking widget's browser tests (tests/browser) drive Debian's Chromium headless with puppeteer-core.
  packages+=(chromium)
  # The OpenAPI lint runs on Node.js; a machine that already has node and npm (any source) keeps them.
  command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
