"""What the feed service answers: the feed generator and the edge add items, the edge lists
them."""

from __future__ import annotations

from smartbank.contracts import Contract


class FeedItem(Contract):
    id: str
    account_id: str
    user_id: str | None
    type: str
    transaction_id: str | None
    created: str
    title: str
    body: str
    image_url: str
    emoji: str
    url: str
    background_color: str
    title_color: str
    body_color: str


class CreatedFeedItem(Contract):
    """POST /feed/items: the item, and whether this call created it (False: it was there)."""

    feed_item: FeedItem
    created: bool


class FeedItems(Contract):
    feed_items: list[FeedItem]
