"""cassandra-driver behind a few async calls, so the store above it deals in CQL text only.

This is the one module that touches the driver's objects (cluster, prepared and bound
statements, batches). Keeping them here lets the store's compare-and-set logic be tested with
a fake `CqlSession` where no cluster runs. Driver errors pass through unchanged: only the
store knows which of them leave an outcome unknown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from cassandra import ConsistencyLevel
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
from cassandra.policies import DCAwareRoundRobinPolicy, TokenAwarePolicy
from cassandra.query import BatchStatement, SimpleStatement, dict_factory

from smartbank.storage.driver_async import all_pages
from smartbank.storage.select import Statement
from smartbank.storage.store import StorageError

CqlRow = dict[str, Any]
PROTOCOL_VERSION = 5
_REQUEST_TIMEOUT_S = 10.0


class CqlSession(Protocol):
    """What the Cassandra store needs from a connection."""

    async def execute(
        self,
        statement: Statement,
        *,
        consistency: int | None = None,
        serial: int | None = None,
    ) -> list[CqlRow]:
        """Run one prepared statement; levels default to the session's (QUORUM)."""

    async def execute_simple(self, text: str, *, consistency: int | None = None) -> list[CqlRow]:
        """Run unprepared CQL (schema changes, system queries)."""

    async def batch(self, statements: Sequence[Statement], *, serial: int | None) -> list[CqlRow]:
        """Run prepared statements as one logged batch."""

    async def close(self) -> None: ...


def contact_points(hosts: Sequence[str]) -> list[str | tuple[str, int]]:
    """`host` or `host:port` entries as the driver takes them."""
    points: list[str | tuple[str, int]] = []
    for host in hosts:
        name, sep, port = host.rpartition(":")
        points.append((name, int(port)) if sep and port.isdigit() and ":" not in name else host)
    return points


def default_cluster(hosts: Sequence[str]) -> Any:
    """QUORUM by default; rows as dicts, which also carry the LWT `[applied]` column."""
    profile = ExecutionProfile(
        load_balancing_policy=TokenAwarePolicy(DCAwareRoundRobinPolicy()),
        consistency_level=ConsistencyLevel.QUORUM,
        row_factory=dict_factory,
        request_timeout=_REQUEST_TIMEOUT_S,
    )
    # Protocol v5 (Cassandra 4.0 and later): without it the driver starts at a newer beta
    # version and downgrades, two refused handshakes on every connection.
    return Cluster(
        contact_points(hosts),
        execution_profiles={EXEC_PROFILE_DEFAULT: profile},
        protocol_version=PROTOCOL_VERSION,
    )


class DriverSession:
    """A CqlSession on cassandra-driver; connects on first use, in a thread."""

    def __init__(
        self,
        hosts: Sequence[str],
        cluster_factory: Callable[[Sequence[str]], Any] = default_cluster,
    ) -> None:
        self._hosts = list(hosts)
        self._cluster_factory = cluster_factory
        self._cluster: Any = None
        self._session: Any = None
        self._connecting = asyncio.Lock()
        self._prepared: dict[str, Any] = {}

    async def execute(
        self,
        statement: Statement,
        *,
        consistency: int | None = None,
        serial: int | None = None,
    ) -> list[CqlRow]:
        bound = (await self._prepare(statement.text)).bind(statement.params)
        if consistency is not None:
            bound.consistency_level = consistency
        if serial is not None:
            bound.serial_consistency_level = serial
        return await self._run(bound)

    async def execute_simple(self, text: str, *, consistency: int | None = None) -> list[CqlRow]:
        return await self._run(SimpleStatement(text, consistency_level=consistency))

    async def batch(self, statements: Sequence[Statement], *, serial: int | None) -> list[CqlRow]:
        batch = BatchStatement(
            consistency_level=ConsistencyLevel.QUORUM, serial_consistency_level=serial
        )
        for statement in statements:
            batch.add(await self._prepare(statement.text), statement.params)
        return await self._run(batch)

    async def close(self) -> None:
        cluster, self._cluster, self._session = self._cluster, None, None
        self._prepared.clear()
        if cluster is not None:
            await asyncio.get_running_loop().run_in_executor(None, cluster.shutdown)

    async def _run(self, statement: Any) -> list[CqlRow]:
        session = await self._connect()
        return await all_pages(session.execute_async(statement))

    async def _prepare(self, text: str) -> Any:
        """Prepared once per CQL text; two tasks preparing the same text at once is harmless."""
        prepared = self._prepared.get(text)
        if prepared is None:
            session = await self._connect()
            loop = asyncio.get_running_loop()
            prepared = await loop.run_in_executor(None, session.prepare, text)
            self._prepared[text] = prepared
        return prepared

    async def _connect(self) -> Any:
        async with self._connecting:
            if self._session is None:
                loop = asyncio.get_running_loop()
                try:
                    self._cluster, self._session = await loop.run_in_executor(None, self._open)
                except Exception as exc:
                    raise StorageError(f"cannot reach Cassandra at {self._hosts}: {exc}") from exc
        return self._session

    def _open(self) -> tuple[Any, Any]:
        """Blocking: resolves hosts, opens pools, reads the schema. Runs in a thread."""
        cluster = self._cluster_factory(self._hosts)
        try:
            return cluster, cluster.connect()
        except BaseException:
            cluster.shutdown()
            raise
