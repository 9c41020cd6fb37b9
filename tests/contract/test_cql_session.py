"""The driver seam: ResponseFuture awaited from asyncio, prepared-statement cache, connecting."""

import threading
from typing import Any

import pytest
from cassandra import ConsistencyLevel, Unavailable
from cassandra.cluster import NoHostAvailable

from smartbank.storage import StorageError, cql_session
from smartbank.storage.cql_session import DriverSession, contact_points
from smartbank.storage.driver_async import all_pages
from smartbank.storage.select import Statement


class FakeResponseFuture:
    """Delivers one page per add_callbacks, from another thread, as the driver's I/O does."""

    def __init__(self, *pages: Any) -> None:
        self.pages = list(pages)
        self.has_more_pages = False

    def clear_callbacks(self) -> None:
        pass

    def add_callbacks(self, callback: Any, errback: Any) -> None:
        threading.Thread(target=self._deliver, args=(callback, errback)).start()

    def start_fetching_next_page(self) -> None:
        assert self.has_more_pages

    def _deliver(self, callback: Any, errback: Any) -> None:
        page = self.pages.pop(0)
        self.has_more_pages = bool(self.pages)
        if isinstance(page, Exception):
            errback(page)
        else:
            callback(page)


class FakeBound:
    def __init__(self, params: list) -> None:
        self.params = params
        self.consistency_level: Any = None
        self.serial_consistency_level: Any = None


class FakePrepared:
    def bind(self, params: list) -> FakeBound:
        return FakeBound(params)


class FakeCluster:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.prepared: list[str] = []
        self.executed: list[Any] = []
        self.shut_down = False

    def connect(self) -> "FakeCluster":
        if self.fail:
            raise OSError("connection refused")
        return self

    def prepare(self, text: str) -> FakePrepared:
        self.prepared.append(text)
        return FakePrepared()

    def execute_async(self, statement: Any) -> FakeResponseFuture:
        self.executed.append(statement)
        return FakeResponseFuture([{"n": 1}])

    def shutdown(self) -> None:
        self.shut_down = True


async def test_all_pages_collects_rows_from_every_page() -> None:
    future = FakeResponseFuture([{"n": 1}, {"n": 2}], [{"n": 3}], None)

    assert await all_pages(future) == [{"n": 1}, {"n": 2}, {"n": 3}]


async def test_all_pages_raises_the_driver_error() -> None:
    with pytest.raises(Unavailable):
        await all_pages(FakeResponseFuture(Unavailable("down")))


async def test_execute_prepares_each_text_once_and_sets_levels() -> None:
    cluster = FakeCluster()
    session = DriverSession(["h"], cluster_factory=lambda hosts: cluster)
    select = Statement('SELECT "n" FROM "ks"."t" WHERE "k" = ?', ["a"])

    await session.execute(select)
    rows = await session.execute(select, consistency=ConsistencyLevel.SERIAL)

    assert rows == [{"n": 1}]
    assert cluster.prepared == [select.text]
    assert cluster.executed[1].params == ["a"]
    assert cluster.executed[1].consistency_level == ConsistencyLevel.SERIAL


async def test_execute_raises_storage_error_when_connect_fails() -> None:
    cluster = FakeCluster(fail=True)
    session = DriverSession(["h"], cluster_factory=lambda hosts: cluster)

    with pytest.raises(StorageError):
        await session.execute_simple("SELECT release_version FROM system.local")
    assert cluster.shut_down


def test_contact_points_split_ports_when_given() -> None:
    assert contact_points(["a", "b:9043", "::1"]) == ["a", ("b", 9043), "::1"]


class Host:
    def __init__(self, up: bool) -> None:
        self.is_up = up


class Metadata:
    def __init__(self, *hosts: Host) -> None:
        self.hosts = list(hosts)

    def all_hosts(self) -> list[Host]:
        return self.hosts


class NodeGone(FakeCluster):
    """A cluster whose only node went away: every request finds no host."""

    def __init__(self, *, host_up: bool = False) -> None:
        super().__init__()
        self.metadata = Metadata(Host(host_up))

    def execute_async(self, statement: Any) -> FakeResponseFuture:
        return FakeResponseFuture(NoHostAvailable("no host", {}))


async def test_a_session_whose_every_host_is_down_is_built_again_on_the_next_call() -> None:
    clusters: list[FakeCluster] = [NodeGone(), FakeCluster()]
    session = DriverSession(["cassandra"], cluster_factory=lambda hosts: clusters.pop(0))
    query = "SELECT release_version FROM system.local"

    with pytest.raises(NoHostAvailable):
        await session.execute_simple(query)
    assert await session.execute_simple(query) == [{"n": 1}]
    assert clusters == []
    await session.close()


async def test_a_session_with_a_host_still_up_is_kept() -> None:
    made: list[FakeCluster] = []

    def factory(hosts: Any) -> FakeCluster:
        made.append(NodeGone(host_up=True))
        return made[-1]

    session = DriverSession(["cassandra"], cluster_factory=factory)
    for _ in range(2):
        with pytest.raises(NoHostAvailable):
            await session.execute_simple("SELECT now() FROM system.local")
    assert len(made) == 1 and not made[0].shut_down


async def test_after_a_failed_connect_calls_fail_fast_until_the_next_try_is_due(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attempts: list[float] = []

    def unreachable(hosts: Any) -> FakeCluster:
        attempts.append(0)
        return FakeCluster(fail=True)

    session = DriverSession(["cassandra"], cluster_factory=unreachable)
    for _ in range(3):
        with pytest.raises(StorageError):
            await session.execute_simple("SELECT now() FROM system.local")
    assert len(attempts) == 1
    monkeypatch.setattr(cql_session, "RECONNECT_EVERY_S", 0.0)
    with pytest.raises(StorageError):
        await session.execute_simple("SELECT now() FROM system.local")
    assert len(attempts) == 2
