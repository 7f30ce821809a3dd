#!/usr/bin/env bash
# Runs the README's five-minute walkthrough (the lines between walkthrough:begin and
# walkthrough:end) against a real ratingd, exactly as written, so that it cannot rot.
# usage: readme_walkthrough_test.sh RATINGD RATINGCTL README.md
# The server is started as scripts/run_server.sh does (embedded default, dev-admin token in
# ./data) but on a free port, in a temp dir laid out like the repository (build/cli/ratingctl).
set -euo pipefail
ratingd=$1
ratingctl=$2
readme=$3

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/build/cli"
ln -s "$ratingctl" "$work/build/cli/ratingctl"
sed -n '/<!-- walkthrough:begin -->/,/<!-- walkthrough:end -->/p' "$readme" |
  sed -n 's/^    //p' > "$work/walkthrough.sh"
if [[ $(grep -c 'ratingctl\|\$R ' "$work/walkthrough.sh") -lt 10 ]]; then
  echo "FAIL: no walkthrough found in $readme" >&2
  exit 1
fi

# Start ratingd and read its ready line through a fifo (no polling).
mkfifo "$work/server.out"
cd "$work"
"$ratingd" --data_dir=./data --listen=127.0.0.1:0 > "$work/server.out" &
server_pid=$!
exec 3< "$work/server.out"
address=""
while IFS= read -r -t 30 line <&3; do
  echo "ratingd: $line" >&2
  if [[ "$line" == "ratingd listening on "* ]]; then
    address=${line#ratingd listening on }
    break
  fi
done
if [[ -z "$address" ]]; then
  echo "FAIL: ratingd did not start" >&2
  exit 1
fi
# Keep draining the server's stdout so it never blocks on a full pipe.
cat <&3 >&2 &
export RATING_SERVER=$address

echo "--- walkthrough" >&2
if ! bash -euo pipefail -x "$work/walkthrough.sh" > "$work/walkthrough.out"; then
  cat "$work/walkthrough.out"
  echo "FAIL: a walkthrough command failed" >&2
  exit 1
fi
cat "$work/walkthrough.out"

# The walkthrough's outcome: the cell decided, the ruling flagged, the QĐ 01 re-rated.
export RATING_TOKEN=$(cat data/dev-admin-token)
check() {
  if ! grep -q -- "$2" <<< "$1"; then
    echo "FAIL: expected \"$2\" in:" >&2
    echo "$1" >&2
    exit 1
  fi
}
check "$(build/cli/ratingctl rating member/m2 2025 --json)" '"level":"LEVEL_HTTNV"'
check "$(build/cli/ratingctl rating member/m1 2025 --json)" '"level":"LEVEL_KHTNV"'
check "$(build/cli/ratingctl rewards member/m1 2025)" 'annulled'
check "$(build/cli/ratingctl rating org/c1 2025 --json)" '"level":"LEVEL_HTTNV"'
check "$(build/cli/ratingctl rating org/c1 2025 --json)" 'RATING_STATUS_REVIEW_SUGGESTED'
check "$(grep -c '^accepted: positions' walkthrough.out)" '^1[0-9]$'
echo "PASS"
