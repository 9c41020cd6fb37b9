"""`make bench`: card authorisations through card-api at fixed open-loop arrival rates.

The whole local stack runs in two ways: as deployed (services call each other through Envoy's
mesh listener, the network enters through Envoy's edge) and with services calling each other
directly, so the proxy's overhead is a ratio measured in the same run. Each rate, and the
one-at-a-time CPU measurement, gets a stack of its own. It also reports how long `smartbank up`
takes to be ready and the stack's memory when idle.

    BENCH_SECONDS=20 BENCH_RATES=100,200 make bench
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from smartbank import timeutil
from smartbank.local.launcher.stack import Stack
from smartbank.local.push_sink import read_pushes
from smartbank.registry import CARD_NETWORK_PORT, spec
from tests.bench.cpu import cpu_per_auth
from tests.bench.loadgen import Outcome, Pool, open_loop, percentile
from tests.bench.report import save_report
from tests.bench.workload import PATH, STACK_ENV, message_factory, seed_cards

SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
RATES = [float(r) for r in os.environ.get("BENCH_RATES", "100,200").split(",")]
PUSH_GRACE_SECONDS = 5.0
CPU_SAMPLE = int(os.environ.get("BENCH_CPU_SAMPLE", "500"))
REPORT = Path(os.environ.get("BENCH_REPORT", ".bench/authorisations.json"))


def push_latencies(outcomes: list[Outcome], pushes: list[dict[str, Any]]) -> list[float]:
    """Milliseconds from each approved swipe's scheduled time to its push reaching the sink."""
    pushed_at = {
        p["payload"].get("transaction_id"): timeutil.parse_time(p["time"]).timestamp()
        for p in pushes
    }
    due = {o.body.get("transaction_id"): o.due_wall for o in outcomes if o.body.get("approved")}
    return sorted((pushed_at[tx] - at) * 1000 for tx, at in due.items() if tx in pushed_at)


def summarise(outcomes: list[Outcome], rate: float) -> dict[str, Any]:
    latencies = sorted(o.latency_ms for o in outcomes)
    errors = sum(o.status != 200 for o in outcomes)
    stand_ins = sum(o.body.get("response_code") == "91" for o in outcomes)
    approved = sum(o.body.get("approved") is True for o in outcomes)
    return {
        "rate": rate,
        "requests": len(outcomes),
        "approved": approved,
        "errors": errors,
        "answered_91": stand_ins,
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "p999_ms": round(percentile(latencies, 0.999), 2),
        "max_ms": round(latencies[-1], 2) if latencies else None,
    }


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


async def drive(
    port: int, tokens: list[str], run: int, rate: float, pushes: Path
) -> dict[str, Any]:
    pool = Pool("127.0.0.1", port)
    warm = message_factory(tokens, run * 10)
    await open_loop(pool, PATH, warm, 50, 4)
    outcomes = await open_loop(pool, PATH, message_factory(tokens, run * 10 + 1), rate, SECONDS)
    await asyncio.sleep(PUSH_GRACE_SECONDS)  # let the pipeline deliver the last pushes
    pool.close()
    summary = summarise(outcomes, rate)
    to_push = push_latencies(outcomes, read_pushes(pushes))
    summary["pushed"] = len(to_push)
    summary["push_p50_ms"] = round(percentile(to_push, 0.50), 1)
    summary["push_p99_ms"] = round(percentile(to_push, 0.99), 1)
    return summary


@contextmanager
def fresh_stack(mode: str) -> Iterator[tuple[Stack, list[str], float, int]]:
    """A new stack with funded cards: each rate starts from an empty broker and no backlog
    (Tansu's memory engine costs more per event the more a topic holds), and no rate inherits
    the queue an earlier, overloaded one left behind."""
    with tempfile.TemporaryDirectory(prefix=f"smartbank-bench-{mode}-") as home:
        started = time.monotonic()
        with Stack(Path(home), rpc_mode=mode, env=STACK_ENV) as stack:
            stack.wait_ready(120)
            ready_s = round(time.monotonic() - started, 2)
            tokens = asyncio.run(seed_cards())
            time.sleep(3)
            port = CARD_NETWORK_PORT if mode == "mesh" else spec("card-api").port
            yield stack, tokens, ready_s, port


def run_mode(mode: str, run: int) -> dict[str, Any]:
    with fresh_stack(mode) as (stack, tokens, ready_s, port):
        idle = rss_mb([p["pid"] for p in stack.status().values() if p.get("pid")])
        cpu = cpu_per_auth(stack, port, tokens, CPU_SAMPLE, run * 10 + 9)
    results = []
    for k, rate in enumerate(RATES):
        with fresh_stack(mode) as (stack, tokens, _, port):
            results.append(
                asyncio.run(drive(port, tokens, run * 10 + k, rate, stack.layout.pushes))
            )
    return {
        "mode": mode,
        "ready_seconds": ready_s,
        "idle_rss_mb": idle,
        "rates": results,
        "sequential": cpu,
    }


def main() -> None:
    modes = [run_mode(mode, run) for run, mode in enumerate(("mesh", "direct"), start=1)]
    report: dict[str, Any] = {"seconds_per_rate": SECONDS, "cpus": os.cpu_count(), "modes": modes}
    mesh, direct = modes
    report["envoy_over_direct_p50"] = [
        round(m["p50_ms"] / d["p50_ms"], 2)
        for m, d in zip(mesh["rates"], direct["rates"], strict=True)
    ]
    save_report(REPORT, report)
    print_report(report)


ROW = "{:8} {:>7} {:>6} {:>8} {:>8} {:>9} {:>7} {:>5} {:>7} {:>10} {:>10}"


def print_report(report: dict[str, Any]) -> None:
    seconds, cpus = report["seconds_per_rate"], report["cpus"]
    print(f"\nauthorisations, open loop, {seconds:.0f} s per rate, {cpus} cpus")
    heads = ("p50 ms", "p99 ms", "p99.9 ms", "errors", "91s", "pushed", "push p50", "push p99")
    print(ROW.format("path", "rate/s", "sent", *heads))
    for mode in report["modes"]:
        for r in mode["rates"]:
            cells = (r["requests"], r["p50_ms"], r["p99_ms"], r["p999_ms"], r["errors"])
            pushed = (r["pushed"], r["push_p50_ms"], r["push_p99_ms"])
            print(ROW.format(mode["mode"], f"{r['rate']:.0f}", *cells, r["answered_91"], *pushed))
    for mode in report["modes"]:
        ready, idle = mode["ready_seconds"], mode["idle_rss_mb"]
        print(f"{mode['mode']}: ready after {ready} s, idle memory {idle} MB")
        cpu = mode["sequential"]
        print(
            f"  one at a time: {cpu['mean_latency_ms']} ms each, "
            f"{cpu['cpu_ms_per_auth']} ms CPU per authorisation"
        )
        print("  " + ", ".join(f"{n} {ms}" for n, ms in cpu["by_process"].items() if ms >= 0.1))
    print(f"through Envoy / direct at p50: {report['envoy_over_direct_p50']} (target <= 1.25)")
    print(f"report: {REPORT}")


if __name__ == "__main__":
    main()
