from __future__ import annotations

from typing import cast

from smartbank.events import Consumer, Received
from smartbank.events.codec import transaction_to_dict
from smartbank.runtime import Runtime
from smartbank.schemas.v1 import events_pb2
from webhook.delivery import on_transaction_enriched, open_deliverer
from webhook.settings import Settings


async def on_enriched(received: Received, runtime: Runtime) -> None:
    payload = received.event.payload
    assert isinstance(payload, events_pb2.TransactionEnriched)
    transaction = transaction_to_dict(payload.transaction)
    settings = cast(Settings, runtime.settings)
    async with open_deliverer(runtime.store, settings) as deliverer:
        await on_transaction_enriched(received.event.event_id, public(transaction), deliverer)


def public(transaction: dict[str, object]) -> dict[str, object]:
    """The Transaction of API.md: internal fields stay inside smartbank."""
    internal = (
        "status",
        "amount_authorised",
        "version",
        "mcc",
        "merchant_descriptor",
        "card_id",
        "user_id",
    )
    return {k: v for k, v in transaction.items() if k not in internal}


ALL = [Consumer("transaction.enriched", on_enriched)]
