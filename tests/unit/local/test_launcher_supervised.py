"""A supervised stack of real processes (Tansu, a fake sink, a fake service that forks):
a service killed with SIGKILL comes back, with nothing of its old process group left; one
stopped by `smartbank stop` stays down until `smartbank start`; `smartbank down` stops it all."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from smartbank.local.cli import control as cli
from smartbank.local.cli import down
from smartbank.local.launcher import control
from smartbank.local.launcher.layout import Layout
from smartbank.local.launcher.processes import read_pid
from smartbank.registry import spec
from tests.unit.conftest import free_ports
from tests.unit.local.supervision_kit import group_gone, group_members, wait_for
from tests.unit.local.test_launcher_stack import port_is_free

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="tansu ships for Linux only"),
    pytest.mark.skipif(not port_is_free(spec("apns").port), reason="apns's port is in use"),
]

SUPERVISOR = """
import sys
from pathlib import Path
from smartbank.local.cli.up import stop_on_signals, stop_requested
from smartbank.local.launcher import Layout, Stack, StackPorts, detached
from smartbank.local.launcher.supervise import supervise
from smartbank.local.launcher.supervisor import RestartPolicy
stop_on_signals()
layout = Layout(Path(sys.argv[1]))
stack = Stack(layout.root, services=["apns"], ports=StackPorts(*map(int, sys.argv[2:])),
              with_envoy=False, sink_module="launcher_fake", serve_module="launcher_fake",
              env={"FAKE_FORK": "1"}, grace=2.0)
detached.claim(layout)
try:
    stack.start()
    stack.wait_ready(20)
    print("ready", flush=True)
    supervise(stack, layout, stop_requested(), policy=RestartPolicy(first=0.2))
except KeyboardInterrupt:
    pass
stack.stop()
detached.release(layout)
"""


@pytest.fixture
def supervisor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[subprocess.Popen[str]]:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))
    monkeypatch.setenv("SMARTBANK_HOME", str(tmp_path))
    argv = [sys.executable, "-c", textwrap.dedent(SUPERVISOR), str(tmp_path)]
    argv += [str(port) for port in free_ports(7)]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    yield process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def apns(layout: Layout) -> dict[str, object]:
    return control.published(layout).get("apns", {})


def command(name: str) -> int:
    return cli.run(argparse.Namespace(command=name, service="apns", wait=10.0))


def test_supervised_stack_restarts_stops_starts_and_goes_down_whole(
    tmp_path: Path, supervisor: subprocess.Popen[str], capsys: pytest.CaptureFixture[str]
) -> None:
    layout = Layout(tmp_path)
    first = read_pid(layout.pid("apns"))
    assert first is not None and wait_for(lambda: apns(layout).get("pid") == first)
    assert wait_for(lambda: len(group_members(first)) == 2)  # the service and its child
    os.kill(first, signal.SIGKILL)
    assert wait_for(lambda: apns(layout).get("restarts") == 1)
    restarted = apns(layout)
    assert restarted["state"] == "running" and restarted["pid"] not in (None, first)
    assert restarted["last_exit"] == {"code": None, "signal": "SIGKILL"}
    assert wait_for(lambda: group_gone(first)), "the killed service's forked child outlived it"

    assert command("stop") == 0
    time.sleep(1.0)  # five times the first restart delay
    assert (apns(layout)["state"], apns(layout)["pid"]) == ("stopped", None)
    assert port_is_free(spec("apns").port)
    assert wait_for(lambda: group_gone(int(str(restarted["pid"]))))
    assert command("start") == 0
    assert command("restart") == 0
    out = capsys.readouterr().out
    assert "stopped apns" in out and out.count("apns is ready") == 2
    groups = [first, int(str(restarted["pid"])), int(str(apns(layout)["pid"]))]

    assert down.run(argparse.Namespace(command="down")) == 0
    assert supervisor.wait(10) == 0
    assert wait_for(lambda: all(group_gone(pgid) for pgid in groups))
    assert list(layout.run.iterdir()) == []
    log = layout.log("apns").read_text()
    assert log.count("fake listening") == 4  # started, restarted, started, restarted
