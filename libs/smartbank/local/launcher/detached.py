"""A stack that runs in the background: its supervisor, and stopping it from another shell.

The supervisor is simply `smartbank up` (foreground) started in a session of its own, with its
output in logs/supervisor.log. Whichever process runs a stack records its pid in
run/supervisor.pid, and every child's pid in run/<name>.pid, so `smartbank down` can ask the
supervisor to stop (it then stops its children in order, including any it restarted: each
restart rewrites the child's pid file) and clean up anything that outlived it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from smartbank.local.launcher import control
from smartbank.local.launcher.layout import HOME_VARIABLE, Layout
from smartbank.local.launcher.processes import pid_alive, read_pid

# The supervisor gives each tier of processes its grace period (10 s): services, Envoy, the
# rest (Cassandra may take all of its ten seconds to drain).
DOWN_TIMEOUT = 45.0


def running_supervisor(layout: Layout) -> int | None:
    """The pid of the process running a stack on this data dir, if one is alive."""
    pid = read_pid(layout.supervisor_pid)
    return pid if pid is not None and pid != os.getpid() and pid_alive(pid) else None


def claim(layout: Layout) -> None:
    """Record this process as the one running the stack."""
    layout.run.mkdir(parents=True, exist_ok=True)
    layout.supervisor_pid.write_text(f"{os.getpid()}\n")


def release(layout: Layout) -> None:
    if read_pid(layout.supervisor_pid) == os.getpid():
        control.clear(layout)
        layout.supervisor_pid.unlink(missing_ok=True)


def spawn_supervisor(layout: Layout, infra: str = "embedded") -> subprocess.Popen[bytes]:
    """`smartbank up --infra INFRA` in a new session, detached from this terminal, logging to
    a file."""
    layout.create()
    env = {**os.environ, HOME_VARIABLE: str(layout.root), "PYTHONUNBUFFERED": "1"}
    with open(layout.supervisor_log, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "smartbank.local.cli.main", "up", "--infra", infra],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


def recorded_children(layout: Layout) -> dict[str, int]:
    """name → pid of every child recorded in run/ that is still alive."""
    children = {}
    for path in sorted(layout.run.glob("*.pid")):
        pid = read_pid(path)
        if path != layout.supervisor_pid and pid is not None and pid_alive(pid):
            children[path.stem] = pid
    return children


def stop(layout: Layout, timeout: float = DOWN_TIMEOUT) -> list[str]:
    """Stop the stack on this data dir; the names of what was running ([] if nothing was).

    SIGTERM to the supervisor, wait for it and its children to go, then SIGKILL any child
    still recorded (only process-group leaders, as ours are, so a recycled pid is left alone).
    """
    supervisor = running_supervisor(layout)
    children = recorded_children(layout)
    stopped = (["supervisor"] if supervisor else []) + list(children)
    if supervisor:
        os.kill(supervisor, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (_alive(supervisor) or recorded_children(layout)):
        time.sleep(0.1)
    if supervisor and _alive(supervisor):
        _kill_group_leader(supervisor)
    for pid in recorded_children(layout).values():
        _kill_group_leader(pid)
    _clear_pid_files(layout.run)
    layout.infra.unlink(missing_ok=True)
    control.clear(layout)
    return stopped


def _alive(pid: int | None) -> bool:
    return pid is not None and pid_alive(pid)


def _kill_group_leader(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)


def _clear_pid_files(run: Path) -> None:
    for path in run.glob("*.pid"):
        path.unlink(missing_ok=True)
