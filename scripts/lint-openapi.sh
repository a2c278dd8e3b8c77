#!/usr/bin/env bash
# Lints openapi/openapi.yaml and openapi/emr-bridge.yaml (the contract EMR bridges implement) with a pinned
# @redocly/cli (rules in redocly.yaml at the repo root).
# The CLI is installed once into .tools/redocly (git-ignored) with npm; later runs reuse it offline.
set -euo pipefail
cd "$(dirname "$0")/.."
# 1.34.5 runs on Debian 12's own Node.js 18 as well as on Node 20 (2.x needs Node >= 20.19).
REDOCLY_VERSION=1.34.5
prefix=.tools/redocly
bin="$prefix/node_modules/.bin/redocly"
installed=""
if [ -f "$prefix/node_modules/@redocly/cli/package.json" ]; then
  installed=$(node -p "require('./$prefix/node_modules/@redocly/cli/package.json').version" 2>/dev/null || true)
fi
if [ "$installed" != "$REDOCLY_VERSION" ] || [ ! -x "$bin" ]; then
  command -v npm >/dev/null || { echo "lint-openapi: npm is required (apt-get install npm)" >&2; exit 1; }
  mkdir -p "$prefix"
  echo "lint-openapi: installing @redocly/cli@$REDOCLY_VERSION into $prefix" >&2
  npm install --prefix "$prefix" --no-audit --no-fund --save-exact --loglevel=error \
    "@redocly/cli@$REDOCLY_VERSION" >&2
fi
# No usage telemetry, no update checks: the lint runs the same offline and in CI.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
exec "$bin" lint --config redocly.yaml openapi/openapi.yaml openapi/emr-bridge.yaml "$@"
