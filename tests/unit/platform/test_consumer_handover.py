"""A rebalance takes partitions only after the batch in hand is finished and committed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka import TopicPartition

from smartbank.events import Consumer
from smartbank.events.consumer import ConsumerLoop, Handover
from smartbank.events.metrics import ConsumerMetrics
from smartbank.service import Service
from smartbank.testing import running

PARTITION = TopicPartition("transaction.created", 0)


class FakeKafka:
    def __init__(self) -> None:
        self.commits: list[dict[TopicPartition, int]] = []

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(dict(offsets))


async def ignore(*_: Any) -> None:
    return None


@pytest.fixture
async def loop() -> AsyncIterator[ConsumerLoop]:
    service = Service(name="probe", consumers=[Consumer("transaction.created", ignore)])
    async with running(service) as built:
        metrics = ConsumerMetrics(built.runtime.registry)
        yield ConsumerLoop(service.consumers, built.runtime, metrics)


async def test_revoked_partitions_wait_for_the_batch_then_its_offsets_are_committed(
    loop: ConsumerLoop,
) -> None:
    kafka = FakeKafka()
    loop.between_batches.clear()  # a batch is being handled
    handing_over = asyncio.create_task(Handover(loop, kafka).on_partitions_revoked([PARTITION]))
    await asyncio.sleep(0.05)
    assert not handing_over.done() and kafka.commits == []
    loop.handled[PARTITION] = 42  # the batch is done
    loop.between_batches.set()
    await asyncio.wait_for(handing_over, 1)
    assert kafka.commits == [{PARTITION: 42}] and loop.handled == {}


async def test_nothing_is_committed_when_no_partition_is_revoked(loop: ConsumerLoop) -> None:
    kafka = FakeKafka()
    loop.handled[PARTITION] = 7
    await Handover(loop, kafka).on_partitions_revoked([])
    assert kafka.commits == []
