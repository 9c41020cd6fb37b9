"""Child processes that cannot outlive whoever started them.

Each child gets its own process group (so a signal reaches anything it forks, and a Ctrl-C in
the terminal reaches only the launcher, which then stops children in order) and, on Linux,
PR_SET_PDEATHSIG=SIGTERM: if the launcher dies without cleaning up, even by SIGKILL, the
kernel terminates its children. Note the kernel ties that signal to the *thread* that forked
the child, so children are always spawned from the thread that owns the stack.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PR_SET_PDEATHSIG = 1


def _preexec(nice: int) -> Callable[[], None] | None:
    """A preexec_fn that lowers the child's CPU priority by `nice` and asks the kernel to
    SIGTERM the child when its parent dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded before fork: nothing to import after
    parent = os.getpid()

    def preexec() -> None:
        if nice:
            os.nice(nice)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


@dataclass
class Process:
    """One named child: how to run it, where it logs, where its pid is recorded."""

    name: str
    kind: str
    argv: Sequence[str]
    env: Mapping[str, str]
    log_path: Path
    pid_path: Path
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    started_at: float = 0.0
    reaped: bool = False  # waited for and swept: its pid and group id are no longer ours
    nice: int = 0  # lower CPU priority, for work that must never slow the card path

    def spawn(self, *, fresh_log: bool) -> None:
        self.sweep()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb" if fresh_log else "ab") as log:
            self.popen = subprocess.Popen(
                list(self.argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(self.env),
                start_new_session=True,
                preexec_fn=_preexec(self.nice),
            )
        self.started_at = time.monotonic()
        self.reaped = False
        self.pid_path.parent.mkdir(parents=True, exist_ok=True)
        self.pid_path.write_text(f"{self.popen.pid}\n")

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    @property
    def exit_code(self) -> int | None:
        return self.popen.poll() if self.popen else None

    def signal_group(self, sig: int) -> None:
        """Signal the child's whole process group (its pid: it leads a new session)."""
        if self.popen is None or self.reaped:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, sig)

    def sweep(self) -> None:
        """Before running it again: SIGKILL whatever is left of the previous run's group (a
        child killed by SIGKILL leaves anything it forked behind) and reap it."""
        if self.popen is None or self.reaped:
            return
        self.signal_group(signal.SIGKILL)
        self.popen.wait()
        self.reaped = True

    def log_tail(self, lines: int = 25) -> str:
        return tail(self.log_path, lines)

    def forget(self) -> None:
        """Drop the pid file once the process is reaped."""
        self.pid_path.unlink(missing_ok=True)


def stop_all(processes: Sequence[Process], grace: float) -> None:
    """SIGTERM every group, wait up to `grace` seconds for all, then SIGKILL what is left.

    The final SIGKILL also goes to groups whose leader already exited, so nothing they forked
    lingers (a group id is never reused while any member of the group is alive).
    """
    live = [p for p in processes if p.popen is not None and not p.reaped]
    for process in live:
        if process.running:
            process.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in live:
        assert process.popen is not None
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.popen.wait(timeout=max(0.0, deadline - time.monotonic()))
    for process in live:
        assert process.popen is not None
        process.signal_group(signal.SIGKILL)
        process.popen.wait()
        process.reaped = True
        process.forget()


def tail(path: Path, lines: int = 25, max_bytes: int = 16384) -> str:
    """The last lines of a log file ('' when it does not exist)."""
    try:
        with open(path, "rb") as log:
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - max_bytes))
            data = log.read()
    except FileNotFoundError:
        return ""
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists and has not yet exited (a zombie has)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): kill(0) is all we know
    return stat.rpartition(")")[2].split()[0] != "Z"


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return None
