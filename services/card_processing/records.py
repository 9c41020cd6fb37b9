"""The authorisation records: one row per network authorisation, changed only by compare-and-set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from card_processing.tables import authorisations, follow_ups, holds_by_expiry
from smartbank import errors
from smartbank.storage import Row, TableStore

DECIDED = frozenset({"approved", "declined", "reversed", "captured", "expired", "offline"})


@dataclass
class Records:
    store: TableStore

    async def get(self, auth_key: str) -> Row | None:
        return await self.store.get(authorisations, {"auth_key": auth_key})

    async def create(self, row: Row) -> tuple[bool, Row]:
        """Insert a new record: (True, it) when created, else (False, the one already there)."""
        fresh = {**row, "version": 1}
        result = await self.store.insert(authorisations, fresh, if_not_exists=True)
        if result.applied:
            return True, fresh
        if result.current is None or not result.certain:
            raise errors.outcome_unknown(f"the record of {fresh['auth_key']}")
        return False, result.current

    async def change(self, row: Row, **changes: Any) -> Row | None:
        """Apply `changes` if nobody changed the record since `row` was read; None if they did."""
        version = row["version"]
        values = {**changes, "version": version + 1}
        result = await self.store.update(
            authorisations, {"auth_key": row["auth_key"]}, values, if_={"version": version}
        )
        if not result.applied and not result.certain:  # acting on "lost" could undo what lands
            raise errors.outcome_unknown(f"the record of {row['auth_key']}")
        return {**row, **values} if result.applied else None

    async def must_get(self, auth_key: str) -> Row:
        row = await self.get(auth_key)
        if row is None:
            raise errors.internal_service("record_vanished", f"authorisation {auth_key} vanished")
        return row

    async def index_expiry(self, row: Row) -> None:
        await self.store.insert(holds_by_expiry, expiry_entry(row))

    async def unindex_expiry(self, row: Row) -> None:
        entry = expiry_entry(row)
        await self.store.delete(holds_by_expiry, {k: entry[k] for k in holds_by_expiry.primary_key})

    async def expired_entries(self, day: str, before: str, limit: int) -> list[Row]:
        return await self.store.query(holds_by_expiry, {"day": day}, lt=(before,), limit=limit)

    async def schedule_follow_up(self, entry: Row) -> None:
        await self.store.insert(follow_ups, entry)

    async def due_follow_ups(self, day: str, before: str, limit: int) -> list[Row]:
        return await self.store.query(follow_ups, {"day": day}, lt=(before,), limit=limit)

    async def drop_follow_up(self, entry: Row) -> None:
        await self.store.delete(follow_ups, {k: entry[k] for k in follow_ups.primary_key})


def expiry_entry(row: Row) -> Row:
    return {
        "day": row["expires_at"][:10],
        "expires_at": row["expires_at"],
        "auth_key": row["auth_key"],
        "account_id": row["account_id"],
    }
