"""The Cassandra store's compare-and-set decisions and schema checks, against a scripted
fake session.

No cluster runs here, so the paths a live contract run rarely reaches (a Paxos round that
times out, a SERIAL read that fails) are driven by handing the store a fake CqlSession.
"""

from collections.abc import Sequence
from typing import Any

import pytest
from cassandra import ConsistencyLevel, ReadTimeout, Unavailable, WriteTimeout, WriteType

from smartbank.settings import PlatformSettings
from smartbank.storage import (
    Insert,
    OutcomeUnknown,
    Result,
    StorageError,
    Table,
    Update,
    cassandra,
    open_store,
)
from smartbank.storage.cassandra import CassandraStore
from smartbank.storage.select import Statement

from .tables import COUNTERS, EVENTS

CAS_TIMEOUT = WriteTimeout("timed out", write_type=WriteType.CAS)
ROW = {"name": "c", "value": 2, "version": 8, "writer": None}


class FakeCql:
    """Answers calls in order from `replies` (rows, or an exception to raise) and records them."""

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies)
        self.calls: list[tuple[str, Any, Any]] = []

    async def execute(
        self, statement: Statement, *, consistency: Any = None, serial: Any = None
    ) -> list[dict]:
        self.calls.append((statement.text, consistency, serial))
        return self._reply()

    async def execute_simple(self, text: str, *, consistency: Any = None) -> list[dict]:
        self.calls.append((text, consistency, None))
        return self._reply()

    async def batch(self, statements: Sequence[Statement], *, serial: Any) -> list[dict]:
        self.calls.append(("BATCH " + "; ".join(s.text for s in statements), None, serial))
        return self._reply()

    async def close(self) -> None:
        pass

    def _reply(self) -> list[dict]:
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def store_with(fake: FakeCql) -> CassandraStore:
    return CassandraStore([], "ks", 1, session=fake)


async def cas(store: CassandraStore) -> Result:
    return await store.update(
        COUNTERS, {"name": "c"}, {"value": 2, "version": 8}, if_={"version": 7}
    )


async def test_update_if_sends_serial_consistency_when_conditional() -> None:
    fake = FakeCql([{"[applied]": True}])

    assert await cas(store_with(fake)) == Result(applied=True)
    text, _, serial = fake.calls[0]
    assert text.endswith('IF "version" = ?') and serial == ConsistencyLevel.SERIAL


async def test_update_if_reads_current_row_at_serial_when_not_applied() -> None:
    fake = FakeCql([{"[applied]": False, "version": 9}], [{**ROW, "version": 9}])

    result = await cas(store_with(fake))

    assert result == Result(applied=False, current={**ROW, "version": 9})
    assert fake.calls[1][0].startswith("SELECT") and fake.calls[1][1] == ConsistencyLevel.SERIAL


async def test_insert_if_not_exists_not_applied_takes_the_row_from_the_answer() -> None:
    fake = FakeCql([{"[applied]": False, **ROW}])

    result = await store_with(fake).insert(COUNTERS, {**ROW, "value": 5}, if_not_exists=True)

    assert result == Result(applied=False, current=ROW)
    assert len(fake.calls) == 1  # no SERIAL read under the contention that refused it


async def test_insert_if_not_exists_answer_without_the_row_is_read_at_serial() -> None:
    fake = FakeCql([{"[applied]": False}], [ROW])

    result = await store_with(fake).insert(COUNTERS, {**ROW, "value": 5}, if_not_exists=True)

    assert result == Result(applied=False, current=ROW)
    assert fake.calls[1][1] == ConsistencyLevel.SERIAL


async def test_cas_timeout_counts_as_applied_when_serial_read_shows_written_values() -> None:
    fake = FakeCql(CAS_TIMEOUT, [ROW])

    assert await cas(store_with(fake)) == Result(applied=True)
    assert fake.calls[1][1] == ConsistencyLevel.SERIAL


async def test_cas_timeout_is_an_uncertain_not_applied_when_serial_read_shows_others() -> None:
    fake = FakeCql(CAS_TIMEOUT, [{**ROW, "value": 5}])

    expected = Result(applied=False, current={**ROW, "value": 5}, certain=False)
    assert await cas(store_with(fake)) == expected


async def test_cas_timeout_is_resolved_by_a_serial_read_that_answers_on_a_later_try() -> None:
    busy = ReadTimeout("timed out", consistency=ConsistencyLevel.SERIAL)
    fake = FakeCql(CAS_TIMEOUT, busy, Unavailable("down"), [ROW])

    assert await cas(store_with(fake)) == Result(applied=True)
    assert [c[1] for c in fake.calls[1:]] == [ConsistencyLevel.SERIAL] * 3


