"""`smartbank up [--detach] [--infra embedded|real]`: start the whole local stack (broker, proxy,
all services) on the embedded infrastructure or on Apache Kafka, Apache Cassandra and Jaeger."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from smartbank.local.cli import skaffold_warning
from smartbank.local.launcher import detached, health, infra
from smartbank.local.launcher.binaries import BinaryNotFound, find_envoy
from smartbank.local.launcher.commands import SINK_MODULE
from smartbank.local.launcher.forwarding import PROC, skaffold_forwarding
from smartbank.local.launcher.infra import RealPartsMissing
from smartbank.local.launcher.layout import Layout, default_data_dir
from smartbank.local.launcher.ports import HOST, PortsInUse, StackPorts, check_free, required
from smartbank.local.launcher.processes import tail
from smartbank.local.launcher.stack import Stack, StackError
from smartbank.local.launcher.supervise import supervise
from smartbank.registry import SERVICES

READY_TIMEOUT = 120.0
# The detached supervisor needs a moment to start Python before its own 120 s begin.
DETACH_TIMEOUT = READY_TIMEOUT + 15.0
# The real parts before that: Cassandra's boot (up to 180 s on a busy machine) and the schema.
REAL_DETACH_TIMEOUT = DETACH_TIMEOUT + 300.0
STARTUP_ERRORS = (StackError, BinaryNotFound, PortsInUse, RealPartsMissing)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "up",
        help="start the whole local stack (broker, proxy, all services)",
        description="Start the whole local stack: Kafka broker, trace sink, Envoy and every "
        "service. Runs in the foreground until Ctrl-C unless --detach is given. A service "
        "that exits is restarted, after a delay that doubles with each restart in the last "
        "minute; after five it is left failed. `smartbank stop SERVICE` keeps one down.",
    )
    parser.add_argument(
        "--detach", action="store_true", help="run in the background; `smartbank down` stops it"
    )
    parser.add_argument(
        "--infra",
        choices=infra.INFRAS,
        default=infra.EMBEDDED,
        help="embedded (default): Tansu, SQLite and the local trace sink, Python alone; "
        "real: Apache Kafka, Apache Cassandra and Jaeger from `make real-parts` (needs Java 17)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, proc: Path = PROC) -> int:
    started = time.monotonic()
    layout = Layout(default_data_dir())
    skaffold = skaffold_forwarding(proc)
    if skaffold is not None:
        print(skaffold_warning.starting(skaffold), file=sys.stderr, flush=True)
    running = detached.running_supervisor(layout)
    if running:
        return fail(
            f"a stack is already running (pid {running}); `smartbank down` stops it, "
            "`smartbank restart SERVICE` restarts one of its services"
        )
    try:
        infra.choose(args.infra, SINK_MODULE).check()
        find_envoy()
        check_free(required(SERVICES, infra=args.infra), proc=proc)
    except STARTUP_ERRORS as error:
        return fail(str(error))
    if args.detach:
        return run_detached(layout, started, args.infra)
    return run_foreground(layout, started, args.infra)


def run_foreground(layout: Layout, started: float, infra_name: str) -> int:
    stop_on_signals()
    detached.claim(layout)
    stack = Stack(layout.root, infra=infra_name)
    try:
        stack.start()
        stack.wait_ready(READY_TIMEOUT)
        # Not on a terminal (the detached supervisor, a script): Ctrl-C is not how to stop it.
        interactive = sys.stdin.isatty()
        took = time.monotonic() - started
        print(summary(layout, took, detached=not interactive, infra_name=infra_name), flush=True)
        supervise(stack, layout, until=stop_requested())
    except KeyboardInterrupt:
        return shut_down(stack, layout, 0)
    except STARTUP_ERRORS as error:
        print(f"smartbank up: {error}", file=sys.stderr, flush=True)
        return shut_down(stack, layout, 1)
    return shut_down(stack, layout, 0)


def stop_on_signals() -> None:
    """Ctrl-C, `smartbank down` (SIGTERM) and a closed terminal all stop the stack cleanly;
    a signal the caller chose to ignore (nohup, a background job) stays ignored."""
    signal.signal(signal.SIGTERM, _interrupt)
    for sig in (signal.SIGINT, signal.SIGHUP):
        if signal.getsignal(sig) is not signal.SIG_IGN:
            signal.signal(sig, _interrupt)


def stop_requested() -> Callable[[], bool]:
    """From here on a stop signal only raises a flag, which the supervisor's loop checks
    between turns: it must not land half-way through restarting a service."""
    requested: list[int] = []
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        if signal.getsignal(sig) is _interrupt:
            signal.signal(sig, lambda signum, frame: requested.append(signum))
    return lambda: bool(requested)


def shut_down(stack: Stack, layout: Layout, code: int) -> int:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)  # stopping is bounded by the grace period
    print("stopping the stack…", flush=True)
    stack.stop()
    detached.release(layout)
    print("stopped", flush=True)
    return code


def run_detached(layout: Layout, started: float, infra_name: str) -> int:
    supervisor = detached.spawn_supervisor(layout, infra_name)
    components = health.stack_components(infra=infra_name)
    timeout = REAL_DETACH_TIMEOUT if infra_name == infra.REAL else DETACH_TIMEOUT
    deadline = started + timeout
    while not all(result.ready for result in health.probe_all(components)):
        if supervisor.poll() is not None:
            return fail(f"the stack did not start{supervisor_log(layout)}")
        if time.monotonic() >= deadline:
            detached.stop(layout)
            return fail(f"the stack was not ready in {timeout:g} s{supervisor_log(layout)}")
        time.sleep(0.25)
    print(summary(layout, time.monotonic() - started, detached=True, infra_name=infra_name))
    print(f"supervisor pid {supervisor.pid}, its log: {layout.supervisor_log}")
    return 0


def supervisor_log(layout: Layout) -> str:
    return f"; last lines of {layout.supervisor_log}:\n{tail(layout.supervisor_log)}"


def summary(layout: Layout, seconds: float, *, detached: bool, infra_name: str) -> str:
    ports = StackPorts()
    how_to_stop = "smartbank down" if detached else "Ctrl-C"
    return f"""\
