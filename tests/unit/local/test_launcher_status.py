"""`smartbank status` against fake components: its JSON shape, its table, its exit code."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from typing import Any

import pytest

from smartbank.local.cli import status
from smartbank.local.launcher.health import Component
from tests.unit.local.http_kit import JsonHandler, serving


class Readyz(JsonHandler):
    """Answers like a service: ready, or not ready because its storage is down."""

    def do_GET(self) -> None:
        ready = self.path == "/readyz"
        storage: dict[str, object] = {"ok": ready, "backend": "sqlite"}
        if not ready:
            storage["error"] = "disk full"
        checks = {"lifecycle": {"ok": True}, "storage": storage}
        self.answer(200 if ready else 503, {"ready": ready, "checks": checks, "service": "fake"})


@pytest.fixture
def server() -> Iterator[str]:
    with serving(Readyz) as url:
        yield url


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run(
    components: list[Component],
    wait: float = 0.0,
    as_json: bool = True,
    supervision: dict[str, dict[str, Any]] | None = None,
) -> tuple[int, str]:
    out = io.StringIO()
    known = supervision or {}
    code = status.report(components, wait=wait, as_json=as_json, out=out, supervision=lambda: known)
    return code, out.getvalue()


UNSUPERVISED = {"state": None, "restarts": None, "last_exit": None, "pid": None}


def test_status_all_ready_exits_zero_with_json_per_component(server: str) -> None:
    components = [
        Component("balance", "service", f"{server}/readyz"),
        Component("kafka", "broker", server.replace("http://", "tcp://")),
    ]
    code, out = run(components)
    assert code == 0
    assert json.loads(out) == {
        "ready": True,
        "components": [
            {
                "name": "balance",
                "kind": "service",
                "url": f"{server}/readyz",
                "ready": True,
                "detail": "lifecycle ok, storage ok (sqlite)",
                **UNSUPERVISED,
            },
            {
                "name": "kafka",
                "kind": "broker",
                "url": server.replace("http://", "tcp://"),
                "ready": True,
                "detail": "accepting connections",
                **UNSUPERVISED,
            },
        ],
    }


def test_status_with_a_failing_dependency_exits_one_and_shows_why(server: str) -> None:
    port = closed_port()
    components = [
        Component("feed", "service", f"{server}/not-ready"),
        Component("trace-sink", "telemetry", f"tcp://127.0.0.1:{port}"),
        Component("cards", "service", f"http://127.0.0.1:{port}/readyz"),
    ]
    code, out = run(components)
    report = json.loads(out)
    assert code == 1
    assert report["ready"] is False
    details = {c["name"]: (c["ready"], c["detail"]) for c in report["components"]}
    assert details == {
        "feed": (False, "lifecycle ok, storage FAILED (disk full)"),
        "trace-sink": (False, "not listening (connection refused)"),
        "cards": (False, "not listening (connection refused)"),
    }


def test_status_table_lists_components_and_what_is_not_ready(server: str) -> None:
    components = [
        Component("balance", "service", f"{server}/readyz"),
        Component("feed", "service", f"{server}/not-ready"),
    ]
    code, out = run(components, as_json=False)
    lines = out.splitlines()
    assert code == 1
    header = ["COMPONENT", "KIND", "READY", "STATE", "RESTARTS", "LAST", "EXIT", "URL", "DETAIL"]
    assert lines[0].split() == header
    assert lines[1].split()[:3] == ["balance", "service", "yes"]
    assert lines[2].split()[:3] == ["feed", "service", "NO"]
    assert lines[-1] == "1 of 2 not ready: feed"


def test_status_wait_polls_until_ready() -> None:
    port = closed_port()
    servers: list[ThreadingHTTPServer] = []

    def serve_late() -> None:
        servers.append(ThreadingHTTPServer(("127.0.0.1", port), Readyz))
        servers[0].serve_forever(poll_interval=0.05)

    threading.Timer(0.4, serve_late).start()
    try:
        started = time.monotonic()
        code, _ = run([Component("auth", "service", f"http://127.0.0.1:{port}/readyz")], wait=5)
        assert code == 0
        assert 0.4 <= time.monotonic() - started < 3
    finally:
        servers[0].shutdown()
        servers[0].server_close()


def test_status_wait_gives_up_after_the_given_seconds() -> None:
    started = time.monotonic()
    code, _ = run([Component("kafka", "broker", f"tcp://127.0.0.1:{closed_port()}")], wait=0.5)
    assert code == 1
    assert 0.5 <= time.monotonic() - started < 2


RESTARTED = {
    "balance": {
        "kind": "service",
        "state": "running",
        "restarts": 2,
        "last_exit": {"code": None, "signal": "SIGKILL"},
        "pid": 4242,
    },
    "cards": {"kind": "service", "state": "stopped", "restarts": 0, "last_exit": None, "pid": None},
}


def test_status_json_shows_what_the_supervisor_knows(server: str) -> None:
    port = closed_port()
    components = [
        Component("balance", "service", f"{server}/readyz"),
        Component("cards", "service", f"http://127.0.0.1:{port}/readyz"),
    ]
    code, out = run(components, supervision=RESTARTED)
    assert code == 1
    rows = {c["name"]: c for c in json.loads(out)["components"]}
    assert {k: rows["balance"][k] for k in UNSUPERVISED} == {
        "state": "running",
        "restarts": 2,
        "last_exit": {"code": None, "signal": "SIGKILL"},
        "pid": 4242,
    }
    assert (rows["cards"]["state"], rows["cards"]["ready"]) == ("stopped", False)


def test_status_table_shows_state_restarts_and_last_exit(server: str) -> None:
    components = [
        Component("balance", "service", f"{server}/readyz"),
        Component("kafka", "broker", f"tcp://127.0.0.1:{closed_port()}"),
    ]
    _, out = run(components, as_json=False, supervision=RESTARTED)
    lines = out.splitlines()
    assert lines[0].split()[:7] == [
        "COMPONENT",
        "KIND",
        "READY",
        "STATE",
        "RESTARTS",
        "LAST",
        "EXIT",
    ]
    assert lines[1].split()[:6] == ["balance", "service", "yes", "running", "2", "SIGKILL"]
    assert lines[2].split()[:6] == ["kafka", "broker", "NO", "-", "-", "-"]
