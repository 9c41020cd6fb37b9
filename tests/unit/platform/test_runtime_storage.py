"""A service whose storage does not answer at start waits for it instead of crashing."""

from __future__ import annotations

import asyncio
from typing import Any

from smartbank.app import build_app
from smartbank.runtime import Runtime
from smartbank.service import PeriodicJob, Service
from smartbank.settings import PlatformSettings
from smartbank.storage import Table, TableStore, open_store
from smartbank.storage.store import StorageError
from smartbank.testing import FakePublisher, FakeRpc

THINGS = Table("things", columns={"id": str}, partition_key=("id",))


class SlowToAnswer:
    """The real in-memory store, except that its first `failures` ensure calls fail."""

    def __init__(self, inner: TableStore, failures: int) -> None:
        self.inner, self.failures = inner, failures

    async def ensure(self, tables: Any) -> None:
        if self.failures:
            self.failures -= 1
            raise StorageError("cannot reach Cassandra at cassandra: connection refused")
        await self.inner.ensure(tables)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def test_service_starts_not_ready_and_becomes_ready_once_storage_answers() -> None:
    ticks: list[int] = []

    async def tick(_: Runtime) -> None:
        ticks.append(1)

    every = PeriodicJob("tick", run=tick, every=lambda _: 0.01)
    service = Service(name="cards", tables=(THINGS,), jobs=(every,))
    settings = PlatformSettings(storage="memory", access_log=False)
    store = SlowToAnswer(open_store(settings, "cards"), failures=2)
    built = build_app(service, settings, store=store, rpc=FakeRpc(), publisher=FakePublisher())
    async with built.fastapi.router.lifespan_context(built.fastapi):
        runtime = built.runtime
        assert (await runtime.readiness())["ready"] is False
        await asyncio.sleep(0.1)
        assert ticks == []  # no job runs before its tables exist
        for _ in range(200):
            if runtime.ready:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.1)
        assert ticks and store.failures == 0
        await runtime.store.insert(THINGS, {"id": "a"})
