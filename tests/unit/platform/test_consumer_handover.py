"""A rebalance takes partitions only after what was begun is finished and committed, and
nothing handled before the hand-over is handled again by the next owner."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka import ConsumerRecord, TopicPartition

from smartbank.events import Consumer
from smartbank.events.batch import PartitionBatch
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


def record(offset: int, key: bytes) -> Any:
    return ConsumerRecord(PARTITION.topic, 0, offset, 0, 0, key, b"", None, len(key), 0, headers=[])


def test_a_line_drawn_mid_batch_leaves_no_gap_below_it_and_starts_nothing_past_it() -> None:
    # keys a and b interleaved; a is ahead (began 4) while b is still at 1
    batch = PartitionBatch(PARTITION, [record(o, b"ab"[o % 2 : o % 2 + 1]) for o in range(10)])
    a, b = batch.by_key()
    assert [r.offset for r in a] == [0, 2, 4, 6, 8] and [r.offset for r in b] == [1, 3, 5, 7, 9]
    assert all(batch.begin(r) for r in (a[0], a[1], a[2], b[0]))
    batch.hand_over()
    assert batch.line == 5 and batch.next_offset == 5
    assert batch.begin(b[1]) and not batch.begin(a[3]) and not batch.begin(b[2])


def test_without_a_hand_over_a_batch_continues_after_its_last_record() -> None:
    batch = PartitionBatch(PARTITION, [record(o, b"a") for o in range(7, 10)])
    assert all(batch.begin(r) for r in batch.records)
    assert batch.next_offset == 10


def test_a_hand_over_before_anything_began_continues_at_the_batchs_first_offset() -> None:
    batch = PartitionBatch(PARTITION, [record(o, b"a") for o in range(7, 10)])
    batch.hand_over()
    assert batch.next_offset == 7 and not batch.begin(batch.records[0])


async def test_a_rebalance_mid_batch_commits_exactly_what_was_handled(loop: ConsumerLoop) -> None:
    handled: list[int] = []

    async def process(rec: Any) -> None:
        await asyncio.sleep(0.01 if rec.key == b"a" else 0.03)
        handled.append(rec.offset)

    loop.process = process  # type: ignore[method-assign,assignment]
    batch = PartitionBatch(PARTITION, [record(o, b"ab"[o % 2 : o % 2 + 1]) for o in range(40)])
    loop.in_hand = [batch]
    handling = asyncio.create_task(loop._partition(batch))
    await asyncio.sleep(0.1)
    batch.hand_over()
    await handling
    assert sorted(handled) == list(range(batch.next_offset))
    assert 0 < batch.next_offset < 40
