#!/usr/bin/env bash
# Sets up, builds everything and runs every test (unit, integration through a real server,
# and the conformance scenarios), ending with ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
cd build
ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)" --timeout 600
