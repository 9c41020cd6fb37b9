"""`make bench`, part three: the public API's reads at fixed open-loop arrival rates.

Customers with a history of enriched card transactions read their balance, their
transactions with merchants expanded, and who they are, through Envoy's edge, the way an app
does when it opens. Every request checks its token with auth and the account's owner, so a
read is three to five service calls.

    BENCH_API_RATES=50,100 BENCH_SECONDS=20 python -m tests.bench.public_api
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any

from smartbank.local.cli.seed import seed
from smartbank.local.launcher.stack import Stack
from smartbank.registry import CARD_NETWORK_PORT, PUBLIC_API_PORT
from tests.bench.loadgen import Outcome, Pool, open_loop, open_loop_of, percentile
from tests.bench.report import save_report
from tests.bench.workload import PATH, STACK_ENV, message_factory

SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
RATES = [float(r) for r in os.environ.get("BENCH_API_RATES", "50,100").split(",")]
REPORT = Path(os.environ.get("BENCH_API_REPORT", ".bench/public_api.json"))
CUSTOMERS, SWIPES_EACH = 20, 10
# People, not benchmarks, are what the limits are for.
UNLIMITED = {"API_RATE_LIMIT_PER_TOKEN": "100000", "API_RATE_LIMIT_PER_ADDRESS": "100000"}
READS = (
    ("whoami", "/ping/whoami"),
    ("balance", "/balance?account_id={account}"),
    ("transactions", "/transactions?account_id={account}&limit=30&expand%5B%5D=merchant"),
)


async def customers_with_history() -> list[dict[str, str]]:
    customers = [await seed(f"Reader {i}", 10**9) for i in range(CUSTOMERS)]
    network = Pool("127.0.0.1", CARD_NETWORK_PORT)
    swipe = message_factory([c["card_token"] for c in customers], 77)
    await open_loop(network, PATH, swipe, 50, CUSTOMERS * SWIPES_EACH / 50)
    network.close()
    await asyncio.sleep(3)  # enrichment gives the last swipes their merchants
    return customers


def reading(api: Pool, customers: list[dict[str, str]], template: str) -> Any:
    def send(i: int) -> Any:
        customer = customers[i % len(customers)]
        path = template.format(account=customer["account_id"])
        return api.request(
            "GET", path, headers=f"authorization: Bearer {customer['access_token']}\r\n"
        )

    return send


def summarise(name: str, rate: float, outcomes: list[Outcome]) -> dict[str, Any]:
    latencies = sorted(o.latency_ms for o in outcomes)
    return {
        "read": name,
        "rate": rate,
        "requests": len(outcomes),
        "errors": sum(o.status != 200 for o in outcomes),
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "p999_ms": round(percentile(latencies, 0.999), 2),
    }


async def drive(customers: list[dict[str, str]]) -> list[dict[str, Any]]:
    api = Pool("127.0.0.1", PUBLIC_API_PORT)
    results = []
    for name, template in READS:
        await open_loop_of(reading(api, customers, template), 20, 2)  # warm
        for rate in RATES:
            outcomes = await open_loop_of(reading(api, customers, template), rate, SECONDS)
            results.append(summarise(name, rate, outcomes))
    api.close()
    return results


ROW = "{:14} {:>7} {:>6} {:>7} {:>8} {:>8} {:>9}"


def main() -> None:
    home = tempfile.TemporaryDirectory(prefix="smartbank-bench-api-")
    with home, Stack(Path(home.name), env={**STACK_ENV, **UNLIMITED}) as stack:
        stack.wait_ready(120)
        results = asyncio.run(asyncio_main())
    report = {"seconds_per_rate": SECONDS, "cpus": os.cpu_count(), "reads": results}
    save_report(REPORT, report)
    print(f"\npublic API reads through the edge, open loop, {SECONDS:.0f} s per rate")
    print(ROW.format("read", "rate/s", "sent", "errors", "p50 ms", "p99 ms", "p99.9 ms"))
    for r in results:
        cells = (r["requests"], r["errors"], r["p50_ms"], r["p99_ms"], r["p999_ms"])
        print(ROW.format(r["read"], f"{r['rate']:.0f}", *cells))
    print(f"report: {REPORT}")


async def asyncio_main() -> list[dict[str, Any]]:
    return await drive(await customers_with_history())


if __name__ == "__main__":
    main()
