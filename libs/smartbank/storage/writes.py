"""Writes checked and encoded once, before either backend sees them.

Both backends turn every Insert, Update and Delete into a `Write` first, so validation
(unknown columns, incomplete keys, updates of key columns) and the meaning of a condition
are decided in one place and cannot drift between SQLite and Cassandra.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from smartbank.storage.schema import Row, Table, encode, encode_columns, encode_key
from smartbank.storage.store import Delete, Insert, Op, StorageError


@dataclass(frozen=True)
class Write:
    """One validated write; `key` and `values` hold encoded values, key in primary-key order."""

    table: Table
    kind: Literal["insert", "update", "delete"]
    key: dict[str, Any]
    values: dict[str, Any]
    if_: dict[str, Any] | None = None
    if_exists: bool = False
    if_not_exists: bool = False

    @property
    def pk(self) -> tuple[Any, ...]:
        """The primary key as a tuple, the way results report rows."""
        return tuple(self.key.values())

    @property
    def conditional(self) -> bool:
        return self.if_ is not None or self.if_exists or self.if_not_exists


def prepare(op: Op) -> Write:
    """Validate and encode one op."""
    table = op.table
    if isinstance(op, Insert):
        row = encode_columns(table, op.row, "insert")
        key = encode_key(table, {c: op.row.get(c) for c in table.primary_key}, table.primary_key)
        values = {c: v for c, v in row.items() if c not in table.primary_key}
        return Write(table, "insert", key, values, if_not_exists=op.if_not_exists)
    key = encode_key(table, op.key, table.primary_key)
    if_ = _conditions(table, op.if_, op.if_exists)
    if isinstance(op, Delete):
        return Write(table, "delete", key, {}, if_=if_, if_exists=op.if_exists)
    values = encode_columns(table, op.values, "update")
    if not values or any(c in table.primary_key for c in values):
        raise ValueError(f"update of {table.name!r} must set value columns, never key columns")
    return Write(table, "update", key, values, if_=if_, if_exists=op.if_exists)


def _conditions(
    table: Table, if_: Mapping[str, Any] | None, if_exists: bool
) -> dict[str, Any] | None:
    if if_ is None:
        return None
    if if_exists:
        raise ValueError("give either if_ or if_exists, not both (Cassandra allows only one)")
    if not if_ or any(c in table.primary_key for c in if_):
        raise ValueError(f"conditions on {table.name!r} must name value columns only")
    return encode_columns(table, if_, "condition")


def prepare_batch(ops: Sequence[Op]) -> list[Write]:
    """Validate a batch: Cassandra only applies a conditional batch atomically in one partition."""
    if not ops:
        raise ValueError("a batch needs at least one op")
    writes = [prepare(op) for op in ops]
    first = writes[0]
    partition = first.table.partition_key
    for write in writes[1:]:
        if write.table != first.table:
            raise StorageError("a batch must stay on one table")
        if any(write.key[c] != first.key[c] for c in partition):
            raise StorageError("a batch must stay in one partition")
    return writes


def _matches(table: Table, row: Row | None, expected: Mapping[str, Any]) -> bool:
    current = row or {}
    return all(encode(table, c, current.get(c)) == v for c, v in expected.items())


def condition_holds(write: Write, current: Row | None) -> bool:
    """Whether the write's condition holds on `current`; an absent row reads as all nulls."""
    if write.if_not_exists:
        return current is None
    if write.if_exists:
        return current is not None
    if write.if_ is not None:
        return _matches(write.table, current, write.if_)
    return True


def was_written(write: Write, current: Row | None) -> bool:
    """Whether `current` shows this write's effect (used when a write's outcome is unknown)."""
    if write.kind == "delete":
        return current is None
    return current is not None and _matches(write.table, current, write.values)
