from typing import Any

from feed_generator.main import service
from feed_generator.tests.fakes import stored_item
from smartbank.events import Event
from smartbank.events.codec import feed_item_to_dict, transaction_from_dict
from smartbank.schemas.v1 import events_pb2
from smartbank.testing import FakePublisher, FakeRpc, deliver, running

MERCHANT = {
    "id": "merch_1",
    "group_id": "grp_1",
    "name": "Starbucks",
    "logo": "https://example.com/sb.png",
    "emoji": "☕",
    "category": "eating_out",
    "created": "2025-01-01T00:00:00.000Z",
    "address": {
        "address": "",
        "city": "",
        "country": "GB",
        "latitude": 0.0,
        "longitude": 0.0,
        "postcode": "",
        "region": "",
    },
}


def transaction_event(event_type: str, merchant: Any, **extra: Any) -> Event:
    transaction = {
        "id": "tx_1",
        "account_id": "acc_1",
        "user_id": "user_1",
        "amount": -350,
        "currency": "GBP",
        "created": "2026-11-30T10:00:00.000Z",
        "description": "STARBUCKS 1234 LONDON GBR",
        "merchant": merchant,
        "status": "authorised",
        "amount_authorised": -350,
        **extra,
    }
    message = transaction_from_dict(transaction)
    payload = {
        "transaction.enriched": events_pb2.TransactionEnriched,
        "transaction.settled": events_pb2.TransactionSettled,
    }[event_type](transaction=message)
    return Event(event_type, "acc_1", payload)


def feed_that_stores() -> FakeRpc:
    rpc = FakeRpc()
    rpc.on(
        "feed",
        "POST",
        "/feed/items",
        lambda _, item: {"feed_item": stored_item(item), "created": True},
    )
    rpc.on("merchant", "GET", "/merchants/{merchant_id}", lambda *_: {"merchant": MERCHANT})
    return rpc


async def test_enriched_event_becomes_a_feed_item_and_its_event() -> None:
    rpc, publisher = feed_that_stores(), FakePublisher()
    async with running(service, rpc=rpc, publisher=publisher) as built:
        await deliver(built, transaction_event("transaction.enriched", MERCHANT))
    assert rpc.calls_to("merchant") == []  # the enriched event carries the merchant
    [event] = publisher.of_type("feed.item.created")
    item = feed_item_to_dict(event.payload.item)  # type: ignore[attr-defined]
    assert (item["title"], item["body"], item["emoji"]) == ("Starbucks", "£3.50", "☕")
    assert (item["account_id"], item["user_id"], item["transaction_id"]) == (
        "acc_1",
        "user_1",
        "tx_1",
    )


async def test_settled_event_names_its_merchant_by_id_and_is_looked_up() -> None:
    rpc, publisher = feed_that_stores(), FakePublisher()
    when = "2026-11-30T11:00:00.000Z"
    settled = transaction_event(
        "transaction.settled", "merch_1", amount=-340, status="settled", settled=when
    )
    async with running(service, rpc=rpc, publisher=publisher) as built:
        await deliver(built, settled)
    assert len(rpc.calls_to("merchant")) == 1
    [event] = publisher.of_type("feed.item.created")
    assert event.payload.item.body == "Final amount £3.40"  # type: ignore[attr-defined]
