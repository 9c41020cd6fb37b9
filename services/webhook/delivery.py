from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from smartbank import timeutil
from smartbank.errors import ServiceError
from smartbank.storage import Row, TableStore
from webhook import sender, urls
from webhook.records import BUCKETS, DELIVERED, FAILED, Records
from webhook.settings import Settings
from webhook.tables import WEBHOOKS
from webhook.webhooks import live_webhooks

log = logging.getLogger(__name__)

LEASE_MARGIN_SECONDS = 30.0
BATCH = 100
CONCURRENCY = 16


def backoff(attempts: int, base: float, cap: float, rand: Callable[[], float]) -> float:
    """Seconds before the next attempt: doubling per attempt, capped, with half of it jittered."""
    delay = min(cap, base * 2 ** (attempts - 1))
    return delay / 2 + rand() * delay / 2


@dataclass
class Deliverer:
    """Sends deliveries; without a `client` it makes one on its first send (and `aclose` ends it),
    so handling an event for an account with no webhooks costs no HTTP client."""

    store: TableStore
    settings: Settings
    client: httpx.AsyncClient | None = None
    resolve: urls.Resolver = urls.system_resolve
    clock: Callable[[], datetime] = timeutil.now
    rand: Callable[[], float] = random.random
    records: Records = field(init=False)
    _own_client: httpx.AsyncClient | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.records = Records(self.store)

    async def aclose(self) -> None:
        if self._own_client is not None:
            await self._own_client.aclose()
            self._own_client = None

    async def start(self, webhook: Row, event_id: str, body: str) -> str | None:
        """Open the delivery of one event to one webhook and attempt it; None if it existed."""
        now = self.clock()
        row = await self.records.open(
            webhook["webhook_id"],
            event_id,
            body,
            now=timeutil.format_time(now),
            lease_until=self._lease_until(now),
        )
        if row is None:
            return None
        await self.attempt(row, webhook)
        return str(row["delivery_id"])

    async def attempt(self, row: Row, webhook: Row | None) -> None:
        """Send a claimed delivery once and record what happened."""
        now = timeutil.format_time(self.clock())
        if webhook is None or webhook["deleted"]:
            changes = {"status": FAILED, "last_error": "the webhook was deleted", "updated": now}
            await self.records.settle(row, changes)
            return
        outcome = await self._send(webhook, row)
        await self.records.settle(row, self._changes(row, outcome))

    async def retry_due(self) -> int:
        """Attempt every delivery whose time has come; returns how many were attempted."""
        now = timeutil.format_time(self.clock())
        entries = [e for b in range(BUCKETS) for e in await self.records.due(b, now, BATCH)]
        gate = asyncio.Semaphore(CONCURRENCY)

        async def retry(entry: Row) -> bool:
            async with gate:
                return await self._retry(entry)

        results = await asyncio.gather(*(retry(e) for e in entries), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                log.error("webhook retry failed", exc_info=result)
        return sum(1 for result in results if result is True)

    async def _retry(self, entry: Row) -> bool:
        row = await self.records.get(entry["webhook_id"], entry["delivery_id"])
        if not await self.records.reconcile(entry, row) or row is None:
            return False
        now = self.clock()
        lease_until = self._lease_until(now)
        claimed = await self.records.claim(
            row, now=timeutil.format_time(now), lease_until=lease_until
        )
        if claimed is None:
            return False
        webhook = await self.store.get(WEBHOOKS, {"webhook_id": row["webhook_id"]})
        await self.attempt(claimed, webhook)
        return True

    async def _send(self, webhook: Row, row: Row) -> sender.Outcome:
        limit = self.settings.webhook_timeout
        try:
            async with asyncio.timeout(limit):
                return await self._resolve_and_post(webhook, row)
        except TimeoutError:
            return sender.Outcome(None, f"the attempt took longer than {limit:g}s")

    async def _resolve_and_post(self, webhook: Row, row: Row) -> sender.Outcome:
        try:
            target = await urls.check_url(
                webhook["url"],
                allow_private=self.settings.webhook_allow_private_addresses,
                resolve=self.resolve,
            )
        except ServiceError as exc:
            return sender.Outcome(None, f"{exc.code}: {exc.message}")
        body = row["body"].encode()
        headers = sender.delivery_headers(
            webhook["secret"],
            body,
            delivery_id=row["delivery_id"],
            event_id=row["event_id"],
            timestamp=int(self.clock().timestamp()),
        )
        return await sender.post(self._http(), target, body, headers)

    def _http(self) -> httpx.AsyncClient:
        if self.client is not None:
            return self.client
        if self._own_client is None:
            self._own_client = sender.new_client(self.settings)
        return self._own_client

    def _changes(self, row: Row, outcome: sender.Outcome) -> dict[str, Any]:
        now = self.clock()
        attempts = row["attempts"] + 1
        changes: dict[str, Any] = {
            "attempts": attempts,
            "last_status_code": outcome.status_code,
            "last_error": outcome.error,
            "updated": timeutil.format_time(now),
        }
        if outcome.delivered:
            return {**changes, "status": DELIVERED}
        if attempts >= self.settings.webhook_max_attempts:
            return {**changes, "status": FAILED}
        delay = backoff(
            attempts,
            self.settings.webhook_backoff_base,
            self.settings.webhook_backoff_max,
            self.rand,
        )
        return {**changes, "next_attempt_at": timeutil.format_time(now + timedelta(seconds=delay))}

    def _lease_until(self, now: datetime) -> str:
        lease = self.settings.webhook_timeout + LEASE_MARGIN_SECONDS
        return timeutil.format_time(now + timedelta(seconds=lease))


async def on_transaction_enriched(
    event_id: str, transaction: Mapping[str, Any], deliverer: Deliverer
) -> list[str]:
    """Deliver one `transaction.enriched` event to every live webhook of its account.

    Safe to call again with the same event: a webhook that has a delivery of it gets no other.
    Returns the ids of the deliveries this call opened.
    """
    account_id = transaction.get("account_id")
    if not isinstance(account_id, str) or not account_id:
        raise ValueError(f"event {event_id}: the transaction has no account_id")
    body = sender.event_body(transaction)
    hooks = await live_webhooks(deliverer.store, account_id)
    opened = await asyncio.gather(*(deliverer.start(hook, event_id, body) for hook in hooks))
    return [delivery_id for delivery_id in opened if delivery_id is not None]


@asynccontextmanager
async def open_deliverer(store: TableStore, settings: Settings) -> AsyncIterator[Deliverer]:
    """A deliverer whose HTTP client, if it needed one, is closed on exit."""
    deliverer = Deliverer(store, settings)
    try:
        yield deliverer
    finally:
        await deliverer.aclose()
