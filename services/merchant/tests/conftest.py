from collections.abc import AsyncIterator

import pytest

from merchant import tables
from smartbank.storage import TableStore
from smartbank.testing import memory_store


@pytest.fixture
async def store() -> AsyncIterator[TableStore]:
    async with memory_store(tables.ALL) as opened:
        yield opened
