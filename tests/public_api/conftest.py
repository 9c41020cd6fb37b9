from collections.abc import AsyncIterator

import pytest

from tests.public_api.bank import Bank, open_bank


@pytest.fixture
async def bank() -> AsyncIterator[Bank]:
    async with open_bank() as opened:
        yield opened
