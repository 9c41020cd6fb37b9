from collections.abc import AsyncIterator

import pytest

from merchant import tables
from smartbank.settings import PlatformSettings
from smartbank.storage import TableStore, open_store


@pytest.fixture
async def store() -> AsyncIterator[TableStore]:
    store = open_store(PlatformSettings(storage="memory"), "merchant")
    await store.ensure(tables.ALL)
    yield store
    await store.close()
