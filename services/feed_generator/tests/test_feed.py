from typing import Any

import pytest

from feed_generator.domain import DECLINED, ENRICHED, REVERSED, SETTLED, build_item
from feed_generator.feed import on_transaction_event
from feed_generator.tests.fakes import stored_item
from smartbank import errors
from smartbank.errors import ServiceError
from smartbank.testing import FakeRpc


class FakeFeed:
    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def create(self, _: dict[str, str], item: dict[str, Any]) -> dict[str, Any]:
        created = item["id"] not in self.items
        stored = self.items.setdefault(item["id"], stored_item(item))
        return {"feed_item": stored, "created": created}


@pytest.fixture
def feed() -> FakeFeed:
    return FakeFeed()


@pytest.fixture
def rpc(feed: FakeFeed) -> FakeRpc:
    fake = FakeRpc()
    fake.on("feed", "POST", "/feed/items", feed.create)
    return fake


@pytest.mark.parametrize(
    ("event_type", "overrides"),
    [
        (ENRICHED, {}),
        (ENRICHED, {"decline_reason": "CARD_INACTIVE"}),
        (DECLINED, {"decline_reason": "CARD_BLOCKED"}),
        (SETTLED, {"amount": -400}),
        (REVERSED, {"amount": 0}),
    ],
)
async def test_on_transaction_event_hands_the_item_to_feed(
    rpc: FakeRpc, feed: FakeFeed, transaction: Any, event_type: str, overrides: dict[str, Any]
) -> None:
    tx = transaction(**overrides)
    stored = await on_transaction_event(event_type, tx, rpc)
    [call] = rpc.calls
    assert (call.service, call.method, call.path) == ("feed", "POST", "/feed/items")
    assert call.idempotent is True
    assert call.json == build_item(event_type, tx)
    assert stored == feed.items[call.json["id"]]
    assert (stored["account_id"], stored["user_id"]) == ("acc_1", "user_1")


async def test_on_transaction_event_redelivered_creates_nothing_new(
    rpc: FakeRpc, feed: FakeFeed, transaction: Any
) -> None:
    first = await on_transaction_event(ENRICHED, transaction(), rpc)
    again = await on_transaction_event(ENRICHED, transaction(), rpc)
    assert first is not None and again == first
    assert len(rpc.calls) == 2 and len(feed.items) == 1


async def test_on_transaction_event_without_an_item_calls_nothing(
    rpc: FakeRpc, transaction: Any
) -> None:
    assert await on_transaction_event(SETTLED, transaction(), rpc) is None
    assert await on_transaction_event("transaction.created", transaction(), rpc) is None
    assert rpc.calls == []


async def test_on_transaction_event_when_feed_is_down_raises_for_a_retry(
    transaction: Any,
) -> None:
    rpc = FakeRpc()

    def down(_: dict[str, str], __: Any) -> Any:
        raise errors.unavailable("upstream", "feed is unavailable")

    rpc.on("feed", "POST", "/feed/items", down)
    with pytest.raises(ServiceError) as caught:
        await on_transaction_event(ENRICHED, transaction(), rpc)
    assert caught.value.code == "unavailable.upstream"
    assert caught.value.is_infrastructure


async def test_on_transaction_event_with_a_malformed_transaction_calls_nothing(
    rpc: FakeRpc, transaction: Any
) -> None:
    with pytest.raises(ServiceError) as caught:
        await on_transaction_event(ENRICHED, transaction(account_id=None), rpc)
    assert caught.value.code == "bad_request.invalid_transaction"
    assert rpc.calls == []
