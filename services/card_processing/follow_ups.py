"""After a recording that failed, make sure a late write cannot leave a phantom authorisation.

A transaction write that timed out may still land after the hold was given back; nothing would
then ever settle or decline it. Once such a write must have landed (`record_follow_up`
seconds), the transaction is declined — unless a network retry took the authorisation over
and decided it meanwhile. The follow-up is a row, written when the recording fails and swept
by a periodic job, so a restart in between does not lose it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from card_processing import answers
from card_processing.peers import Peers
from card_processing.records import Records
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

    async def after_failed_recording(self, row: Row) -> None:
        due = timeutil.format_time(timeutil.now() + timedelta(seconds=self.delay))
        entry = {
            "day": due[:10],
            "due_at": due,
            "auth_key": row["auth_key"],
            "attempt": row["attempt"],
            "transaction_id": row["transaction_id"],
        }
        try:
            await self.records.schedule_follow_up(entry)
        except ServiceError as exc:
            log.warning("could not schedule the follow-up of %s: %s", row["auth_key"], exc)

    async def sweep(self) -> int:
        """Decline the transactions of every follow-up that is due; returns how many ran."""
        now = timeutil.now()
        ran = 0
        for day in ((now - timedelta(days=1)).strftime("%Y-%m-%d"), now.strftime("%Y-%m-%d")):
            due = await self.records.due_follow_ups(day, timeutil.format_time(now), BATCH)
            for entry in due:
                ran += await self._run(entry)
        return ran

    async def _run(self, entry: Row) -> int:
        try:
            record = await self.records.must_get(entry["auth_key"])
            if record["attempt"] == entry["attempt"] and record["state"] == "failed":
                reason = Decline(decline_reason=answers.DO_NOT_HONOUR.reason)
                await self.peers.transition(entry["transaction_id"], "decline", reason)
        except ServiceError as exc:
            if not exc.matches("not_found"):  # not found: the write never landed
                log.warning("follow-up of %s failed, will retry: %s", entry["auth_key"], exc)
                return 0
        await self.records.drop_follow_up(entry)
        return 1
