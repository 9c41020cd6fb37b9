"""The mail outbox: what auth would send by email, kept in tables so it can be read locally."""

from __future__ import annotations

from typing import Any

from auth.tables import MAIL_BY_RECIPIENT, MAIL_LIST
from smartbank import ids, timeutil
from smartbank.storage import Row, TableStore

LIST_BUCKET = 0


async def send(store: TableStore, to: str, subject: str, body: str) -> dict[str, Any]:
    row = {
        "mail_id": ids.new_id("mail"),
        "recipient": to,
        "subject": subject,
        "body": body,
        "created": timeutil.now_text(),
    }
    await store.insert(MAIL_BY_RECIPIENT, row)
    await store.insert(MAIL_LIST, {"bucket": LIST_BUCKET, **row})
    return mail_json(row)


async def list_mail(store: TableStore, to: str, limit: int) -> list[dict[str, Any]]:
    """Newest first: one recipient's mail, or everyone's when `to` is empty."""
    if to:
        partition: dict[str, Any] = {"recipient": to.strip().lower()}
        rows = await store.query(MAIL_BY_RECIPIENT, partition, limit=limit, descending=True)
    else:
        rows = await store.query(MAIL_LIST, {"bucket": LIST_BUCKET}, limit=limit, descending=True)
    return [mail_json(row) for row in rows]


def mail_json(row: Row) -> dict[str, Any]:
    return {
        "id": row["mail_id"],
        "to": row["recipient"],
        "subject": row["subject"],
        "body": row["body"],
        "created": row["created"],
    }
