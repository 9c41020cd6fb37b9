from dataclasses import replace
from typing import Any

from balance import checks, ledger
from balance.ledger import Balance, Movement
from balance.tables import LEDGER, POTS_BY_ID
from smartbank import errors, ids, timeutil
from smartbank.contracts.balance import Pot
from smartbank.storage import Row, TableStore

DEFAULT_STYLE = "beach_ball"
POT_PREFIX = "pot:"
PAST_LAST_POT = "pot;"
SNAPSHOT_ATTEMPTS = 20


def pot_entry(pot_id: str) -> str:
    return f"{POT_PREFIX}{pot_id}"


def pot_id_of(row: Row) -> str:
    return str(row["entry"]).removeprefix(POT_PREFIX)


def pot_of(row: Row) -> Pot:
    return Pot(**to_dict(row))


def to_dict(row: Row) -> dict[str, Any]:
    """The pot as its reply has it, and as a pot move keeps it."""
    return {
        "id": pot_id_of(row),
        "account_id": row["account_id"],
        "name": row["name"],
        "style": row["style"],
        "balance": row["balance"],
        "currency": row["currency"],
        "created": row["created"],
        "updated": row["updated"],
        "deleted": row["deleted"],
    }


async def create(
    store: TableStore, account_id: str, name: Any, style: Any = DEFAULT_STYLE, pot_id: Any = None
) -> Pot:
    name = checks.label(name, "name")
    style = checks.label(style, "style", limit=50)
    pot_id = checks.plain_id(ids.new_id("pot") if pot_id is None else pot_id, "pot_id")
    await ledger.read_balance(store, account_id)
    await _claim(store, pot_id, account_id)

    def decide(balance: Balance, pot: Row | None) -> Movement | None:
        if pot is None:
            return Movement(_new_pot(name, style, balance.currency))
        if (pot["name"], pot["style"]) != (name, style):
            raise _mismatch(pot_id)
        return None

    return pot_of(await ledger.transact(store, account_id, pot_entry(pot_id), decide))


async def account_of(store: TableStore, pot_id: str) -> str:
    claim = await store.get(POTS_BY_ID, {"pot_id": pot_id})
    if claim is None:
        raise not_found(pot_id)
    return str(claim["account_id"])


async def get(store: TableStore, pot_id: str) -> Pot:
    account_id = await account_of(store, pot_id)
    return pot_of(require(await ledger.read_entry(store, account_id, pot_entry(pot_id)), pot_id))


async def list_for_account(store: TableStore, account_id: str) -> list[Pot]:
    await ledger.read_balance(store, account_id)
    rows = await _pot_rows(store, account_id)
    return [pot_of(row) for row in sorted(rows, key=lambda row: (row["created"], row["entry"]))]


async def delete(store: TableStore, pot_id: str) -> Pot:
    account_id = await account_of(store, pot_id)

    def decide(_: Balance, found: Row | None) -> Movement | None:
        pot = require(found, pot_id)
        if pot["deleted"]:
            return None
        if pot["balance"]:
            raise errors.bad_request(
                "pot_not_empty", f"pot {pot_id} still holds money", balance=pot["balance"]
            )
        return Movement({"deleted": True, "updated": timeutil.now_text()})

    return pot_of(await ledger.transact(store, account_id, pot_entry(pot_id), decide))


async def balance_with_pots(store: TableStore, account_id: str) -> Balance:
    """Every pot move bumps the balance row's version, so pots read between two equal versions
    belong with that balance."""
    for _ in range(SNAPSHOT_ATTEMPTS):
        balance = await ledger.read_balance(store, account_id)
        rows = await _pot_rows(store, account_id)
        if (await ledger.read_balance(store, account_id)).version == balance.version:
            return replace(balance, in_pots=sum(r["balance"] for r in rows if not r["deleted"]))
    raise errors.conflict(
        "contention", f"account {account_id} is too busy, try again", account_id=account_id
    )


def require(row: Row | None, pot_id: str) -> Row:
    if row is None:
        raise not_found(pot_id)
    return row


def not_found(pot_id: str) -> errors.ServiceError:
    return errors.not_found("pot", f"no pot {pot_id}", pot_id=pot_id)


async def _pot_rows(store: TableStore, account_id: str) -> list[Row]:
    partition = {"account_id": account_id}
    return await store.query(LEDGER, partition, ge=(POT_PREFIX,), lt=(PAST_LAST_POT,))


async def _claim(store: TableStore, pot_id: str, account_id: str) -> None:
    claim = {"pot_id": pot_id, "account_id": account_id}
    result = await store.insert(POTS_BY_ID, claim, if_not_exists=True)
    if not result.applied and (result.current or {}).get("account_id") != account_id:
        raise _mismatch(pot_id)


def _new_pot(name: str, style: str, currency: str) -> dict[str, Any]:
    created = timeutil.now_text()
    return {
        "name": name,
        "style": style,
        "balance": 0,
        "currency": currency,
        "created": created,
        "updated": created,
        "deleted": False,
    }


def _mismatch(pot_id: str) -> errors.ServiceError:
    return errors.conflict("pot_mismatch", f"pot {pot_id} exists with other content", pot_id=pot_id)
