"""CPU per authorisation, by process: where the two cores go.

Sends authorisations one after another (no queueing, so every process's CPU time is the work
itself) and divides each process's user + system time by the number sent.

    python -m tests.bench.cpu            # through Envoy
    BENCH_MODE=direct python -m tests.bench.cpu
    BENCH_INFRA=real python -m tests.bench.cpu   # on Apache Kafka, Cassandra and Jaeger
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from smartbank.local.launcher.stack import Stack
from smartbank.registry import CARD_NETWORK_PORT, spec
from tests.bench.loadgen import Outcome, Pool, open_loop
from tests.bench.workload import PATH, STACK_ENV, message_factory, seed_cards

T = TypeVar("T")

SETTLE_SECONDS = 3.0  # the pipeline delivers the last swipes' events and pushes


def cpu_seconds(pid: int) -> float:
    """Time on a CPU of every thread of one process, in seconds.

    From the scheduler's own nanosecond counters (`/proc/PID/task/*/schedstat`), not the
    tick-sampled user and system times in `/proc/PID/stat`, which charge a whole tick to a
    process that wakes on a timer just as the tick fires, and so overstate idle processes.
    """
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, IndexError, ValueError):
            continue  # the thread ended between listing and reading
    return total / 1e9


def snapshot(pids: dict[str, int]) -> dict[str, float]:
    return {name: cpu_seconds(pid) for name, pid in pids.items()}


async def sequential(port: int, tokens: list[str], count: int, run: int) -> float:
    pool = Pool("127.0.0.1", port)
    make = message_factory(tokens, run)
    started = time.perf_counter()
    for i in range(count):
        status, _ = await pool.post(PATH, make(i))
        if status != 200:
            raise RuntimeError(f"authorisation {i} answered HTTP {status}")
    pool.close()
    return time.perf_counter() - started


def per_auth(
    stack: Stack, run: Callable[[], T], settle: float, count: Callable[[T], int]
) -> tuple[T, dict[str, Any]]:
    """`run()`'s result, and what each process of `stack` spent on CPU, from its start to
    `settle` seconds after it, per authorisation (`count(result)` of them), busiest first."""
    pids = {n: p["pid"] for n, p in stack.status().items() if p.get("pid")}
    before = snapshot(pids)
    result = run()
    time.sleep(settle)
    after = snapshot(pids)
    sent = count(result)
    if sent == 0:
        raise ValueError("no authorisation was sent")
    by_process = {n: round((after[n] - before[n]) * 1000 / sent, 2) for n in pids}
    busiest = sorted(by_process.items(), key=lambda kv: -kv[1])
    return result, {
        "count": sent,
        "cpu_ms_per_auth": round(sum(by_process.values()), 2),
        "by_process": {name: ms for name, ms in busiest if ms > 0},
    }


def cpu_per_auth(
    stack: Stack, port: int, tokens: list[str], count: int, run: int
) -> dict[str, Any]:
    """Milliseconds of CPU each process of `stack` spends per authorisation, busiest first.
    The count runs on 1.5 s after the last one, for batched span exports to land."""
    elapsed, cpu = per_auth(
        stack, lambda: asyncio.run(sequential(port, tokens, count, run)), 1.5, lambda _: count
    )
    return {**cpu, "mean_latency_ms": round(elapsed * 1000 / count, 2)}


async def steady(
    port: int, tokens: list[str], rate: float, seconds: float, run: int
) -> list[Outcome]:
    pool = Pool("127.0.0.1", port)
    outcomes = await open_loop(pool, PATH, message_factory(tokens, run), rate, seconds)
    pool.close()
    return outcomes


def cpu_at_rate(
    stack: Stack, port: int, tokens: list[str], rate: float, seconds: float, run: int
) -> dict[str, Any]:
    """Milliseconds of CPU each process spends per authorisation while `rate` a second arrive
    on schedule: the cost once consumers fetch several events at a time, which swipes sent one
    after another never let them. As in `cpu_per_auth`, the count runs on for a settle after
    the last swipe (here SETTLE_SECONDS, for its events and push) and includes the stack's
    idle polling over the whole window."""
    outcomes, cpu = per_auth(
        stack, lambda: asyncio.run(steady(port, tokens, rate, seconds, run)), SETTLE_SECONDS, len
    )
    not_approved = sum(o.body.get("approved") is not True for o in outcomes)
    return {"rate": rate, "not_approved": not_approved, **cpu}


def main() -> None:
    mode = os.environ.get("BENCH_MODE", "mesh")
    infra = os.environ.get("BENCH_INFRA", "embedded")
    count = int(os.environ.get("COUNT", "1000"))
    with (
        tempfile.TemporaryDirectory(prefix=f"smartbank-cpu-{mode}-") as home,
        Stack(Path(home), rpc_mode=mode, env=STACK_ENV, infra=infra) as stack,
    ):
        stack.wait_ready(120)
        tokens = asyncio.run(seed_cards())
        port = CARD_NETWORK_PORT if mode == "mesh" else spec("card-api").port
        asyncio.run(sequential(port, tokens, 100, 1))  # warm up
        time.sleep(2)
        print({"mode": mode, "infra": infra, **cpu_per_auth(stack, port, tokens, count, 2)})


if __name__ == "__main__":
    main()
