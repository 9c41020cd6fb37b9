"""For the supervisor's tests: a stack and a clock (processes that die when told to), and
looking at process groups on Linux (to show that nothing a stopped process forked is left)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FakeStack:
    """What `Supervisor` needs of a `Stack` (status, stop_service, start_service), in memory."""

    def __init__(self, services: tuple[str, ...] = ("balance", "cards")) -> None:
        self.processes: dict[str, dict[str, Any]] = {"kafka": self._process("broker", 10)}
        for pid, name in enumerate(services, start=100):
            self.processes[name] = self._process("service", pid)
        self.calls: list[tuple[str, str]] = []
        self._next_pid = 1000

    def status(self) -> dict[str, dict[str, Any]]:
        return {name: dict(process) for name, process in self.processes.items()}

    def die(self, name: str, exit_code: int = -9) -> None:
        self.processes[name].update(running=False, exit_code=exit_code)

    def stop_service(self, name: str) -> None:
        self.calls.append(("stop", name))
        self.die(name, -15)

    def start_service(self, name: str) -> None:
        self.calls.append(("start", name))
        self._next_pid += 1
        self.processes[name].update(running=True, exit_code=None, pid=self._next_pid)

    def starts(self, name: str) -> int:
        return self.calls.count(("start", name))

    @staticmethod
    def _process(kind: str, pid: int) -> dict[str, Any]:
        return {"kind": kind, "pid": pid, "running": True, "exit_code": None}


def group_members(pgid: int) -> list[int]:
    """Every process in the group, zombies included (from /proc)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            members.append(int(stat.parent.name))
    return members


def group_gone(pgid: int) -> bool:
    return not group_members(pgid)


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
