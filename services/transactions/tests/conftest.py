from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from smartbank.storage import TableStore
from smartbank.testing import memory_store
from transactions import tables
from transactions.domain import NewTransaction

NewTx = Callable[..., NewTransaction]


@pytest.fixture
async def store() -> AsyncIterator[TableStore]:
    async with memory_store(tables.ALL) as opened:
        yield opened


@pytest.fixture
def new_tx() -> NewTx:
    def make(**overrides: Any) -> NewTransaction:
        values: dict[str, Any] = {
            "id": "tx_1",
            "account_id": "acc_1",
            "amount": -350,
            "currency": "GBP",
            "description": "STARBUCKS 1234 LONDON GBR",
            "status": "authorised",
            "mcc": "5814",
            "merchant_descriptor": "STARBUCKS 1234 LONDON GBR",
            "card_id": "card_1",
            **overrides,
        }
        return NewTransaction(**values)

    return make
