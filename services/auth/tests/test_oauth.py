from typing import Any

import httpx
import pytest

from auth.tests.fakes import REDIRECT_URI
from auth.tests.flows import (
    TOKEN_KEYS,
    authorize_query,
    choose,
    code_grant,
    log_in,
    redirected_to,
    refresh_grant,
)


async def test_code_flow_in_choose_mode_gives_working_tokens(
    http: httpx.AsyncClient, app: dict[str, Any], ada: dict[str, Any]
) -> None:
    page = await http.get("/oauth2/authorize", params=authorize_query(app))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Budget app" in page.text and f'value="{ada["id"]}"' in page.text
    assert page.headers["x-frame-options"] == "DENY"
    code = await choose(http, app, ada["id"])
    issued = await http.post("/oauth2/token", data=code_grant(app, code))
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    body = issued.json()
    assert set(body) == TOKEN_KEYS
    assert (body["client_id"], body["user_id"], body["expires_in"]) == (app["id"], ada["id"], 21600)
    assert body["token_type"] == "Bearer"
    verified = await http.post("/tokens/verify", json={"access_token": body["access_token"]})
    assert verified.json()["user_id"] == ada["id"]


async def test_refresh_through_the_token_endpoint_works_once(
    http: httpx.AsyncClient, app: dict[str, Any], ada: dict[str, Any]
) -> None:
    first = await log_in(http, app, ada["id"])
    refreshed = await http.post("/oauth2/token", data=refresh_grant(app, first["refresh_token"]))
    assert refreshed.status_code == 200 and set(refreshed.json()) == TOKEN_KEYS
    again = await http.post("/oauth2/token", data=refresh_grant(app, first["refresh_token"]))
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


async def test_new_token_from_a_second_login_replaces_the_first(
    http: httpx.AsyncClient, app: dict[str, Any], ada: dict[str, Any]
) -> None:
    first, second = await log_in(http, app, ada["id"]), await log_in(http, app, ada["id"])
    old = await http.post("/tokens/verify", json={"access_token": first["access_token"]})
    new = await http.post("/tokens/verify", json={"access_token": second["access_token"]})
    assert (old.status_code, new.status_code) == (401, 200)
    assert old.json()["error"] == "invalid_token"


async def test_logout_stops_the_token_working(
    http: httpx.AsyncClient, app: dict[str, Any], ada: dict[str, Any]
) -> None:
    token = (await log_in(http, app, ada["id"]))["access_token"]
    bearer = {"authorization": f"Bearer {token}"}
    logged_out = await http.post("/oauth2/logout", headers=bearer)
    assert (logged_out.status_code, logged_out.json()) == (200, {})
    refused = await http.post("/tokens/verify", json={"access_token": token})
    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthorized.bad_access_token"
    assert (await http.post("/oauth2/logout", headers=bearer)).status_code == 401


@pytest.mark.parametrize("authorization", [None, "", "Basic abc", "Bearer ", "Bearer sbat_no"])
async def test_logout_without_a_good_bearer_token_is_unauthorized(
    http: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"authorization": authorization} if authorization is not None else {}
    refused = await http.post("/oauth2/logout", headers=headers)
    assert refused.status_code == 401
    body = refused.json()
    assert (body["code"], body["error"]) == ("unauthorized.bad_access_token", "invalid_token")
    assert body["error_description"]


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ({"client_id": "oauth2client_missing"}, "client"),
        ({"client_id": ""}, "client"),
        ({"redirect_uri": "https://evil.example.com/callback"}, "redirect_uri"),
        ({"redirect_uri": ""}, "redirect_uri"),
    ],
)
async def test_authorize_with_an_unknown_client_or_redirect_uri_is_an_error_page(
    http: httpx.AsyncClient, app: dict[str, Any], query: dict[str, str], problem: str
) -> None:
    sent = authorize_query(app, **query)
    shown = await http.get("/oauth2/authorize", params=sent)
    confirmed = await http.post("/oauth2/authorize", data={**sent, "user_id": "user_x"})
    for response in (shown, confirmed):
        assert response.status_code == 400 and "location" not in response.headers
        assert response.headers["content-type"].startswith("text/html")
        assert problem in response.text


async def test_authorize_with_another_response_type_redirects_with_the_error(
    http: httpx.AsyncClient, app: dict[str, Any]
) -> None:
    sent = authorize_query(app, response_type="token")
    target, query = redirected_to(await http.get("/oauth2/authorize", params=sent))
    assert target == REDIRECT_URI
    assert query == {"error": "unsupported_response_type", "state": "st4te"}


async def test_confirm_in_choose_mode_for_an_unknown_customer_is_an_error_page(
    http: httpx.AsyncClient, app: dict[str, Any]
) -> None:
    sent = {**authorize_query(app), "user_id": "user_x"}
    response = await http.post("/oauth2/authorize", data=sent)
    assert response.status_code == 404 and "location" not in response.headers


async def test_show_login_escapes_customer_names(
    http: httpx.AsyncClient, app: dict[str, Any]
) -> None:
    await http.post("/customers", json={"name": "<script>alert(1)</script>"})
    page = await http.get("/oauth2/authorize", params=authorize_query(app, state='"><b>'))
    assert "<script>alert" not in page.text and "&lt;script&gt;alert(1)" in page.text
    assert '"><b>' not in page.text
