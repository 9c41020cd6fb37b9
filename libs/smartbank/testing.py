"""Build one service's app with fakes, for unit tests.

    async with service_client(cards_service) as client:
        await client.post("/cards", json={...})

The store is in-memory SQLite (the same code as the embedded default), RPC calls go to a
`FakeRpc` whose answers the test scripts, and the whole onion runs, so a unit test sees the
same status codes and error bodies a caller would.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from opentelemetry import trace
from pydantic import BaseModel

from smartbank import errors, rpc
from smartbank.app import BuiltApp, build_app
from smartbank.errors import ServiceError
from smartbank.events.envelope import Event, Headers, decode
from smartbank.events.handling import Received
from smartbank.outbound import Call, Reply, onion
from smartbank.service import Service
from smartbank.settings import PlatformSettings
from smartbank.storage import Table, TableStore, open_store

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

    A responder gets the path parameters and the JSON body and returns the answer (JSON, or a
    contract model), or raises a ServiceError, exactly as the real client would surface it; a
    call with `reply=` gets the answer checked against that model. Unscripted calls fail loudly.
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
        reply: type[BaseModel] | None = None,
    ) -> Any:
        json = rpc.request_body(json)
        self.calls.append(RecordedCall(service, method.upper(), path, json, params, idempotent))
        answer = await self._answer(service, method.upper(), path, json)
        if reply is not None:
            return rpc.as_reply(service, reply, answer)
        return answer.model_dump(mode="json") if isinstance(answer, BaseModel) else answer

    async def _answer(self, service: str, method: str, path: str, json: Any) -> Any:
        for name, verb, pattern, responder in self.routes:
            match = pattern.match(path)
            if name == service and verb == method and match:
                answer = responder(match.groupdict(), json)
                return await answer if isinstance(answer, Awaitable) else answer
        raise ServiceError("internal_service.unscripted", f"no fake for {method} {service}{path}")

    def calls_to(self, service: str, method: str | None = None) -> list[RecordedCall]:
        return [
            c for c in self.calls if c.service == service and (method is None or c.method == method)
        ]


@dataclass
class FakePublisher:
    """Keeps what a service publishes; `fail_with` makes the next publishes raise."""

    events: list[Event] = field(default_factory=list)
    raw: list[tuple[str, bytes | None, bytes, Headers]] = field(default_factory=list)
    fail_with: Exception | None = None

    async def publish(self, events: Sequence[Event]) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.events.extend(events)

    async def send_raw(self, topic: str, key: bytes | None, value: bytes, headers: Headers) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.raw.append((topic, key, value, headers))

    def of_type(self, event_type: str) -> list[Event]:
        return [e for e in self.events if e.type == event_type]


async def deliver(built: BuiltApp, event: Event, offset: int = 0) -> None:
    """Hand `event` to the service's consumer of its type, through its wire form and back."""
    consumers = [c for c in built.runtime.service.consumers if c.topic == event.type]
    if not consumers:
        raise AssertionError(f"{built.runtime.service.name} consumes no {event.type}")
    _, value, _ = event.encode()
    received = Received(decode(value), event.type, 0, offset)
    for consumer in consumers:
        await consumer.handle(received, built.runtime)


@asynccontextmanager
async def memory_store(tables: Iterable[Table]) -> AsyncIterator[TableStore]:
    """An in-memory store holding `tables`, closed on exit: a unit test's store."""
    store = open_store(PlatformSettings(storage="memory"), "test")
    await store.ensure(tables)
    try:
        yield store
    finally:
        await store.close()


def fake_settings(service: Service, **overrides: Any) -> PlatformSettings:
    """The service's own settings class, with in-memory storage and no access log."""
    values: dict[str, Any] = {"storage": "memory", "access_log": False, **overrides}
    return service.settings(**values)


@asynccontextmanager
async def running(
    service: Service,
    *,
    rpc: Any = None,
    settings: PlatformSettings | None = None,
    publisher: Any = None,
) -> AsyncIterator[BuiltApp]:
    """The service's app with its lifecycle started (tables created, jobs running).

    Consumers do not run (there is no broker): tests hand them events with `deliver`.
    """
    settings = settings or fake_settings(service)
    built = build_app(
        service, settings, rpc=rpc or FakeRpc(), publisher=publisher or FakePublisher()
    )
    built.runtime.run_consumers = False
    async with built.fastapi.router.lifespan_context(built.fastapi):
        yield built


@asynccontextmanager
async def service_client(
    service: Service, *, rpc: Any = None, settings: PlatformSettings | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the service in-process, through the whole onion."""
    async with (
        running(service, rpc=rpc, settings=settings) as built,
        asgi_client(built) as client,
    ):
        yield client


@asynccontextmanager
async def asgi_client(built: BuiltApp) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for an app already running in this process (`running`)."""
    transport = httpx.ASGITransport(app=built.asgi)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        client.app = built  # type: ignore[attr-defined]
        yield client


@dataclass
class AppRpc:
    """Calls services running in this process through their whole onion, the way the real
    client calls them over the mesh: context headers out, typed errors back."""

    apps: dict[str, BuiltApp] = field(default_factory=dict)
    caller: str = "test"

    def __post_init__(self) -> None:
        tracer = trace.get_tracer("smartbank.testing")
        self._onion = onion.wrap(self._transport, caller=self.caller, tracer=tracer)

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotent: bool = False,
        reply: type[BaseModel] | None = None,
    ) -> Any:
        call = Call(service, method, path, rpc.request_body(json), params, idempotent)
        answer = await self._onion(call)
        return rpc.decode(service, answer.status, answer.body, reply)

    async def _transport(self, call: Call) -> Reply:
        if call.service not in self.apps:
            raise errors.unavailable("connect", f"{call.service} is not running in this test")
        transport = httpx.ASGITransport(app=self.apps[call.service].asgi)
        base_url = f"http://{call.service}"
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            response = await client.request(
                call.method, call.path, json=call.json, params=call.params, headers=call.headers
            )
        return Reply(response.status_code, response.content)


@asynccontextmanager
async def running_together(*services: Service) -> AsyncIterator[dict[str, BuiltApp]]:
    """Several services with their lifecycles started, calling each other in-process."""
    mesh = AppRpc()
    async with AsyncExitStack() as stack:
        for service in services:
            mesh.apps[service.name] = await stack.enter_async_context(running(service, rpc=mesh))
        yield mesh.apps


async def assert_platform_routes(client: httpx.AsyncClient) -> None:
    """What every service answers besides its own routes: health, readiness, metrics, and a
    typed 404 for a path it does not have."""
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/readyz")).status_code == 200
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200 and "smartbank_" in metrics.text
    missing = await client.get("/no/such/route")
    assert missing.status_code == 404
    assert set(missing.json()) == {"code", "message", "params"}
    assert missing.json()["code"].startswith("not_found.")
