"""Service declaration: a service's `main.py` says what it is; this module makes it run.

A declaration names the service, its routers, its tables, its background jobs and the events
it consumes. `build_app` turns it into an ASGI app: the onion around a
FastAPI app with `/healthz`, `/readyz` and `/metrics`, a lifecycle that opens storage and the
RPC client on start and closes them on graceful shutdown.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import APIRouter

from smartbank.events.consumer import Consumer
from smartbank.settings import PlatformSettings
from smartbank.storage import Table

if TYPE_CHECKING:
    from smartbank.runtime import Runtime


@dataclass(frozen=True)
class PeriodicJob:
    """Work a service does on a timer (e.g. releasing expired holds).

    `every` reads the interval from the settings, so tests can make it short.
    """

    name: str
    run: Callable[[Runtime], Awaitable[None]]
    every: Callable[[PlatformSettings], float]


@dataclass(frozen=True)
class Service:
    name: str
    routers: Sequence[APIRouter] = ()
    tables: Sequence[Table] = ()
    jobs: Sequence[PeriodicJob] = ()
    consumers: Sequence[Consumer] = ()
    settings: type[PlatformSettings] = PlatformSettings
    description: str = field(default="")
    # Where FastAPI serves the generated OpenAPI document; None when the service serves a
    # document of its own (the api's public one is checked in).
    openapi_url: str | None = "/openapi.json"