async def test_cas_timeout_is_outcome_unknown_when_no_serial_read_answers() -> None:
    fake = FakeCql(CAS_TIMEOUT, *[Unavailable("down")] * cassandra.READ_BACK_ATTEMPTS)

    with pytest.raises(OutcomeUnknown):
        await cas(store_with(fake))
    assert len(fake.calls) == 1 + cassandra.READ_BACK_ATTEMPTS and fake.replies == []


async def test_plain_write_timeout_raises_storage_error() -> None:
    fake = FakeCql(WriteTimeout("timed out", write_type=WriteType.SIMPLE))

    with pytest.raises(StorageError):
        await store_with(fake).update(COUNTERS, {"name": "c"}, {"value": 1})
    assert len(fake.calls) == 1


async def test_batch_timeout_counts_as_applied_when_every_row_holds_its_write() -> None:
    first = {"account": "a", "day": 1, "seq": 1, "note": "x"}
    second = {**first, "seq": 2}
    fake = FakeCql(CAS_TIMEOUT, [first], [second])

    result = await store_with(fake).batch(
        [Insert(EVENTS, first, if_not_exists=True), Insert(EVENTS, second)]
    )

    assert result == Result(applied=True)
    assert fake.calls[0][0].startswith("BATCH INSERT")


async def test_batch_reports_conditioned_rows_read_at_serial_when_not_applied() -> None:
    key = {"account": "a", "day": 1, "seq": 1}
    fake = FakeCql([{"[applied]": False}], [{**key, "note": "old"}])

    result = await store_with(fake).batch(
        [Update(EVENTS, key, {"note": "new"}, if_={"note": "x"}), Insert(EVENTS, {**key, "seq": 2})]
    )

    assert result == Result(applied=False, rows={("a", 1, 1): {**key, "note": "old"}})


async def test_get_raises_storage_error_when_cluster_is_unavailable() -> None:
    fake = FakeCql(Unavailable("down"))

    with pytest.raises(StorageError):
        await store_with(fake).get(COUNTERS, {"name": "c"})


async def test_ensure_creates_keyspace_before_tables() -> None:
    existing = [{"column_name": c} for c in ("name", "value", "version")]
    fake = FakeCql([], [], existing, [])

    await store_with(fake).ensure([COUNTERS])

    assert fake.calls[0][0].startswith('CREATE KEYSPACE IF NOT EXISTS "ks"')
    assert fake.calls[1][0].startswith('CREATE TABLE IF NOT EXISTS "ks"."counters"')
    assert "system_schema.columns" in fake.calls[2][0]
    assert fake.calls[3][0] == 'ALTER TABLE "ks"."counters" ADD "writer" text'


def awaiting(fake: FakeCql) -> CassandraStore:
    return CassandraStore([], "ks", 1, session=fake, schema="await")


KEYSPACE = [{"keyspace_name": "ks"}]


def columns(table: Table) -> list[dict]:
    return [{"column_name": c} for c in table.columns]


async def test_ensure_awaiting_raises_without_ddl_when_the_keyspace_is_missing() -> None:
    fake = FakeCql([])

    with pytest.raises(StorageError, match="keyspace ks not created yet: waiting for the schema"):
        await awaiting(fake).ensure([COUNTERS])
    assert len(fake.calls) == 1 and "system_schema.keyspaces" in fake.calls[0][0]


async def test_ensure_awaiting_raises_without_ddl_when_a_table_is_missing() -> None:
    fake = FakeCql(KEYSPACE, columns(EVENTS), [])

    with pytest.raises(StorageError, match=r"table ks\.counters not created yet"):
        await awaiting(fake).ensure([EVENTS, COUNTERS])
    assert all(text.startswith("SELECT") for text, _, _ in fake.calls)


async def test_ensure_awaiting_raises_without_ddl_when_a_new_column_is_missing() -> None:
    fake = FakeCql(KEYSPACE, columns(COUNTERS)[:-1])

    with pytest.raises(StorageError, match=r"columns writer of ks\.counters not created yet"):
        await awaiting(fake).ensure([COUNTERS])
    assert all(text.startswith("SELECT") for text, _, _ in fake.calls)


async def test_ensure_awaiting_passes_when_keyspace_tables_and_columns_exist() -> None:
    fake = FakeCql(KEYSPACE, columns(EVENTS), columns(COUNTERS))

    await awaiting(fake).ensure([EVENTS, COUNTERS])

    assert len(fake.calls) == 3
    assert all(text.startswith("SELECT") for text, _, _ in fake.calls)


def test_open_store_hands_the_schema_mode_to_the_cassandra_store() -> None:
    settings = PlatformSettings(
        storage="cassandra", cassandra_hosts="cassandra", cassandra_schema="await"
    )

    store = open_store(settings, "card-api")

    assert isinstance(store, CassandraStore) and store._schema == "await"
