import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, cast

import pytest

from cards import domain
from cards.domain import ACTIVE, BLOCKED, EXPIRED, INACTIVE
from smartbank.contracts.cards import Card
from smartbank.errors import ServiceError
from smartbank.storage import TableStore

CARD_KEYS = {
    "id",
    "account_id",
    "user_id",
    "processor_token",
    "last_digits",
    "name",
    "expires",
    "status",
    "created",
}


async def new_card(store: TableStore, **overrides: Any) -> Card:
    values = {"account_id": "acc_1", "user_id": "user_1", "name": "Ada Lovelace", **overrides}
    return await domain.create_card(store, **values)


class RacingStore:
    """Runs `interloper` just before the first update, so that update finds a newer version."""

    def __init__(self, inner: TableStore, interloper: Callable[[], Awaitable[Any]]) -> None:
        self.inner = inner
        self.interloper: Callable[[], Awaitable[Any]] | None = interloper
        self.updates = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def update(self, *args: Any, **kwargs: Any) -> Any:
        self.updates += 1
        if self.interloper is not None:
            interloper, self.interloper = self.interloper, None
            await interloper()
        return await self.inner.update(*args, **kwargs)


async def test_create_card_is_active_for_three_years(store: TableStore) -> None:
    card = await new_card(store)
    now = datetime.now(UTC)
    assert set(card.model_dump()) == CARD_KEYS
    assert card.id.startswith("card_")
    assert card.processor_token.startswith("ctok_") and len(card.processor_token) > 24
    assert card.last_digits.isdigit() and len(card.last_digits) == 4
    assert card.status == ACTIVE
    assert card.expires == f"{now.month:02d}/{now.year + 3}"
    assert await domain.get_card(store, card.id) == card


async def test_create_card_keeps_given_expiry(store: TableStore) -> None:
    card = await new_card(store, expires="02/2029")
    assert card.expires == "02/2029"


@pytest.mark.parametrize("expires", ["13/2029", "1/2029", "01/29", "00/2029", "01-2029"])
async def test_create_card_with_bad_expiry_is_rejected(store: TableStore, expires: str) -> None:
    with pytest.raises(ServiceError) as caught:
        await new_card(store, expires=expires)
    assert caught.value.code == "bad_request.invalid_expires"
    assert await domain.list_cards(store, "acc_1") == []


async def test_create_card_gives_each_card_its_own_token(store: TableStore) -> None:
    cards = await asyncio.gather(*(new_card(store) for _ in range(10)))
    assert len({c.processor_token for c in cards}) == 10
    listed = await domain.list_cards(store, "acc_1")
    assert sorted(c.id for c in listed) == sorted(c.id for c in cards)


async def test_get_card_when_unknown_is_not_found(store: TableStore) -> None:
    with pytest.raises(ServiceError) as caught:
        await domain.get_card(store, "card_missing")
    assert caught.value.code == "not_found.card"


async def test_get_card_by_token_adds_usability(store: TableStore) -> None:
    card = await new_card(store)
    found = await domain.get_card_by_token(store, card.processor_token)
    assert found.model_dump() == {**card.model_dump(), "usability": ACTIVE}


async def test_get_card_by_token_when_unknown_is_not_found(store: TableStore) -> None:
    with pytest.raises(ServiceError) as caught:
        await domain.get_card_by_token(store, "ctok_nope")
    assert caught.value.code == "not_found.card"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2027, 3, 31, 23, 59, 59, tzinfo=UTC), ACTIVE),
        (datetime(2027, 3, 1, 0, 0, tzinfo=UTC), ACTIVE),
        (datetime(2027, 4, 1, 0, 0, tzinfo=UTC), EXPIRED),
        (datetime(2028, 1, 15, tzinfo=UTC), EXPIRED),
    ],
)
async def test_get_card_by_token_usable_through_expiry_month(
    store: TableStore, now: datetime, expected: str
) -> None:
    card = await new_card(store, expires="03/2027")
    found = await domain.get_card_by_token(store, card.processor_token, now)
    assert found.usability == expected


