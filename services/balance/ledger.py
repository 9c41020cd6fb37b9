import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from weakref import WeakValueDictionary

from balance.tables import LEDGER
from smartbank import errors
from smartbank.storage import Insert, Row, TableStore, Update

BALANCE_ENTRY = "balance"
MAX_ATTEMPTS = 50

_locks: WeakValueDictionary[tuple[int, str], asyncio.Lock] = WeakValueDictionary()


@dataclass(frozen=True)
class Balance:
    account_id: str
    currency: str
    ledger_balance: int
    held: int
    version: int

    @property
    def available(self) -> int:
        return self.ledger_balance - self.held

    def to_dict(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "currency": self.currency,
            "balance": self.available,
            "ledger_balance": self.ledger_balance,
            "held": self.held,
            "total_balance": self.available,
        }


@dataclass(frozen=True)
class Movement:
    values: dict[str, Any]
    ledger_delta: int = 0
    held_delta: int = 0


Decide = Callable[[Balance, Row | None], Movement | None]


def balance_row(account_id: str, currency: str) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "entry": BALANCE_ENTRY,
        "currency": currency,
        "ledger_balance": 0,
        "held": 0,
        "version": 0,
    }


async def read_balance(store: TableStore, account_id: str) -> Balance:
    row = await store.get(LEDGER, {"account_id": account_id, "entry": BALANCE_ENTRY})
    if row is None:
        raise errors.not_found("account", f"no account {account_id}", account_id=account_id)
    return Balance(account_id, row["currency"], row["ledger_balance"], row["held"], row["version"])


async def read_entry(store: TableStore, account_id: str, entry: str) -> Row | None:
    return await store.get(LEDGER, {"account_id": account_id, "entry": entry})


async def transact(store: TableStore, account_id: str, entry: str, decide: Decide) -> Row:
    """Apply `decide`'s movement to the balance and the entry row in one conditional batch.

    The batch holds only if neither row changed since it was read, so replicas stay correct;
    the per-account lock merely spares this process the retries.
    """
    lock = _locks.setdefault((id(store), account_id), asyncio.Lock())
    async with lock:
        for _ in range(MAX_ATTEMPTS):
            balance = await read_balance(store, account_id)
            current = await read_entry(store, account_id, entry)
            movement = decide(balance, current)
            if movement is None:
                assert current is not None
                return current
            written = await _write(store, balance, entry, current, movement)
            if written is not None:
                return written
    raise errors.conflict(
        "contention", f"account {account_id} is too busy, try again", account_id=account_id
    )


async def _write(
    store: TableStore, balance: Balance, entry: str, current: Row | None, movement: Movement
) -> Row | None:
    balance_key = {"account_id": balance.account_id, "entry": BALANCE_ENTRY}
    new_balance = {
        "ledger_balance": balance.ledger_balance + movement.ledger_delta,
        "held": balance.held + movement.held_delta,
        "version": balance.version + 1,
    }
    key = {"account_id": balance.account_id, "entry": entry}
    ops: list[Insert | Update] = [
        Update(LEDGER, balance_key, new_balance, if_={"version": balance.version})
    ]
    if current is None:
        values = {**movement.values, "version": 1}
        ops.append(Insert(LEDGER, {**key, **values}, if_not_exists=True))
    else:
        values = {**movement.values, "version": current["version"] + 1}
        ops.append(Update(LEDGER, key, values, if_={"version": current["version"]}))
    result = await store.batch(ops)
    return {**(current or {}), **key, **values} if result.applied else None
