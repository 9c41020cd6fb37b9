from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import httpx
import pytest

from smartbank.storage import TableStore
from smartbank.testing import memory_store
from webhook import tables, webhooks
from webhook.delivery import Deliverer
from webhook.settings import Settings
from webhook.tests.fakes import (
    HOOK_URL,
    PUBLIC_ADDRESS,
    FakeClock,
    FakeResolver,
    MakeDeliverer,
    Receiver,
    YieldingStore,
)


@pytest.fixture
async def store() -> AsyncIterator[TableStore]:
    async with memory_store(tables.ALL) as opened:
        yield opened


@pytest.fixture
def resolver() -> FakeResolver:
    return FakeResolver({"hooks.example.com": [PUBLIC_ADDRESS]})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
async def make_deliverer(
    store: TableStore, resolver: FakeResolver, clock: FakeClock, receiver: Receiver
) -> AsyncIterator[MakeDeliverer]:
    clients: list[httpx.AsyncClient] = []

    def make(*, interleaving: bool = False, **overrides: Any) -> Deliverer:
        client = httpx.AsyncClient(transport=httpx.MockTransport(receiver.handle))
        clients.append(client)
        settings = Settings(storage="memory", **overrides)
        used = cast(TableStore, YieldingStore(store)) if interleaving else store
        return Deliverer(used, settings, client, resolve=resolver, clock=clock, rand=lambda: 1.0)

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def transaction() -> dict[str, Any]:
    """A settled card transaction as API.md shapes it, with the merchant expanded."""
    return {
        "id": "tx_1",
        "account_id": "acc_1",
        "amount": -350,
        "currency": "GBP",
        "created": "2026-11-22T10:00:00.000Z",
        "description": "STARBUCKS 1234 LONDON GBR",
        "merchant": {
            "id": "merch_1",
            "group_id": "grp_1",
            "name": "Starbucks",
            "logo": "https://example.com/starbucks.png",
            "emoji": "☕",
            "category": "eating_out",
            "created": "2026-01-01T00:00:00.000Z",
            "address": {
                "address": "1 High Street",
                "city": "London",
                "country": "GB",
                "latitude": 51.5,
                "longitude": -0.12,
                "postcode": "EC1A 1AA",
                "region": "",
            },
        },
        "metadata": {},
        "notes": "",
        "is_load": False,
        "settled": "",
        "category": "eating_out",
    }


@pytest.fixture
async def hook(store: TableStore, resolver: FakeResolver) -> dict[str, Any]:
    """A webhook of acc_1, with its secret."""
    return await webhooks.create_webhook(
        store, account_id="acc_1", url=HOOK_URL, allow_private=False, resolve=resolver
    )
