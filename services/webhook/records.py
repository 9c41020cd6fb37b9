from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from smartbank import ids
from smartbank.storage import Delete, Insert, Op, Row, TableStore
from webhook.tables import DELIVERIES, DELIVERIES_BY_EVENT, DUE_DELIVERIES

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
BUCKETS = 8


def new_delivery_id() -> str:
    return ids.new_id("delivery")


def bucket_of(delivery_id: str) -> int:
    return hashlib.sha256(delivery_id.encode()).digest()[0] % BUCKETS


def due_entry(row: Row) -> Row:
    return {
        "bucket": bucket_of(row["delivery_id"]),
        "next_attempt_at": row["next_attempt_at"],
        "delivery_id": row["delivery_id"],
        "webhook_id": row["webhook_id"],
    }


def _due_key(entry: Row) -> dict[str, Any]:
    return {k: entry[k] for k in DUE_DELIVERIES.primary_key}


@dataclass
class Records:
    store: TableStore

    async def open(
        self, webhook_id: str, event_id: str, body: str, *, now: str, lease_until: str
    ) -> Row | None:
        """A new delivery, already claimed by the caller; None when the event has one already."""
        claim = {"webhook_id": webhook_id, "event_id": event_id, "delivery_id": new_delivery_id()}
        claimed = await self.store.insert(DELIVERIES_BY_EVENT, claim, if_not_exists=True)
        if not claimed.applied and claimed.current is not None:
            claim = claimed.current
            if await self.get(webhook_id, claim["delivery_id"]) is not None:
                return None
        row: Row = {
            **claim,
            "body": body,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": lease_until,
            "claim": ids.token("claim", 12),
            "last_status_code": None,
            "last_error": "",
            "created": now,
            "updated": now,
        }
        await self.store.insert(DUE_DELIVERIES, due_entry(row))
        written = await self.store.insert(DELIVERIES, row, if_not_exists=True)
        return row if written.applied else None

    async def get(self, webhook_id: str, delivery_id: str) -> Row | None:
        return await self.store.get(
            DELIVERIES, {"webhook_id": webhook_id, "delivery_id": delivery_id}
        )

    async def newest(self, webhook_id: str, limit: int) -> list[Row]:
        return await self.store.query(
            DELIVERIES, {"webhook_id": webhook_id}, limit=limit, descending=True
        )

    async def due(self, bucket: int, now: str, limit: int) -> list[Row]:
        return await self.store.query(DUE_DELIVERIES, {"bucket": bucket}, le=(now,), limit=limit)

    async def claim(self, row: Row, *, now: str, lease_until: str) -> Row | None:
        """Take a pending delivery for one attempt; None when another worker took it first."""
        taken = {"next_attempt_at": lease_until, "claim": ids.token("claim", 12), "updated": now}
        result = await self.store.update(
            DELIVERIES,
            _key(row),
            taken,
            if_={"status": PENDING, "next_attempt_at": row["next_attempt_at"]},
        )
        if not result.applied:
            return None
        await self._move(row, {**row, **taken})
        return {**row, **taken}

    async def settle(self, row: Row, changes: dict[str, Any]) -> bool:
        """Record an attempt's outcome, unless the claim was lost to another worker."""
        values = {**changes, "claim": ""}
        result = await self.store.update(DELIVERIES, _key(row), values, if_={"claim": row["claim"]})
        if result.applied:
            await self._move(row, {**row, **values})
        return result.applied

    async def reconcile(self, entry: Row, row: Row | None) -> bool:
        """True when `entry` is the live due entry of `row`; otherwise the index is repaired."""
        if row is not None and row["status"] == PENDING:
            if row["next_attempt_at"] == entry["next_attempt_at"]:
                return True
            await self.store.insert(DUE_DELIVERIES, due_entry(row))
        await self.store.delete(DUE_DELIVERIES, _due_key(entry))
        return False

    async def _move(self, before: Row, after: Row) -> None:
        old = due_entry(before)
        if after["status"] != PENDING:
            await self.store.delete(DUE_DELIVERIES, _due_key(old))
        elif after["next_attempt_at"] != before["next_attempt_at"]:
            ops: list[Op] = [
                Delete(DUE_DELIVERIES, _due_key(old)),
                Insert(DUE_DELIVERIES, due_entry(after)),
            ]
            await self.store.batch(ops)


def _key(row: Row) -> dict[str, Any]:
    return {"webhook_id": row["webhook_id"], "delivery_id": row["delivery_id"]}


def delivery_json(row: Row) -> dict[str, Any]:
    pending = row["status"] == PENDING
    return {
        "id": row["delivery_id"],
        "webhook_id": row["webhook_id"],
        "event_id": row["event_id"],
        "status": row["status"],
        "attempts": row["attempts"],
        "next_attempt_at": row["next_attempt_at"] if pending else "",
        "last_status_code": row["last_status_code"],
        "last_error": row["last_error"],
        "created": row["created"],
        "updated": row["updated"],
    }
