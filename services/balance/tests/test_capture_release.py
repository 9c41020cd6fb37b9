from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from balance import holds, ledger
from smartbank.errors import ServiceError
from smartbank.storage import TableStore

MakeAccount = Callable[..., Awaitable[str]]

EXPIRES = "2030-01-01T00:00:00Z"


async def held_account(store: TableStore, funded: MakeAccount, hold: int = 300) -> str:
    account = await funded(1_000)
    await holds.reserve(store, account, "h1", hold, "GBP", EXPIRES)
    return account


async def figures(store: TableStore, account_id: str) -> tuple[int, int, int]:
    balance = await ledger.read_balance(store, account_id)
    return balance.available, balance.ledger_balance, balance.held


async def code_of(call: Any) -> str:
    with pytest.raises(ServiceError) as caught:
        await call
    return caught.value.code


async def test_capture_hold_moves_ledger_and_drops_hold(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await held_account(store, funded)

    hold = await holds.capture(store, account, "h1", 300, "GBP")

    assert (hold.state, hold.amount, hold.captured_amount) == ("captured", 0, 300)
    assert hold.original_amount == 300
    assert await figures(store, account) == (700, 700, 0)


@pytest.mark.parametrize("final", [350, 250])
async def test_capture_hold_for_other_amount_moves_final_amount(
    store: TableStore, funded: MakeAccount, final: int
) -> None:
    account = await held_account(store, funded)

    hold = await holds.capture(store, account, "h1", final, "GBP", tolerance=50)

    assert hold.captured_amount == final
    assert await figures(store, account) == (1_000 - final, 1_000 - final, 0)


async def test_capture_hold_beyond_balance_takes_ledger_negative(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await held_account(store, funded, hold=1_000)

    await holds.capture(store, account, "h1", 1_200, "GBP", tolerance=200)

    assert await figures(store, account) == (-200, -200, 0)


@pytest.mark.parametrize("tolerance", [0, 49])
async def test_capture_beyond_hold_and_tolerance_is_refused_and_changes_nothing(
    store: TableStore, funded: MakeAccount, tolerance: int
) -> None:
    account = await held_account(store, funded)

    code = await code_of(holds.capture(store, account, "h1", 350, "GBP", tolerance=tolerance))

    assert code == "bad_request.exceeds_hold"
    assert await figures(store, account) == (700, 1_000, 300)
    assert (await holds.get(store, account, "h1")).state == "held"


async def test_capture_with_negative_tolerance_is_refused(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await held_account(store, funded)

    code = await code_of(holds.capture(store, account, "h1", 300, "GBP", tolerance=-1))

    assert code == "bad_request.invalid_request"


async def test_capture_hold_replayed_captures_once(store: TableStore, funded: MakeAccount) -> None:
    account = await held_account(store, funded)
    first = await holds.capture(store, account, "h1", 320, "GBP", tolerance=20)

    again = await holds.capture(store, account, "h1", 320, "GBP", tolerance=20)

    assert again == first
    assert await figures(store, account) == (680, 680, 0)


async def test_capture_captured_hold_for_other_amount_conflicts(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await held_account(store, funded)
    await holds.capture(store, account, "h1", 300, "GBP")

    code = await code_of(holds.capture(store, account, "h1", 301, "GBP"))

    assert code == "conflict.already_captured"
    assert await figures(store, account) == (700, 700, 0)


async def test_capture_released_hold_conflicts(store: TableStore, funded: MakeAccount) -> None:
    account = await held_account(store, funded)
    await holds.release(store, account, "h1", "r1")

    code = await code_of(holds.capture(store, account, "h1", 300, "GBP"))

    assert code == "conflict.hold_released"
    assert await figures(store, account) == (1_000, 1_000, 0)


async def test_capture_hold_in_other_currency_is_rejected(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await held_account(store, funded)

    code = await code_of(holds.capture(store, account, "h1", 300, "EUR"))

    assert code == "bad_request.currency_mismatch"
    assert await figures(store, account) == (700, 1_000, 300)


async def test_capture_unknown_hold_is_not_found(store: TableStore, funded: MakeAccount) -> None:
    account = await funded(1_000)

    assert await code_of(holds.capture(store, account, "h9", 300, "GBP")) == "not_found.hold"


async def test_capture_partly_released_hold_drops_what_is_left(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await held_account(store, funded)
    await holds.release(store, account, "h1", "r1", 100)

    await holds.capture(store, account, "h1", 300, "GBP", tolerance=100)

    assert await figures(store, account) == (700, 700, 0)


async def test_release_hold_returns_everything(store: TableStore, funded: MakeAccount) -> None:
    account = await held_account(store, funded)

    hold = await holds.release(store, account, "h1", "r1")

    assert (hold.state, hold.amount, hold.original_amount) == ("released", 0, 300)
    assert await figures(store, account) == (1_000, 1_000, 0)


async def test_release_hold_partly_keeps_the_rest(store: TableStore, funded: MakeAccount) -> None:
    account = await held_account(store, funded)

    hold = await holds.release(store, account, "h1", "r1", 100)

    assert (hold.state, hold.amount) == ("held", 200)
    assert await figures(store, account) == (800, 1_000, 200)


async def test_release_hold_beyond_held_releases_what_is_held(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await held_account(store, funded)
    await holds.release(store, account, "h1", "r1", 100)

    hold = await holds.release(store, account, "h1", "r2", 5_000)

    assert (hold.state, hold.amount) == ("released", 0)
    assert await figures(store, account) == (1_000, 1_000, 0)


async def test_release_hold_replayed_release_id_changes_nothing(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await held_account(store, funded)
    first = await holds.release(store, account, "h1", "r1", 100)

    again = await holds.release(store, account, "h1", "r1", 100)

    assert again == first
    assert await figures(store, account) == (800, 1_000, 200)


async def test_release_released_hold_returns_it_unchanged(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await held_account(store, funded)
    first = await holds.release(store, account, "h1", "r1")

    again = await holds.release(store, account, "h1", "r2")

    assert again == first
    assert await figures(store, account) == (1_000, 1_000, 0)


async def test_release_captured_hold_conflicts(store: TableStore, funded: MakeAccount) -> None:
    account = await held_account(store, funded)
    await holds.capture(store, account, "h1", 300, "GBP")

    code = await code_of(holds.release(store, account, "h1", "r1"))

    assert code == "conflict.already_captured"
    assert await figures(store, account) == (700, 700, 0)


@pytest.mark.parametrize(("release_id", "amount"), [("", None), ("r1", 0), ("r1", 1.5), (None, 5)])
async def test_release_hold_with_bad_input_is_rejected(
    store: TableStore, funded: MakeAccount, release_id: Any, amount: Any
) -> None:
    account = await held_account(store, funded)

    code = await code_of(holds.release(store, account, "h1", release_id, amount))

    assert code == "bad_request.invalid_request"
    assert await figures(store, account) == (700, 1_000, 300)


async def test_release_before_reserve_makes_the_late_reserve_place_nothing(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await funded(1_000)

    released = await holds.release(store, account, "h9", "r1")
    late = await code_of(holds.reserve(store, account, "h9", 300, "GBP", "2030-01-01T00:00:00Z"))

    assert released.state == "released" and released.amount == 0
    assert late == "conflict.hold_released"
    assert await figures(store, account) == (1_000, 1_000, 0)
