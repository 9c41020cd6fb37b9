"""Steps of the OAuth code flow, as a client app and a customer's browser take them."""

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from auth.tests.fakes import REDIRECT_URI

TOKEN_KEYS = {"access_token", "client_id", "expires_in", "refresh_token", "token_type", "user_id"}


def authorize_query(app: dict[str, Any], **overrides: str) -> dict[str, str]:
    return {
        "client_id": app["id"],
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "state": "st4te",
        **overrides,
    }


def redirected_to(response: httpx.Response) -> tuple[str, dict[str, str]]:
    assert response.status_code in (302, 303), response.text
    location = urlsplit(response.headers["location"])
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    return f"{location.scheme}://{location.netloc}{location.path}", query


def code_of(response: httpx.Response) -> str:
    target, query = redirected_to(response)
    assert (target, query["state"]) == (REDIRECT_URI, "st4te")
    return query["code"]


async def choose(http: httpx.AsyncClient, app: dict[str, Any], user_id: str) -> str:
    sent = {**authorize_query(app), "user_id": user_id}
    return code_of(await http.post("/oauth2/authorize", data=sent))


def code_grant(app: dict[str, Any], code: str, /, **overrides: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "client_id": app["id"],
        "client_secret": app["secret"],
        "redirect_uri": REDIRECT_URI,
        "code": code,
        **overrides,
    }


def refresh_grant(app: dict[str, Any], refresh_token: str) -> dict[str, str]:
    return {
        "grant_type": "refresh_token",
        "client_id": app["id"],
        "client_secret": app["secret"],
        "refresh_token": refresh_token,
    }


async def log_in(http: httpx.AsyncClient, app: dict[str, Any], user_id: str) -> dict[str, Any]:
    issued = await http.post(
        "/oauth2/token", data=code_grant(app, await choose(http, app, user_id))
    )
    assert issued.status_code == 200, issued.text
    return dict(issued.json())
