import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from apns import tables
from apns.client import ApnsClient
from apns.provider_token import ProviderToken
from apns.settings import Settings
from smartbank.storage import TableStore, open_store

Answer = int | tuple[int, str] | Exception


@dataclass
class FakeApns:
    """Answers like APNs: 200 unless a token has scripted answers, consumed one per request."""

    requests: list[httpx.Request] = field(default_factory=list)
    scripts: dict[str, list[Answer]] = field(default_factory=dict)

    def script(self, token: str, *answers: Answer) -> None:
        self.scripts[token] = list(answers)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        token = request.url.path.rsplit("/", 1)[-1]
        pending = self.scripts.get(token) or [200]
        answer = pending.pop(0) if len(pending) > 1 else pending[0]
        if isinstance(answer, Exception):
            raise answer
        status, reason = answer if isinstance(answer, tuple) else (answer, "")
        apns_id = request.headers["apns-id"]
        body = {"reason": reason} if reason else None
        return httpx.Response(status, json=body, headers={"apns-id": apns_id})

    def tokens(self) -> list[str]:
        return [r.url.path.rsplit("/", 1)[-1] for r in self.requests]


class Clock:
    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now


def quick_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "storage": "memory",
        "apns_retry_wait_seconds": 0,
        "apns_retry_max_wait_seconds": 0,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
async def store() -> AsyncIterator[TableStore]:
    store = open_store(quick_settings(), "apns")
    await store.ensure(tables.ALL)
    yield store
    await store.close()


@pytest.fixture
def fake_apns() -> FakeApns:
    return FakeApns()


@pytest.fixture
def signing_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def make_client(
    fake_apns: FakeApns, signing_key: ec.EllipticCurvePrivateKey, clock: Clock
) -> AsyncIterator[Callable[..., ApnsClient]]:
    clients: list[ApnsClient] = []

    def make(**overrides: Any) -> ApnsClient:
        settings = quick_settings(**overrides)
        provider = ProviderToken(signing_key, "TEAM123456", "KEY1234567", clock=clock)
        http = httpx.AsyncClient(
            base_url=settings.apns_endpoint, transport=httpx.MockTransport(fake_apns.handle)
        )
        clients.append(ApnsClient(settings, provider, http))
        return clients[-1]

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def apns_client(make_client: Callable[..., ApnsClient]) -> ApnsClient:
    return make_client()
