import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from balance import holds, pot_moves, pots
from smartbank.errors import ServiceError
from smartbank.storage import TableStore

MakeAccount = Callable[..., Awaitable[str]]
POT_KEYS = {
    "id",
    "account_id",
    "name",
    "style",
    "balance",
    "currency",
    "created",
    "updated",
    "deleted",
}


async def code_of(call: Awaitable[Any]) -> str:
    with pytest.raises(ServiceError) as caught:
        await call
    return caught.value.code


async def test_create_pot_returns_every_key_in_the_accounts_currency(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await funded(500, "EUR")

    pot = await pots.create(store, account, "Holiday")

    assert set(pot.model_dump()) == POT_KEYS
    assert pot.id.startswith("pot_")
    assert (pot.name, pot.style, pot.balance) == ("Holiday", "beach_ball", 0)
    assert (pot.currency, pot.deleted) == ("EUR", False)
    assert pot.created.endswith("Z") and pot.updated == pot.created
    assert await pots.get(store, pot.id) == pot


async def test_create_pot_with_same_id_returns_existing(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await funded(0)
    first = await pots.create(store, account, "Rainy day", "piggy_bank", "pot_fixed")

    again = await pots.create(store, account, "Rainy day", "piggy_bank", "pot_fixed")

    assert again == first
    assert await pots.list_for_account(store, account) == [first]


@pytest.mark.parametrize(("name", "style"), [("Other", "piggy_bank"), ("Rainy day", "beach_ball")])
async def test_create_pot_with_same_id_other_content_conflicts(
    store: TableStore, funded: MakeAccount, name: str, style: str
) -> None:
    account = await funded(0)
    first = await pots.create(store, account, "Rainy day", "piggy_bank", "pot_fixed")

    code = await code_of(pots.create(store, account, name, style, "pot_fixed"))

    assert code == "conflict.pot_mismatch"
    assert await pots.get(store, "pot_fixed") == first


async def test_create_pot_with_id_of_another_accounts_pot_conflicts(
    store: TableStore, funded: MakeAccount
) -> None:
    owner, other = await funded(0), await funded(0)
    first = await pots.create(store, owner, "Mine", pot_id="pot_fixed")

    code = await code_of(pots.create(store, other, "Mine", pot_id="pot_fixed"))

    assert code == "conflict.pot_mismatch"
    assert await pots.list_for_account(store, other) == []
    assert await pots.account_of(store, "pot_fixed") == owner
    assert await pots.get(store, "pot_fixed") == first


async def test_create_pot_concurrently_with_same_id_creates_one(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await funded(0)

    made = await asyncio.gather(
        *(pots.create(store, account, "Race", pot_id="pot_race") for _ in range(10))
    )

    assert all(pot == made[0] for pot in made)
    assert await pots.list_for_account(store, account) == [made[0]]


async def test_create_pot_on_unknown_account_is_not_found(store: TableStore) -> None:
    code = await code_of(pots.create(store, "acc_missing", "Lost", pot_id="pot_lost"))

    assert code == "not_found.account"
    assert await code_of(pots.get(store, "pot_lost")) == "not_found.pot"


@pytest.mark.parametrize(
    ("name", "style", "pot_id"),
    [
        ("", "beach_ball", None),
        ("   ", "beach_ball", None),
        (None, "beach_ball", None),
        (7, "beach_ball", None),
        ("x" * 101, "beach_ball", None),
        ("Ok", "", None),
        ("Ok", None, None),
        ("Ok", "beach_ball", ""),
        ("Ok", "beach_ball", "pot:a"),
        ("Ok", "beach_ball", "pot/a"),
        ("Ok", "beach_ball", 5),
    ],
)
async def test_create_pot_with_bad_input_is_rejected(
    store: TableStore, funded: MakeAccount, name: Any, style: Any, pot_id: Any
) -> None:
    account = await funded(0)

    code = await code_of(pots.create(store, account, name, style, pot_id))

    assert code == "bad_request.invalid_request"
    assert await pots.list_for_account(store, account) == []


async def test_list_pots_returns_oldest_first_and_only_the_accounts_pots(
    store: TableStore, funded: MakeAccount
) -> None:
    account, other = await funded(1_000), await funded(1_000)
    made = []
    for pot_id in ["pot_z", "pot_m", "pot_a"]:
        made.append(await pots.create(store, account, pot_id, pot_id=pot_id))
        await asyncio.sleep(0.002)
    await pots.create(store, other, "Not mine")
    await pot_moves.deposit(store, "pot_m", account, 100, "d1")
    await holds.reserve(store, account, "h1", 50, "GBP", "2030-01-01T00:00:00Z")

    listed = await pots.list_for_account(store, account)

    assert [pot.id for pot in listed] == ["pot_z", "pot_m", "pot_a"]
    assert [pot.balance for pot in listed] == [0, 100, 0]
    assert listed[0] == made[0]


async def test_list_pots_of_account_without_pots_is_empty(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await funded(0)

    assert await pots.list_for_account(store, account) == []
    assert await code_of(pots.list_for_account(store, "acc_missing")) == "not_found.account"


async def test_get_pot_unknown_is_not_found(store: TableStore) -> None:
    assert await code_of(pots.get(store, "pot_missing")) == "not_found.pot"
    assert await code_of(pots.delete(store, "pot_missing")) == "not_found.pot"


async def test_delete_empty_pot_marks_it_deleted(store: TableStore, funded: MakeAccount) -> None:
    account = await funded(1_000)
    pot = await pots.create(store, account, "Spent")
    await pot_moves.deposit(store, pot.id, account, 100, "d1")
    await pot_moves.withdraw(store, pot.id, account, 100, "w1")

    deleted = await pots.delete(store, pot.id)
    again = await pots.delete(store, pot.id)

    assert deleted.deleted is True and deleted.updated >= pot.updated
    assert again == deleted == await pots.get(store, pot.id)
    assert await pots.list_for_account(store, account) == [deleted]


async def test_delete_pot_with_money_is_refused(store: TableStore, funded: MakeAccount) -> None:
    account = await funded(1_000)
    pot = await pots.create(store, account, "Savings")
    saved = await pot_moves.deposit(store, pot.id, account, 1, "d1")

    with pytest.raises(ServiceError) as caught:
        await pots.delete(store, pot.id)

    assert caught.value.code == "bad_request.pot_not_empty"
    assert caught.value.params == {"balance": 1}
    assert await pots.get(store, pot.id) == saved


async def test_balance_total_adds_pots_to_available(store: TableStore, funded: MakeAccount) -> None:
    account = await funded(1_000)
    holiday = await pots.create(store, account, "Holiday")
    rainy = await pots.create(store, account, "Rainy day")
    empty = await pots.create(store, account, "Empty")
    await holds.reserve(store, account, "h1", 100, "GBP", "2030-01-01T00:00:00Z")
    await pot_moves.deposit(store, holiday.id, account, 300, "d1")
    await pot_moves.deposit(store, rainy.id, account, 200, "d1")
    await pots.delete(store, empty.id)

    balance = (await pots.balance_with_pots(store, account)).to_dict()

    assert balance == {
        "account_id": account,
        "currency": "GBP",
        "balance": 400,
        "ledger_balance": 500,
        "held": 100,
        "total_balance": 900,
    }


async def test_balance_total_without_pots_is_available(
    store: TableStore, funded: MakeAccount
) -> None:
    account = await funded(700)
    await holds.reserve(store, account, "h1", 200, "GBP", "2030-01-01T00:00:00Z")

    balance = await pots.balance_with_pots(store, account)

    assert (balance.available, balance.to_dict()["total_balance"]) == (500, 500)
    assert await code_of(pots.balance_with_pots(store, "acc_missing")) == "not_found.account"
