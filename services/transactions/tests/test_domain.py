import asyncio
from typing import Any, cast

import pytest

from smartbank.errors import ServiceError
from smartbank.storage import Result, TableStore
from transactions import domain, lifecycle
from transactions.tables import TRANSACTIONS, TRANSACTIONS_BY_ACCOUNT

PUBLIC_KEYS = {
    "id",
    "account_id",
    "amount",
    "currency",
    "created",
    "description",
    "merchant",
    "metadata",
    "notes",
    "is_load",
    "settled",
    "category",
}
INTERNAL_KEYS = {
    "status",
    "amount_authorised",
    "mcc",
    "merchant_descriptor",
    "card_id",
    "user_id",
    "version",
}


async def index_of(store: TableStore, account_id: str) -> list[str]:
    rows = await store.query(TRANSACTIONS_BY_ACCOUNT, {"account_id": account_id})
    return [row["id"] for row in rows]


async def test_create_transaction_has_exactly_the_transaction_keys(
    store: TableStore, new_tx: Any
) -> None:
    created = await domain.create_transaction(store, new_tx())
    assert set(created.model_dump()) == PUBLIC_KEYS | INTERNAL_KEYS
    assert created.merchant is None
    assert created.metadata == {}
    assert created.notes == ""
    assert created.settled == ""
    assert created.is_load is False
    assert created.category == "general"
    assert created.status == "authorised"
    assert created.amount == created.amount_authorised == -350
    assert created.card_id == "card_1"
    assert await domain.get_transaction(store, "tx_1") == created


async def test_create_transaction_when_declined_adds_decline_reason(
    store: TableStore, new_tx: Any
) -> None:
    declined = new_tx(status="declined", decline_reason="INSUFFICIENT_FUNDS")
    created = await domain.create_transaction(store, declined)
    assert set(created.model_dump()) == PUBLIC_KEYS | INTERNAL_KEYS | {"decline_reason"}
    assert created.decline_reason == "INSUFFICIENT_FUNDS"


async def test_create_transaction_when_load_is_mondo(store: TableStore, new_tx: Any) -> None:
    created = await domain.create_transaction(
        store, new_tx(amount=10_000, is_load=True, status="settled", mcc=None, card_id=None)
    )
    assert created.category == "mondo"
    assert created.is_load is True
    assert created.settled.endswith("Z")
    assert created.card_id is None


async def test_create_transaction_normalises_times(store: TableStore, new_tx: Any) -> None:
    created = await domain.create_transaction(
        store,
        new_tx(
            status="settled", created="2026-11-22 10:00:00", settled="2026-11-23T12:00:00+01:00"
        ),
    )
    assert created.created == "2026-11-22T10:00:00.000Z"
    assert created.settled == "2026-11-23T11:00:00.000Z"


async def test_create_transaction_when_replayed_returns_the_first(
    store: TableStore, new_tx: Any
) -> None:
    first = await domain.create_transaction(store, new_tx())
    again = await domain.create_transaction(store, new_tx(description="changed"))
    assert again == first
    assert await index_of(store, "acc_1") == ["tx_1"]


async def test_create_transaction_when_replayed_after_settling_returns_it_settled(
    store: TableStore, new_tx: Any
) -> None:
    await domain.create_transaction(store, new_tx())
    settled = await lifecycle.settle(store, "tx_1", 400)
    assert await domain.create_transaction(store, new_tx()) == settled


@pytest.mark.parametrize(
    "change",
    [
        {"amount": -351},
        {"currency": "EUR"},
        {"account_id": "acc_2"},
        {"status": "declined", "decline_reason": "OTHER"},
    ],
)
async def test_create_transaction_with_other_content_conflicts(
    store: TableStore, new_tx: Any, change: dict[str, Any]
) -> None:
    await domain.create_transaction(store, new_tx())
    with pytest.raises(ServiceError) as caught:
        await domain.create_transaction(store, new_tx(**change))
    assert caught.value.code == "conflict.transaction_mismatch"
    assert caught.value.status == 409
    assert await index_of(store, "acc_2") == []


async def test_create_transaction_concurrently_makes_one(store: TableStore, new_tx: Any) -> None:
    results = await asyncio.gather(*(domain.create_transaction(store, new_tx()) for _ in range(10)))
    assert all(result == results[0] for result in results)
    assert await index_of(store, "acc_1") == ["tx_1"]


async def test_create_transaction_when_index_row_was_lost_heals_it(
    store: TableStore, new_tx: Any
) -> None:
    await store.insert(TRANSACTIONS, domain.new_row(new_tx()))
    assert await index_of(store, "acc_1") == []
    await domain.create_transaction(store, new_tx())
    assert await index_of(store, "acc_1") == ["tx_1"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"id": "card_1"}, "bad_request.invalid_id"),
        ({"id": "tx_"}, "bad_request.invalid_id"),
        ({"currency": "gbp"}, "bad_request.invalid_currency"),
        ({"currency": "XYZ"}, "bad_request.invalid_currency"),
        ({"status": "reversed"}, "bad_request.invalid_status"),
        ({"status": "declined"}, "bad_request.invalid_decline_reason"),
        ({"status": "declined", "decline_reason": "NOPE"}, "bad_request.invalid_decline_reason"),
        ({"decline_reason": "OTHER"}, "bad_request.invalid_decline_reason"),
        ({"category": "crime"}, "bad_request.invalid_category"),
        ({"created": "yesterday"}, "bad_request.invalid_time"),
        ({"settled": "2026-11-22T10:00:00Z"}, "bad_request.invalid_settled"),
    ],
)
async def test_create_transaction_when_invalid_is_rejected(
    store: TableStore, new_tx: Any, change: dict[str, Any], code: str
) -> None:
    with pytest.raises(ServiceError) as caught:
        await domain.create_transaction(store, new_tx(**change))
    assert caught.value.code == code
    assert await store.get(TRANSACTIONS, {"id": new_tx(**change).id}) is None


async def test_get_transaction_when_unknown_is_not_found(store: TableStore) -> None:
    with pytest.raises(ServiceError) as caught:
        await domain.get_transaction(store, "tx_missing")
    assert caught.value.code == "not_found.transaction"


async def test_create_transaction_whose_outcome_is_unknown_asks_to_be_sent_again(
    store: TableStore, new_tx: Any
) -> None:
    class TimedOut:  # a Cassandra round that timed out and was not visible when read back
        def __getattr__(self, name: str) -> Any:
            return getattr(store, name)

        async def insert(self, table: Any, row: Any, **kwargs: Any) -> Result:
            if table is TRANSACTIONS:
                return Result(False, current=None, certain=False)
            return await store.insert(table, row, **kwargs)

    with pytest.raises(ServiceError) as caught:
        await domain.create_transaction(cast(TableStore, TimedOut()), new_tx())
    assert caught.value.code == "unavailable.outcome_unknown"
