from typing import Any

import pytest

from feed import domain
from feed.listing import list_items
from smartbank.errors import ServiceError
from smartbank.storage import TableStore

TIMES = [f"2026-11-22T10:0{minute}:00.000Z" for minute in range(5)]


@pytest.fixture
async def history(store: TableStore, basic: Any) -> list[str]:
    for number in (3, 0, 4, 1, 2):
        await domain.create_item(store, basic(id=f"feeditem_{number}", created=TIMES[number]))
    await domain.create_item(store, basic(id="feeditem_other", account_id="acc_2"))
    return [f"feeditem_{number}" for number in range(len(TIMES))]


async def ids(store: TableStore, **query: Any) -> list[str]:
    return [item.id for item in await list_items(store, "acc_1", **query)]


async def test_list_items_is_newest_first_for_the_account(
    store: TableStore, history: list[str]
) -> None:
    assert await ids(store) == history[::-1]
    assert await list_items(store, "acc_none") == []


async def test_list_items_before_a_time_excludes_it(store: TableStore, history: list[str]) -> None:
    assert await ids(store, before="2026-11-22T10:02:00Z") == ["feeditem_1", "feeditem_0"]
    assert await ids(store, before="2026-11-22 10:02:30") == [
        "feeditem_2",
        "feeditem_1",
        "feeditem_0",
    ]
    assert await ids(store, before="2026-11-22T10:00:00Z") == []


async def test_list_items_before_an_id_starts_after_it(
    store: TableStore, history: list[str]
) -> None:
    assert await ids(store, before="feeditem_3") == ["feeditem_2", "feeditem_1", "feeditem_0"]


async def test_list_items_pages_with_before_and_limit(
    store: TableStore, history: list[str]
) -> None:
    seen: list[str] = []
    page = await ids(store, limit=2)
    while page:
        assert len(page) <= 2
        seen += page
        page = await ids(store, before=page[-1], limit="2")
    assert seen == history[::-1]


async def test_list_items_pages_through_items_of_the_same_time(
    store: TableStore, basic: Any
) -> None:
    for letter in "abcde":
        await domain.create_item(store, basic(id=f"feeditem_{letter}", created=TIMES[0]))
    first = await ids(store, limit=3)
    rest = await ids(store, before=first[-1], limit=3)
    assert first + rest == [f"feeditem_{letter}" for letter in "edcba"]


async def test_list_items_defaults_to_thirty(store: TableStore, basic: Any) -> None:
    for number in range(35):
        await domain.create_item(store, basic(id=f"feeditem_{number:02d}"))
    assert len(await ids(store)) == 30
    assert len(await ids(store, limit="100")) == 35


@pytest.mark.parametrize("limit", [0, 101, "101", "-1", "ten", "1.5"])
async def test_list_items_with_bad_limit_is_rejected(
    store: TableStore, history: list[str], limit: Any
) -> None:
    with pytest.raises(ServiceError) as caught:
        await ids(store, limit=limit)
    assert caught.value.code == "bad_request.invalid_limit"


async def test_list_items_with_bad_time_is_rejected(store: TableStore, history: list[str]) -> None:
    with pytest.raises(ServiceError) as caught:
        await ids(store, before="last week")
    assert caught.value.code == "bad_request.invalid_time"


@pytest.mark.parametrize("before", ["feeditem_missing", "feeditem_other"])
async def test_list_items_before_a_foreign_id_is_rejected(
    store: TableStore, history: list[str], before: str
) -> None:
    with pytest.raises(ServiceError) as caught:
        await ids(store, before=before)
    assert caught.value.code == "bad_request.invalid_before"
