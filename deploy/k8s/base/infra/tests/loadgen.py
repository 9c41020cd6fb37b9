"""The in-cluster load generator: card swipes through the card network edge until stopped.

It reuses the bench (tests/bench): its workload seeds funded cards whose owners each have a
device, so every approval ends in a push, and its open-loop sender sends LOADGEN_RATE
authorisations a second whether or not earlier ones have returned, measuring latency from each
request's scheduled time. Every LOADGEN_WINDOW_SECONDS it prints one JSON line: what was sent,
how it was answered, and the latency percentiles. Seeding calls the services directly
(RPC_MODE=direct, DIRECT_HOST={service}), like the test Job.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
from typing import Any, NoReturn
from urllib.parse import urlsplit

from smartbank.errors import ServiceError
from tests.bench.loadgen import Outcome, Pool, open_loop, percentile
from tests.bench.workload import PATH, message_factory, seed_cards

RATE = float(os.environ.get("LOADGEN_RATE", "20"))
WINDOW_SECONDS = float(os.environ.get("LOADGEN_WINDOW_SECONDS", "30"))
EDGE = urlsplit(os.environ.get("LOADGEN_EDGE_URL", "http://edge:8090"))


async def cards() -> list[str]:
    while True:
        try:
            return await seed_cards()
        except ServiceError as exc:
            print(f"seeding: stack not ready ({exc.code}), retrying", flush=True)
            await asyncio.sleep(5)


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    latencies = sorted(o.latency_ms for o in outcomes)
    answered = [o for o in outcomes if o.status == 200]
    return {
        "rate": RATE,
        "sent": len(outcomes),
        "approved": sum(o.body.get("approved") is True for o in answered),
        "declined": sum(o.body.get("approved") is False for o in answered),
        "answered_91": sum(o.body.get("response_code") == "91" for o in answered),
        "errors": len(outcomes) - len(answered),
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "max_ms": round(latencies[-1], 2) if latencies else None,
    }


async def main() -> None:
    tokens = await cards()
    print(f"{len(tokens)} cards seeded; {RATE}/s to {EDGE.geturl()}", flush=True)
    pool = Pool(EDGE.hostname or "edge", EDGE.port or 80)
    # The run number is part of every message's RRN: a new one per window, so no message repeats.
    run = random.randrange(1_000_000)
    while True:
        outcomes = await open_loop(pool, PATH, message_factory(tokens, run), RATE, WINDOW_SECONDS)
        print(json.dumps(summary(outcomes)), flush=True)
        run = (run + 1) % 1_000_000


def stop(*_: object) -> NoReturn:
    raise SystemExit(0)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop)  # PID 1 would otherwise ignore it
    asyncio.run(main())
