from __future__ import annotations

import asyncio
from typing import Any

from smartbank import errors
from smartbank.contracts.transactions import Transaction
from smartbank.params import parse_limit, time_text
from smartbank.storage import Row, TableStore
from transactions.domain import transaction_json
from transactions.tables import TRANSACTIONS, TRANSACTIONS_BY_ACCOUNT

Bounds = dict[str, tuple[Any, ...]]


async def list_transactions(
    store: TableStore,
    account_id: str,
    *,
    since: str | None = None,
    before: str | None = None,
    limit: int | str | None = None,
) -> list[Transaction]:
    count = parse_limit(limit)
    lower = await _lower_bound(store, account_id, since) if since else {}
    upper = (time_text(before, "before"),) if before else None
    entries = await store.query(
        TRANSACTIONS_BY_ACCOUNT,
        {"account_id": account_id},
        ge=lower.get("ge"),
        gt=lower.get("gt"),
        lt=upper,
        limit=count,
    )
    return [transaction_json(row) for row in await rows_of(store, entries)]


async def rows_of(store: TableStore, entries: list[Row]) -> list[Row]:
    """The transactions that index entries point at, in the entries' order."""
    rows = await asyncio.gather(*(store.get(TRANSACTIONS, {"id": e["id"]}) for e in entries))
    return [row for row in rows if row is not None]


async def _lower_bound(store: TableStore, account_id: str, since: str) -> Bounds:
    if not since.startswith("tx_"):
        return {"ge": (time_text(since, "since"),)}
    cursor = await store.get(TRANSACTIONS, {"id": since})
    if cursor is None or cursor["account_id"] != account_id:
        raise errors.bad_request(
            "invalid_since", "since names no transaction of this account", since=since
        )
    return {"gt": (cursor["created"], cursor["id"])}
