import asyncio

import pytest

from balance import accounts, ledger
from smartbank.errors import ServiceError
from smartbank.storage import TableStore


async def test_create_account_returns_uk_retail_account(store: TableStore) -> None:
    account = await accounts.create(store, "user_1", "GBP", "Main")

    assert account.id.startswith("acc_")
    assert account.user_id == "user_1"
    assert account.type == "uk_retail"
    assert account.closed is False
    assert account.description == "Main"
    assert len(account.account_number) == 8 and account.account_number.isdigit()
    assert len(account.sort_code) == 6 and account.sort_code.isdigit()
    assert await accounts.get(store, account.id) == account


async def test_create_account_starts_with_zero_balance(store: TableStore) -> None:
    account = await accounts.create(store, "user_1", "EUR")

    balance = (await ledger.read_balance(store, account.id)).to_dict()

    assert balance == {
        "account_id": account.id,
        "currency": "EUR",
        "balance": 0,
        "ledger_balance": 0,
        "held": 0,
        "total_balance": 0,
    }


async def test_create_account_with_same_id_returns_existing(store: TableStore) -> None:
    first = await accounts.create(store, "user_1", "GBP", account_id="acc_fixed")
    again = await accounts.create(store, "user_1", "GBP", "other text", account_id="acc_fixed")

    assert again == first
    assert await accounts.list_for_user(store, "user_1") == [first]


@pytest.mark.parametrize(("user_id", "currency"), [("user_2", "GBP"), ("user_1", "EUR")])
async def test_create_account_with_same_id_other_owner_conflicts(
    store: TableStore, user_id: str, currency: str
) -> None:
    await accounts.create(store, "user_1", "GBP", account_id="acc_fixed")

    with pytest.raises(ServiceError) as caught:
        await accounts.create(store, user_id, currency, account_id="acc_fixed")

    assert caught.value.code == "conflict.account_mismatch"


async def test_create_account_concurrently_with_same_id_creates_one(store: TableStore) -> None:

    made = await asyncio.gather(
        *(accounts.create(store, "user_1", "GBP", account_id="acc_race") for _ in range(10))
    )

    assert all(account == made[0] for account in made)
    assert len(await accounts.list_for_user(store, "user_1")) == 1


async def test_list_accounts_returns_only_the_users_accounts(store: TableStore) -> None:
    mine = [await accounts.create(store, "user_1", "GBP") for _ in range(2)]
    await accounts.create(store, "user_2", "GBP")

    listed = await accounts.list_for_user(store, "user_1")

    assert sorted(a.id for a in listed) == sorted(a.id for a in mine)
    assert await accounts.list_for_user(store, "user_nobody") == []


@pytest.mark.parametrize("currency", ["gbp", "XYZ", "", 826, None])
async def test_create_account_with_bad_currency_is_rejected(
    store: TableStore, currency: object
) -> None:
    with pytest.raises(ServiceError) as caught:
        await accounts.create(store, "user_1", currency)

    assert caught.value.code == "bad_request.invalid_request"
    assert await accounts.list_for_user(store, "user_1") == []


async def test_get_account_unknown_is_not_found(store: TableStore) -> None:
    with pytest.raises(ServiceError) as caught:
        await accounts.get(store, "acc_missing")

    assert caught.value.code == "not_found.account"


async def test_read_balance_unknown_account_is_not_found(store: TableStore) -> None:
    with pytest.raises(ServiceError) as caught:
        await ledger.read_balance(store, "acc_missing")

    assert caught.value.code == "not_found.account"
