from __future__ import annotations

from typing import Any

from feed_generator.feed import on_transaction_event
from smartbank import ids
from smartbank.contracts.merchant import FoundMerchant
from smartbank.events import Consumer, Event, Received
from smartbank.events.codec import feed_item_from_dict, transaction_to_dict
from smartbank.rpc import Rpc, route
from smartbank.runtime import Runtime
from smartbank.schemas.v1 import events_pb2

TOPICS = (
    "transaction.enriched",
    "transaction.settled",
    "transaction.reversed",
    "transaction.declined",
)


async def on_transaction(received: Received, runtime: Runtime) -> None:
    message = getattr(received.event.payload, "transaction")  # noqa: B009 - every TOPICS payload
    transaction = await with_merchant(transaction_to_dict(message), runtime.rpc)
    item = await on_transaction_event(received.event.type, transaction, runtime.rpc)
    if item is None:
        return
    event = Event.capture(
        "feed.item.created",
        item["account_id"],
        events_pb2.FeedItemCreated(item=feed_item_from_dict(item)),
        event_id=ids.derived_id("evt", item["id"], "created"),
    )
    await runtime.publisher.publish([event])


async def with_merchant(transaction: dict[str, Any], rpc: Rpc) -> dict[str, Any]:
    """Enriched events carry the merchant; a settlement or reversal names it by id."""
    merchant_id = transaction.get("merchant")
    if not isinstance(merchant_id, str):
        return transaction
    merchant_path = route("/merchants/{}", merchant_id)
    found = await rpc.call("merchant", "GET", merchant_path, idempotent=True, reply=FoundMerchant)
    return {**transaction, "merchant": found.merchant.model_dump()}


ALL = [Consumer(topic, on_transaction) for topic in TOPICS]
