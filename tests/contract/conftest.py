"""One contract, every backend: the same tests run on a SQLite file, SQLite in memory and,
when CASSANDRA_HOSTS names a reachable cluster, Cassandra in a throwaway keyspace."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from smartbank.settings import PlatformSettings
from smartbank.storage import TableStore, open_store

from .tables import ALL_TABLES

NO_CASSANDRA = "CASSANDRA_HOSTS is not set: no Cassandra reachable to run the contract against"
CASSANDRA_HOSTS = os.environ.get("CASSANDRA_HOSTS", "")
# The contract creates its own throwaway keyspaces, whatever CASSANDRA_SCHEMA says.
CASSANDRA_SETTINGS = PlatformSettings(
    storage="cassandra", cassandra_hosts=CASSANDRA_HOSTS, cassandra_schema="create"
)

BACKENDS = [
    "sqlite",
    "memory",
    pytest.param("cassandra", marks=pytest.mark.skipif(not CASSANDRA_HOSTS, reason=NO_CASSANDRA)),
]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(request: pytest.FixtureRequest, backend: str) -> TableStore:
    """An empty store with the contract tables, on the backend under test."""
    result: TableStore = request.getfixturevalue(f"{backend}_store")
    return result


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[TableStore]:
    opened = open_store(PlatformSettings(storage="sqlite", data_dir=tmp_path), "contract")
    await opened.ensure(ALL_TABLES)
    yield opened
    await opened.close()


@pytest.fixture
async def memory_store() -> AsyncIterator[TableStore]:
    opened = open_store(PlatformSettings(storage="memory"), "contract")
    await opened.ensure(ALL_TABLES)
    yield opened
    await opened.close()


@pytest.fixture(scope="session")
def cassandra_admin() -> Iterator[Any]:
    """A driver session outside the store under test, for TRUNCATE and DROP."""
    from cassandra.cluster import Cluster

    from smartbank.storage.cql_session import contact_points

    cluster = Cluster(contact_points(CASSANDRA_SETTINGS.cassandra_host_list))
    yield cluster.connect()
    cluster.shutdown()


@pytest.fixture(scope="session")
def cassandra_keyspace(cassandra_admin: Any) -> Iterator[str]:
    """A keyspace of its own for this run, dropped at the end."""
    keyspace = f"contract_{uuid.uuid4().hex[:12]}"
    yield keyspace
    cassandra_admin.execute(f'DROP KEYSPACE IF EXISTS "{keyspace}"')


@pytest.fixture(scope="session")
async def cassandra_shared(cassandra_keyspace: str) -> AsyncIterator[TableStore]:
    opened = open_store(CASSANDRA_SETTINGS, cassandra_keyspace)
    await opened.ensure(ALL_TABLES)
    yield opened
    await opened.close()


@pytest.fixture
async def cassandra_store(
    cassandra_shared: TableStore, cassandra_admin: Any, cassandra_keyspace: str
) -> AsyncIterator[TableStore]:
    """The session's Cassandra store, emptied so every test starts clean."""
    for table in ALL_TABLES:
        await asyncio.to_thread(
            cassandra_admin.execute, f'TRUNCATE "{cassandra_keyspace}"."{table.name}"'
        )
    yield cassandra_shared
