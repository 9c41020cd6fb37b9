"""A stand-in for the trace sink and for `smartbank.serve`, run by the launcher tests.

    python -m launcher_fake --port N --dir D   → the trace sink: an HTTP server on N
    python -m launcher_fake NAME               → a service: /readyz on $PORT

It answers like the real ones (200 on /readyz with per-dependency checks) without needing them,
so the launcher is tested on its own. With FAKE_FORK=1 a service also forks a child that
sleeps in its process group, to show that nothing a service forked outlives it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"ready": True, "checks": {"lifecycle": {"ok": True}}}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def stopping(signum: int, frame: object) -> None:
    """Exit, saying when (CLOCK_MONOTONIC is one clock for every process: tests order stops)."""
    print(f"stopping at {time.monotonic_ns()}", flush=True)
    sys.exit(0)


def main(argv: list[str]) -> None:
    port = int(argv[argv.index("--port") + 1]) if "--port" in argv else int(os.environ["PORT"])
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    signal.signal(signal.SIGTERM, stopping)
    if os.environ.get("FAKE_FORK") and "--port" not in argv:
        subprocess.Popen(["sleep", "600"])  # in our process group; never waited for
    print(f"fake listening on {port}: {argv}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
