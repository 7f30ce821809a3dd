#!/usr/bin/env python3
"""Runs one example client against a real ratingd it starts for the purpose.

Usage: run_example.py --ratingd PATH --proto_dir DIR -- COMMAND [ARGS...]

Starts ratingd on 127.0.0.1:0 (a free port) with a fresh data directory and no
--auth_config, so the server creates a development admin and keeps its token in
DATA_DIR/dev-admin-token. Then runs COMMAND with RATINGD_ADDRESS, RATINGD_TOKEN and
RATING_PROTO_DIR in its environment, stops ratingd with SIGTERM, and exits with
COMMAND's exit code (77 = skipped, for ctest's SKIP_RETURN_CODE).
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

READY = re.compile(r"ratingd listening on (\S+)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ratingd", required=True)
    parser.add_argument("--proto_dir", required=True)
    parser.add_argument("--startup_seconds", type=float, default=30)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to run")

    work = tempfile.mkdtemp(prefix="rating_example_")
    data_dir = os.path.join(work, "data")
    server = subprocess.Popen(
        [args.ratingd, "--data_dir=" + data_dir, "--listen=127.0.0.1:0"],
        stdout=subprocess.PIPE, text=True)
    try:
        address = None
        timer = threading.Timer(args.startup_seconds, server.kill)
        timer.start()
        for line in server.stdout:
            match = READY.search(line)
            if match:
                address = match.group(1)
                break
        timer.cancel()
        if address is None:
            print("run_example: ratingd did not become ready", file=sys.stderr)
            return 1
        # Keep draining ratingd's stdout so it never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
        with open(os.path.join(data_dir, "dev-admin-token")) as f:
            token = f.read().strip()
        env = dict(os.environ, RATINGD_ADDRESS=address, RATINGD_TOKEN=token,
                   RATING_PROTO_DIR=os.path.abspath(args.proto_dir))
        return subprocess.call(command, env=env)
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
