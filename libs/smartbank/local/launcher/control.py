"""The channel between a running stack's supervisor and the command line: files in run/.

`smartbank stop|start|restart SERVICE` leaves a request in run/control/ and waits for the
answer; the supervisor looks there on every turn of its loop (five a second), carries the
request out and writes the answer beside it:

    run/control/<id>.request   {"command": "stop", "service": "cards"}
    run/control/<id>.answer    {"ok": true, "message": "stopped cards"}

and after every change it publishes what it knows of each process (state, restarts, last
exit, pid) in run/supervision.json, which `smartbank status` reads. Every file is written under
a temporary name and renamed into place, so no reader ever sees half of one.

Why files rather than a socket: the supervisor already wakes up several times a second to
watch its children, on the one thread that may spawn them (`processes`, PR_SET_PDEATHSIG), so
looking at a directory there needs no listener thread and no hand-over between threads; a file
path has no length limit (a unix socket's has 107 bytes, which a deep $SMARTBANK_HOME passes);
and a supervisor that died leaves only files, which `smartbank down` removes with the rest.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smartbank.local.launcher.layout import Layout
from smartbank.local.launcher.processes import pid_alive

# A restart waits out the service's grace period (10 s) before it starts it again.
ANSWER_TIMEOUT = 45.0
POLL_SECONDS = 0.05
REQUEST, ANSWER = ".request", ".answer"


class ControlError(RuntimeError):
    """The supervisor gave no answer (it is gone, or took too long); the message says which."""


@dataclass(frozen=True)
class Request:
    id: str
    command: str
    service: str


def ask(
    layout: Layout,
    command: str,
    service: str,
    *,
    alive: Callable[[], bool],
    timeout: float = ANSWER_TIMEOUT,
) -> dict[str, Any]:
    """Hand the supervisor one request and wait for its answer, {"ok": …, "message": …}.

    `alive` says whether the supervisor still runs: if it dies, we stop waiting at once."""
    request_id = f"{time.time_ns():020d}-{os.getpid()}"
    request = layout.control / f"{request_id}{REQUEST}"
    answer_path = layout.control / f"{request_id}{ANSWER}"
    _write(request, {"command": command, "service": service})
    deadline = time.monotonic() + timeout
    while not answer_path.exists():
        if not alive() or time.monotonic() >= deadline:
            request.unlink(missing_ok=True)
            why = "the supervisor is gone" if not alive() else _no_answer(timeout)
            raise ControlError(f"{command} {service}: {why}")
        time.sleep(POLL_SECONDS)
    answer: dict[str, Any] = json.loads(answer_path.read_text())
    answer_path.unlink(missing_ok=True)
    return answer


def take_requests(layout: Layout) -> list[Request]:
    """The requests waiting, oldest first; each leaves the directory as it is taken."""
    taken = []
    for path in sorted(layout.control.glob(f"*{REQUEST}")):
        try:
            document = json.loads(path.read_text())
        except (OSError, ValueError):
            document = {}  # half a file from something else: answered as an unknown command
        path.unlink(missing_ok=True)
        document = document if isinstance(document, dict) else {}
        command, service = document.get("command"), document.get("service")
        taken.append(Request(path.name.removesuffix(REQUEST), str(command), str(service)))
    return taken


def answer(layout: Layout, request_id: str, *, ok: bool, message: str) -> None:
    _write(layout.control / f"{request_id}{ANSWER}", {"ok": ok, "message": message})


def publish(layout: Layout, processes: dict[str, dict[str, Any]]) -> None:
    """Record what the supervisor (this process) knows of each process."""
    _write(layout.supervision, {"pid": os.getpid(), "processes": processes})


def published(layout: Layout) -> dict[str, dict[str, Any]]:
    """What the stack's supervisor last published, per process ({} when none is running)."""
    try:
        document = json.loads(layout.supervision.read_text())
    except (OSError, ValueError):
        return {}
    pid = document.get("pid") if isinstance(document, dict) else None
    if not isinstance(pid, int) or not pid_alive(pid):
        return {}
    processes = document.get("processes")
    return dict(processes) if isinstance(processes, dict) else {}


def clear(layout: Layout) -> None:
    """Forget the supervisor's state and any request or answer left behind."""
    layout.supervision.unlink(missing_ok=True)
    shutil.rmtree(layout.control, ignore_errors=True)


def _no_answer(timeout: float) -> str:
    return f"no answer in {timeout:g} s (is the stack still starting? `smartbank status`)"


def _write(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(document))
    os.replace(partial, path)
