#!/usr/bin/env bash
# Sets up, builds and starts ratingd on its embedded default: the RocksDB directory ./data,
# listening on 127.0.0.1:50051, with the access log on stderr. Prints a development admin token
# on its first start (later starts say where it is kept). Extra flags go to ratingd
# (docs/OPERATING.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh ratingd ratingctl
# glibc's malloc backs the heap with transparent huge pages (docs/OPERATING.md, Memory), unless
# the caller chose its own tunables.
export GLIBC_TUNABLES="${GLIBC_TUNABLES-glibc.malloc.hugetlb=1}"
exec build/services/ratingd --data_dir=./data --listen=127.0.0.1:50051 --access_log=- "$@"
