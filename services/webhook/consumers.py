from __future__ import annotations

from smartbank.events import Consumer, Received
from smartbank.events.codec import transaction_to_dict
from smartbank.runtime import Runtime
from smartbank.schemas.v1 import events_pb2
from webhook.delivery import Deliverer, on_transaction_enriched
from webhook.settings import Settings


async def on_enriched(received: Received, runtime: Runtime) -> None:
    payload = received.event.payload
    assert isinstance(payload, events_pb2.TransactionEnriched)
    transaction = transaction_to_dict(payload.transaction)
    await on_transaction_enriched(received.event.event_id, public(transaction), deliverer(runtime))


def deliverer(runtime: Runtime) -> Deliverer:
    """One for the service's life: its HTTP client keeps connections to receivers open."""
    settings = runtime.settings_as(Settings)
    return runtime.resource("deliverer", lambda: Deliverer(runtime.store, settings))


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
