from typing import Any

import pytest

from smartbank.errors import ServiceError
from smartbank.storage import TableStore
from transactions import domain
from transactions.listing import list_transactions

TIMES = [f"2026-11-22T10:0{minute}:00.000Z" for minute in range(5)]


@pytest.fixture
async def history(store: TableStore, new_tx: Any) -> list[str]:
    for number, created in enumerate(TIMES):
        await domain.create_transaction(store, new_tx(id=f"tx_{number}", created=created))
    await domain.create_transaction(store, new_tx(id="tx_other", account_id="acc_2"))
    return [f"tx_{number}" for number in range(len(TIMES))]


async def ids(store: TableStore, **query: Any) -> list[str]:
    return [tx.id for tx in await list_transactions(store, "acc_1", **query)]


async def test_list_transactions_is_oldest_first_for_the_account(
    store: TableStore, history: list[str]
) -> None:
    assert await ids(store) == history


async def test_list_transactions_since_a_time_includes_it(
    store: TableStore, history: list[str]
) -> None:
    assert await ids(store, since="2026-11-22T10:02:00Z") == history[2:]
    assert await ids(store, since="2026-11-22 10:01:30") == history[2:]


async def test_list_transactions_since_an_id_starts_after_it(
    store: TableStore, history: list[str]
) -> None:
    assert await ids(store, since="tx_2") == history[3:]


async def test_list_transactions_since_an_id_keeps_same_time_neighbours(
    store: TableStore, new_tx: Any
) -> None:
    for tx_id in ("tx_a", "tx_b", "tx_c"):
        await domain.create_transaction(store, new_tx(id=tx_id, created=TIMES[0]))
    assert await ids(store, since="tx_a") == ["tx_b", "tx_c"]


async def test_list_transactions_before_a_time_excludes_it(
    store: TableStore, history: list[str]
) -> None:
    assert await ids(store, before="2026-11-22T10:02:00Z") == history[:2]
    assert await ids(store, since="2026-11-22T10:01:00Z", before=TIMES[3]) == history[1:3]
    assert await ids(store, since="tx_0", before=TIMES[2]) == history[1:2]


async def test_list_transactions_pages_with_since_and_limit(
    store: TableStore, history: list[str]
) -> None:
    seen: list[str] = []
    page = await ids(store, limit=2)
    while page:
        seen += page
        page = await ids(store, since=page[-1], limit="2")
    assert seen == history


async def test_list_transactions_defaults_to_thirty(store: TableStore, new_tx: Any) -> None:
    for number in range(35):
        await domain.create_transaction(store, new_tx(id=f"tx_{number:02d}"))
    assert len(await ids(store)) == 30
    assert len(await ids(store, limit="100")) == 35


@pytest.mark.parametrize("limit", [0, 101, "101", "-1", "ten", "1.5"])
async def test_list_transactions_with_bad_limit_is_rejected(
    store: TableStore, history: list[str], limit: Any
) -> None:
    with pytest.raises(ServiceError) as caught:
        await ids(store, limit=limit)
    assert caught.value.code == "bad_request.invalid_limit"


@pytest.mark.parametrize("query", [{"since": "last week"}, {"before": "2026-13-01T00:00:00Z"}])
async def test_list_transactions_with_bad_time_is_rejected(
    store: TableStore, history: list[str], query: dict[str, str]
) -> None:
    with pytest.raises(ServiceError) as caught:
        await ids(store, **query)
    assert caught.value.code == "bad_request.invalid_time"


@pytest.mark.parametrize("since", ["tx_missing", "tx_other"])
async def test_list_transactions_since_a_foreign_id_is_rejected(
    store: TableStore, history: list[str], since: str
) -> None:
    with pytest.raises(ServiceError) as caught:
        await ids(store, since=since)
    assert caught.value.code == "bad_request.invalid_since"
