"""`smartbank stop|start|restart SERVICE`: one service of a running stack, by hand.

Each asks the stack's supervisor (`smartbank up`, in the foreground or detached) through the
files of `smartbank.local.launcher.control` in the data directory. A service stopped this way stays
down (the supervisor does not restart it) until `smartbank start`; `restart` is stop, then
start. `start` and `restart` then wait until the service is ready (`--wait 0`: they do not).
"""

from __future__ import annotations

import argparse
import sys
import time

from smartbank.local.cli.status import poll
from smartbank.local.launcher import control, detached, health
from smartbank.local.launcher.control import ControlError
from smartbank.local.launcher.layout import Layout, default_data_dir
from smartbank.local.launcher.processes import pid_alive
from smartbank.registry import SERVICES, ServiceSpec

HELP = {
    "stop": "stop one service of the running stack; it stays down until `smartbank start`",
    "start": "start a service of the running stack that was stopped (or failed) again",
    "restart": "stop one service of the running stack, then start it again",
}
READY_WAIT = 60.0
USAGE_ERROR = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for command, summary in HELP.items():
        parser = subparsers.add_parser(command, help=summary, description=f"{summary}.")
        parser.add_argument("service", metavar="SERVICE", help="the service's name, e.g. cards")
        if command != "stop":
            parser.add_argument(
                "--wait",
                type=float,
                default=READY_WAIT,
                metavar="SECONDS",
                help=f"wait this long for it to be ready (default {READY_WAIT:g}; 0: do not)",
            )
        parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    by_name = {service.name: service for service in SERVICES}
    if args.service not in by_name:
        known = ", ".join(by_name)
        return fail(
            args.command, f"no service {args.service!r}; the services: {known}", USAGE_ERROR
        )
    layout = Layout(default_data_dir())
    supervisor = detached.running_supervisor(layout)
    if supervisor is None:
        return fail(args.command, f"no stack is running on {layout.root} (`smartbank up`)")
    try:
        answer = control.ask(
            layout, args.command, args.service, alive=lambda: pid_alive(supervisor)
        )
    except ControlError as error:
        return fail(args.command, str(error))
    if not answer.get("ok"):
        return fail(args.command, str(answer.get("message")))
    print(answer.get("message"), flush=True)
    wait = 0.0 if args.command == "stop" else float(args.wait)
    return await_ready(args.command, by_name[args.service], layout, wait) if wait > 0 else 0


def await_ready(command: str, service: ServiceSpec, layout: Layout, wait: float) -> int:
    started = time.monotonic()
    (result,) = poll([health.service(service)], wait)
    if not result.ready:
        why = f"{service.name} is not ready after {wait:g} s: {result.detail}"
        return fail(command, f"{why}; its log: {layout.log(service.name)}")
    print(f"{service.name} is ready ({time.monotonic() - started:.1f} s)")
    return 0


def fail(command: str, message: str, code: int = 1) -> int:
    print(f"smartbank {command}: {message}", file=sys.stderr)
    return code
