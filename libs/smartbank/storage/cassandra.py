"""The production store: a keyspace per service on a Cassandra cluster.

Consistency: QUORUM for reads and writes, so a read always overlaps the last acknowledged
write; SERIAL for conditional writes. The keyspace uses SimpleStrategy, which knows nothing
of data centres, so QUORUM/SERIAL rather than LOCAL_QUORUM/LOCAL_SERIAL; a multi-DC
deployment would switch both together with NetworkTopologyStrategy.

A conditional write is a Paxos round whose outcome is unknown when it times out: it may
still be committed. Such a timeout is resolved by reading the rows at SERIAL (which finishes
a round in flight) and calling the write applied only if the rows now hold what it wrote.
That read is a Paxos round too, and under the contention that timed the write out it can time
out as well: it is tried a few times, and when it never answers the write's outcome is
`OutcomeUnknown`, never a guess.
A write that was not applied reports the rows as read at SERIAL right after, because
Cassandra's own reply carries only the columns named in the condition.
Cassandra orders writes by timestamp, so rows written with conditions should only ever be
written with conditions: a plain upsert mixed in can be ordered before an earlier LWT.

Schema changes sent at once through several coordinators can create one table under two ids
(schema disagreement), so in a cluster one writer creates the schema and every replica of a
service only checks that its keyspace, tables and columns exist (`schema="await"`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from typing import Any

from cassandra import ConsistencyLevel, OperationTimedOut, WriteTimeout

from smartbank.settings import CassandraSchema
from smartbank.storage import cql
from smartbank.storage.base import SingleWrites
from smartbank.storage.cql_session import CqlRow, CqlSession, DriverSession
from smartbank.storage.schema import Row, Table, decode_row
from smartbank.storage.select import Statement, select_row, select_slice
from smartbank.storage.store import Op, OutcomeUnknown, Result, StorageError
from smartbank.storage.writes import Write, prepare, prepare_batch, was_written

Failed = dict[tuple[Any, ...], Row | None]
# The read-back after a timed-out round: attempts, and the pause before each retry (doubling).
READ_BACK_ATTEMPTS = 4
READ_BACK_PAUSE_S = 0.05


class CassandraStore(SingleWrites):
    """A TableStore on one keyspace; `session` is a fake in tests, the driver otherwise."""

    def __init__(
        self,
        hosts: Sequence[str],
        keyspace: str,
        replication_factor: int,
        session: CqlSession | None = None,
        schema: CassandraSchema = "create",
    ) -> None:
        self._keyspace = keyspace
        self._replication_factor = replication_factor
        self._schema = schema
        self._cql: CqlSession = session or DriverSession(hosts)

    async def ensure(self, tables: Iterable[Table]) -> None:
        tables = list(tables)
        if self._schema == "await":
            await self._check_schema(tables)
            return
        ddl = [cql.create_keyspace(self._keyspace, self._replication_factor)]
        ddl += [cql.create_table(self._keyspace, t) for t in tables]
        for text in ddl:
            await self._guard(self._cql.execute_simple(text))
        for table in tables:
            for text in cql.add_columns(self._keyspace, table, await self._columns(table)):
                await self._guard(self._cql.execute_simple(text))

    async def _check_schema(self, tables: list[Table]) -> None:
        """Raise StorageError (the caller retries) until every table and column exists."""
        found = await self._guard(
            self._cql.execute_simple(
                "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = "
                f"'{self._keyspace}'"
            )
        )
        missing = [] if found else [f"keyspace {self._keyspace}"]
        for table in tables if found else []:
            columns = await self._columns(table)
            absent = [c for c in table.columns if c not in columns]
            if not columns:
                missing.append(f"table {self._keyspace}.{table.name}")
            elif absent:
                missing.append(f"columns {', '.join(absent)} of {self._keyspace}.{table.name}")
        if missing:
            raise StorageError(f"{'; '.join(missing)} not created yet: waiting for the schema job")

    async def _columns(self, table: Table) -> set[str]:
        rows = await self._guard(
            self._cql.execute_simple(
                "SELECT column_name FROM system_schema.columns WHERE keyspace_name = "
                f"'{self._keyspace}' AND table_name = '{table.name}'"
            )
        )
        return {row["column_name"] for row in rows}

    async def get(self, table: Table, key: Mapping[str, Any]) -> Row | None:
        return await self._get(table, key, ConsistencyLevel.QUORUM)

    async def query(
        self,
        table: Table,
        partition: Mapping[str, Any],
        *,
        gt: tuple[Any, ...] | None = None,
        ge: tuple[Any, ...] | None = None,
        lt: tuple[Any, ...] | None = None,
        le: tuple[Any, ...] | None = None,
        limit: int | None = None,
        descending: bool = False,
    ) -> list[Row]:
        bounds = {"gt": gt, "ge": ge, "lt": lt, "le": le}
        ref = cql.table_ref(self._keyspace, table)
        statement = select_slice(table, ref, partition, bounds, limit, descending)
        return [decode_row(table, r) for r in await self._guard(self._cql.execute(statement))]

    async def batch(self, ops: Sequence[Op]) -> Result:
        failed, certain = await self._apply(prepare_batch(ops))
        return Result(True) if failed is None else Result(False, rows=failed, certain=certain)

    async def ping(self) -> None:
        query = "SELECT release_version FROM system.local"
        await self._guard(self._cql.execute_simple(query, consistency=ConsistencyLevel.ONE))

    async def close(self) -> None:
        await self._cql.close()

    async def _single(self, op: Op) -> Result:
        write = prepare(op)
        failed, certain = await self._apply([write])
        if failed is None:
            return Result(True)
        return Result(False, current=failed[write.pk], certain=certain)

    async def _apply(self, writes: list[Write]) -> tuple[Failed | None, bool]:
        """Run the writes as one statement or one batch: (None when applied, else the rows as
        they are now; whether that outcome is certain, i.e. the write did not time out)."""
        conditional = any(w.conditional for w in writes)
        serial = ConsistencyLevel.SERIAL if conditional else None
        statements = [cql.write_statement(self._keyspace, w) for w in writes]
        try:
            if len(statements) == 1:
                rows = await self._cql.execute(statements[0], serial=serial)
            else:
                rows = await self._cql.batch(statements, serial=serial)
        except (WriteTimeout, OperationTimedOut) as exc:
            if not conditional:
                raise StorageError(f"Cassandra write timed out: {exc}") from exc
            return await self._resolve_unknown(writes), False
        except StorageError:
            raise
        except Exception as exc:
            raise StorageError(f"Cassandra write failed: {exc}") from exc
        if not conditional or (rows and rows[0].get("[applied]")):
            return None, True
        found = _existing_row(writes, rows)
        if found is not None:
            return found, True
        return await self._read_serial([w for w in writes if w.conditional]), True

    async def _resolve_unknown(self, writes: list[Write]) -> Failed | None:
        """After a timed-out Paxos round: applied iff the rows now hold what was written."""
        current = await self._read_back(writes)
        last = {w.pk: w for w in writes}
        if all(was_written(w, current[pk]) for pk, w in last.items()):
            return None
        return {w.pk: current[w.pk] for w in writes if w.conditional}

    async def _read_back(self, writes: list[Write]) -> Failed:
        """The rows at SERIAL, tried a few times; OutcomeUnknown when no attempt answers."""
        for retry in range(READ_BACK_ATTEMPTS - 1):
            try:
                return await self._read_serial(writes)
            except StorageError:
                await asyncio.sleep(READ_BACK_PAUSE_S * 2**retry)
        try:
            return await self._read_serial(writes)
        except StorageError as exc:
            raise OutcomeUnknown(f"a conditional write timed out, then {exc}") from exc

    async def _read_serial(self, writes: list[Write]) -> Failed:
        """The written rows at SERIAL: the linearizable view that Paxos rounds agree on."""
        rows: Failed = {}
        for write in writes:
            if write.pk not in rows:
                rows[write.pk] = await self._get(write.table, write.key, ConsistencyLevel.SERIAL)
        return rows

    async def _get(self, table: Table, key: Mapping[str, Any], consistency: int) -> Row | None:
        statement: Statement = select_row(table, cql.table_ref(self._keyspace, table), key)
        rows = await self._guard(self._cql.execute(statement, consistency=consistency))
        return decode_row(table, rows[0]) if rows else None

    @staticmethod
    async def _guard(call: Awaitable[list[CqlRow]]) -> list[CqlRow]:
        """Await a driver call; every failure becomes a StorageError."""
        try:
            result: list[CqlRow] = await call
        except StorageError:
            raise
        except Exception as exc:
            raise StorageError(f"Cassandra request failed: {exc}") from exc
        return result


def _existing_row(writes: list[Write], rows: list[CqlRow]) -> Failed | None:
    """An INSERT ... IF NOT EXISTS that did not apply is answered with the row that is there:
    no second Paxos round (a SERIAL read, under the same contention) is needed to learn it."""
    if len(writes) != 1 or not writes[0].if_not_exists or not rows:
        return None
    write = writes[0]
    existing = {column: value for column, value in rows[0].items() if column != "[applied]"}
    if any(column not in existing for column in write.key):
        return None
    return {write.pk: decode_row(write.table, existing)}
