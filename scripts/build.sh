#!/usr/bin/env bash
# Sets up the dependencies, configures and builds the whole tree (or the given targets) in
# ./build. Usage: scripts/build.sh [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
if [ ! -f build/CMakeCache.txt ] || ! grep -q "RATING_BUILD_TESTS:BOOL=ON" build/CMakeCache.txt; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRATING_BUILD_TESTS=ON >/dev/null
fi
if [ $# -eq 0 ]; then
  cmake --build build -j "$jobs"
else
  cmake --build build -j "$jobs" --target "$@"
fi
