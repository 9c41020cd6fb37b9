"""The one place that picks a storage backend from a service's settings."""

from __future__ import annotations

from smartbank.settings import PlatformSettings
from smartbank.storage.schema import check_identifier
from smartbank.storage.store import TableStore


def open_store(settings: PlatformSettings, service_name: str) -> TableStore:
    """The store a service's settings ask for; it connects lazily, on first use."""
    if settings.storage == "cassandra":
        from smartbank.storage.cassandra import CassandraStore

        keyspace = service_name.replace("-", "_")
        check_identifier(keyspace, "keyspace")
        if not settings.cassandra_host_list:
            raise ValueError("storage is cassandra but cassandra_hosts is empty")
        return CassandraStore(
            settings.cassandra_host_list,
            keyspace,
            settings.cassandra_replication_factor,
            schema=settings.cassandra_schema,
        )
    from smartbank.storage.sqlite import SqliteStore

    if settings.storage == "memory":
        return SqliteStore(":memory:")
    check_identifier(service_name.replace("-", "_"), "service name")
    return SqliteStore(str(settings.data_dir / f"{service_name}.sqlite3"))
