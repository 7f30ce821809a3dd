#!/usr/bin/env bash
# Sets up, builds and starts ratingd on its embedded default: the RocksDB directory ./data,
# listening on 127.0.0.1:50051, with the access log on stderr. Prints a development admin token
# on its first start (later starts say where it is kept). Extra flags go to ratingd
# (docs/OPERATING.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh ratingd ratingctl
exec build/services/ratingd --data_dir=./data --listen=127.0.0.1:50051 --access_log=- "$@"
