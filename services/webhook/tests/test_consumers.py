import json
from typing import Any

import httpx

from smartbank.events import Event
from smartbank.events.codec import transaction_from_dict
from smartbank.schemas.v1 import events_pb2
from smartbank.testing import deliver, running
from webhook import webhooks
from webhook.delivery import Deliverer
from webhook.main import service
from webhook.settings import Settings
from webhook.tests.fakes import HOOK_URL, PUBLIC_ADDRESS, FakeResolver, Receiver

MERCHANT = {
    "id": "merch_1",
    "group_id": "grp_1",
    "name": "Starbucks",
    "logo": "",
    "emoji": "☕",
    "category": "eating_out",
    "created": "2025-01-01T00:00:00.000Z",
    "address": {
        "address": "",
        "city": "London",
        "country": "GB",
        "latitude": 51.5,
        "longitude": -0.1,
        "postcode": "",
        "region": "",
    },
}


def enriched() -> Event:
    transaction: dict[str, Any] = {
        "id": "tx_1",
        "account_id": "acc_1",
        "user_id": "user_1",
        "amount": -350,
        "currency": "GBP",
        "created": "2026-11-30T10:00:00.000Z",
        "description": "STARBUCKS 1234 LONDON GBR",
        "merchant": MERCHANT,
        "category": "eating_out",
        "status": "authorised",
        "mcc": "5814",
        "card_id": "card_1",
    }
    payload = events_pb2.TransactionEnriched(transaction=transaction_from_dict(transaction))
    return Event("transaction.enriched", "acc_1", payload)


async def test_enriched_transaction_is_delivered_as_api_md_says_once() -> None:
    receiver = Receiver()
    settings = Settings(storage="memory", access_log=False)
    resolver = FakeResolver({"hooks.example.com": [PUBLIC_ADDRESS]})
    async with running(service, settings=settings) as built:
        client = httpx.AsyncClient(transport=httpx.MockTransport(receiver.handle))
        store = built.runtime.store
        built.runtime.resource(
            "deliverer", lambda: Deliverer(store, settings, client, resolve=resolver)
        )
        await webhooks.create_webhook(
            store, account_id="acc_1", url=HOOK_URL, allow_private=False, resolve=resolver
        )
        event = enriched()
        await deliver(built, event)
        await deliver(built, event)
        await client.aclose()
    [request] = receiver.requests
    body = json.loads(request.content)
    assert body["type"] == "transaction.created"
    assert body["data"]["merchant"] == MERCHANT
    assert body["data"]["settled"] == "" and body["data"]["category"] == "eating_out"
    internal = {"status", "mcc", "card_id", "user_id", "version", "amount_authorised"}
    assert internal.isdisjoint(body["data"])
    assert request.headers["smartbank-event"] == event.event_id