smartbank is up on the {infra_name} infrastructure (ready in {seconds:.1f} s)

  public API     http://{HOST}:{ports.public_api}
  card network   http://{HOST}:{ports.card_network}
  Envoy admin    http://{HOST}:{ports.envoy_admin}
{beneath(layout, ports, infra_name)}
  data dir       {layout.root}
  logs           {layout.logs}

Seed a customer, then swipe their card:
  smartbank seed --name Alice --balance 10000 --device --json
  smartbank swipe --card <card_token> --amount 350 --merchant "STARBUCKS 1234 LONDON GBR" --mcc 5814

A service that exits is restarted; `smartbank stop|start|restart SERVICE` for one by hand.
Health: smartbank status    Stop: {how_to_stop}"""


def beneath(layout: Layout, ports: StackPorts, infra_name: str) -> str:
    """The summary's lines for what runs beneath the services."""
    if infra_name != infra.REAL:
        return f"""\
  Kafka          {HOST}:{ports.kafka} (Tansu)
  traces         http://{HOST}:{ports.trace_sink} (OTLP/HTTP), files in {layout.traces}"""
    return f"""\
  Kafka          {HOST}:{ports.kafka} (Apache Kafka)
  Cassandra      {HOST}:{ports.cassandra}, data in {layout.part("cassandra")}
  traces         http://{HOST}:{ports.trace_sink} (OTLP/HTTP) into Jaeger, its API at \
http://{HOST}:{ports.jaeger_query}"""


def fail(message: str) -> int:
    print(f"smartbank up: {message}", file=sys.stderr)
    return 1


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
