"""Starting a real part as a process group, waiting until it answers, and stopping the group.

Each part runs in a session of its own so that stopping it reaches everything it started (a
JVM's helpers, a shell in between) and a Ctrl-C meant for the caller does not reach it first.
Every wait is bounded: a part that exits or stays silent raises `PartFailed` with the end of
its log, which is where the reason is.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path


class PartFailed(RuntimeError):
    """A part exited or did not become ready in time."""


@dataclass(frozen=True)
class Launch:
    """How to start a part: its command line, where its output goes, where it answers."""

    name: str
    argv: list[str]
    log: Path
    address: str = ""
    env: dict[str, str] = field(default_factory=dict)
    metrics: str = ""  # host:port of its Prometheus metrics, if it serves them


@dataclass
class Running:
    """A started part: its process and how long it took to answer."""

    launch: Launch
    process: subprocess.Popen[bytes]
    started_in: float = 0.0

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mib(self) -> float:
        """Resident memory of the part's main process, in MiB (0 once it has exited)."""
        return rss_mib(self.pid)


def rss_mib(pid: int) -> float:
    """Resident memory of a process, in MiB, from /proc (0 once it has exited)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start(launch: Launch) -> Running:
    launch.log.parent.mkdir(parents=True, exist_ok=True)
    with launch.log.open("ab") as log:
        process = subprocess.Popen(
            launch.argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **launch.env},
            start_new_session=True,
        )
    return Running(launch, process)


def wait_ready(running: Running, ready: Callable[[], bool], timeout: float) -> None:
    """Poll `ready` until it is true; raise PartFailed if the part exits or time runs out."""
    began = time.monotonic()
    deadline = began + timeout
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise PartFailed(_why(running, f"exited with {running.process.returncode}"))
        if ready():
            running.started_in = time.monotonic() - began
            return
        time.sleep(0.2)
    raise PartFailed(_why(running, f"not ready within {timeout:.0f} s"))


def stop(running: Running, grace: float = 10.0) -> None:
    """SIGTERM the part's process group, SIGKILL it if it has not exited within `grace`."""
    if running.process.poll() is None:
        signal_group(running, signal.SIGCONT)  # a paused part cannot act on SIGTERM
        signal_group(running, signal.SIGTERM)
        try:
            running.process.wait(grace)
        except subprocess.TimeoutExpired:
            signal_group(running, signal.SIGKILL)
            running.process.wait(grace)
    signal_group(running, signal.SIGKILL)  # anything the part left behind in its group


def signal_group(running: Running, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(running.pid, sig)


@contextmanager
def started(launch: Launch, ready: Callable[[], bool], timeout: float) -> Iterator[Running]:
    """The part, started and answering; stopped (its whole group) when the block ends."""
    running = start(launch)
    try:
        wait_ready(running, ready, timeout)
        yield running
    finally:
        stop(running)


def listening(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def free_port() -> int:
    """A port nothing listens on now; the part binds it soon after (a small race, accepted)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _why(running: Running, what: str, lines: int = 30) -> str:
    try:
        tail = running.launch.log.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        tail = []
    return f"{running.launch.name} {what}; end of {running.launch.log}:\n" + "\n".join(tail)
