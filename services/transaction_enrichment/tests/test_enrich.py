from typing import Any

import pytest

from smartbank import errors
from smartbank.events import Event
from smartbank.events.codec import transaction_from_dict, transaction_to_dict
from smartbank.schemas.v1 import events_pb2
from smartbank.testing import FakePublisher, FakeRpc, deliver, running
from transaction_enrichment.main import service

PRET = {
    "id": "merch_pret",
    "group_id": "grp_pret",
    "name": "Pret A Manger",
    "logo": "https://example.com/pret.png",
    "emoji": "🥪",
    "category": "eating_out",
    "created": "2025-01-01T00:00:00.000Z",
    "address": {
        "address": "1 Strand",
        "city": "London",
        "country": "GB",
        "latitude": 51.5,
        "longitude": -0.12,
        "postcode": "WC2N 5HR",
        "region": "",
    },
}


def created(tx_id: str, descriptor: str = "PRET A MANGER 0423", **extra: Any) -> Event:
    transaction = {
        "id": tx_id,
        "account_id": "acc_1",
        "user_id": "user_1",
        "amount": -350,
        "currency": "GBP",
        "created": "2026-11-30T10:00:00.000Z",
        "description": descriptor,
        "merchant_descriptor": descriptor,
        "mcc": "5812",
        "status": "authorised",
        **extra,
    }
    payload = events_pb2.TransactionCreated(transaction=transaction_from_dict(transaction))
    return Event("transaction.created", "acc_1", payload)


def scripted() -> FakeRpc:
    rpc = FakeRpc()
    rpc.on("merchant", "POST", "/merchants/resolve", lambda _, body: {"merchant": PRET})

    def write_back(params: dict[str, str], body: Any) -> dict[str, Any]:
        return {
            "id": params["tx_id"],
            "account_id": "acc_1",
            "amount": -350,
            "currency": "GBP",
            "created": "2026-11-30T10:00:00.000Z",
            "description": "PRET A MANGER 0423",
            "merchant": body["merchant"],
            "category": body["category"],
            "status": "authorised",
            "settled": "",
            "metadata": {},
            "notes": "",
            "is_load": False,
            "amount_authorised": -350,
            "mcc": "5812",
            "merchant_descriptor": "PRET A MANGER 0423",
            "card_id": None,
            "user_id": "user_1",
            "version": 2,
        }

    rpc.on("transactions", "POST", "/transactions/{tx_id}/enrichment", write_back)
    return rpc


async def test_enrich_publishes_the_transaction_with_its_merchant_expanded() -> None:
    rpc, publisher = scripted(), FakePublisher()
    async with running(service, rpc=rpc, publisher=publisher) as built:
        await deliver(built, created("tx_1"))
    [written] = rpc.calls_to("transactions")
    assert written.json == {"merchant": "merch_pret", "category": "eating_out"}
    [event] = publisher.of_type("transaction.enriched")
    enriched = transaction_to_dict(event.payload.transaction)  # type: ignore[attr-defined]
    assert enriched["merchant"] == PRET
    assert (enriched["category"], enriched["user_id"]) == ("eating_out", "user_1")


async def test_enrich_resolves_a_descriptor_once_while_it_is_remembered() -> None:
    rpc, publisher = scripted(), FakePublisher()
    async with running(service, rpc=rpc, publisher=publisher) as built:
        await deliver(built, created("tx_1"))
        await deliver(built, created("tx_2"))
        await deliver(built, created("tx_3", descriptor="TFL TRAVEL CH"))
    assert len(rpc.calls_to("merchant")) == 2
    assert len(publisher.of_type("transaction.enriched")) == 3


async def test_redelivered_event_publishes_the_same_event_id() -> None:
    rpc, publisher = scripted(), FakePublisher()
    async with running(service, rpc=rpc, publisher=publisher) as built:
        event = created("tx_1")
        await deliver(built, event)
        await deliver(built, event)
    first, second = publisher.of_type("transaction.enriched")
    assert first.event_id == second.event_id


async def test_top_up_without_a_descriptor_is_published_without_a_merchant() -> None:
    rpc, publisher = scripted(), FakePublisher()
    async with running(service, rpc=rpc, publisher=publisher) as built:
        await deliver(built, created("tx_load", descriptor="", amount=10_000, is_load=True))
    assert rpc.calls == []
    [event] = publisher.of_type("transaction.enriched")
    assert transaction_to_dict(event.payload.transaction)["merchant"] is None  # type: ignore[attr-defined]


async def test_merchant_down_fails_the_event_for_a_retry_and_publishes_nothing() -> None:
    rpc, publisher = scripted(), FakePublisher()

    def down(*_: Any) -> None:
        raise errors.unavailable("upstream", "merchant is unavailable")

    rpc.on("merchant", "POST", "/merchants/resolve", down)
    async with running(service, rpc=rpc, publisher=publisher) as built:
        with pytest.raises(errors.ServiceError) as raised:
            await deliver(built, created("tx_1"))
    assert raised.value.status == 503
    assert rpc.calls_to("transactions") == [] and publisher.events == []
