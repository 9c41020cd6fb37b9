"""`smartbank status [--wait SECONDS] [--json]`: each part of the local stack and its health."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import TextIO

from smartbank.launcher import health
from smartbank.launcher.health import Component, Health

POLL_SECONDS = 0.25


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "status",
        help="each service and its health",
        description="Probe every service (/readyz), Envoy (admin /ready), the Kafka broker and "
        "the trace sink. Exits 0 only when all are ready.",
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
    return report(health.stack_components(), wait=args.wait, as_json=args.json)


def report(
    components: Sequence[Component], *, wait: float, as_json: bool, out: TextIO = sys.stdout
) -> int:
    results = poll(components, wait)
    ready = all(result.ready for result in results)
    if as_json:
        document = {"ready": ready, "components": [result.as_json() for result in results]}
        print(json.dumps(document, indent=2), file=out)
    else:
        print(table(results), file=out)
    return 0 if ready else 1


def poll(components: Sequence[Component], wait: float) -> list[Health]:
    """Probe until every component is ready, or `wait` seconds have passed."""
    deadline = time.monotonic() + wait
    while True:
        results = health.probe_all(components)
        if all(result.ready for result in results) or time.monotonic() >= deadline:
            return results
        time.sleep(POLL_SECONDS)


def table(results: Sequence[Health]) -> str:
    rows = [("COMPONENT", "KIND", "READY", "URL", "DETAIL")]
    for result in results:
        c = result.component
        rows.append((c.name, c.kind, "yes" if result.ready else "NO", c.url, result.detail))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + "  "
        + row[4]
        for row in rows
    ]
    not_ready = [r.component.name for r in results if not r.ready]
    if not not_ready:
        lines.append(f"\nall {len(results)} ready")
    elif len(not_ready) == len(results):
        lines.append("\nnothing is ready: is a stack running? (`smartbank up`)")
    else:
        lines.append(f"\n{len(not_ready)} of {len(results)} not ready: {', '.join(not_ready)}")
    return "\n".join(lines)
