#!/usr/bin/env bash
# Every test of the workspace: unit, property, store, CLI, end-to-end (real
# servers on 127.0.0.1, real clients on their own store folders) and the
# Kotlin test of the mobile library (kotlinc on the JVM).
#
# Installs what the tests need when it is missing (idempotent): JNA,
# Chromium and a Chinese font from Debian, and the Kotlin compiler and playwright-core from the
# npm registry under tools/ (no browser is ever downloaded: playwright-core
# drives Debian's /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

KOTLIN_VERSION=2.4.20
PLAYWRIGHT_VERSION=1.65.2

missing=""
[ -f /usr/share/java/jna.jar ] || missing="$missing libjna-java"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
# A Chinese font, so the console's screenshots show words, not boxes.
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing="$missing fonts-wqy-microhei"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
  else
    echo "scripts/test.sh: missing Debian packages; run: sudo apt-get install$missing" >&2
    exit 1
  fi
fi
if ! command -v java >/dev/null 2>&1; then
  echo "scripts/test.sh: java (17 or newer) is missing" >&2
  exit 1
fi
if [ ! -x tools/node_modules/kotlin-compiler/bin/kotlinc ] \
   || ! grep -q "\"version\": \"$KOTLIN_VERSION\"" tools/node_modules/kotlin-compiler/package.json; then
  mkdir -p tools
  npm install --prefix tools --no-audit --no-fund --silent "kotlin-compiler@$KOTLIN_VERSION"
fi
if [ ! -f tools/node_modules/playwright-core/package.json ] \
   || ! grep -q "\"version\": \"$PLAYWRIGHT_VERSION\"" tools/node_modules/playwright-core/package.json; then
  mkdir -p tools
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix tools --no-audit --no-fund --silent \
    "kotlin-compiler@$KOTLIN_VERSION" "playwright-core@$PLAYWRIGHT_VERSION"
fi

cargo test --workspace "$@"
