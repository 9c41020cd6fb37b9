"""The real local stack (Tansu, Envoy, the trace sink and every service as its own process),
started once for all end-to-end tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from smartbank.local.launcher.stack import Stack
from tests.e2e.driver import Bank

# The public API's rate limits are for people; these tests (and schemathesis) send far more
# from one address and one token. The limits themselves are tested in process.
E2E_ENV = {
    "API_RATE_LIMIT_PER_TOKEN": "10000",
    "API_RATE_LIMIT_PER_ADDRESS": "10000",
    "AUTH_RATE_LIMIT_PER_ADDRESS": "10000",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_e2e(items, "/e2e/")


def mark_e2e(items: list[pytest.Item], folder: str) -> None:
    """Mark the tests under `folder` e2e (a conftest's hook sees every test of the session)."""
    for item in items:
        if folder in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    home: Path = tmp_path_factory.mktemp("smartbank")
    with Stack(home, env=E2E_ENV) as running:
        running.wait_ready(120)
        yield running


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def http(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=300, max_keepalive_connections=300)
    async with httpx.AsyncClient(timeout=10.0, limits=limits) as client:
        yield client


@pytest.fixture
def bank(http: httpx.AsyncClient) -> Bank:
    return Bank(http)
