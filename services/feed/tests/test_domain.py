import asyncio
from typing import Any

import pytest

from feed import domain, listing
from feed.tables import ITEM_BY_ID
from smartbank.contracts.feed import FeedItem
from smartbank.errors import ServiceError
from smartbank.storage import TableStore

ITEM_KEYS = {
    "id",
    "account_id",
    "user_id",
    "type",
    "title",
    "body",
    "image_url",
    "emoji",
    "url",
    "transaction_id",
    "background_color",
    "title_color",
    "body_color",
    "created",
}


async def listed(store: TableStore, account_id: str = "acc_1") -> list[FeedItem]:
    return await listing.list_items(store, account_id)


async def test_create_item_basic_stores_every_field(store: TableStore, basic: Any) -> None:
    item, created = await domain.create_item(store, basic(background_color="#FFaa00"))
    assert created is True
    assert set(item.model_dump()) == ITEM_KEYS
    assert item.id.startswith("feeditem_")
    assert item.created.endswith("Z") and len(item.created) == 24
    assert item.background_color == "#FFaa00"
    assert (item.title, item.body) == ("Your weekly summary", "You spent £42.10")
    assert await domain.get_item(store, item.id) == item
    assert await listed(store) == [item]


async def test_create_item_without_optional_fields_fills_empty_text(
    store: TableStore, basic: Any
) -> None:
    item, _ = await domain.create_item(store, basic(user_id=None, body=None, url=None))
    assert (item.body, item.url, item.emoji, item.title_color) == ("", "", "", "")
    assert (item.user_id, item.transaction_id) == (None, None)


async def test_create_item_keeps_given_created_time(store: TableStore, spend: Any) -> None:
    item, _ = await domain.create_item(store, spend(created="2026-11-22 10:00:00"))
    assert item.created == "2026-11-22T10:00:00.000Z"


async def test_create_item_with_same_id_returns_the_first(store: TableStore, spend: Any) -> None:
    first, first_created = await domain.create_item(store, spend())
    again, again_created = await domain.create_item(store, spend(body="£9.99", created=None))
    assert (first_created, again_created) == (True, False)
    assert again == first
    assert await listed(store) == [first]


async def test_create_item_concurrently_with_same_id_writes_one(
    store: TableStore, spend: Any
) -> None:
    results = await asyncio.gather(*(domain.create_item(store, spend()) for _ in range(10)))
    assert sorted(created for _, created in results) == [False] * 9 + [True]
    assert len({item.created for item, _ in results}) == 1
    assert len(await listed(store)) == 1


async def test_create_item_after_a_lost_feed_write_repairs_the_feed(
    store: TableStore, spend: Any
) -> None:
    claim = domain.new_row(spend())
    await store.insert(ITEM_BY_ID, claim)
    assert await listed(store) == []
    item, created = await domain.create_item(store, spend(title="Starbucks Coffee"))
    assert created is False
    assert item == domain.item_json(claim)
    assert await listed(store) == [item]


async def test_create_item_with_id_of_another_account_is_a_conflict(
    store: TableStore, spend: Any
) -> None:
    await domain.create_item(store, spend())
    with pytest.raises(ServiceError) as caught:
        await domain.create_item(store, spend(account_id="acc_2"))
    assert caught.value.code == "conflict.feed_item_mismatch"
    assert await listed(store, "acc_2") == []


INVALID = [
    ({"type": "promo"}, "invalid_type"),
    ({"title": ""}, "missing_field"),
    ({"title": "   "}, "missing_field"),
    ({"image_url": None}, "missing_field"),
    ({"account_id": ""}, "missing_field"),
    ({"type": "transaction"}, "missing_field"),
    ({"background_color": "red"}, "invalid_color"),
    ({"title_color": "#12345"}, "invalid_color"),
    ({"body_color": "#GG0000"}, "invalid_color"),
    ({"body_color": "#1234567"}, "invalid_color"),
    ({"url": "ftp://example.com/x"}, "invalid_url"),
    ({"url": "javascript:alert(1)"}, "invalid_url"),
    ({"image_url": "https://"}, "invalid_url"),
    ({"image_url": "https://exa mple.com/a.png"}, "invalid_url"),
    ({"url": "http://[::1/x"}, "invalid_url"),
    ({"title": "x" * 201}, "too_long"),
    ({"body": "x" * 1001}, "too_long"),
    ({"emoji": "☕" * 33}, "too_long"),
    ({"url": "https://example.com/" + "a" * 2030}, "too_long"),
    ({"id": "item_1"}, "invalid_id"),
    ({"id": "feeditem_"}, "invalid_id"),
    ({"id": "feeditem_a/b"}, "invalid_id"),
    ({"account_id": "user_1"}, "invalid_id"),
    ({"user_id": "acc_1"}, "invalid_id"),
    ({"transaction_id": "1234"}, "invalid_id"),
    ({"created": "yesterday"}, "invalid_time"),
]


@pytest.mark.parametrize(("overrides", "detail"), INVALID)
async def test_create_item_with_bad_input_writes_nothing(
    store: TableStore, basic: Any, overrides: dict[str, Any], detail: str
) -> None:
    with pytest.raises(ServiceError) as caught:
        await domain.create_item(store, basic(**overrides))
    assert caught.value.code == f"bad_request.{detail}"
    assert caught.value.status == 400
    assert await listed(store) == []


async def test_create_item_basic_with_emoji_sequence_is_accepted(
    store: TableStore, basic: Any
) -> None:
    item, _ = await domain.create_item(store, basic(emoji="👩‍👩‍👧‍👦", url="http://example.com"))
    assert item.emoji == "👩‍👩‍👧‍👦"


async def test_get_item_when_unknown_is_not_found(store: TableStore) -> None:
    with pytest.raises(ServiceError) as caught:
        await domain.get_item(store, "feeditem_missing")
    assert caught.value.code == "not_found.feed_item"
