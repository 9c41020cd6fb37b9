"""An authorization code used twice was leaked (RFC 6749 section 4.1.2): its second exchange is
refused, and the tokens its first exchange gave stop working, refresh token included."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from smartbank import context
from smartbank.local.cli.seed import _seed
from tests.public_api.bank import Bank

REDIRECT = "https://app.example.com/callback"
EMAIL = "ada@example.com"


@pytest.fixture
async def auth(bank: Bank) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=bank.apps["auth"].asgi)
    async with httpx.AsyncClient(transport=transport, base_url="http://auth") as client:
        yield client


async def app_and_code(bank: Bank, auth: httpx.AsyncClient) -> tuple[dict[str, Any], str]:
    """A client app, and a code for it that Ada's login by email link gave."""
    with context.bound(context.fresh(10.0)):
        await _seed(bank.rpc, "Ada", 0, "GBP", EMAIL)
        app = await bank.rpc.call(
            "auth", "POST", "/clients", json={"name": "App", "redirect_uris": [REDIRECT]}
        )
    query = {"client_id": app["id"], "redirect_uri": REDIRECT, "response_type": "code"}
    sent = await auth.post("/oauth2/authorize", data={**query, "state": "s", "email": EMAIL})
    assert sent.status_code == 200, sent.text
    (mail,) = (await auth.get("/mail", params={"to": EMAIL})).json()["mail"]
    link = re.search(r"token=([\w-]+)", mail["body"])
    assert link, mail["body"]
    confirmed = await auth.post("/oauth2/authorize/link", data={"token": link.group(1)})
    assert confirmed.status_code in (302, 303), confirmed.text
    return app, parse_qs(urlsplit(confirmed.headers["location"]).query)["code"][0]


async def test_replaying_a_code_revokes_the_tokens_of_its_first_exchange(
    bank: Bank, auth: httpx.AsyncClient
) -> None:
    app, code = await app_and_code(bank, auth)
    secret = {"client_id": app["id"], "client_secret": app["secret"]}
    exchange = {**secret, "grant_type": "authorization_code", "redirect_uri": REDIRECT}
    first = await auth.post("/oauth2/token", data={**exchange, "code": code})
    assert first.status_code == 200, first.text
    issued = first.json()
    customer = bank.client(issued["access_token"])
    assert (await customer.get("/ping/whoami")).status_code == 200

    replay = await auth.post("/oauth2/token", data={**exchange, "code": code})
    assert replay.status_code == 400, replay.text
    assert (replay.json()["code"], replay.json()["error"]) == (
        "bad_request.invalid_grant",
        "invalid_grant",
    )

    refused = await customer.get("/ping/whoami")
    assert refused.status_code == 401, refused.text
    assert refused.json()["code"].startswith("unauthorized.bad_access_token")
    assert refused.json()["error"] == "invalid_token"
    refresh = {**secret, "grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
    refreshed = await auth.post("/oauth2/token", data=refresh)
    assert (refreshed.status_code, refreshed.json()["error"]) == (400, "invalid_grant")
