from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from balance import holds, ledger, pot_moves, pots
from smartbank.errors import ServiceError
from smartbank.storage import TableStore

MakeAccount = Callable[..., Awaitable[str]]


async def code_of(call: Awaitable[Any]) -> str:
    with pytest.raises(ServiceError) as caught:
        await call
    return caught.value.code


async def figures(store: TableStore, account: str, pot_id: str) -> tuple[int, int, int, int]:
    balance = await ledger.read_balance(store, account)
    pot = await pots.get(store, pot_id)
    return balance.available, pot.balance, balance.held, balance.ledger_balance


async def pot_account(store: TableStore, funded: MakeAccount, hold: int = 200) -> tuple[str, str]:
    account = await funded(1_000)
    await holds.reserve(store, account, "h1", hold, "GBP", "2030-01-01T00:00:00Z")
    pot = await pots.create(store, account, "Savings")
    return account, pot.id


async def test_deposit_moves_available_into_the_pot(store: TableStore, funded: MakeAccount) -> None:
    account, pot_id = await pot_account(store, funded)

    pot = await pot_moves.deposit(store, pot_id, account, 300, "d1")

    assert pot == await pots.get(store, pot_id)
    assert (pot.balance, pot.currency, pot.deleted) == (300, "GBP", False)
    available, in_pot, held, ledger_balance = await figures(store, account, pot_id)
    assert (available, in_pot, held, ledger_balance) == (500, 300, 200, 700)
    assert available + in_pot + held == 1_000


async def test_withdraw_moves_the_pot_back_to_available(
    store: TableStore, funded: MakeAccount
) -> None:
    account, pot_id = await pot_account(store, funded)
    await pot_moves.deposit(store, pot_id, account, 300, "d1")

    pot = await pot_moves.withdraw(store, pot_id, account, 120, "w1")

    assert pot.balance == 180 and pot == await pots.get(store, pot_id)
    available, in_pot, held, _ = await figures(store, account, pot_id)
    assert (available, in_pot, held) == (620, 180, 200)
    assert available + in_pot + held == 1_000


async def test_deposit_replayed_returns_first_result_and_moves_once(
    store: TableStore, funded: MakeAccount
) -> None:
    account, pot_id = await pot_account(store, funded)
    first = await pot_moves.deposit(store, pot_id, account, 300, "d1")
    await pot_moves.deposit(store, pot_id, account, 50, "d2")

    again = await pot_moves.deposit(store, pot_id, account, 300, "d1")

    assert again == first
    assert await figures(store, account, pot_id) == (450, 350, 200, 650)


async def test_withdraw_replayed_moves_once(store: TableStore, funded: MakeAccount) -> None:
    account, pot_id = await pot_account(store, funded)
    await pot_moves.deposit(store, pot_id, account, 300, "d1")
    first = await pot_moves.withdraw(store, pot_id, account, 100, "w1")

    again = await pot_moves.withdraw(store, pot_id, account, 100, "w1")

    assert again == first
    assert await figures(store, account, pot_id) == (600, 200, 200, 800)


@pytest.mark.parametrize(("kind", "amount"), [("deposit", 301), ("withdraw", 300)])
async def test_move_with_used_dedupe_id_other_parameters_is_rejected(
    store: TableStore, funded: MakeAccount, kind: str, amount: int
) -> None:
    account, pot_id = await pot_account(store, funded)
    await pot_moves.deposit(store, pot_id, account, 300, "d1")
    move = pot_moves.deposit if kind == "deposit" else pot_moves.withdraw

    with pytest.raises(ServiceError) as caught:
        await move(store, pot_id, account, amount, "d1")

    assert (caught.value.status, caught.value.code) == (400, "bad_request.dedupe_mismatch")
    assert await figures(store, account, pot_id) == (500, 300, 200, 700)


async def test_same_dedupe_id_on_another_pot_is_another_move(
    store: TableStore, funded: MakeAccount
) -> None:
    account, pot_id = await pot_account(store, funded)
    other = (await pots.create(store, account, "Other")).id
    await pot_moves.deposit(store, pot_id, account, 300, "d1")

    moved = await pot_moves.deposit(store, other, account, 100, "d1")

    assert moved.balance == 100
    assert (await ledger.read_balance(store, account)).available == 400


