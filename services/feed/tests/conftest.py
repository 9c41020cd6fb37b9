from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from feed import tables
from smartbank.contracts.feed import NewFeedItem
from smartbank.storage import TableStore
from smartbank.testing import memory_store

MakeItem = Callable[..., NewFeedItem]


@pytest.fixture
async def store() -> AsyncIterator[TableStore]:
    async with memory_store(tables.ALL) as opened:
        yield opened


@pytest.fixture
def basic() -> MakeItem:
    def make(**overrides: Any) -> NewFeedItem:
        values: dict[str, Any] = {
            "account_id": "acc_1",
            "user_id": "user_1",
            "type": "basic",
            "title": "Your weekly summary",
            "body": "You spent £42.10",
            "image_url": "https://example.com/summary.png",
            "url": "https://example.com/summary",
            **overrides,
        }
        return NewFeedItem(**values)

    return make


@pytest.fixture
def spend() -> MakeItem:
    def make(**overrides: Any) -> NewFeedItem:
        values: dict[str, Any] = {
            "id": "feeditem_tx1enriched",
            "account_id": "acc_1",
            "user_id": "user_1",
            "type": "transaction",
            "title": "Starbucks",
            "body": "£3.50",
            "image_url": "https://example.com/starbucks.png",
            "emoji": "☕",
            "transaction_id": "tx_1",
            **overrides,
        }
        return NewFeedItem(**values)

    return make
