"""Build one service's app with fakes, for unit tests.

    async with service_client(cards_service) as client:
        await client.post("/cards", json={...})

The store is in-memory SQLite (the same code as the embedded default), RPC calls go to a
`FakeRpc` whose answers the test scripts, and the whole onion runs, so a unit test sees the
same status codes and error bodies a caller would.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from smartbank.app import BuiltApp, build_app
from smartbank.errors import ServiceError
from smartbank.service import Service
from smartbank.settings import PlatformSettings

Responder = Callable[[dict[str, str], Any], Awaitable[Any] | Any]


@dataclass
class RecordedCall:
    service: str
    method: str
    path: str
    json: Any
    params: dict[str, Any] | None
    idempotent: bool


@dataclass
class FakeRpc:
    """A scripted stand-in for other services: `on(service, method, path_template, responder)`.

    A responder gets the path parameters and the JSON body and returns the answer, or raises a
    ServiceError, exactly as the real client would surface it. Unscripted calls fail loudly.
    """

    routes: list[tuple[str, str, re.Pattern[str], Responder]] = field(default_factory=list)
    calls: list[RecordedCall] = field(default_factory=list)

    def on(self, service: str, method: str, template: str, responder: Responder) -> None:
        pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")
        self.routes.insert(0, (service, method.upper(), pattern, responder))

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotent: bool = False,
    ) -> Any:
        self.calls.append(RecordedCall(service, method.upper(), path, json, params, idempotent))
        for name, verb, pattern, responder in self.routes:
            match = pattern.match(path)
            if name == service and verb == method.upper() and match:
                answer = responder(match.groupdict(), json)
                return await answer if isinstance(answer, Awaitable) else answer
        raise ServiceError("internal_service.unscripted", f"no fake for {method} {service}{path}")

    def calls_to(self, service: str, method: str | None = None) -> list[RecordedCall]:
        return [
            c for c in self.calls if c.service == service and (method is None or c.method == method)
        ]


def fake_settings(service: Service, **overrides: Any) -> PlatformSettings:
    """The service's own settings class, with in-memory storage and no access log."""
    values: dict[str, Any] = {"storage": "memory", "access_log": False, **overrides}
    return service.settings(**values)


@asynccontextmanager
async def running(
    service: Service, *, rpc: Any = None, settings: PlatformSettings | None = None
) -> AsyncIterator[BuiltApp]:
    """The service's app with its lifecycle started (tables created, jobs running)."""
    built = build_app(service, settings or fake_settings(service), rpc=rpc or FakeRpc())
    async with built.fastapi.router.lifespan_context(built.fastapi):
        yield built


@asynccontextmanager
async def service_client(
    service: Service, *, rpc: Any = None, settings: PlatformSettings | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the service in-process, through the whole onion."""
    async with running(service, rpc=rpc, settings=settings) as built:
        transport = httpx.ASGITransport(app=built.asgi)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            client.app = built  # type: ignore[attr-defined]
            yield client
