from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from balance import holds, ledger
from smartbank.errors import ServiceError
from smartbank.storage import TableStore

MakeAccount = Callable[..., Awaitable[str]]

EXPIRES = "2030-01-01T00:00:00Z"


async def balance_of(store: TableStore, account_id: str) -> dict[str, Any]:
    return (await ledger.read_balance(store, account_id)).to_dict()


async def code_of(call: Any) -> str:
    with pytest.raises(ServiceError) as caught:
        await call
    return caught.value.code


async def test_reserve_hold_reduces_available_not_ledger(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await funded(1_000)

    hold = await holds.reserve(store, account, "h1", 300, "GBP", EXPIRES)

    assert hold.model_dump() == {
        "hold_id": "h1",
        "account_id": account,
        "amount": 300,
        "original_amount": 300,
        "captured_amount": 0,
        "currency": "GBP",
        "state": "held",
        "expires_at": "2030-01-01T00:00:00.000Z",
    }
    balance = await balance_of(store, account)
    assert (balance["balance"], balance["ledger_balance"], balance["held"]) == (700, 1_000, 300)
    assert await holds.get(store, account, "h1") == hold


async def test_reserve_hold_replayed_reserves_once(store: TableStore, funded: MakeAccount) -> None:
    account = await funded(1_000)
    first = await holds.reserve(store, account, "h1", 300, "GBP", EXPIRES)

    again = await holds.reserve(store, account, "h1", 300, "GBP", "2031-01-01T00:00:00Z")

    assert again == first
    assert (await balance_of(store, account))["held"] == 300


async def test_reserve_hold_replayed_after_release_does_not_reserve_again(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await funded(1_000)
    await holds.reserve(store, account, "h1", 300, "GBP", EXPIRES)
    await holds.release(store, account, "h1", "r1")

    again = await holds.reserve(store, account, "h1", 300, "GBP", EXPIRES)

    assert again.state == "released"
    assert (await balance_of(store, account))["held"] == 0


@pytest.mark.parametrize(("amount", "currency"), [(301, "GBP"), (300, "EUR")])
async def test_reserve_hold_with_same_id_other_content_conflicts(
    store: TableStore, funded: MakeAccount, amount: int, currency: str
) -> None:
    account = await funded(1_000)
    await holds.reserve(store, account, "h1", 300, "GBP", EXPIRES)

    code = await code_of(holds.reserve(store, account, "h1", amount, currency, EXPIRES))

    assert code == "conflict.hold_mismatch"
    assert (await balance_of(store, account))["held"] == 300


async def test_reserve_hold_beyond_available_is_insufficient_funds(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await funded(1_000)
    await holds.reserve(store, account, "h1", 600, "GBP", EXPIRES)

    with pytest.raises(ServiceError) as caught:
        await holds.reserve(store, account, "h2", 401, "GBP", EXPIRES)

    assert caught.value.code == "bad_request.insufficient_funds"
    assert caught.value.params == {"available": 400, "requested": 401}
    assert await code_of(holds.get(store, account, "h2")) == "not_found.hold"
    assert (await holds.reserve(store, account, "h3", 400, "GBP", EXPIRES)).state == "held"
    assert (await balance_of(store, account))["balance"] == 0


async def test_reserve_hold_in_other_currency_is_rejected(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await funded(1_000)

    with pytest.raises(ServiceError) as caught:
        await holds.reserve(store, account, "h1", 100, "EUR", EXPIRES)

    assert caught.value.code == "bad_request.currency_mismatch"
    assert caught.value.params == {"account_currency": "GBP"}
    assert (await balance_of(store, account))["held"] == 0


async def test_reserve_hold_on_unknown_account_is_not_found(store: TableStore) -> None:
    code = await code_of(holds.reserve(store, "acc_missing", "h1", 100, "GBP", EXPIRES))

    assert code == "not_found.account"


@pytest.mark.parametrize(
    ("amount", "currency", "expires_at"),
    [
        (0, "GBP", EXPIRES),
        (-5, "GBP", EXPIRES),
        (True, "GBP", EXPIRES),
        (10.0, "GBP", EXPIRES),
        ("10", "GBP", EXPIRES),
        (10**16, "GBP", EXPIRES),
        (10, "gbp", EXPIRES),
        (10, "GBP", "next tuesday"),
        (10, "GBP", None),
    ],
)
async def test_reserve_hold_with_bad_input_is_rejected(
    store: TableStore, funded: MakeAccount, amount: Any, currency: Any, expires_at: Any
) -> None:
    account = await funded(1_000)

    code = await code_of(holds.reserve(store, account, "h1", amount, currency, expires_at))

    assert code == "bad_request.invalid_request"
    assert (await balance_of(store, account))["held"] == 0


async def test_get_hold_unknown_is_not_found(store: TableStore, funded: MakeAccount) -> None:
    account = await funded(1_000)

    assert await code_of(holds.get(store, account, "nope")) == "not_found.hold"
    assert await code_of(holds.get(store, "acc_missing", "nope")) == "not_found.account"
