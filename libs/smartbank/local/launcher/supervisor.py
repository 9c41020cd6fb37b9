"""Keeping a running stack's services up: restart what exits, leave alone what was stopped.

The process that runs a stack (`smartbank up`, in the foreground or detached) is its supervisor.
A service that exits on its own is restarted after a delay that doubles with each restart in
the policy's window; once `limit` restarts fall within the window it is given up on and shown
as failed, so a broken service shows its first error instead of burying it under restarts.
A service stopped on request (`smartbank stop`) stays down until `smartbank start`: failure
experiments need it to. Infrastructure (broker, sinks, proxy) is watched, not restarted: the
broker keeps its topics in memory, so a new one would serve a stack that has lost its events.

States: running, restarting (exited, waiting out its delay), stopped (on request), failed.
`restarts` counts only the restarts after an exit, not those asked for.
"""

from __future__ import annotations

import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

RUNNING, RESTARTING, STOPPED, FAILED = "running", "restarting", "stopped", "failed"
COMMANDS = ("stop", "start", "restart")

Say = Callable[[str], None]


class Supervised(Protocol):
    """What the supervisor needs of a stack: `Stack` has it, unit tests hand in a fake."""

    def status(self) -> dict[str, dict[str, Any]]: ...

    def stop_service(self, name: str) -> None: ...

    def start_service(self, name: str) -> None: ...


class CommandRefused(ValueError):
    """A request the supervisor will not carry out (no such service, no such command)."""


@dataclass(frozen=True)
class RestartPolicy:
    """Wait `first` seconds before restarting, twice that after each recent restart (up to
    `longest`); give up once `limit` restarts fall within the last `window` seconds."""

    first: float = 0.5
    longest: float = 30.0
    limit: int = 5
    window: float = 60.0

    def delay(self, recent: int) -> float | None:
        """Seconds to wait, given the restarts within the window; None: give up."""
        if recent >= self.limit:
            return None
        return float(min(self.longest, self.first * 2**recent))


@dataclass
class Watch:
    """What the supervisor knows of one process."""

    kind: str
    state: str = RUNNING
    restarts: int = 0
    last_exit: int | None = None  # the exit status; a negative one is the signal that killed it
    restart_at: float = 0.0
    recent: deque[float] = field(default_factory=deque)  # when it was restarted

    def as_json(self, pid: int | None) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "state": self.state,
            "restarts": self.restarts,
            "last_exit": exit_json(self.last_exit),
            "pid": pid,
        }


class Supervisor:
    """One `Watch` per process of `stack`, moved on by `tick` (exits, due restarts) and by
    `handle` (requests); every change is said, one line each, through `say`."""

    def __init__(
        self,
        stack: Supervised,
        policy: RestartPolicy = RestartPolicy(),
        *,
        clock: Callable[[], float] = time.monotonic,
        say: Say = print,
    ) -> None:
        self.stack, self.policy, self.clock, self.say = stack, policy, clock, say
        self.watches = {name: Watch(state["kind"]) for name, state in stack.status().items()}

    def tick(self) -> bool:
        """Notice exits and restart what is due; whether anything changed."""
        changed = False
        now = self.clock()
        for name, state in self.stack.status().items():
            watch = self.watches[name]
            if watch.state == RUNNING and state["exit_code"] is not None:
                self._exited(name, watch, state["exit_code"], now)
                changed = True
            elif watch.state == RESTARTING and now >= watch.restart_at:
                self._restart(name, watch, now)
                changed = True
        return changed

    def handle(self, command: str, name: str) -> str:
        """Carry out `smartbank stop|start|restart NAME`: what was done, or `CommandRefused`."""
        watch = self.watches.get(name)
        if watch is None or watch.kind != "service":
            services = ", ".join(n for n, w in self.watches.items() if w.kind == "service")
            raise CommandRefused(f"{name!r} is not a service of this stack ({services})")
        if command not in COMMANDS:
            raise CommandRefused(f"no command {command!r} (one of {', '.join(COMMANDS)})")
        if command == "stop":
            return self._stop(name, watch)
        if command == "restart":
            self._stop(name, watch, then="to start it again")
        return self._start(name, watch)

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """Each process as `smartbank status --json` shows it."""
        status = self.stack.status()
        return {
            name: watch.as_json(status[name]["pid"] if status[name]["running"] else None)
            for name, watch in self.watches.items()
        }

    def _exited(self, name: str, watch: Watch, code: int, now: float) -> None:
        watch.last_exit = code
        what = f"{name} {describe_exit(code)}"
        if watch.kind != "service":
            watch.state = FAILED
            self.say(f"{what}; it is not restarted (`smartbank down`, then `smartbank up`)")
            return
        while watch.recent and now - watch.recent[0] >= self.policy.window:
            watch.recent.popleft()
        delay = self.policy.delay(len(watch.recent))
        if delay is None:
            watch.state = FAILED
            window = f"{len(watch.recent)} restarts within {self.policy.window:g} s"
            self.say(f"{what}; {window}, giving up on it (`smartbank start {name}` tries again)")
            return
        watch.state, watch.restart_at = RESTARTING, now + delay
        self.say(f"{what}; restarting it in {delay:g} s")

    def _restart(self, name: str, watch: Watch, now: float) -> None:
        watch.restarts += 1
        watch.recent.append(now)
        try:
            self.stack.start_service(name)
        except OSError as error:  # no process to run (out of memory, of file descriptors)
            self.say(f"could not restart {name}: {error}")
            watch.state = RUNNING  # as if it had exited at once: the next delay is longer
            self._exited(name, watch, watch.last_exit or 1, now)
            return
        watch.state = RUNNING
        self.say(f"{name} restarted (restart {watch.restarts}, pid {self._pid(name)})")

    def _stop(self, name: str, watch: Watch, then: str = "") -> str:
        if watch.state == STOPPED:
            return f"{name} was already stopped"
        self.stack.stop_service(name)
        watch.state = STOPPED
        then = then or f"it stays down until `smartbank start {name}`"
        self.say(f"{name} stopped on request: {then}")
        return f"stopped {name}"

    def _start(self, name: str, watch: Watch) -> str:
        if watch.state == RUNNING and self.stack.status()[name]["running"]:
            return f"{name} is already running (pid {self._pid(name)})"
        self.stack.start_service(name)
        watch.state = RUNNING
        watch.recent.clear()  # started by hand: the limit counts afresh
        self.say(f"{name} started on request (pid {self._pid(name)})")
        return f"started {name} (pid {self._pid(name)})"

    def _pid(self, name: str) -> int | None:
        pid: int | None = self.stack.status()[name]["pid"]
        return pid


def exit_json(code: int | None) -> dict[str, Any] | None:
    if code is None:
        return None
    if code < 0:
        return {"code": None, "signal": signal_name(-code)}
    return {"code": code, "signal": None}


def describe_exit(code: int) -> str:
    return f"was killed by {signal_name(-code)}" if code < 0 else f"exited with code {code}"


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