async def test_deposit_beyond_available_is_insufficient_funds(
    store: TableStore, funded: MakeAccount
) -> None:
    account, pot_id = await pot_account(store, funded)

    with pytest.raises(ServiceError) as caught:
        await pot_moves.deposit(store, pot_id, account, 801, "d1")

    assert caught.value.code == "bad_request.insufficient_funds"
    assert caught.value.params == {"available": 800, "requested": 801}
    assert await figures(store, account, pot_id) == (800, 0, 200, 1_000)
    assert (await pot_moves.deposit(store, pot_id, account, 800, "d1")).balance == 800


async def test_withdraw_beyond_pot_balance_is_insufficient_funds(
    store: TableStore, funded: MakeAccount
) -> None:
    account, pot_id = await pot_account(store, funded)
    await pot_moves.deposit(store, pot_id, account, 300, "d1")

    with pytest.raises(ServiceError) as caught:
        await pot_moves.withdraw(store, pot_id, account, 301, "w1")

    assert caught.value.code == "bad_request.insufficient_funds"
    assert caught.value.params == {"available": 300, "requested": 301}
    assert await figures(store, account, pot_id) == (500, 300, 200, 700)
    assert (await pot_moves.withdraw(store, pot_id, account, 300, "w1")).balance == 0


async def test_deposit_into_deleted_pot_is_refused(store: TableStore, funded: MakeAccount) -> None:
    account, pot_id = await pot_account(store, funded)
    deleted = await pots.delete(store, pot_id)

    code = await code_of(pot_moves.deposit(store, pot_id, account, 100, "d1"))

    assert code == "bad_request.pot_deleted"
    assert await pots.get(store, pot_id) == deleted
    assert await figures(store, account, pot_id) == (800, 0, 200, 1_000)


@pytest.mark.parametrize("move", [pot_moves.deposit, pot_moves.withdraw])
async def test_move_from_another_account_is_refused(
    store: TableStore, funded: MakeAccount, move: Any
) -> None:
    account, pot_id = await pot_account(store, funded)
    await pot_moves.deposit(store, pot_id, account, 300, "d1")
    stranger = await funded(1_000)

    code = await code_of(move(store, pot_id, stranger, 100, "m1"))

    assert code == "bad_request.wrong_account"
    assert await figures(store, account, pot_id) == (500, 300, 200, 700)
    assert (await ledger.read_balance(store, stranger)).ledger_balance == 1_000


async def test_move_on_unknown_pot_is_not_found(store: TableStore, funded: MakeAccount) -> None:
    account = await funded(1_000)

    assert await code_of(pot_moves.deposit(store, "pot_nope", account, 1, "d1")) == "not_found.pot"
    assert await code_of(pot_moves.withdraw(store, "pot_nope", account, 1, "w1")) == "not_found.pot"


@pytest.mark.parametrize(
    ("account_given", "amount", "dedupe_id"),
    [
        (True, 0, "m1"),
        (True, -5, "m1"),
        (True, True, "m1"),
        (True, 10.0, "m1"),
        (True, "10", "m1"),
        (True, None, "m1"),
        (True, 10**16, "m1"),
        (True, 10, ""),
        (True, 10, None),
        (False, 10, "m1"),
    ],
)
@pytest.mark.parametrize("move", [pot_moves.deposit, pot_moves.withdraw])
async def test_move_with_bad_input_is_rejected(
    store: TableStore,
    funded: MakeAccount,
    move: Any,
    account_given: bool,
    amount: Any,
    dedupe_id: Any,
) -> None:
    account, pot_id = await pot_account(store, funded)
    await pot_moves.deposit(store, pot_id, account, 300, "d0")

    code = await code_of(move(store, pot_id, account if account_given else None, amount, dedupe_id))

    assert code == "bad_request.invalid_request"
    assert await figures(store, account, pot_id) == (500, 300, 200, 700)
