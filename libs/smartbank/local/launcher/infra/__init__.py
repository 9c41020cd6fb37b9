"""What runs beneath the services: `embedded` (Tansu, the trace sink, SQLite) or `real`.

The stack asks its infrastructure four things: is everything it needs present (and if not,
what to run), which ports it takes, which components `smartbank status` probes, and what the
services must be told to reach it. Then it starts it, through the stack's own `spawn_part`, so
every part is a child the stack supervises and stops like any other.

Which one runs is recorded in run/infra.json while the stack is up, so commands run from
another shell (`status`, `trace`, `graph`) look where that stack keeps things.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from smartbank.local.launcher.infra.base import (
    BACKGROUND_NICE,
    EMBEDDED,
    INFRA_TIMEOUT,
    INFRAS,
    REAL,
    Infra,
    Spawner,
    start_shared,
)
from smartbank.local.launcher.infra.embedded import Embedded
from smartbank.local.launcher.infra.real import Real, RealPartsMissing
from smartbank.local.launcher.layout import Layout
from smartbank.local.launcher.ports import HOST, StackPorts

__all__ = [
    "BACKGROUND_NICE",
    "EMBEDDED",
    "INFRAS",
    "INFRA_TIMEOUT",
    "REAL",
    "Embedded",
    "Infra",
    "Real",
    "RealPartsMissing",
    "Spawner",
    "start_shared",
]


def choose(name: str, sink_module: str) -> Infra:
    if name == EMBEDDED:
        return Embedded(sink_module)
    if name == REAL:
        return Real()
    raise ValueError(f"infra must be one of {INFRAS}, not {name!r}")


@dataclass(frozen=True)
class Recorded:
    """What a running stack recorded of its infrastructure."""

    name: str = EMBEDDED
    jaeger_query: str = ""


def record(layout: Layout, infra: Infra, ports: StackPorts) -> None:
    query = f"http://{HOST}:{ports.jaeger_query}" if infra.name == REAL else ""
    layout.run.mkdir(parents=True, exist_ok=True)
    partial = layout.infra.with_name(".infra.json.partial")
    partial.write_text(json.dumps({"infra": infra.name, "jaeger_query": query}))
    os.replace(partial, layout.infra)


def recorded(layout: Layout) -> Recorded:
    """The running stack's infrastructure; embedded when none is recorded (or it is unreadable)."""
    try:
        document = json.loads(layout.infra.read_text())
        return Recorded(str(document["infra"]), str(document.get("jaeger_query") or ""))
    except (OSError, ValueError, KeyError, TypeError):
        return Recorded()


def forget(layout: Layout) -> None:
    layout.infra.unlink(missing_ok=True)
