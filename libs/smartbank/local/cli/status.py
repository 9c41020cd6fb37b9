"""`smartbank status [--wait SECONDS] [--json]`: each part of the local stack and its health.

Health is probed over the network, as a client would see it; what only the stack's supervisor
knows (its state: running, restarting, stopped or failed; how often it restarted a process and
how that process last exited) comes from what the supervisor publishes in the data directory.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

from smartbank.local.launcher import control, health, infra
from smartbank.local.launcher.health import Component, Health
from smartbank.local.launcher.layout import Layout, default_data_dir

POLL_SECONDS = 0.25


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "status",
        help="each service and its health",
        description="Probe every service (/readyz), Envoy (admin /ready), the Kafka broker and "
        "the trace sink (or, on an `--infra real` stack, Kafka, Cassandra and Jaeger). Exits 0 "
        "only when all are ready.",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="poll until all are ready or this many seconds pass",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    layout = Layout(default_data_dir())
    return report(
        health.stack_components(infra=infra.recorded(layout).name),
        wait=args.wait,
        as_json=args.json,
        supervision=lambda: control.published(layout),
    )


def report(
    components: Sequence[Component],
    *,
    wait: float,
    as_json: bool,
    out: TextIO = sys.stdout,
    supervision: Callable[[], Mapping[str, Mapping[str, Any]]] = dict,
) -> int:
    results = poll(components, wait)
    ready = all(result.ready for result in results)
    known = supervision()
    rows = [
        {**result.as_json(), **supervised(known.get(result.component.name))} for result in results
    ]
    if as_json:
        print(json.dumps({"ready": ready, "components": rows}, indent=2), file=out)
    else:
        print(table(results, rows), file=out)
    return 0 if ready else 1


def supervised(known: Mapping[str, Any] | None) -> dict[str, Any]:
    """The supervisor's view of one component (all None when no supervisor runs the stack)."""
    known = known or {}
    return {key: known.get(key) for key in ("state", "restarts", "last_exit", "pid")}


def poll(components: Sequence[Component], wait: float) -> list[Health]:
    """Probe until every component is ready, or `wait` seconds have passed."""
    deadline = time.monotonic() + wait
    while True:
        results = health.probe_all(components)
        if all(result.ready for result in results) or time.monotonic() >= deadline:
            return results
        time.sleep(POLL_SECONDS)


def table(results: Sequence[Health], rows: Sequence[Mapping[str, Any]]) -> str:
    header = ("COMPONENT", "KIND", "READY", "STATE", "RESTARTS", "LAST EXIT", "URL", "DETAIL")
    cells: list[tuple[str, ...]] = [header]
    for result, row in zip(results, rows, strict=True):
        c = result.component
        ready = "yes" if result.ready else "NO"
        restarts = "-" if row["restarts"] is None else str(row["restarts"])
        supervision = (row["state"] or "-", restarts, last_exit(row["last_exit"]))
        cells.append((c.name, c.kind, ready, *supervision, c.url, result.detail))
    widths = [max(len(row[i]) for row in cells) for i in range(len(header) - 1)]
    lines = [padded(row, widths) for row in cells]
    return "\n".join([*lines, "", verdict(results)])


def padded(row: Sequence[str], widths: Sequence[int]) -> str:
    """Every cell but the last padded to its column's width."""
    cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
    return "  ".join([*cells, row[-1]])


def last_exit(exit: Mapping[str, Any] | None) -> str:
    if not exit:
        return "-"
    return str(exit["signal"]) if exit.get("signal") else f"code {exit.get('code')}"


def verdict(results: Sequence[Health]) -> str:
    not_ready = [r.component.name for r in results if not r.ready]
    if not not_ready:
        return f"all {len(results)} ready"
    if len(not_ready) == len(results):
        return "nothing is ready: is a stack running? (`smartbank up`)"
    return f"{len(not_ready)} of {len(results)} not ready: {', '.join(not_ready)}"
