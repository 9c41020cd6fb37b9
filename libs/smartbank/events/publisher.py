"""Publishing events to Kafka with aiokafka.

acks=all always; the idempotent producer only where the broker has it (`KAFKA_IDEMPOTENCE`):
Apache Kafka in the cluster does, the local Tansu broker does not (its InitProducerId fails).
Correctness never rests on it: consumers deduplicate by event id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from aiokafka import AIOKafkaProducer

from smartbank.events.envelope import Event, Headers
from smartbank.settings import PlatformSettings


class Publisher(Protocol):
    async def publish(self, events: Sequence[Event]) -> None:
        """Return once the broker has every event (acks=all); raise if any was not taken."""
        ...

    async def send_raw(self, topic: str, key: bytes | None, value: bytes, headers: Headers) -> None:
        """One message as it is, e.g. a dead letter carrying the original bytes."""
        ...


class KafkaPublisher:
    """Connects on first use, so a service that never publishes never opens a connection."""

    def __init__(self, settings: PlatformSettings, client_id: str) -> None:
        self.settings = settings
        self.client_id = client_id
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    async def producer(self) -> AIOKafkaProducer:
        async with self._lock:
            if self._producer is None:
                producer = AIOKafkaProducer(
                    bootstrap_servers=self.settings.kafka_bootstrap,
                    client_id=self.client_id,
                    acks="all",
                    enable_idempotence=self.settings.kafka_idempotence,
                    linger_ms=self.settings.kafka_linger_ms,
                    request_timeout_ms=10_000,
                )
                await producer.start()
                self._producer = producer
            return self._producer

    async def publish(self, events: Sequence[Event]) -> None:
        producer = await self.producer()
        sent = []
        for event in events:
            key, value, headers = event.encode()
            sent.append(
                await producer.send(event.destination, value=value, key=key, headers=headers)
            )
        await asyncio.gather(*sent)

    async def send_raw(self, topic: str, key: bytes | None, value: bytes, headers: Headers) -> None:
        producer = await self.producer()
        await producer.send_and_wait(topic, value=value, key=key, headers=headers)

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
