"""After a recording that failed, make sure a late write cannot leave a phantom authorisation.

A transaction write that timed out may still land after the hold was given back; nothing would
then ever settle or decline it. Once such a write must have landed (`record_follow_up`
seconds), the transaction is declined — unless a network retry took the authorisation over
and decided it meanwhile. The check lives in memory: a crash in that window leaves the case to
the expiry sweep's logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from card_processing import answers
from card_processing.peers import Peers
from card_processing.records import Records
from smartbank import context
from smartbank.errors import ServiceError
from smartbank.storage import Row

log = logging.getLogger(__name__)

BUDGET = 5.0


@dataclass
class FollowUps:
    records: Records
    peers: Peers
    delay: float
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def after_failed_recording(self, row: Row) -> None:
        task = asyncio.create_task(self._decline_if_abandoned(row))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _decline_if_abandoned(self, row: Row) -> None:
        await asyncio.sleep(self.delay)
        with context.bound(context.fresh(budget=BUDGET)):
            try:
                record = await self.records.must_get(row["auth_key"])
                if record["attempt"] != row["attempt"] or record["state"] != "failed":
                    return  # a retry took the authorisation over and decided it
                reason = {"decline_reason": answers.DO_NOT_HONOUR.reason}
                await self.peers.transition(row["transaction_id"], "decline", reason)
            except ServiceError as exc:
                if not exc.matches("not_found"):  # not found: the write never landed
                    log.warning(
                        "could not decline %s after a failed recording: %s",
                        row["transaction_id"],
                        exc,
                    )

    async def aclose(self) -> None:
        for task in self.tasks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self.tasks, return_exceptions=True)
