"""Consuming events: a declaration in the service, a loop per declaration in libs.

    consumers=[Consumer("transaction.created", enrich)]

At least once: offsets are committed only after every message of a batch was handled (at most
every half second), so a crash redelivers and every handler must be idempotent (derived ids,
conditional writes).
Events with different keys (accounts) are handled concurrently; one key's events in order. Each
message is handled inside the call context and the trace it was published from. A dependency
that is unavailable (a timeout, a refused connection, a 503) is retried with capped
exponential backoff for as long as it takes; partitions keep their order, so nothing overtakes
the stuck event. An event refused as invalid (a 4xx typed error) is dead-lettered at once; any
other failure is retried a few times first (attempts that waited out an outage do not count).
A dead letter keeps the original bytes and headers, adds the reason, goes to the group's
dead-letter topic, and the consumer moves on.
When the group rebalances (a replica joins or leaves), a consumer starts nothing new, finishes
what it has begun and commits it before giving its partitions up, so the next owner starts
where it stopped and repeats nothing (batch.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from opentelemetry import trace

from smartbank.events.batch import PartitionBatch, Record
from smartbank.events.envelope import BadEvent, decode
from smartbank.events.failures import backoff, should_retry, waits_for_dependency
from smartbank.events.fetch_wait import FetchWait
from smartbank.events.handling import Handle, Received, onion
from smartbank.events.metrics import ConsumerMetrics
from smartbank.registry import dead_letter_topic

if TYPE_CHECKING:
    from smartbank.runtime import Runtime

log = logging.getLogger("smartbank.events")

START_RETRY_SECONDS = 2.0
MAX_POLL_INTERVAL_MS = 3_600_000  # waiting out an outage must not cost the group membership
# Offsets are committed at most this often: one broker request per interval instead of one
# per batch (a crash redelivers at most this much more, which idempotent handlers absorb).
COMMIT_INTERVAL_SECONDS = 0.5
# How long a rebalance waits for the batch in hand before the partitions go anyway (a batch
# waiting out an outage can take much longer; its events are then redelivered to the next owner).
HANDOVER_SECONDS = 20.0


Handler = Callable[[Received, "Runtime"], Awaitable[None]]


@dataclass(frozen=True)
class Consumer:
    topic: str
    handle: Handler


class ConsumerLoop:
    """All of a service's consumers share one Kafka consumer and one group (the service's
    name): one fetch loop, one commit per batch, whatever the number of topics."""

    def __init__(
        self, consumers: Sequence[Consumer], runtime: Runtime, metrics: ConsumerMetrics
    ) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.group = runtime.service.name
        self.metrics = metrics
        tracer = trace.get_tracer("smartbank.events", tracer_provider=runtime.tracer_provider)
        self.handlers: dict[str, Handle] = {
            c.topic: onion.wrap(
                _bound(c.handle, runtime), group=self.group, tracer=tracer, metrics=metrics
            )
            for c in consumers
        }
        self.started = asyncio.Event()
        self.batch_size = runtime.settings.consumer_batch
        self.concurrency = asyncio.Semaphore(runtime.settings.consumer_concurrency)
        self.handled: dict[TopicPartition, int] = {}  # handled, not yet committed
        self.in_hand: list[PartitionBatch] = []
        self.between_batches = asyncio.Event()
        self.between_batches.set()

    async def run(self) -> None:
        """Consume until cancelled; anything unexpected restarts the loop, never ends it."""
        while True:
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception:
                self.started.clear()
                log.exception("%s: consumer failed; restarting it", self.group)
                await asyncio.sleep(START_RETRY_SECONDS)

    async def _consume(self) -> None:
        kafka = await self._connect()
        self.started.set()
        positions: dict[TopicPartition, int] = {}
        committed_at = time.monotonic()
        wait = FetchWait(
            self.settings.consumer_fetch_wait_ms, self.settings.consumer_idle_fetch_wait_ms
        )
        try:
            while True:
                fetched = await kafka.getmany(timeout_ms=500, max_records=self.batch_size)
                wait.after_fetch(kafka, bool(fetched))
                self.between_batches.clear()
                self.in_hand = [PartitionBatch(p, records) for p, records in fetched.items()]
                await asyncio.gather(*(self._partition(batch) for batch in self.in_hand))
                for batch in self.in_hand:
                    positions[batch.partition] = batch.next_offset
                    self.handled[batch.partition] = batch.next_offset
                self.in_hand = []
                self.between_batches.set()
                if self.handled and time.monotonic() - committed_at >= COMMIT_INTERVAL_SECONDS:
                    await self.commit_handled(kafka)
                    committed_at = time.monotonic()
                owned = kafka.assignment()
                positions = {p: at for p, at in positions.items() if p in owned}
                self._record_lag(kafka, positions)
        finally:
            self.between_batches.set()
            await self.commit_handled(kafka)  # what was handled before a stop is kept
            await kafka.stop()

    async def hand_over(self, kafka: AIOKafkaConsumer) -> None:
        """Before a rebalance takes partitions away: start nothing new, finish what is begun
        (see batch.py), commit it."""
        for batch in self.in_hand:
            batch.hand_over()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(HANDOVER_SECONDS):
                await self.between_batches.wait()
        await self.commit_handled(kafka)

    async def commit_handled(self, kafka: AIOKafkaConsumer) -> None:
        handled, self.handled = self.handled, {}
        await self._commit(kafka, handled)

    async def _commit(self, kafka: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        """Commit what was handled; if the group moved on (a rebalance), the new owner of a
        partition redelivers from the last commit, which idempotent handlers make harmless."""
        if not offsets:
            return
        try:
            await kafka.commit(offsets)
        except KafkaError as exc:
            log.warning("%s: commit failed (%r); those events will be redelivered", self.group, exc)

    async def _partition(self, batch: PartitionBatch) -> None:
        """One partition's batch: different keys (accounts) at once, each key's events in order."""
        await asyncio.gather(*(self._in_order(batch, same_key) for same_key in batch.by_key()))

    async def _in_order(self, batch: PartitionBatch, records: list[Record]) -> None:
        async with self.concurrency:
            for record in records:
                if not batch.begin(record):
                    return
                await self.process(record)

    async def _connect(self) -> AIOKafkaConsumer:
        """Start the Kafka consumer, waiting for the broker if it is not there yet."""
        while True:
            kafka = AIOKafkaConsumer(
                bootstrap_servers=self.settings.kafka_bootstrap,
                group_id=self.group,
                client_id=f"{self.runtime.service.name}-consumer",
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                max_poll_interval_ms=MAX_POLL_INTERVAL_MS,
                fetch_max_wait_ms=self.settings.consumer_fetch_wait_ms,
            )
            kafka.subscribe(list(self.handlers), listener=Handover(self, kafka))
            try:
                await kafka.start()
                return kafka
            except KafkaError as exc:
                await kafka.stop()
                log.warning("%s: broker not reachable (%s); retrying", self.group, exc)
                await asyncio.sleep(START_RETRY_SECONDS)

    async def process(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Handle one record until it succeeds or is dead-lettered."""
        try:
            event = decode(record.value or b"")
        except BadEvent as exc:
            await self.dead_letter(record, exc)
            return
        received = Received(event, record.topic, record.partition, record.offset)
        attempt = failures = 0  # failures: attempts that failed other than by waiting out an outage
        while True:
            attempt += 1
            try:
                await self.handlers[received.topic](received)
            except Exception as exc:
                failures += 0 if waits_for_dependency(exc) else 1
                if not self._should_retry(exc, failures):
                    await self.dead_letter(record, exc)
                    return
                self.metrics.retried.labels(record.topic, self.group).inc()
                await asyncio.sleep(self._backoff(attempt))
                continue
            return

    def _should_retry(self, exc: Exception, attempt: int) -> bool:
        log.warning("%s: attempt %d failed: %r", self.group, attempt, exc)
        return should_retry(exc, attempt, self.settings)

    def _backoff(self, attempt: int) -> float:
        return backoff(attempt, self.settings)

    async def dead_letter(self, record: ConsumerRecord[bytes, bytes], exc: Exception) -> None:
        topic = dead_letter_topic(self.group)
        source = f"{record.topic}/{record.partition}/{record.offset}"
        headers = [
            *record.headers,
            ("dead-letter-reason", f"{type(exc).__name__}: {exc}"[:1000].encode()),
            ("dead-letter-source", source.encode()),
            ("dead-letter-group", self.group.encode()),
        ]
        value, attempt = record.value or b"", 0
        while True:  # a dead letter is never dropped: the broker is waited for like any outage
            attempt += 1
            try:
                await self.runtime.publisher.send_raw(topic, record.key, value, headers)
                break
            except KafkaError as send_error:
                log.warning("%s: cannot dead-letter yet (%r)", self.group, send_error)
                await asyncio.sleep(self._backoff(attempt))
        self.metrics.dead_lettered.labels(record.topic, self.group).inc()
        log.error("%s: dead-lettered %s to %s: %r", self.group, source, topic, exc)

    def _record_lag(self, kafka: AIOKafkaConsumer, positions: dict[TopicPartition, int]) -> None:
        """Lag per partition: the broker's high watermark minus the next offset we will read."""
        for partition, position in positions.items():
            highwater = kafka.highwater(partition)
            if highwater is not None:
                lag = max(0, highwater - position)
                labels = (partition.topic, self.group, str(partition.partition))
                self.metrics.lag.labels(*labels).set(lag)


class Handover(ConsumerRebalanceListener):
    """Gives partitions up cleanly: aiokafka awaits this before it lets the group move on."""

    def __init__(self, loop: ConsumerLoop, kafka: AIOKafkaConsumer) -> None:
        self.loop, self.kafka = loop, kafka

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        if revoked:
            await self.loop.hand_over(self.kafka)

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        """Nothing to do: a new owner starts from the group's committed offsets."""


def _bound(handler: Handler, runtime: Runtime) -> Handle:
    async def handle(received: Received) -> None:
        await handler(received, runtime)

    return handle
