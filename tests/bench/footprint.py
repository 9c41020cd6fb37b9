"""What a local stack costs before it does anything: seconds from spawn to all ready, and the
resident memory of each process once idle.

    python -m tests.bench.footprint                    # the embedded stack
    BENCH_INFRA=real python -m tests.bench.footprint   # on Apache Kafka, Cassandra and Jaeger

Memory is each process group's resident set (a child's whole group, as the stack stops it),
read IDLE_SECONDS after the stack is ready, when the JVMs have settled after their start.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from smartbank.local.launcher.stack import Stack
from smartbank.local.real.process import rss_mib
from tests.bench.workload import STACK_ENV

IDLE_SECONDS = float(os.environ.get("IDLE_SECONDS", "30"))


def group_mib(pgid: int) -> float:
    """The resident sets of every process in the group, summed."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            in_group = int(stat.read_text().rpartition(")")[2].split()[2]) == pgid
        except (OSError, IndexError, ValueError):
            continue
        total += rss_mib(int(stat.parent.name)) if in_group else 0.0
    return total


def footprint(stack: Stack) -> dict[str, Any]:
    by_process = {n: round(group_mib(p["pid"])) for n, p in stack.status().items() if p["pid"]}
    services = sum(mib for n, mib in by_process.items() if stack.status()[n]["kind"] == "service")
    return {
        "idle_rss_mib": dict(sorted(by_process.items(), key=lambda kv: -kv[1])),
        "services_mib": services,
        "infrastructure_mib": sum(by_process.values()) - services,
        "total_mib": sum(by_process.values()),
    }


def main() -> None:
    infra = os.environ.get("BENCH_INFRA", "embedded")
    with tempfile.TemporaryDirectory(prefix=f"smartbank-footprint-{infra}-") as home:
        stack = Stack(Path(home), env=STACK_ENV, infra=infra)
        began = time.monotonic()
        with stack:
            stack.wait_ready(180)
            ready_s = round(time.monotonic() - began, 1)
            time.sleep(IDLE_SECONDS)
            took = {name: round(seconds, 1) for name, seconds in stack.timings.items()}
            result = {"infra": infra, "ready_s": ready_s, "ready_after_s": took, **footprint(stack)}
            result["launcher_mib"] = round(rss_mib(os.getpid()))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
