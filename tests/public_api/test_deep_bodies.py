"""Bodies nested absurdly deep are a typed 400 with a `<kind>.<detail>` code, never a 5xx."""

from __future__ import annotations

import httpx
import pytest

from tests.public_api.bank import Bank

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


BODIES = [
    (JSON, nested(100_000)),
    (JSON, '{"card_id":' * 100_000 + "1" + "}" * 100_000),
    (JSON, nested(20_000)),
    (FORM, "metadata" + nested(100_000) + "=v"),
    (FORM, "metadata" + nested(20_000) + "=v"),
]


def assert_typed_400(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text[:300]
    body = response.json()
    kind, _, detail = body["code"].partition(".")
    assert (kind, bool(detail)) == ("bad_request", True), body["code"]
    assert body["message"]


@pytest.mark.parametrize(("content_type", "content"), BODIES)
async def test_deeply_nested_bodies_to_the_public_api_are_typed_400s(
    bank: Bank, content_type: str, content: str
) -> None:
    ada = await bank.customer()
    tx = (await bank.swipe(ada.card_token, 100))["transaction_id"]
    headers = {"content-type": content_type}
    for method, path in (("PUT", "/card/toggle"), ("PATCH", f"/transactions/{tx}")):
        assert_typed_400(await ada.http.request(method, path, content=content, headers=headers))


@pytest.mark.parametrize(("content_type", "content"), BODIES)
async def test_deeply_nested_bodies_to_the_token_endpoint_are_typed_400s(
    bank: Bank, content_type: str, content: str
) -> None:
    transport = httpx.ASGITransport(app=bank.apps["auth"].asgi)
    async with httpx.AsyncClient(transport=transport, base_url="http://auth") as auth:
        response = await auth.post(
            "/oauth2/token", content=content, headers={"content-type": content_type}
        )
    assert_typed_400(response)
    assert response.json()["error"]
