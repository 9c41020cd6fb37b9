from __future__ import annotations

from typing import Any

from cachetools import TTLCache

from smartbank import ids
from smartbank.contracts.merchant import Descriptor, FoundMerchant, Merchant
from smartbank.contracts.transactions import Enrichment, Transaction
from smartbank.events import Event, Received
from smartbank.events.codec import transaction_from_dict, transaction_to_dict
from smartbank.rpc import route
from smartbank.runtime import Runtime
from smartbank.schemas.v1 import events_pb2


async def on_transaction_created(received: Received, runtime: Runtime) -> None:
    payload = received.event.payload
    assert isinstance(payload, events_pb2.TransactionCreated)
    transaction = transaction_to_dict(payload.transaction)
    enriched = await enrich(transaction, runtime)
    message = transaction_from_dict({**enriched, "user_id": transaction["user_id"]})
    event = Event.capture(
        "transaction.enriched",
        transaction["account_id"],
        events_pb2.TransactionEnriched(transaction=message),
        event_id=ids.derived_id("evt", transaction["id"], "enriched"),
    )
    await runtime.publisher.publish([event])


async def resolve(runtime: Runtime, descriptor: str, mcc: str) -> Merchant:
    """The merchant for a descriptor, remembered for a while: the same shops recur all day."""
    cache: TTLCache[tuple[str, str], Merchant] = runtime.resource(
        "merchants", lambda: TTLCache(maxsize=4096, ttl=600)
    )
    key = (descriptor, mcc)
    if key not in cache:
        resolved = await runtime.rpc.call(
            "merchant",
            "POST",
            "/merchants/resolve",
            json=Descriptor(descriptor=descriptor, mcc=mcc),
            idempotent=True,
            reply=FoundMerchant,
        )
        cache[key] = resolved.merchant
    return cache[key]


async def enrich(transaction: dict[str, Any], runtime: Runtime) -> dict[str, Any]:
    """Resolve the merchant and write it back; the event carries it expanded, so consumers
    need not ask merchant again. A transaction with no card descriptor (a top-up) has none."""
    descriptor = transaction.get("merchant_descriptor") or ""
    if not descriptor or transaction["merchant"]:
        return transaction
    merchant = await resolve(runtime, descriptor, transaction.get("mcc") or "")
    written = await runtime.rpc.call(
        "transactions",
        "POST",
        route("/transactions/{}/enrichment", transaction["id"]),
        json=Enrichment(merchant=merchant.id, category=merchant.category),
        idempotent=True,
        reply=Transaction,
    )
    return {**written.model_dump(), "merchant": merchant.model_dump()}
