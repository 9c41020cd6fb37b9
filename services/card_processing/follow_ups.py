"""Every attempt that may hold money is looked at again once it can no longer be running.

An attempt can end without giving back what it took: the store or balance fails during its
compensation (the release is lost), or the process dies mid-way. A transaction write that timed
out may also land after the hold was given back, and nothing would then ever settle or decline
it. So before an attempt reserves funds it schedules a follow-up, due once its lease is over and
a late write must have landed (`record_follow_up` seconds more); a failed recording schedules
another. When one is due and the record still belongs to that attempt, an attempt that failed
or was abandoned (still pending, its lease over) gives its hold back and its transaction is
declined, unless a network retry took the authorisation over meanwhile. A follow-up is a row,
swept by a periodic job, so neither a restart nor an outage of the store loses it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from card_processing import answers
from card_processing.peers import Peers
from card_processing.records import DECIDED, Records
from smartbank import timeutil
from smartbank.contracts.transactions import Decline
from smartbank.errors import ServiceError
from smartbank.storage import Row

log = logging.getLogger(__name__)

BATCH = 200


@dataclass
class FollowUps:
    records: Records
    peers: Peers
    delay: float

    async def before_holding(self, row: Row) -> None:
        """Schedule the look at this attempt once its lease is over; raises if it cannot be
        written, so that no hold is ever placed without one."""
        lease_over = timeutil.parse_time(row["lease_until"])
        await self.records.schedule_follow_up(_entry(row, self._due(lease_over)))

    async def after_failed_recording(self, row: Row) -> None:
        try:
            await self.records.schedule_follow_up(_entry(row, self._due(timeutil.now())))
        except ServiceError as exc:
            log.warning("could not schedule the follow-up of %s: %s", row["auth_key"], exc)

    def _due(self, after: datetime) -> str:
        return timeutil.format_time(after + timedelta(seconds=self.delay))

    async def sweep(self) -> int:
        """Run every follow-up that is due (undo what its attempt left); returns how many ran."""
        now = timeutil.now()
        ran = 0
        for day in ((now - timedelta(days=1)).strftime("%Y-%m-%d"), now.strftime("%Y-%m-%d")):
            due = await self.records.due_follow_ups(day, timeutil.format_time(now), BATCH)
            for entry in due:
                ran += await self._run(entry)
        return ran

    async def _run(self, entry: Row) -> int:
        record = await self.records.must_get(entry["auth_key"])
        if record["attempt"] == entry["attempt"] and record["state"] not in DECIDED:
            if record["state"] == "pending":
                if record["lease_until"] > timeutil.now_text():  # renewed: still deciding
                    return 0
                if await self.records.change(record, state="failed") is None:
                    return 0  # it moved on just now: look again on the next sweep
            try:
                await self._undo(entry)
            except ServiceError as exc:
                log.warning("follow-up of %s failed, will retry: %s", entry["auth_key"], exc)
                return 0
        await self.records.drop_follow_up(entry)
        return 1

    async def _undo(self, entry: Row) -> None:
        """Give the attempt's hold back and decline its transaction; both are idempotent."""
        if entry.get("hold_id"):
            await self.peers.release(entry["account_id"], entry["hold_id"], "compensation")
        reason = Decline(decline_reason=answers.DO_NOT_HONOUR.reason)
        try:
            await self.peers.transition(entry["transaction_id"], "decline", reason)
        except ServiceError as exc:
            if not exc.matches("not_found"):  # not found: the write never landed
                raise


def _entry(row: Row, due_at: str) -> Row:
    return {
        "day": due_at[:10],
        "due_at": due_at,
        "auth_key": row["auth_key"],
        "attempt": row["attempt"],
        "transaction_id": row["transaction_id"],
        "account_id": row.get("account_id"),
        "hold_id": row.get("hold_id"),
    }
