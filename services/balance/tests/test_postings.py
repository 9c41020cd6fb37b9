from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from balance import ledger, postings
from smartbank.errors import ServiceError
from smartbank.storage import TableStore

MakeAccount = Callable[..., Awaitable[str]]


async def ledger_of(store: TableStore, account_id: str) -> int:
    return (await ledger.read_balance(store, account_id)).ledger_balance


async def test_post_top_up_raises_ledger(store: TableStore, funded: MakeAccount) -> None:
    account = await funded(0)

    posting = await postings.post(store, account, "p1", 500, "GBP", "Top up")

    assert {k: v for k, v in posting.model_dump().items() if k != "created"} == {
        "posting_id": "p1",
        "account_id": account,
        "amount": 500,
        "currency": "GBP",
        "description": "Top up",
    }
    assert posting.created.endswith("Z")
    assert await ledger_of(store, account) == 500


async def test_post_debit_may_take_ledger_negative(store: TableStore, funded: MakeAccount) -> None:
    account = await funded(100)

    await postings.post(store, account, "p1", -250, "GBP", "Offline presentment")

    balance = await ledger.read_balance(store, account)
    assert (balance.ledger_balance, balance.available) == (-150, -150)


async def test_post_replayed_posts_once(store: TableStore, funded: MakeAccount) -> None:
    account = await funded(0)
    first = await postings.post(store, account, "p1", 500, "GBP", "Top up")

    again = await postings.post(store, account, "p1", 500, "GBP", "Top up")

    assert again == first
    assert await ledger_of(store, account) == 500


@pytest.mark.parametrize(
    ("amount", "currency", "description"),
    [(501, "GBP", "Top up"), (500, "EUR", "Top up"), (500, "GBP", "Other")],
)
async def test_post_with_same_id_other_content_conflicts(
    store: TableStore, funded: MakeAccount, amount: int, currency: str, description: str
) -> None:
    account = await funded(0)
    await postings.post(store, account, "p1", 500, "GBP", "Top up")

    with pytest.raises(ServiceError) as caught:
        await postings.post(store, account, "p1", amount, currency, description)

    assert caught.value.code == "conflict.posting_mismatch"
    assert await ledger_of(store, account) == 500


async def test_post_in_other_currency_is_rejected(store: TableStore, funded: MakeAccount) -> None:
    account = await funded(0)

    with pytest.raises(ServiceError) as caught:
        await postings.post(store, account, "p1", 500, "EUR", "Top up")

    assert caught.value.code == "bad_request.currency_mismatch"
    assert await ledger_of(store, account) == 0


@pytest.mark.parametrize(
    ("posting_id", "amount", "currency"),
    [("p1", 0, "GBP"), ("p1", False, "GBP"), ("p1", "5", "GBP"), ("p1", 5, "ZZZ"), ("", 5, "GBP")],
)
async def test_post_with_bad_input_is_rejected(
    store: TableStore, funded: MakeAccount, posting_id: Any, amount: Any, currency: Any
) -> None:
    account = await funded(0)

    with pytest.raises(ServiceError) as caught:
        await postings.post(store, account, posting_id, amount, currency, "x")

    assert caught.value.code == "bad_request.invalid_request"
    assert await ledger_of(store, account) == 0


async def test_post_to_unknown_account_is_not_found(store: TableStore) -> None:
    with pytest.raises(ServiceError) as caught:
        await postings.post(store, "acc_missing", "p1", 500, "GBP", "Top up")

    assert caught.value.code == "not_found.account"
