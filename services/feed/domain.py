from __future__ import annotations

from feed.tables import FEED_ITEMS, ITEM_BY_ID
from feed.validation import check
from smartbank import errors, ids, timeutil
from smartbank.contracts.feed import FeedItem, NewFeedItem
from smartbank.params import time_text
from smartbank.storage import Row, TableStore

TEXT_FIELDS = (
    "title",
    "body",
    "image_url",
    "emoji",
    "url",
    "background_color",
    "title_color",
    "body_color",
)


async def create_item(store: TableStore, new: NewFeedItem) -> tuple[FeedItem, bool]:
    check(new)
    row = new_row(new)
    claim = await store.insert(ITEM_BY_ID, row, if_not_exists=True)
    if not claim.applied:
        row = claim.current or await _load(store, row["item_id"])
        _check_same_account(row, new)
    await store.insert(FEED_ITEMS, row)
    return item_json(row), claim.applied


async def get_item(store: TableStore, item_id: str) -> FeedItem:
    return item_json(await _load(store, item_id))


def new_row(new: NewFeedItem) -> Row:
    texts = {field: (getattr(new, field) or "").strip() for field in TEXT_FIELDS}
    return {
        **texts,
        "item_id": new.id or ids.new_id("feeditem"),
        "account_id": new.account_id,
        "user_id": new.user_id or None,
        "type": new.type,
        "transaction_id": new.transaction_id or None,
        "created": time_text(new.created, "created") if new.created else timeutil.now_text(),
    }


def item_json(row: Row) -> FeedItem:
    return FeedItem(
        id=row["item_id"],
        account_id=row["account_id"],
        user_id=row["user_id"],
        type=row["type"],
        transaction_id=row["transaction_id"],
        created=row["created"],
        **{field: row[field] or "" for field in TEXT_FIELDS},
    )


async def _load(store: TableStore, item_id: str) -> Row:
    row = await store.get(ITEM_BY_ID, {"item_id": item_id})
    if row is None:
        raise errors.not_found("feed_item", f"no feed item {item_id}", item_id=item_id)
    return row


def _check_same_account(existing: Row, new: NewFeedItem) -> None:
    if existing["account_id"] != new.account_id:
        raise errors.conflict(
            "feed_item_mismatch",
            "this feed item id belongs to another account",
            item_id=existing["item_id"],
        )
