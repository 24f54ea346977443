#!/usr/bin/env bash
# Every test of the workspace: unit, property, store, CLI, end-to-end (real
# servers on 127.0.0.1, real clients on their own store folders) and the
# Kotlin test of the mobile library (kotlinc on the JVM).
#
# Installs what the tests need when it is missing (idempotent): JNA from
# Debian, and the Kotlin compiler from the npm registry under tools/.
set -euo pipefail
cd "$(dirname "$0")/.."

KOTLIN_VERSION=2.4.20

if [ ! -f /usr/share/java/jna.jar ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjna-java
  else
    echo "scripts/test.sh: JNA is missing; run: sudo apt-get install libjna-java" >&2
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

cargo test --workspace "$@"
