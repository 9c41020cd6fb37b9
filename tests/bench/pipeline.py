"""`make bench`, second part: how fast the asynchronous pipeline drains a backlog.

With transaction-enrichment stopped, BENCH_BACKLOG transactions of 20 customers (each with a
device and a webhook) are recorded (each publishes
`transaction.created` through the outbox), building a backlog. Then enrichment starts and the
clock runs until every stage has handled every event: enrichment, feed-generator, webhook
(delivering to a local receiver) and apns (pushing to the local sink).
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from smartbank.local.cli.seed import seed
from smartbank.local.launcher.stack import Stack
from smartbank.registry import spec
from smartbank.rpc import RpcClient
from smartbank.settings import PlatformSettings
from tests.bench.cpu import snapshot
from tests.bench.report import save_report
from tests.bench.workload import STACK_ENV
from tests.e2e.receiver import receiver

REPORT = Path(os.environ.get("BENCH_PIPELINE_REPORT", ".bench/pipeline.json"))
BACKLOG = int(os.environ.get("BENCH_BACKLOG", "2000"))
ACCOUNTS = 20
STAGES = ("transaction-enrichment", "feed-generator", "webhook", "apns")
DESCRIPTORS = ("STARBUCKS 1234 LONDON GBR", "TFL TRAVEL CH", "PRET A MANGER 0423")
PROCESSED = re.compile(r'^smartbank_events_processed_total\{[^}]*topic="([^"]+)"[^}]*\} (\S+)$')


async def processed(service: str) -> float:
    """Events the service has handled so far, over all its consumers."""
    url = f"http://127.0.0.1:{spec(service).port}/metrics"
    async with httpx.AsyncClient() as client:
        text = (await client.get(url)).text
    return sum(float(m.group(2)) for m in map(PROCESSED.match, text.splitlines()) if m)


async def record_backlog(customers: list[dict[str, str]], count: int) -> None:
    rpc = RpcClient("bench", PlatformSettings())
    limit = asyncio.Semaphore(32)

    async def one(i: int) -> None:
        customer = customers[i % len(customers)]
        body = {
            "id": f"tx_backlog{i:06d}",
            "account_id": customer["account_id"],
            "user_id": customer["user_id"],
            "amount": -(100 + i % 900),
            "currency": "GBP",
            "description": DESCRIPTORS[i % len(DESCRIPTORS)],
            "merchant_descriptor": DESCRIPTORS[i % len(DESCRIPTORS)],
            "mcc": "5814",
            "status": "authorised",
        }
        async with limit:
            await rpc.call("transactions", "POST", "/transactions", json=body, idempotent=True)

    try:
        await asyncio.gather(*(one(i) for i in range(count)))
    finally:
        await rpc.close()


async def customers_with_devices_and_webhooks(hook_url: str) -> list[dict[str, str]]:
    customers = [await seed(f"Backlog {i}", 10**9) for i in range(ACCOUNTS)]
    rpc = RpcClient("bench", PlatformSettings())
    for i, customer in enumerate(customers):
        device = {"user_id": customer["user_id"], "token": f"{i:064x}"}
        await rpc.call("apns", "POST", "/devices", json=device)
        hook = {"account_id": customer["account_id"], "url": hook_url}
        await rpc.call("webhook", "POST", "/webhooks", json=hook)
    await rpc.close()
    return customers


async def drain(stack: Stack, hook_url: str) -> dict[str, Any]:
    customers = await customers_with_devices_and_webhooks(hook_url)
    await asyncio.sleep(2)  # the seed's own events pass through first
    stack.stop_service("transaction-enrichment")
    before = {s: await processed(s) for s in STAGES if s != "transaction-enrichment"}
    before["transaction-enrichment"] = 0.0  # its counters start again with the process
    await record_backlog(customers, BACKLOG)
    await asyncio.sleep(2)  # the outbox relay has published the backlog
    stack.start_service("transaction-enrichment")
    stack.wait_ready(60)  # the clock starts once it is up (its consumers may just have begun)
    pids = {n: p["pid"] for n, p in stack.status().items() if p.get("pid")}
    cpu_before = snapshot(pids)
    started = time.monotonic()
    done_at: dict[str, float] = {}
    while len(done_at) < len(STAGES) and time.monotonic() - started < 600:
        for stage in STAGES:
            if stage not in done_at and await processed(stage) - before[stage] >= BACKLOG:
                done_at[stage] = time.monotonic() - started
        await asyncio.sleep(0.25)
    total = max(done_at.values(), default=float("nan"))
    cpu_after = snapshot(pids)
    per_event = {n: (cpu_after[n] - cpu_before[n]) * 1000 / BACKLOG for n in pids}
    busiest = sorted(per_event.items(), key=lambda kv: -kv[1])
    return {
        "backlog": BACKLOG,
        "events_handled": BACKLOG * len(done_at),
        "seconds": round(total, 2),
        "events_per_second": round(BACKLOG * len(done_at) / total, 1),
        "stage_done_after_s": {s: round(t, 2) for s, t in done_at.items()},
        "cpu_ms_per_transaction": round(sum(per_event.values()), 2),
        "cpu_ms_by_process": {n: round(ms, 2) for n, ms in busiest if ms >= 0.01},
    }


def main() -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="smartbank-bench-pipeline-") as home,
        Stack(Path(home), env=STACK_ENV) as stack,
        receiver() as hooks,
    ):
        stack.wait_ready(120)
        result = asyncio.run(drain(stack, hooks.url))
        result["webhooks_received"] = len(hooks.deliveries)
    save_report(REPORT, result)
    print(
        f"\npipeline replay: {result['events_handled']} events in {result['seconds']} s "
        f"= {result['events_per_second']} events/s (target >= 1500); "
        f"stages done after {result['stage_done_after_s']} s; CPU per transaction "
        f"{result['cpu_ms_per_transaction']} ms: {result['cpu_ms_by_process']}"
    )
    return result


if __name__ == "__main__":
    main()
