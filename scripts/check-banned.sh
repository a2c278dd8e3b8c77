#!/usr/bin/env bash
# Fails when our C sources call a banned function (unbounded writes, unchecked parsing, TZ-dependent time).
set -euo pipefail
cd "$(dirname "$0")/.."
banned='sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|atoll|gmtime|localtime|mktime|asctime|ctime'
hits=$(grep -rnE "(^|[^A-Za-z0-9_])(${banned})[[:space:]]*\(" --include='*.c' --include='*.h' --exclude-dir=node_modules \
         server booking providers tz store tests 2>/dev/null | grep -vE '^\S+:[0-9]+:\s*(/\*|\*|//)' || true)
if [ -n "$hits" ]; then
  echo "banned functions used (use snprintf, memcpy with a bound, strtol, tz/ instead):"
  echo "$hits"
  exit 1
fi
echo "banned-function check: 0 uses"
