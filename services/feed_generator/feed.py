from __future__ import annotations

from typing import Any

from feed_generator.domain import build_item
from smartbank.contracts.feed import CreatedFeedItem, NewFeedItem
from smartbank.rpc import Rpc


async def on_transaction_event(
    event_type: str, transaction: dict[str, Any], rpc: Rpc
) -> dict[str, Any] | None:
    item = build_item(event_type, transaction)
    if item is None:
        return None
    answer = await rpc.call(
        "feed",
        "POST",
        "/feed/items",
        json=NewFeedItem(**item),
        idempotent=True,
        reply=CreatedFeedItem,
    )
    return answer.feed_item.model_dump()
