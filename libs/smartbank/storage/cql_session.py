"""cassandra-driver behind a few async calls, so the store above it deals in CQL text only.

This is the one module that touches the driver's objects (cluster, prepared and bound
statements, batches). Keeping them here lets the store's compare-and-set logic be tested with
a fake `CqlSession` where no cluster runs. Driver errors pass through unchanged: only the
store knows which of them leave an outcome unknown.

A session outlives its node. The driver reconnects to hosts it knows by address; when every
one of them is down (the only node restarted, or in a cluster the pod came back under a new
IP), a request fails with NoHostAvailable, and the session is dropped and built again from the
contact points, which re-resolves them: the service recovers by itself, not by a restart.
Connecting again is tried at most once per `RECONNECT_EVERY_S`; calls in between fail fast.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from cassandra import ConsistencyLevel
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile, NoHostAvailable
from cassandra.policies import (
    DCAwareRoundRobinPolicy,
    ExponentialReconnectionPolicy,
    TokenAwarePolicy,
)
from cassandra.query import BatchStatement, SimpleStatement, dict_factory

from smartbank.storage.driver_async import all_pages
from smartbank.storage.select import Statement
from smartbank.storage.store import StorageError

log = logging.getLogger("smartbank.storage")

CqlRow = dict[str, Any]
PROTOCOL_VERSION = 5
_REQUEST_TIMEOUT_S = 10.0
RECONNECT_EVERY_S = 1.0
# The driver's own reconnection to a known host that went down: its default waits up to ten
# minutes between attempts, far longer than a node restart takes.
RECONNECTION = ExponentialReconnectionPolicy(base_delay=0.5, max_delay=10.0)


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
        reconnection_policy=RECONNECTION,
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
        self._prepared: dict[str, Any] = {}  # of the current session; a new one starts empty
        self._failed: tuple[float, StorageError] | None = None  # the last connect that failed
        self._retired: set[asyncio.Future[None]] = set()

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
        self._prepared = {}
        if cluster is not None:
            await asyncio.get_running_loop().run_in_executor(None, cluster.shutdown)
        await asyncio.gather(*self._retired)

    async def _run(self, statement: Any) -> list[CqlRow]:
        session = await self._connect()
        try:
            return await all_pages(session.execute_async(statement))
        except NoHostAvailable:
            self._rebuild_if_all_down(session)
            raise

    async def _prepare(self, text: str) -> Any:
        """Prepared once per CQL text; two tasks preparing the same text at once is harmless."""
        cache = self._prepared
        prepared = cache.get(text)
        if prepared is None:
            session = await self._connect()
            loop = asyncio.get_running_loop()
            try:
                prepared = await loop.run_in_executor(None, session.prepare, text)
            except NoHostAvailable:
                self._rebuild_if_all_down(session)
                raise
            cache[text] = prepared
        return prepared

    async def _connect(self) -> Any:
        async with self._connecting:
            if self._session is None:
                self._raise_if_failed_recently()
                loop = asyncio.get_running_loop()
                try:
                    self._cluster, self._session = await loop.run_in_executor(None, self._open)
                except Exception as exc:
                    error = StorageError(f"cannot reach Cassandra at {self._hosts}: {exc}")
                    self._failed = (time.monotonic(), error)
                    raise error from exc
                self._failed = None
        return self._session

    def _raise_if_failed_recently(self) -> None:
        if self._failed is not None and time.monotonic() - self._failed[0] < RECONNECT_EVERY_S:
            raise self._failed[1]

    def _rebuild_if_all_down(self, session: Any) -> None:
        """Drop the session when no host it knows is up; the next call builds a new one."""
        if session is not self._session or _any_host_up(self._cluster):
            return
        log.warning("every Cassandra host is down; the session is built again on the next call")
        cluster, self._cluster, self._session, self._prepared = self._cluster, None, None, {}
        shutdown = asyncio.get_running_loop().run_in_executor(None, cluster.shutdown)
        self._retired.add(shutdown)
        shutdown.add_done_callback(self._retired.discard)

    def _open(self) -> tuple[Any, Any]:
        """Blocking: resolves hosts, opens pools, reads the schema. Runs in a thread."""
        cluster = self._cluster_factory(self._hosts)
        try:
            return cluster, cluster.connect()
        except BaseException:
            cluster.shutdown()
            raise


def _any_host_up(cluster: Any) -> bool:
    return any(host.is_up for host in cluster.metadata.all_hosts())
