"""The transactional outbox: a state change and its events are written together.

The events ride in the changed row itself, in its `outbox` column (event id → the Envelope,
base64), so the state change and its events are one write on any backend, conditional or not.
To find such rows without scanning, each event is first announced in `outbox_index`
(partitioned into a few shards, ordered by event id). The relay, a periodic job, reads the
index, publishes what the rows still hold, then takes the published events out of the row
(conditionally, so a concurrent change is never lost) and out of the index. A crash anywhere
leaves the event in the row and the index, so it is published after restart: at least once,
and consumers deduplicate by event id. A conditional write that certainly did not apply (a
replayed create, a compare-and-set that lost) withdraws its announcements at once, unless the row
as it now is holds the event after all; one whose outcome is uncertain (a Cassandra round that
timed out) or never answered (a crash in between) leaves its announcement, which is dropped
once it is older than any write can take.
"""

from __future__ import annotations

import base64
import logging
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from smartbank import timeutil
from smartbank.events.envelope import Event, decode
from smartbank.storage import Result, Row, Table, TableStore

if TYPE_CHECKING:
    from smartbank.runtime import Runtime

log = logging.getLogger("smartbank.outbox")

COLUMN = "outbox"
SHARDS = 4
BATCH = 500
TAKE_OUT_ATTEMPTS = 5
# An announcement whose event is not in its row is dropped only after this long: a write can
# land late (a Cassandra LWT whose outcome was unknown completes with the next one).
ORPHAN_AFTER_SECONDS = 600.0

OUTBOX_INDEX = Table(
    "outbox_index",
    columns={"shard": int, "event_id": str, "table_name": str, "row_key": str, "announced": str},
    partition_key=("shard",),
    clustering=("event_id",),
)


def shard_of(account_id: str) -> int:
    """One account's events share a shard, where event ids (time-sortable) keep their order."""
    return zlib.crc32(account_id.encode()) % SHARDS


@dataclass(frozen=True)
class Outbox:
    """The outbox of one table whose rows have a single-column key and an `outbox` column."""

    table: Table

    def __post_init__(self) -> None:
        if len(self.table.primary_key) != 1 or self.table.columns.get(COLUMN) is not dict:
            raise ValueError(f"{self.table.name}: needs a one-column key and an outbox dict")

    @property
    def key_column(self) -> str:
        return self.table.primary_key[0]

    async def announce(self, store: TableStore, key: str, events: Iterable[Event]) -> None:
        """Step one, before the row is written: make the events findable by the relay."""
        for event in events:
            await store.insert(
                OUTBOX_INDEX,
                {
                    "shard": shard_of(event.account_id),
                    "event_id": event.event_id,
                    "table_name": self.table.name,
                    "row_key": key,
                    "announced": timeutil.now_text(),
                },
            )

    async def withdraw(self, store: TableStore, result: Result, events: Iterable[Event]) -> None:
        """After a conditional write that did not apply: withdraw the announcements of the
        events that will never be in the row (see the module's docstring)."""
        if result.applied or not result.certain or result.current is None:
            return
        held = result.current.get(COLUMN) or {}
        for event in events:
            if event.event_id not in held:
                key = {"shard": shard_of(event.account_id), "event_id": event.event_id}
                await store.delete(OUTBOX_INDEX, key)

    @staticmethod
    def holding(row: Row | None, events: Sequence[Event]) -> dict[str, str]:
        """Step two: the `outbox` value that adds `events` to what the row still holds."""
        held = dict((row or {}).get(COLUMN) or {})
        for event in events:
            wire = event.to_envelope().SerializeToString()
            held[event.event_id] = base64.b64encode(wire).decode()
        return held


def held_events(row: Row) -> dict[str, Event]:
    return {
        event_id: decode(base64.b64decode(data))
        for event_id, data in (row.get(COLUMN) or {}).items()
    }


async def relay(runtime: Runtime, outboxes: Sequence[Outbox]) -> int:
    """One pass over every shard; returns how many events were published."""
    by_table = {o.table.name: o for o in outboxes}
    published = 0
    for shard in range(SHARDS):
        entries = await runtime.store.query(OUTBOX_INDEX, {"shard": shard}, limit=BATCH)
        published += await _relay_entries(runtime, by_table, entries)
    return published


async def _relay_entries(runtime: Runtime, by_table: dict[str, Outbox], entries: list[Row]) -> int:
    rows: dict[tuple[str, str], list[Row]] = {}
    for entry in entries:
        rows.setdefault((entry["table_name"], entry["row_key"]), []).append(entry)
    published = 0
    for (table_name, key), announced in rows.items():
        outbox = by_table.get(table_name)
        if outbox is None:
            continue
        try:
            published += await _relay_row(runtime, outbox, key, announced)
        except Exception:  # one row must not hold back every other row's events
            log.exception("outbox: cannot relay %s %s yet", table_name, key)
    return published


async def _relay_row(runtime: Runtime, outbox: Outbox, key: str, announced: list[Row]) -> int:
    store = runtime.store
    row = await store.get(outbox.table, {outbox.key_column: key})
    held = held_events(row) if row is not None else {}
    due = sorted(
        (held[e["event_id"]] for e in announced if e["event_id"] in held),
        key=lambda event: event.occurred_at,
    )
    if due:
        await runtime.publisher.publish(due)
        await _take_out(store, outbox, key, row, {e.event_id for e in due})
    done = {e.event_id for e in due} | {e["event_id"] for e in announced if _orphan(e, held)}
    for entry in announced:
        if entry["event_id"] in done:
            index_key = {"shard": entry["shard"], "event_id": entry["event_id"]}
            await store.delete(OUTBOX_INDEX, index_key)
    return len(due)


async def _take_out(
    store: TableStore, outbox: Outbox, key: str, row: Row | None, sent: set[str]
) -> None:
    """Remove what was sent, conditionally: a change that landed meanwhile is kept."""
    for _ in range(TAKE_OUT_ATTEMPTS):
        if row is None:
            return
        before: dict[str, Any] = row.get(COLUMN) or {}
        after = {k: v for k, v in before.items() if k not in sent}
        if after == before:
            return
        result = await store.update(
            outbox.table, {outbox.key_column: key}, {COLUMN: after}, if_={COLUMN: before}
        )
        if result.applied:
            return
        row = result.current or await store.get(outbox.table, {outbox.key_column: key})
    raise StorageBusy(f"outbox of {outbox.table.name} {key} kept changing")


class StorageBusy(RuntimeError):
    """The row changed under every attempt; the next pass sends its events again."""


def _orphan(entry: Row, held: dict[str, Event]) -> bool:
    """An announcement whose event is not in the row: sent already, or its write never landed."""
    if entry["event_id"] in held:
        return False
    age = (timeutil.now() - timeutil.parse_time(entry["announced"])).total_seconds()
    return age > ORPHAN_AFTER_SECONDS
