#!/bin/sh
# Runs quickstart.js, installing its npm packages into examples/node/node_modules first when
# they are missing. Exits 77 (skipped, ctest's SKIP_RETURN_CODE) when node or npm is absent or
# the packages cannot be installed (no registry reachable): the test is then reported as
# skipped, never as passed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "node example: SKIPPED: node or npm is not installed (scripts/setup.sh installs them)" >&2
  exit 77
fi
if [ ! -d "$here/node_modules/@grpc/grpc-js" ] || [ ! -d "$here/node_modules/@grpc/proto-loader" ] ||
   [ ! -d "$here/node_modules/protobufjs" ]; then
  if ! (cd "$here" && npm install --no-audit --no-fund --loglevel=error >&2); then
    echo "node example: SKIPPED: npm install failed (is npm's registry reachable?)" >&2
    exit 77
  fi
fi
exec node "$here/quickstart.js"
