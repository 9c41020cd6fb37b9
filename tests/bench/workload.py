"""The bench's workload: funded cards, and authorisation messages that never repeat."""

from __future__ import annotations

import os
from typing import Any

from smartbank import timeutil
from smartbank.local.cli.seed import seed
from smartbank.rpc import RpcClient
from smartbank.settings import PlatformSettings

PATH = "/network/v1/authorisations"
# BENCH_TRACE_SAMPLING=0.1 records one trace in ten (every process and Envoy follow the edge).
STACK_ENV = {"TRACE_SAMPLING": os.environ.get("BENCH_TRACE_SAMPLING", "1")}
CARDS = 40


def message_factory(tokens: list[str], run: int) -> Any:
    def make(i: int) -> dict[str, Any]:
        stan = f"{i % 1_000_000:06d}"
        return {
            "card_token": tokens[i % len(tokens)],
            "amount": 125,
            "currency": "GBP",
            "merchant": {"descriptor": "PRET A MANGER 0423", "mcc": "5812"},
            "stan": stan,
            "rrn": f"{run:06d}{stan}",
            "transmitted_at": timeutil.now_text(),
        }

    return make


async def seed_cards() -> list[str]:
    """Funded cards, each owner with a device, so every approval ends in a push."""
    customers = [await seed(f"Bench {i}", 10**12) for i in range(CARDS)]
    rpc = RpcClient("bench", PlatformSettings())
    try:
        for i, customer in enumerate(customers):
            device = {"user_id": customer["user_id"], "token": f"{i:064x}"}
            await rpc.call("apns", "POST", "/devices", json=device, idempotent=True)
    finally:
        await rpc.close()
    return [c["card_token"] for c in customers]
