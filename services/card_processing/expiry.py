"""Holds that are never presented expire: the hold is released, the transaction reversed.

A hold whose presentment was planned but not carried out (a crash in between, and the network
never retried) is captured instead: the plan is finished, never released.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from card_processing.peers import Peers
from card_processing.records import Records
from smartbank import timeutil
from smartbank.contracts.transactions import Reversal
from smartbank.storage import Row

log = logging.getLogger(__name__)

BATCH = 200


@dataclass
class Expirer:
    records: Records
    peers: Peers
    days_back: int
    finish_clearing: Callable[[Row], Awaitable[object]]

    async def sweep(self) -> int:
        """Expire every hold whose time has come; returns how many were released."""
        now = timeutil.now()
        released = 0
        for back in range(self.days_back, -1, -1):
            day = (now - timedelta(days=back)).strftime("%Y-%m-%d")
            entries = await self.records.expired_entries(day, timeutil.format_time(now), BATCH)
            for entry in entries:
                released += await self._expire(entry)
        return released

    async def _expire(self, entry: Row) -> int:
        row = await self.records.get(entry["auth_key"])
        expired = 0
        if row is not None and row["state"] == "captured" and row.get("clearing"):
            await self.finish_clearing(row)
        elif row is not None and row["state"] == "approved":
            await self.peers.release(entry["account_id"], row["hold_id"], "expiry")
            saved = await self.records.change(row, state="expired", outstanding=0)
            if saved is None:
                return 0
            await self.peers.transition(row["transaction_id"], "reverse", Reversal())
            expired = 1
        elif row is not None and row["state"] in ("pending", "failed"):
            if row.get("lease_until") and row["lease_until"] > timeutil.now_text():
                return 0
            await self.peers.release(entry["account_id"], row["hold_id"], "expiry")
        await self.records.unindex_expiry(entry)
        if expired:
            log.info("hold expired", extra={"auth_id": row and row["auth_id"]})
        return expired
