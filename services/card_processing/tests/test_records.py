"""The authorisation records when a write's outcome is unknown (a Cassandra round that timed out
and was read back before it finished): nothing is decided on a write that may yet land."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from card_processing.records import Records
from card_processing.tables import ALL
from smartbank.errors import ServiceError
from smartbank.storage import Result, TableStore
from smartbank.testing import memory_store


class TimingOut:
    """A store whose conditional writes time out without being visible when read back."""

    def __init__(self, inner: TableStore) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def insert(self, *args: Any, **kwargs: Any) -> Result:
        return Result(False, current=None, certain=False)

    async def update(self, table: Any, key: Any, *args: Any, **kwargs: Any) -> Result:
        return Result(False, current=await self.inner.get(table, key), certain=False)


@pytest.fixture
async def store() -> AsyncIterator[TableStore]:
    async with memory_store(ALL) as opened:
        yield opened


ROW = {"auth_key": "k1", "state": "pending", "account_id": "acc_1"}


async def test_create_whose_outcome_is_unknown_is_not_taken_for_an_existing_record(
    store: TableStore,
) -> None:
    with pytest.raises(ServiceError) as caught:
        await Records(TimingOut(store)).create(ROW)
    assert caught.value.code == "unavailable.outcome_unknown"


async def test_change_whose_outcome_is_unknown_is_not_taken_for_a_lost_race(
    store: TableStore,
) -> None:
    _, row = await Records(store).create(ROW)
    with pytest.raises(ServiceError) as caught:
        await Records(TimingOut(store)).change(row, state="approved")
    assert caught.value.code == "unavailable.outcome_unknown"
    assert await Records(store).change(row, state="approved") is not None  # a real race: None
    assert await Records(store).change(row, state="declined") is None
