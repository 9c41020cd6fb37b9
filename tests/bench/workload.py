"""The bench's workload: funded cards, and authorisation messages that never repeat."""

from __future__ import annotations

from typing import Any

from smartbank import timeutil
from smartbank.cli.seed import seed

PATH = "/network/v1/authorisations"
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
    customers = [await seed(f"Bench {i}", 10**12) for i in range(CARDS)]
    return [c["card_token"] for c in customers]
