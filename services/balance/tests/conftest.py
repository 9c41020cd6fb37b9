from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from balance import accounts, postings, tables
from smartbank import ids
from smartbank.settings import PlatformSettings
from smartbank.storage import TableStore, open_store

MakeAccount = Callable[..., Awaitable[str]]


@pytest.fixture
async def store() -> AsyncIterator[TableStore]:
    memory = open_store(PlatformSettings(storage="memory"), "balance")
    await memory.ensure(tables.ALL)
    yield memory
    await memory.close()


@pytest.fixture
def funded(store: TableStore) -> MakeAccount:
    async def make(balance: int = 1_000, currency: str = "GBP") -> str:
        account = await accounts.create(store, "user_funded", currency)
        if balance:
            await postings.post(store, account["id"], ids.new_id("topup"), balance, currency)
        return str(account["id"])

    return make
