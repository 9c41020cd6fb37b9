"""One partition's records of one fetch, and the line a hand-over draws through them.

Keys (accounts) are handled side by side, so at any moment some keys are further on than
others. When a rebalance asks for the partition back, stopping every key where it stands would
leave gaps (offset 7 handled, 5 not), and committing below a gap repeats what was handled
above it. Instead the hand-over draws a line just past the highest offset begun: nothing at or
past it is started, everything below it is still handled, so what was handled is exactly the
offsets before the line, the line is committed, and the next owner starts there.
"""

from __future__ import annotations

from typing import TypeAlias

from aiokafka import ConsumerRecord, TopicPartition

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"


class PartitionBatch:
    def __init__(self, partition: TopicPartition, records: list[Record]) -> None:
        self.partition = partition
        self.records = records
        self.highest_begun = records[0].offset - 1
        self.line: int | None = None

    def by_key(self) -> list[list[Record]]:
        """The records grouped by key, each group in offset order."""
        groups: dict[bytes | None, list[Record]] = {}
        for record in self.records:
            groups.setdefault(record.key, []).append(record)
        return list(groups.values())

    def begin(self, record: Record) -> bool:
        """Whether to handle `record` now: always, unless a hand-over drew a line before it."""
        if self.line is not None and record.offset >= self.line:
            return False
        self.highest_begun = max(self.highest_begun, record.offset)
        return True

    def hand_over(self) -> None:
        """Start nothing past what is begun; the records below the line are still handled."""
        if self.line is None:
            self.line = self.highest_begun + 1

    @property
    def next_offset(self) -> int:
        """Where this partition continues: past the batch, or at the line if one was drawn."""
        return self.line if self.line is not None else self.records[-1].offset + 1
