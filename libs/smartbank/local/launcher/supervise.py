"""The supervisor's loop: what `smartbank up` does once its stack is ready, until told to stop.

Each turn (five a second) it restarts what exited and is due (`supervisor`), carries out the
requests the command line left (`control`), and publishes the state when anything changed.
It runs on the thread that started the stack, the one that must spawn every child
(`processes`), and a turn is never cut short: `until` is checked between turns, so a stop
signal only raises a flag and never lands half-way through spawning a child no one would stop.
A request runs to its end within its turn (a stop waits out the service's grace period).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from smartbank.local.launcher import control
from smartbank.local.launcher.layout import Layout
from smartbank.local.launcher.stack import StackError
from smartbank.local.launcher.supervisor import (
    CommandRefused,
    RestartPolicy,
    Say,
    Supervised,
    Supervisor,
)

TURN_SECONDS = 0.2


def supervise(
    stack: Supervised,
    layout: Layout,
    until: Callable[[], bool],
    *,
    policy: RestartPolicy = RestartPolicy(),
    turn: float = TURN_SECONDS,
    say: Say | None = None,
) -> None:
    """Keep `stack` up until `until()` is true (checked between turns)."""
    supervisor = Supervisor(stack, policy, say=say or say_in_log)
    control.publish(layout, supervisor.snapshot())
    while not until():
        changed = supervisor.tick()
        for request in control.take_requests(layout):
            carry_out(supervisor, layout, request)
            changed = True
        if changed:
            control.publish(layout, supervisor.snapshot())
        time.sleep(turn)


def carry_out(supervisor: Supervisor, layout: Layout, request: control.Request) -> None:
    try:
        message = supervisor.handle(request.command, request.service)
    except (CommandRefused, StackError, OSError) as error:
        control.answer(layout, request.id, ok=False, message=str(error))
        return
    control.answer(layout, request.id, ok=True, message=message)


def say_in_log(message: str) -> None:
    """One line on the supervisor's output (the terminal, or logs/supervisor.log detached)."""
    print(f"smartbank up: {time.strftime('%H:%M:%S')} {message}", file=sys.stdout, flush=True)
