from __future__ import annotations

import asyncio
from typing import Any

from smartbank import errors, ids, timeutil
from smartbank.storage import Row, TableStore
from webhook import urls
from webhook.records import Records, delivery_json
from webhook.tables import WEBHOOKS, WEBHOOKS_BY_ACCOUNT

MAX_DELIVERIES_LIMIT = 100


async def create_webhook(
    store: TableStore,
    *,
    account_id: str,
    url: str,
    allow_private: bool,
    resolve: urls.Resolver,
) -> dict[str, Any]:
    await urls.check_url(url, allow_private=allow_private, resolve=resolve)
    row: Row = {
        "webhook_id": ids.new_id("webhook"),
        "account_id": account_id,
        "url": url,
        "secret": ids.token("whsec"),
        "created": timeutil.now_text(),
        "deleted": False,
    }
    await store.insert(WEBHOOKS, row, if_not_exists=True)
    await store.insert(
        WEBHOOKS_BY_ACCOUNT, {"account_id": account_id, "webhook_id": row["webhook_id"]}
    )
    return {**webhook_json(row), "secret": row["secret"]}


async def live_webhooks(store: TableStore, account_id: str) -> list[Row]:
    entries = await store.query(WEBHOOKS_BY_ACCOUNT, {"account_id": account_id})
    rows = await asyncio.gather(
        *(store.get(WEBHOOKS, {"webhook_id": e["webhook_id"]}) for e in entries)
    )
    return [row for row in rows if row is not None and not row["deleted"]]


async def list_webhooks(store: TableStore, account_id: str) -> list[dict[str, Any]]:
    return [webhook_json(row) for row in await live_webhooks(store, account_id)]


async def get_webhook(store: TableStore, webhook_id: str) -> dict[str, Any]:
    return webhook_json(await _load(store, webhook_id))


async def delete_webhook(store: TableStore, webhook_id: str) -> None:
    row = await store.get(WEBHOOKS, {"webhook_id": webhook_id})
    if row is None:
        raise _not_found(webhook_id)
    await store.update(WEBHOOKS, {"webhook_id": webhook_id}, {"deleted": True}, if_exists=True)
    await store.delete(
        WEBHOOKS_BY_ACCOUNT, {"account_id": row["account_id"], "webhook_id": webhook_id}
    )


async def list_deliveries(
    store: TableStore, webhook_id: str, limit: int = 50
) -> list[dict[str, Any]]:
    if not 1 <= limit <= MAX_DELIVERIES_LIMIT:
        raise errors.bad_request(
            "invalid_limit", f"limit must be 1 to {MAX_DELIVERIES_LIMIT}", limit=limit
        )
    await _load(store, webhook_id)
    rows = await Records(store).newest(webhook_id, limit)
    return [delivery_json(row) for row in rows]


def webhook_json(row: Row) -> dict[str, Any]:
    return {"id": row["webhook_id"], "account_id": row["account_id"], "url": row["url"]}


async def _load(store: TableStore, webhook_id: str) -> Row:
    row = await store.get(WEBHOOKS, {"webhook_id": webhook_id})
    if row is None or row["deleted"]:
        raise _not_found(webhook_id)
    return row


def _not_found(webhook_id: str) -> errors.ServiceError:
    return errors.not_found("webhook", f"no webhook {webhook_id}", webhook_id=webhook_id)
