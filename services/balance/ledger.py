import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
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
    in_pots: int = 0

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
            "total_balance": self.available + self.in_pots,
        }


@dataclass(frozen=True)
class Movement:
    values: dict[str, Any]
    ledger_delta: int = 0
    held_delta: int = 0


@dataclass(frozen=True)
class Changes:
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    ledger_delta: int = 0
    held_delta: int = 0


Found = dict[str, Row | None]
Decide = Callable[[Balance, Row | None], Movement | None]
DecideMany = Callable[[Balance, Found], Changes | None]


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
    def decide_entry(balance: Balance, found: Found) -> Changes | None:
        movement = decide(balance, found[entry])
        if movement is None:
            return None
        return Changes({entry: movement.values}, movement.ledger_delta, movement.held_delta)

    row = (await transact_entries(store, account_id, (entry,), decide_entry))[entry]
    assert row is not None
    return row


async def transact_entries(
    store: TableStore, account_id: str, entries: tuple[str, ...], decide: DecideMany
) -> Found:
    """Apply `decide`'s changes to the balance and the entry rows in one conditional batch.

    The batch holds only if none of the rows changed since they were read, so replicas stay
    correct; the per-account lock merely spares this process the retries. Returns the entries
    as written, or as found when `decide` had nothing to change.
    """
    lock = _locks.setdefault((id(store), account_id), asyncio.Lock())
    async with lock:
        for _ in range(MAX_ATTEMPTS):
            balance = await read_balance(store, account_id)
            found = {entry: await read_entry(store, account_id, entry) for entry in entries}
            changes = decide(balance, found)
            if changes is None:
                return found
            written = await _write(store, balance, found, changes)
            if written is not None:
                return written
    raise errors.conflict(
        "contention", f"account {account_id} is too busy, try again", account_id=account_id
    )


async def _write(
    store: TableStore, balance: Balance, found: Found, changes: Changes
) -> Found | None:
    balance_key = {"account_id": balance.account_id, "entry": BALANCE_ENTRY}
    new_balance = {
        "ledger_balance": balance.ledger_balance + changes.ledger_delta,
        "held": balance.held + changes.held_delta,
        "version": balance.version + 1,
    }
    ops: list[Insert | Update] = [
        Update(LEDGER, balance_key, new_balance, if_={"version": balance.version})
    ]
    written = dict(found)
    for entry, values in changes.rows.items():
        op, written[entry] = _entry_write(balance.account_id, entry, found[entry], values)
        ops.append(op)
    result = await store.batch(ops)
    return written if result.applied else None


def _entry_write(
    account_id: str, entry: str, current: Row | None, values: dict[str, Any]
) -> tuple[Insert | Update, Row]:
    key = {"account_id": account_id, "entry": entry}
    if current is None:
        inserted = {**key, **values, "version": 1}
        return Insert(LEDGER, inserted, if_not_exists=True), inserted
    versioned = {**values, "version": current["version"] + 1}
    op = Update(LEDGER, key, versioned, if_={"version": current["version"]})
    return op, {**current, **versioned}
