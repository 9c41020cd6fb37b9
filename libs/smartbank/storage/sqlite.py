"""The embedded store: one SQLite file per service, or `:memory:` for unit tests.

Why on the event loop itself: every operation is one short call (tens of microseconds; WAL
with synchronous=NORMAL does not fsync on commit), and a conditional write or a batch is one
`BEGIN IMMEDIATE ... COMMIT` inside that call. Nothing awaits between its read and its write,
so no other task can interleave with a compare-and-set, and `BEGIN IMMEDIATE` takes the
file's write lock against other processes. A worker thread would add a thread hand-off per
call that costs more than the query: measured on the card path, moving these calls off the
loop took total CPU per authorisation from 17 ms to 27 ms. A caller cancelled mid-operation
cannot cut a call short: the transaction commits or rolls back whole.

busy_timeout makes a second process wait for the lock instead of failing at once (one
process per service file means it is not expected to wait).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from smartbank.storage.base import SingleWrites
from smartbank.storage.schema import Row, Table, decode_row
from smartbank.storage.select import (
    Statement,
    column_list,
    key_condition,
    quote,
    select_row,
    select_slice,
)
from smartbank.storage.store import Op, Result, StorageError
from smartbank.storage.writes import Write, condition_holds, prepare, prepare_batch

T = TypeVar("T")
_AFFINITY = {
    str: "TEXT",
    int: "INTEGER",
    bool: "INTEGER",
    float: "REAL",
    dict: "TEXT",
    list: "TEXT",
}
_BUSY_TIMEOUT_MS = 5000


class SqliteStore(SingleWrites):
    """A TableStore on one SQLite database, safe under concurrent async use."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None
        self._closed = False

    async def ensure(self, tables: Iterable[Table]) -> None:
        """Create missing tables, and add columns a newer declaration has (schemas only grow)."""
        tables = list(tables)
        await self._run(lambda conn: _evolve_all(conn, tables))

    async def get(self, table: Table, key: Mapping[str, Any]) -> Row | None:
        statement = select_row(table, quote(table.name), key)
        rows = await self._run(lambda conn: _fetch(conn, table, statement))
        return rows[0] if rows else None

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
        statement = select_slice(table, quote(table.name), partition, bounds, limit, descending)
        return await self._run(lambda conn: _fetch(conn, table, statement))

    async def batch(self, ops: Sequence[Op]) -> Result:
        writes = prepare_batch(ops)
        failed = await self._run(lambda conn: _apply(conn, writes))
        return Result(True) if failed is None else Result(False, rows=failed)

    async def ping(self) -> None:
        await self._run(lambda conn: conn.execute("SELECT 1").fetchall())

    async def close(self) -> None:
        if self._closed:
            return
        await self._run(lambda conn: conn.close())
        self._closed = True

    async def _single(self, op: Op) -> Result:
        write = prepare(op)
        failed = await self._run(lambda conn: _apply(conn, [write]))
        return Result(True) if failed is None else Result(False, current=failed[write.pk])

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._closed:
            raise StorageError("the store is closed")
        try:
            if self._conn is None:
                self._conn = _connect(self._path)
            return fn(self._conn)
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"sqlite {self._path}: {exc}") from exc


def _connect(path: str) -> sqlite3.Connection:
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
    return conn


def _evolve_all(conn: sqlite3.Connection, tables: list[Table]) -> None:
    for table in tables:
        _evolve(conn, table)


def _evolve(conn: sqlite3.Connection, table: Table) -> None:
    conn.execute(_create_table(table))
    existing = {row[1] for row in conn.execute(f"PRAGMA table_info({quote(table.name)})")}
    for column, kind in table.columns.items():
        if column not in existing:
            conn.execute(
                f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column)} {_AFFINITY[kind]}"
            )


def _create_table(table: Table) -> str:
    columns = ", ".join(f"{quote(c)} {_AFFINITY[kind]}" for c, kind in table.columns.items())
    key = column_list(table.primary_key)
    return (
        f"CREATE TABLE IF NOT EXISTS {quote(table.name)} "
        f"({columns}, PRIMARY KEY ({key})) WITHOUT ROWID"
    )


def _fetch(conn: sqlite3.Connection, table: Table, statement: Statement) -> list[Row]:
    cursor = conn.execute(statement.text, statement.params)
    names = [d[0] for d in cursor.description]
    return [decode_row(table, dict(zip(names, raw, strict=True))) for raw in cursor]


@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _apply(
    conn: sqlite3.Connection, writes: list[Write]
) -> dict[tuple[Any, ...], Row | None] | None:
    """Check every condition against the state before the batch, then write all or nothing.

    Returns None when applied, else the current row of every conditioned write.
    """
    with _immediate(conn):
        current = {w.pk: _current(conn, w) for w in writes if w.conditional}
        if not all(condition_holds(w, current[w.pk]) for w in writes if w.conditional):
            return current
        for write in writes:
            conn.execute(*_write_statement(write))
    return None


def _current(conn: sqlite3.Connection, write: Write) -> Row | None:
    rows = _fetch(conn, write.table, select_row(write.table, quote(write.table.name), write.key))
    return rows[0] if rows else None


def _write_statement(write: Write) -> Statement:
    table = write.table
    if write.kind == "delete":
        text = f"DELETE FROM {quote(table.name)} WHERE {key_condition(table.primary_key)}"
        return Statement(text, list(write.key.values()))
    row = {**write.key, **write.values}
    markers = ", ".join("?" for _ in row)
    text = f"INSERT INTO {quote(table.name)} ({column_list(list(row))}) VALUES ({markers})"
    text += f" ON CONFLICT ({column_list(table.primary_key)}) DO "
    if write.values:
        text += "UPDATE SET " + ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in write.values)
    else:
        text += "NOTHING"
    return Statement(text, list(row.values()))
