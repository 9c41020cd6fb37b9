"""Cassandra-shaped tables for every service: SQLite embedded by default, Cassandra in production.

Services declare `Table`s (one per query: partition key plus clustering columns) and talk to a
`TableStore`; compare-and-set is a conditional write or a single-partition conditional batch.
`open_store` picks the backend from the platform settings.
"""

from smartbank.storage.backend import open_store
from smartbank.storage.schema import Row, Table
from smartbank.storage.store import (
    Delete,
    Insert,
    Op,
    OutcomeUnknown,
    Result,
    StorageError,
    TableStore,
    Update,
)

__all__ = [
    "Delete",
    "Insert",
    "Op",
    "OutcomeUnknown",
    "Result",
    "Row",
    "StorageError",
    "Table",
    "TableStore",
    "Update",
    "open_store",
]
