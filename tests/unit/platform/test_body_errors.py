"""Bodies FastAPI cannot parse still answer a typed 400 whose code has a detail."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.exceptions import HTTPException

from auth import main as auth
from smartbank.app import http_error
from smartbank.testing import service_client

DEPTH = 100_000
JSON = {"content-type": "application/json"}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with service_client(auth.service) as opened:
        yield opened


@pytest.mark.parametrize(
    "body",
    ["[" * DEPTH + "]" * DEPTH, '{"name":' * DEPTH + '"x"' + "}" * DEPTH],
    ids=["arrays", "objects"],
)
async def test_post_of_json_nested_100000_deep_is_400_too_deep(
    client: httpx.AsyncClient, body: str
) -> None:
    response = await client.post("/customers", content=body, headers=JSON)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "bad_request.too_deep"
    assert response.json()["message"]


async def test_post_of_json_that_is_not_utf8_is_400_invalid_body(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/customers", content=b'{"name":"\xff"}', headers=JSON)
    assert (response.status_code, response.json()["code"]) == (400, "bad_request.invalid_body")


async def test_post_of_json_nested_but_within_the_limit_is_a_validation_error(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/customers", content="[" * 50 + "]" * 50, headers=JSON)
    assert (response.status_code, response.json()["code"]) == (400, "bad_request.invalid_request")


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "bad_request.invalid_body"),
        (404, "not_found.route"),
        (405, "method_not_allowed.route"),
        (413, "bad_request.http"),
        (429, "too_many_requests.http"),
    ],
)
def test_http_error_always_has_a_detail(status: int, code: str) -> None:
    error = http_error(HTTPException(status, "no"))
    assert (error.code, error.message) == (code, "no")


def test_http_error_caused_by_recursion_is_too_deep() -> None:
    raised = HTTPException(400, "There was an error parsing the body")
    raised.__cause__ = RecursionError("maximum recursion depth exceeded")
    assert http_error(raised).code == "bad_request.too_deep"
