from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from auth import clients, customers, main, tables
from auth.tests.fakes import REDIRECT_URI
from smartbank.storage import TableStore
from smartbank.testing import fake_settings, memory_store, service_client


@pytest.fixture
async def store() -> AsyncIterator[TableStore]:
    async with memory_store(tables.ALL) as opened:
        yield opened


@pytest.fixture
async def customer(store: TableStore) -> dict[str, Any]:
    return await customers.create_customer(store, "Ada Lovelace", "ada@example.com")


@pytest.fixture
async def client(store: TableStore) -> dict[str, Any]:
    return await clients.create_client(store, "Budget app", [REDIRECT_URI])


@pytest.fixture
def login_mode() -> str:
    return "choose"


@pytest.fixture
async def http(login_mode: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = fake_settings(main.service, auth_login_mode=login_mode)
    async with service_client(main.service, settings=settings) as client:
        yield client


@pytest.fixture
async def app(http: httpx.AsyncClient) -> dict[str, Any]:
    sent = {"name": "Budget app", "redirect_uris": [REDIRECT_URI]}
    created = await http.post("/clients", json=sent)
    assert created.status_code == 200
    return dict(created.json())


@pytest.fixture
async def ada(http: httpx.AsyncClient) -> dict[str, Any]:
    created = await http.post("/customers", json={"name": "Ada", "email": "ada@example.com"})
    return dict(created.json())
