"""The table interface services code against (backend.py picks the implementation).

The interface is Cassandra's data model, not SQL: rows are read by full key or by partition
slice, every write is an upsert, and the only read-modify-write is compare-and-set (a
conditional write, or a conditional batch inside one partition). Keeping to that subset is
what lets the embedded SQLite store and a Cassandra cluster behave the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from smartbank.storage.schema import Row, Table


class StorageError(Exception):
    """The backend failed or is unreachable (an infrastructure fault, not a business outcome)."""


class OutcomeUnknown(StorageError):
    """A conditional write timed out and the rows could not be read back either: it may have
    applied, may yet apply, or may never. Nothing may be decided on it having failed; the
    caller sends the same (idempotent) request again later, as after any storage fault."""


@dataclass(frozen=True)
class Result:
    """Whether a write applied; when a condition failed, the rows as they are now.

    `current` is set for a single-row write that did not apply (None when the row is absent).
    `rows` is set for a batch that did not apply: primary-key tuple -> current row or None,
    for every conditioned op in it.
    `certain` is False when a conditional write timed out and was read back (Cassandra): the
    rows did not show it then, but its round may still be finishing, or it may have landed and
    been changed since. Such a write may yet turn out applied; the caller must not act on it
    having failed beyond trying again.
    """

    applied: bool
    current: Row | None = None
    rows: dict[tuple[Any, ...], Row | None] = field(default_factory=dict)
    certain: bool = True


@dataclass(frozen=True)
class Insert:
    """Write `row` (an upsert of the given columns, unless `if_not_exists`)."""

    table: Table
    row: Mapping[str, Any]
    if_not_exists: bool = False


@dataclass(frozen=True)
class Update:
    """Set `values` on the row at `key`; `if_` holds equality conditions (None = is null)."""

    table: Table
    key: Mapping[str, Any]
    values: Mapping[str, Any]
    if_: Mapping[str, Any] | None = None
    if_exists: bool = False


@dataclass(frozen=True)
class Delete:
    """Remove the row at `key`, optionally only when `if_` holds or the row exists."""

    table: Table
    key: Mapping[str, Any]
    if_: Mapping[str, Any] | None = None
    if_exists: bool = False


Op = Insert | Update | Delete


class TableStore(Protocol):
    """Cassandra-shaped tables. Unknown columns or incomplete keys raise ValueError."""

    async def ensure(self, tables: Iterable[Table]) -> None:
        """Create the tables (and keyspace) if missing; safe to call on every start. Where one
        writer creates the schema (Cassandra, `cassandra_schema="await"`), only check that
        they exist, raising StorageError until they do."""

    async def get(self, table: Table, key: Mapping[str, Any]) -> Row | None:
        """The row at the full primary key `key`, or None."""

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
        """Rows of one partition in clustering order; bounds are tuples over a clustering prefix."""

    async def insert(
        self, table: Table, row: Mapping[str, Any], *, if_not_exists: bool = False
    ) -> Result:
        """Upsert `row`; with `if_not_exists`, only when no row has its key."""

    async def update(
        self,
        table: Table,
        key: Mapping[str, Any],
        values: Mapping[str, Any],
        *,
        if_: Mapping[str, Any] | None = None,
        if_exists: bool = False,
    ) -> Result:
        """Upsert `values` at `key`, optionally compare-and-set on `if_` or on existence.

        A compare-and-set should write something unique to the writer (an op id): when a
        Cassandra Paxos round times out, the store decides by reading what the row holds.
        """

    async def delete(
        self,
        table: Table,
        key: Mapping[str, Any],
        *,
        if_: Mapping[str, Any] | None = None,
        if_exists: bool = False,
    ) -> Result:
        """Delete the row at `key`, optionally compare-and-set on `if_` or on existence."""

    async def batch(self, ops: Sequence[Op]) -> Result:
        """Apply ops on one table and one partition atomically: all of them or none."""

    async def ping(self) -> None:
        """Raise StorageError when the backend cannot be reached."""

    async def close(self) -> None:
        """Release connections and threads."""
