"""The driver seam: ResponseFuture awaited from asyncio, prepared-statement cache, connecting."""

import threading
from typing import Any

import pytest
from cassandra import ConsistencyLevel, Unavailable

from smartbank.storage import StorageError
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
