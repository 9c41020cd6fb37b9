from __future__ import annotations

from collections.abc import AsyncIterator

from smartbank.contracts.transactions import Spend
from smartbank.params import time_text
from smartbank.storage import Row, TableStore
from transactions.domain import AUTHORISED, SETTLED
from transactions.listing import rows_of
from transactions.tables import TRANSACTIONS_BY_ACCOUNT

PAGE = 500
SPENDING = (AUTHORISED, SETTLED)


async def spend_since(store: TableStore, account_id: str, since: str, *, page: int = PAGE) -> Spend:
    since_text = time_text(since, "since")
    spend, currency = 0, ""
    async for row in _rows_since(store, account_id, since_text, page):
        currency = currency or row["currency"]
        if is_card_spend(row):
            spend += row["amount"]
    return Spend(
        account_id=account_id,
        since=since_text,
        currency=currency or await _latest_currency(store, account_id),
        spend=spend,
    )


def is_card_spend(row: Row) -> bool:
    return (
        row["amount"] < 0
        and not row["is_load"]
        and bool(row["card_id"])
        and row["status"] in SPENDING
    )


async def _rows_since(
    store: TableStore, account_id: str, since: str, page: int
) -> AsyncIterator[Row]:
    after: tuple[str, str] | None = None
    while True:
        entries = await store.query(
            TRANSACTIONS_BY_ACCOUNT,
            {"account_id": account_id},
            ge=None if after else (since,),
            gt=after,
            limit=page,
        )
        for row in await rows_of(store, entries):
            yield row
        if len(entries) < page:
            return
        after = (entries[-1]["created"], entries[-1]["id"])


async def _latest_currency(store: TableStore, account_id: str) -> str:
    latest = await store.query(
        TRANSACTIONS_BY_ACCOUNT, {"account_id": account_id}, limit=1, descending=True
    )
    rows = await rows_of(store, latest)
    return str(rows[0]["currency"]) if rows else ""
