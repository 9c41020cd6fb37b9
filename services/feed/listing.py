from __future__ import annotations

from feed.domain import item_json
from feed.tables import FEED_ITEMS, ITEM_BY_ID
from feed.validation import PREFIXES
from smartbank import errors
from smartbank.contracts.feed import FeedItem
from smartbank.params import parse_limit, time_text
from smartbank.storage import TableStore


async def list_items(
    store: TableStore,
    account_id: str,
    *,
    before: str | None = None,
    limit: int | str | None = None,
) -> list[FeedItem]:
    count = parse_limit(limit)
    upper = await _upper_bound(store, account_id, before) if before else None
    rows = await store.query(
        FEED_ITEMS, {"account_id": account_id}, lt=upper, limit=count, descending=True
    )
    return [item_json(row) for row in rows]


async def _upper_bound(store: TableStore, account_id: str, before: str) -> tuple[str, ...]:
    if not before.startswith(PREFIXES["id"]):
        return (time_text(before, "before"),)
    cursor = await store.get(ITEM_BY_ID, {"item_id": before})
    if cursor is None or cursor["account_id"] != account_id:
        raise errors.bad_request(
            "invalid_before", "before names no feed item of this account", before=before
        )
    return (cursor["created"], cursor["item_id"])
