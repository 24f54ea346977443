#!/usr/bin/env bash
# Every test of the workspace: unit, property, store, CLI and end-to-end
# (real servers on 127.0.0.1, real clients on their own store folders).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace "$@"
