from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from balance import accounts, postings, tables
from smartbank import ids
from smartbank.settings import PlatformSettings
from smartbank.storage import TableStore, open_store

MakeAccount = Callable[..., Awaitable[str]]


async def opened(settings: PlatformSettings) -> TableStore:
    store = open_store(settings, "balance")
    await store.ensure(tables.ALL)
    return store


@pytest.fixture
async def store() -> AsyncIterator[TableStore]:
    memory = await opened(PlatformSettings(storage="memory"))
    yield memory
    await memory.close()


@pytest.fixture
async def file_replicas(tmp_path: Path) -> AsyncIterator[list[TableStore]]:
    settings = PlatformSettings(storage="sqlite", data_dir=tmp_path)
    replicas = [await opened(settings) for _ in range(3)]
    yield replicas
    for replica in replicas:
        await replica.close()


@pytest.fixture
def funded(store: TableStore) -> MakeAccount:
    async def make(balance: int = 1_000, currency: str = "GBP") -> str:
        account = await accounts.create(store, "user_funded", currency)
        if balance:
            await postings.post(store, account.id, ids.new_id("topup"), balance, currency)
        return str(account.id)

    return make
