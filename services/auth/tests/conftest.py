from collections.abc import AsyncIterator

import pytest

from auth import tables
from smartbank.settings import PlatformSettings
from smartbank.storage import TableStore, open_store


@pytest.fixture
async def store() -> AsyncIterator[TableStore]:
    store = open_store(PlatformSettings(storage="memory"), "auth")
    await store.ensure(tables.ALL)
    yield store
    await store.close()
