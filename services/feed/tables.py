from smartbank.storage import Table

ITEM_COLUMNS: dict[str, type] = {
    "item_id": str,
    "account_id": str,
    "user_id": str,
    "type": str,
    "title": str,
    "body": str,
    "image_url": str,
    "emoji": str,
    "url": str,
    "transaction_id": str,
    "background_color": str,
    "title_color": str,
    "body_color": str,
    "created": str,
}

ITEM_BY_ID = Table("item_by_id", columns=ITEM_COLUMNS, partition_key=("item_id",))

FEED_ITEMS = Table(
    "feed_items",
    columns=ITEM_COLUMNS,
    partition_key=("account_id",),
    clustering=("created", "item_id"),
)

ALL = (ITEM_BY_ID, FEED_ITEMS)
