"""Where the login page emails a link (the default outside the local stack), a customer seeded
with an email logs in through it and gets a token the public API accepts."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx

from smartbank import context
from smartbank.local.cli.seed import _seed
from tests.public_api.bank import Bank

REDIRECT = "https://app.example.com/callback"


async def test_seeded_customer_with_an_email_logs_in_by_link(bank: Bank) -> None:
    with context.bound(context.fresh(10.0)):
        ada = await _seed(bank.rpc, "Ada", 0, "GBP", "ada@example.com")
        client = await bank.rpc.call(
            "auth", "POST", "/clients", json={"name": "App", "redirect_uris": [REDIRECT]}
        )
    transport = httpx.ASGITransport(app=bank.apps["auth"].asgi)
    async with httpx.AsyncClient(transport=transport, base_url="http://auth") as auth:
        query = {"client_id": client["id"], "redirect_uri": REDIRECT, "response_type": "code"}
        sent = await auth.post(
            "/oauth2/authorize", data={**query, "state": "s", "email": "ada@example.com"}
        )
        assert sent.status_code == 200, sent.text
        (mail,) = (await auth.get("/mail", params={"to": "ada@example.com"})).json()["mail"]
        token = re.search(r"token=([\w-]+)", mail["body"])
        assert token, mail["body"]
        confirmed = await auth.post("/oauth2/authorize/link", data={"token": token.group(1)})
        assert confirmed.status_code in (302, 303), confirmed.text
        code = parse_qs(urlsplit(confirmed.headers["location"]).query)["code"][0]
        secret = {"client_id": client["id"], "client_secret": client["secret"]}
        grant = {"grant_type": "authorization_code", "redirect_uri": REDIRECT, "code": code}
        form = {**secret, **grant}
        issued = (await auth.post("/oauth2/token", data=form)).json()
    me = await bank.client(issued["access_token"]).get("/ping/whoami")
    assert me.json() == {
        "authenticated": True,
        "client_id": client["id"],
        "user_id": ada["user_id"],
    }
