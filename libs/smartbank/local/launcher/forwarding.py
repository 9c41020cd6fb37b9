"""Whether skaffold is forwarding a cluster's ports to this machine.

`skaffold dev` (and `run`, `debug`, `port-forward`) forwards the cluster's edge to 127.0.0.1:8080
and 8090, the local stack's own ports. Whichever of the two starts second does not get them:
skaffold forwards to other ports, saying so in one line among many, and the launcher refuses to
start. So the launcher and the command line look for skaffold themselves, in every process's
command line under /proc (where there is no /proc, skaffold is never found).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from smartbank.deploy.skaffold import FORWARDS

PROC = Path("/proc")
FORWARDING_COMMANDS = frozenset({"dev", "run", "debug", "port-forward"})
# The local ports skaffold.yaml asks for: the edge's two, Jaeger's UI and Grafana.
FORWARDED_PORTS = frozenset(local for _, _, local in FORWARDS)


def skaffold_forwarding(proc: Path = PROC) -> int | None:
    """The pid of a running skaffold whose command forwards ports (the lowest, if several)."""
    try:
        pids = sorted(int(entry.name) for entry in proc.iterdir() if entry.name.isdigit())
    except OSError:
        return None
    return next((pid for pid in pids if forwards(command_line(proc / str(pid)))), None)


def forwards(argv: Sequence[str]) -> bool:
    """Whether `argv` runs skaffold with a command that forwards ports (its first argument that
    is not a flag)."""
    if not argv or Path(argv[0]).name != "skaffold":
        return False
    command = next((arg for arg in argv[1:] if not arg.startswith("-")), "")
    return command in FORWARDING_COMMANDS


def command_line(process: Path) -> list[str]:
    """A process's argv, from its NUL-separated cmdline; [] for a kernel thread or once it has
    exited."""
    try:
        raw = (process / "cmdline").read_bytes()
    except OSError:
        return []
    return [arg.decode(errors="replace") for arg in raw.rstrip(b"\0").split(b"\0")] if raw else []
