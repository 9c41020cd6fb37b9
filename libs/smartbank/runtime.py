"""What a running service holds: settings, storage, the RPC client, telemetry and its jobs.

One `Runtime` per app, created by `build_app` and reachable from handlers through the
dependencies in `smartbank.deps`. Tests build it with fakes instead of real backends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from smartbank import context
from smartbank.events.consumer import ConsumerLoop
from smartbank.events.metrics import ConsumerMetrics
from smartbank.events.publisher import Publisher
from smartbank.rpc import Rpc
from smartbank.service import PeriodicJob, Service
from smartbank.settings import PlatformSettings, S, typed
from smartbank.storage import TableStore
from smartbank.storage.store import StorageError

log = logging.getLogger("smartbank.runtime")

T = TypeVar("T")

STORAGE_RETRY_MAX_WAIT = 10.0


@dataclass
class Runtime:
    service: Service
    settings: PlatformSettings
    store: TableStore
    rpc: Rpc
    publisher: Publisher
    tracer_provider: TracerProvider
    registry: CollectorRegistry
    ready: bool = False
    run_consumers: bool = True
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _consumers: list[ConsumerLoop] = field(default_factory=list)
    _resources: dict[str, Any] = field(default_factory=dict)
    _nudges: dict[str, asyncio.Event] = field(default_factory=dict)

    def settings_as(self, cls: type[S]) -> S:
        """The service's own typed settings, for jobs and consumers as handlers get them."""
        return typed(self.settings, cls)

    def nudge(self, job: str) -> None:
        """Run the periodic job `job` now rather than at its next tick (e.g. new work for it)."""
        self._nudges.setdefault(job, asyncio.Event()).set()

    def resource(self, name: str, make: Callable[[], T]) -> T:
        """One shared instance of something a service makes itself (a client for an outside
        API), made on first use and closed (`aclose`/`close`) when the service stops."""
        if name not in self._resources:
            self._resources[name] = make()
        return cast(T, self._resources[name])

    async def start(self) -> None:
        """Create the tables, then start jobs and consumers. Storage that does not answer yet
        (Cassandra still booting beside a service that starts in seconds) is waited for in the
        background: the service lives and reports not ready, instead of crashing in a loop."""
        try:
            await self.store.ensure(self.service.tables)
        except StorageError as exc:
            log.warning("storage is not ready yet (%s); the service waits for it", exc)
            self._tasks.append(asyncio.create_task(self._start_once_storage_answers()))
            return
        self._begin()

    async def _start_once_storage_answers(self) -> None:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(StorageError),
            wait=wait_exponential(multiplier=0.5, max=STORAGE_RETRY_MAX_WAIT),
            before_sleep=lambda state: log.warning(
                "storage still not ready: %s", state.outcome and state.outcome.exception()
            ),
        )
        async for attempt in retrying:
            with attempt:
                await self.store.ensure(self.service.tables)
        self._begin()

    def _begin(self) -> None:
        for job in self.service.jobs:
            self._tasks.append(asyncio.create_task(self._loop(job), name=job.name))
        if self.service.consumers and self.run_consumers:
            loop = ConsumerLoop(self.service.consumers, self, ConsumerMetrics(self.registry))
            self._consumers.append(loop)
            self._tasks.append(asyncio.create_task(loop.run(), name=f"consume-{loop.group}"))
        self.ready = True

    async def stop(self) -> None:
        self.ready = False
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        self._consumers.clear()
        for client in (*self._resources.values(), self.rpc, self.publisher, self.store):
            close = getattr(client, "aclose", None) or getattr(client, "close", None)
            if close is None:
                continue
            try:
                await close()
            except Exception:  # one failing close must not keep the others open
                log.exception("closing %s failed", type(client).__name__)
        self._resources.clear()

    async def _loop(self, job: PeriodicJob) -> None:
        interval = job.every(self.settings)
        nudged = self._nudges.setdefault(job.name, asyncio.Event())
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval):  # not wait_for: 3.11's can hang a cancel
                    await nudged.wait()
            nudged.clear()
            try:
                with context.bound(context.fresh(budget=max(interval, 5.0))):
                    await job.run(self)
            except Exception:
                log.exception("periodic job %s failed; it runs again in %.1fs", job.name, interval)

    async def readiness(self) -> dict[str, Any]:
        """Per-dependency readiness; the service is ready when every check is."""
        checks: dict[str, dict[str, Any]] = {"lifecycle": {"ok": self.ready}}
        if self.service.tables:
            checks["storage"] = await self._storage_check()
        if self._consumers:
            waiting = [c.group for c in self._consumers if not c.started.is_set()]
            checks["events"] = {"ok": not waiting, "waiting_for_broker": waiting}
        return {"ready": all(c["ok"] for c in checks.values()), "checks": checks}

    async def _storage_check(self) -> dict[str, Any]:
        try:
            await asyncio.wait_for(self.store.ping(), timeout=2.0)
        except Exception as exc:
            return {"ok": False, "backend": self.settings.storage, "error": str(exc)}
        return {"ok": True, "backend": self.settings.storage}
