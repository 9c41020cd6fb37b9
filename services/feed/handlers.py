from __future__ import annotations

from fastapi import APIRouter

from feed import domain, listing
from smartbank.contracts.feed import CreatedFeedItem, FeedItem, FeedItems, NewFeedItem
from smartbank.deps import StoreDep

router = APIRouter()


@router.post("/feed/items")
async def create_item(body: NewFeedItem, store: StoreDep) -> CreatedFeedItem:
    item, created = await domain.create_item(store, body)
    return CreatedFeedItem(feed_item=item, created=created)


@router.get("/feed/items")
async def list_items(
    account_id: str, store: StoreDep, before: str | None = None, limit: str | None = None
) -> FeedItems:
    found = await listing.list_items(store, account_id, before=before, limit=limit)
    return FeedItems(feed_items=found)


@router.get("/feed/items/{item_id}")
async def get_item(item_id: str, store: StoreDep) -> dict[str, FeedItem]:
    return {"feed_item": await domain.get_item(store, item_id)}
