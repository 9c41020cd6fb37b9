import secrets
from typing import Any

from balance import checks, ledger
from balance.tables import ACCOUNT_NUMBERS, ACCOUNTS, ACCOUNTS_BY_USER, LEDGER
from smartbank import errors, ids, timeutil
from smartbank.contracts.balance import Account
from smartbank.storage import Row, TableStore

ACCOUNT_TYPE = "uk_retail"
SORT_CODE = "040004"
NUMBER_ATTEMPTS = 20


def account_of(row: Row) -> Account:
    return Account(
        id=row["account_id"],
        user_id=row["user_id"],
        currency=row["currency"],
        description=row["description"],
        type=row["type"],
        account_number=row["account_number"],
        sort_code=row["sort_code"],
        created=row["created"],
        closed=row["closed"],
    )


async def create(
    store: TableStore,
    user_id: Any,
    currency: Any,
    description: Any = None,
    account_id: Any = None,
) -> Account:
    user_id = checks.identifier(user_id, "user_id")
    currency = checks.currency(currency)
    description = checks.text(user_id if description is None else description, "description")
    if account_id is None:
        account_id = ids.new_id("acc")
    account_id = checks.identifier(account_id, "account_id")
    account = await store.get(ACCOUNTS, {"account_id": account_id})
    if account is None:
        await _open_ledger(store, account_id, currency)
        account = await _insert_account(store, account_id, user_id, currency, description)
    if account["user_id"] != user_id or account["currency"] != currency:
        raise _mismatch(account_id)
    await store.insert(ACCOUNTS_BY_USER, account)
    return account_of(account)


async def get(store: TableStore, account_id: str) -> Account:
    account = await store.get(ACCOUNTS, {"account_id": account_id})
    if account is None:
        raise errors.not_found("account", f"no account {account_id}", account_id=account_id)
    return account_of(account)


async def list_for_user(store: TableStore, user_id: str) -> list[Account]:
    checks.identifier(user_id, "user_id")
    return [account_of(row) for row in await store.query(ACCOUNTS_BY_USER, {"user_id": user_id})]


async def _open_ledger(store: TableStore, account_id: str, currency: str) -> None:
    row = ledger.balance_row(account_id, currency)
    result = await store.insert(LEDGER, row, if_not_exists=True)
    if not result.applied and result.current and result.current["currency"] != currency:
        raise _mismatch(account_id)


async def _insert_account(
    store: TableStore, account_id: str, user_id: str, currency: str, description: str
) -> Row:
    row = {
        "account_id": account_id,
        "user_id": user_id,
        "currency": currency,
        "description": description,
        "type": ACCOUNT_TYPE,
        "account_number": await _claim_number(store, account_id),
        "sort_code": SORT_CODE,
        "created": timeutil.now_text(),
        "closed": False,
    }
    result = await store.insert(ACCOUNTS, row, if_not_exists=True)
    return row if result.applied or result.current is None else result.current


async def _claim_number(store: TableStore, account_id: str) -> str:
    for _ in range(NUMBER_ATTEMPTS):
        number = f"{secrets.randbelow(10**8):08d}"
        claim = {"account_number": number, "account_id": account_id}
        if (await store.insert(ACCOUNT_NUMBERS, claim, if_not_exists=True)).applied:
            return number
    raise errors.conflict("contention", "no free account number, try again")


def _mismatch(account_id: str) -> errors.ServiceError:
    return errors.conflict(
        "account_mismatch",
        f"account {account_id} exists for another user or currency",
        account_id=account_id,
    )
