"""SELECT statements, written once for both backends.

SQLite and CQL agree on the subset used here: double-quoted identifiers, `?` markers,
row-value comparisons such as `("c1","c2") > (?,?)`, ORDER BY and LIMIT. So a read means the
same thing on both, and only the table reference (`"t"` or `"keyspace"."t"`) differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from smartbank.storage.schema import Table, encode, encode_key

_BOUNDS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}


class Statement(NamedTuple):
    """Statement text and its parameters, in marker order."""

    text: str
    params: list[Any]


def quote(name: str) -> str:
    """Identifiers are validated lower-case names; quoting keeps reserved words usable."""
    return f'"{name}"'


def column_list(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(quote(n) for n in names)


def key_condition(names: tuple[str, ...] | list[str]) -> str:
    return " AND ".join(f"{quote(n)} = ?" for n in names)


def select_row(table: Table, ref: str, key: Mapping[str, Any]) -> Statement:
    """Read the one row at a full primary key."""
    encoded = encode_key(table, key, table.primary_key)
    where = key_condition(table.primary_key)
    text = f"SELECT {column_list(tuple(table.columns))} FROM {ref} WHERE {where}"
    return Statement(text, list(encoded.values()))


def select_slice(
    table: Table,
    ref: str,
    partition: Mapping[str, Any],
    bounds: Mapping[str, tuple[Any, ...] | None],
    limit: int | None,
    descending: bool,
) -> Statement:
    """Read a partition in clustering order; `bounds` maps gt/ge/lt/le to a clustering prefix."""
    params = list(encode_key(table, partition, table.partition_key).values())
    where = [key_condition(table.partition_key)]
    given = {name: value for name, value in bounds.items() if value is not None}
    if ("gt" in given and "ge" in given) or ("lt" in given and "le" in given):
        raise ValueError("give at most one lower bound (gt/ge) and one upper bound (lt/le)")
    for name, value in given.items():
        columns = _prefix(table, value)
        markers = ", ".join("?" for _ in columns)
        where.append(f"({column_list(columns)}) {_BOUNDS[name]} ({markers})")
        params.extend(encode(table, c, v) for c, v in zip(columns, value, strict=True))
    text = f"SELECT {column_list(tuple(table.columns))} FROM {ref} WHERE {' AND '.join(where)}"
    if table.clustering:
        direction = "DESC" if descending else "ASC"
        text += " ORDER BY " + ", ".join(f"{quote(c)} {direction}" for c in table.clustering)
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a positive int, not {limit!r}")
        text += " LIMIT ?"
        params.append(limit)
    return Statement(text, params)


def _prefix(table: Table, bound: tuple[Any, ...]) -> tuple[str, ...]:
    if not isinstance(bound, tuple) or not 1 <= len(bound) <= len(table.clustering):
        raise ValueError(
            f"a bound on {table.name!r} is a tuple over a prefix of {list(table.clustering)}"
        )
    if any(v is None for v in bound):
        raise ValueError("a bound cannot contain None")
    return table.clustering[: len(bound)]
