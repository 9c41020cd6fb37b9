"""Tables described the Cassandra way, and how their values cross into storage.

A table serves one query: rows are found by their partition key and ordered inside the
partition by their clustering columns. Both backends read the same `Table`, so a service
declares its tables once and runs unchanged on SQLite or Cassandra. Values are limited to
types both backends hold natively (text, 64-bit int, bool, double); dicts and lists are
stored as canonical JSON text so that equality conditions compare them reliably.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

Row = dict[str, Any]

ALLOWED_TYPES: tuple[type, ...] = (str, int, bool, float, dict, list)
KEY_TYPES: tuple[type, ...] = (str, int, bool, float)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,47}")


def check_identifier(name: str, what: str) -> None:
    """Names go into SQL and CQL text, so they must be plain lower-case identifiers."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"{what} {name!r} must match [a-z][a-z0-9_]* (at most 48 chars)")


@dataclass(frozen=True)
class Table:
    """A table: its columns, the partition key that finds rows, the clustering that orders them."""

    name: str
    columns: Mapping[str, type]
    partition_key: tuple[str, ...]
    clustering: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", MappingProxyType(dict(self.columns)))
        object.__setattr__(self, "partition_key", tuple(self.partition_key))
        object.__setattr__(self, "clustering", tuple(self.clustering))
        check_identifier(self.name, "table name")
        for column, kind in self.columns.items():
            check_identifier(column, "column name")
            if kind not in ALLOWED_TYPES:
                raise ValueError(f"column {column!r}: type {kind!r} is not one of {ALLOWED_TYPES}")
        if not self.partition_key:
            raise ValueError(f"table {self.name!r} needs a partition key")
        if len(set(self.primary_key)) != len(self.primary_key):
            raise ValueError(f"table {self.name!r} repeats a primary-key column")
        for column in self.primary_key:
            if column not in self.columns:
                raise ValueError(f"key column {column!r} is not a column of {self.name!r}")
            if self.columns[column] not in KEY_TYPES:
                raise ValueError(f"key column {column!r} cannot be a dict or list")

    def __hash__(self) -> int:
        return hash((self.name, tuple(self.columns.items()), self.partition_key, self.clustering))

    @property
    def primary_key(self) -> tuple[str, ...]:
        """Partition key then clustering columns: what identifies one row."""
        return self.partition_key + self.clustering

    @property
    def value_columns(self) -> tuple[str, ...]:
        """The columns that are not part of the primary key."""
        return tuple(c for c in self.columns if c not in self.primary_key)


def encode(table: Table, column: str, value: Any) -> Any:
    """Check `value` against the column's type and turn it into what the backend stores."""
    if value is None:
        return None
    kind = table.columns[column]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{table.name}.{column} takes {kind.__name__}, not {value!r}")
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f"{table.name}.{column}: {value} does not fit in 64 bits")
    if kind is dict or kind is list:
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return value


def decode(kind: type, raw: Any) -> Any:
    """Restore the Python value from what the backend returned."""
    if raw is None:
        return None
    if kind is bool:
        return bool(raw)
    if kind is float:
        return float(raw)
    if kind is dict or kind is list:
        return json.loads(raw)
    return raw


def decode_row(table: Table, raw: Mapping[str, Any]) -> Row:
    """A full row: every column of the table, absent ones as None."""
    return {column: decode(kind, raw.get(column)) for column, kind in table.columns.items()}


def encode_columns(table: Table, values: Mapping[str, Any], what: str) -> dict[str, Any]:
    """Encode a mapping of column values, refusing columns the table does not have."""
    unknown = [c for c in values if c not in table.columns]
    if unknown:
        raise ValueError(f"{what}: unknown columns {unknown} for table {table.name!r}")
    return {column: encode(table, column, value) for column, value in values.items()}


def encode_key(table: Table, key: Mapping[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    """Encode exactly the key `columns` (the full primary key, or the partition key), in order."""
    missing = [c for c in columns if key.get(c) is None]
    extra = [c for c in key if c not in columns]
    if missing or extra:
        raise ValueError(
            f"key for {table.name!r} must give exactly {list(columns)} "
            f"(missing or null: {missing}, not key columns: {extra})"
        )
    return {column: encode(table, column, key[column]) for column in columns}
