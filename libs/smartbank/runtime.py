"""What a running service holds: settings, storage, the RPC client, telemetry and its jobs.

One `Runtime` per app, created by `build_app` and reachable from handlers through the
dependencies in `smartbank.deps`. Tests build it with fakes instead of real backends.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry

from smartbank import context
from smartbank.rpc import Rpc
from smartbank.service import PeriodicJob, Service
from smartbank.settings import PlatformSettings
from smartbank.storage import TableStore

log = logging.getLogger("smartbank.runtime")


@dataclass
class Runtime:
    service: Service
    settings: PlatformSettings
    store: TableStore
    rpc: Rpc
    tracer_provider: TracerProvider
    registry: CollectorRegistry
    ready: bool = False
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self) -> None:
        await self.store.ensure(self.service.tables)
        for job in self.service.jobs:
            self._tasks.append(asyncio.create_task(self._loop(job), name=job.name))
        self.ready = True

    async def stop(self) -> None:
        self.ready = False
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        close = getattr(self.rpc, "close", None)
        if close is not None:
            await close()
        await self.store.close()

    async def _loop(self, job: PeriodicJob) -> None:
        interval = job.every(self.settings)
        while True:
            await asyncio.sleep(interval)
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
        return {"ready": all(c["ok"] for c in checks.values()), "checks": checks}

    async def _storage_check(self) -> dict[str, Any]:
        try:
            await asyncio.wait_for(self.store.ping(), timeout=2.0)
        except Exception as exc:
            return {"ok": False, "backend": self.settings.storage, "error": str(exc)}
        return {"ok": True, "backend": self.settings.storage}