@pytest.mark.parametrize("status", [INACTIVE, BLOCKED])
async def test_get_card_by_token_status_wins_over_expiry(store: TableStore, status: str) -> None:
    card = await new_card(store, expires="01/2020")
    await domain.set_status(store, card.id, status)
    found = await domain.get_card_by_token(store, card.processor_token)
    assert found.usability == status


async def test_list_cards_when_several_accounts_lists_only_that_account(
    store: TableStore,
) -> None:
    first = await new_card(store)
    second = await new_card(store)
    await new_card(store, account_id="acc_2")
    assert await domain.list_cards(store, "acc_1") == [first, second]
    assert await domain.list_cards(store, "acc_none") == []


async def test_set_status_freezes_and_unfreezes(store: TableStore) -> None:
    card = await new_card(store)
    frozen = await domain.set_status(store, card.id, INACTIVE)
    assert frozen == card.model_copy(update={"status": INACTIVE})
    assert (await domain.get_card(store, card.id)).status == INACTIVE
    assert (await domain.set_status(store, card.id, INACTIVE)).status == INACTIVE
    assert (await domain.set_status(store, card.id, ACTIVE)).status == ACTIVE


@pytest.mark.parametrize("status", [ACTIVE, INACTIVE])
async def test_set_status_when_blocked_is_refused(store: TableStore, status: str) -> None:
    card = await new_card(store)
    await domain.set_status(store, card.id, BLOCKED)
    with pytest.raises(ServiceError) as caught:
        await domain.set_status(store, card.id, status)
    assert caught.value.code == "bad_request.card_blocked"
    assert caught.value.status == 400
    assert (await domain.get_card(store, card.id)).status == BLOCKED


async def test_set_status_blocked_twice_is_a_no_op(store: TableStore) -> None:
    card = await new_card(store)
    await domain.set_status(store, card.id, BLOCKED)
    again = await domain.set_status(store, card.id, BLOCKED)
    assert again.status == BLOCKED


@pytest.mark.parametrize("status", ["FROZEN", "active", ""])
async def test_set_status_when_invalid_is_bad_request(store: TableStore, status: str) -> None:
    card = await new_card(store)
    with pytest.raises(ServiceError) as caught:
        await domain.set_status(store, card.id, status)
    assert caught.value.code == "bad_request.invalid_status"


async def test_set_status_when_unknown_card_is_not_found(store: TableStore) -> None:
    with pytest.raises(ServiceError) as caught:
        await domain.set_status(store, "card_missing", INACTIVE)
    assert caught.value.code == "not_found.card"


async def test_set_status_after_concurrent_freeze_still_blocks(store: TableStore) -> None:
    card = await new_card(store)
    racing = RacingStore(store, lambda: domain.set_status(store, card.id, INACTIVE))
    blocked = await domain.set_status(cast(TableStore, racing), card.id, BLOCKED)
    assert blocked.status == BLOCKED
    assert racing.updates == 2
    row = await store.get(domain.CARDS, {"card_id": card.id})
    assert row is not None and row["version"] == 3


async def test_set_status_after_concurrent_block_does_not_unblock(store: TableStore) -> None:
    card = await new_card(store)
    racing = RacingStore(store, lambda: domain.set_status(store, card.id, BLOCKED))
    with pytest.raises(ServiceError) as caught:
        await domain.set_status(cast(TableStore, racing), card.id, INACTIVE)
    assert caught.value.code == "bad_request.card_blocked"
    assert (await domain.get_card(store, card.id)).status == BLOCKED


async def test_set_status_concurrent_toggles_lose_no_update(store: TableStore) -> None:
    card = await new_card(store)
    toggles = [INACTIVE, ACTIVE] * 10 + [BLOCKED]
    await asyncio.gather(
        *(domain.set_status(store, card.id, s) for s in toggles), return_exceptions=True
    )
    row = await store.get(domain.CARDS, {"card_id": card.id})
    assert row is not None and row["status"] == BLOCKED
