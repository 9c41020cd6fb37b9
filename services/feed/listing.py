from __future__ import annotations

from typing import Any

from feed.domain import item_json
from feed.tables import FEED_ITEMS, ITEM_BY_ID
from feed.validation import PREFIXES, time_text
from smartbank import errors
from smartbank.storage import TableStore

DEFAULT_LIMIT = 30
MAX_LIMIT = 100


async def list_items(
    store: TableStore,
    account_id: str,
    *,
    before: str | None = None,
    limit: int | str | None = None,
) -> list[dict[str, Any]]:
    count = parse_limit(limit)
    upper = await _upper_bound(store, account_id, before) if before else None
    rows = await store.query(
        FEED_ITEMS, {"account_id": account_id}, lt=upper, limit=count, descending=True
    )
    return [item_json(row) for row in rows]


def parse_limit(limit: int | str | None) -> int:
    if limit is None or limit == "":
        return DEFAULT_LIMIT
    try:
        count = int(limit)
    except ValueError:
        count = 0
    if not 1 <= count <= MAX_LIMIT:
        raise errors.bad_request(
            "invalid_limit", f"limit must be a whole number from 1 to {MAX_LIMIT}", limit=limit
        )
    return count


async def _upper_bound(store: TableStore, account_id: str, before: str) -> tuple[str, ...]:
    if not before.startswith(PREFIXES["id"]):
        return (time_text(before, "before"),)
    cursor = await store.get(ITEM_BY_ID, {"item_id": before})
    if cursor is None or cursor["account_id"] != account_id:
        raise errors.bad_request(
            "invalid_before", "before names no feed item of this account", before=before
        )
    return (cursor["created"], cursor["item_id"])
