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


class NewFeedItem(Contract):
    """POST /feed/items: idempotent by `id` when given. feed checks the rest (required fields
    by `type`, lengths, id prefixes, colours, URLs) and answers 400s of its own."""

    id: str | None = None
    account_id: str
    user_id: str | None = None
    type: str
    title: str | None = None
    body: str | None = None
    image_url: str | None = None
    emoji: str | None = None
    url: str | None = None
    transaction_id: str | None = None
    background_color: str | None = None
    title_color: str | None = None
    body_color: str | None = None
    created: str | None = None


class CreatedFeedItem(Contract):
    """POST /feed/items: the item, and whether this call created it (False: it was there)."""

    feed_item: FeedItem
    created: bool


class FeedItems(Contract):
    feed_items: list[FeedItem]
