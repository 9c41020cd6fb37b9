"""CQL text for the Cassandra store: schema and writes (reads come from `select`).

Every statement is built from validated identifiers and `?` markers only, so it can be
prepared once and cached by its text. A null condition is written as a literal `= null`
rather than bound, which keeps its meaning ("the column is null") independent of how a
driver binds None.
"""

from __future__ import annotations

from smartbank.storage.schema import Table
from smartbank.storage.select import Statement, column_list, key_condition, quote
from smartbank.storage.writes import Write

_CQL_TYPES = {str: "text", int: "bigint", bool: "boolean", float: "double"}
_JSON_TYPE = "text"


def table_ref(keyspace: str, table: Table) -> str:
    return f"{quote(keyspace)}.{quote(table.name)}"


def create_keyspace(keyspace: str, replication_factor: int) -> str:
    replication = f"{{'class': 'SimpleStrategy', 'replication_factor': {int(replication_factor)}}}"
    return f"CREATE KEYSPACE IF NOT EXISTS {quote(keyspace)} WITH replication = {replication}"


def add_columns(keyspace: str, table: Table, existing: set[str]) -> list[str]:
    """ALTER statements for the columns a newer declaration of `table` adds (tables only grow)."""
    ref = table_ref(keyspace, table)
    return [
        f"ALTER TABLE {ref} ADD {quote(c)} {_CQL_TYPES.get(kind, _JSON_TYPE)}"
        for c, kind in table.columns.items()
        if c not in existing
    ]


def create_table(keyspace: str, table: Table) -> str:
    columns = ", ".join(
        f"{quote(c)} {_CQL_TYPES.get(kind, _JSON_TYPE)}" for c, kind in table.columns.items()
    )
    key = f"({column_list(table.partition_key)})"
    if table.clustering:
        key += ", " + column_list(table.clustering)
    text = (
        f"CREATE TABLE IF NOT EXISTS {table_ref(keyspace, table)} ({columns}, PRIMARY KEY ({key}))"
    )
    if table.clustering:
        order = ", ".join(f"{quote(c)} ASC" for c in table.clustering)
        text += f" WITH CLUSTERING ORDER BY ({order})"
    return text


def write_statement(keyspace: str, write: Write) -> Statement:
    """INSERT, UPDATE or DELETE for one write, with its IF clause when conditional."""
    table = write.table
    ref = table_ref(keyspace, table)
    where = key_condition(table.primary_key)
    keys = list(write.key.values())
    if write.kind == "insert":
        row = {**write.key, **write.values}
        markers = ", ".join("?" for _ in row)
        text = f"INSERT INTO {ref} ({column_list(list(row))}) VALUES ({markers})"
        if write.if_not_exists:
            text += " IF NOT EXISTS"
        return Statement(text, list(row.values()))
    condition, condition_params = _if_clause(write)
    if write.kind == "delete":
        return Statement(f"DELETE FROM {ref} WHERE {where}{condition}", keys + condition_params)
    assignments = ", ".join(f"{quote(c)} = ?" for c in write.values)
    text = f"UPDATE {ref} SET {assignments} WHERE {where}{condition}"
    return Statement(text, list(write.values.values()) + keys + condition_params)


def _if_clause(write: Write) -> tuple[str, list[object]]:
    if write.if_exists:
        return " IF EXISTS", []
    if write.if_ is None:
        return "", []
    terms = [f"{quote(c)} = null" if v is None else f"{quote(c)} = ?" for c, v in write.if_.items()]
    params = [v for v in write.if_.values() if v is not None]
    return " IF " + " AND ".join(terms), params
