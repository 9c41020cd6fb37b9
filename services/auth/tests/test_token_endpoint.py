from typing import Any

import httpx
import pytest

from auth import codes
from auth.codes import Grant
from auth.tests.fakes import REDIRECT_URI
from auth.tests.flows import choose, code_grant

FORM_WITH_CHARSET = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}


async def token_error(http: httpx.AsyncClient, form: dict[str, str]) -> tuple[int, str, str]:
    response = await http.post("/oauth2/token", data=form)
    body = response.json()
    assert body["error_description"] and body["message"]
    return response.status_code, body["code"], body["error"]


async def test_token_with_a_charset_suffix_on_the_form_is_accepted(
    http: httpx.AsyncClient, app: dict[str, Any], ada: dict[str, Any]
) -> None:
    form = httpx.QueryParams(code_grant(app, await choose(http, app, ada["id"])))
    issued = await http.post("/oauth2/token", content=str(form), headers=FORM_WITH_CHARSET)
    assert issued.status_code == 200, issued.text


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"grant_type": ""}, (400, "bad_request.invalid_request", "invalid_request")),
        (
            {"grant_type": "password"},
            (400, "bad_request.unsupported_grant_type", "unsupported_grant_type"),
        ),
        ({"code": ""}, (400, "bad_request.invalid_request", "invalid_request")),
        ({"client_secret": ""}, (400, "bad_request.invalid_request", "invalid_request")),
        ({"client_secret": "sbcs_wrong"}, (401, "unauthorized.invalid_client", "invalid_client")),
        ({"client_id": "oauth2client_x"}, (401, "unauthorized.invalid_client", "invalid_client")),
        ({"code": "sbac_made_up"}, (400, "bad_request.invalid_grant", "invalid_grant")),
        (
            {"redirect_uri": "https://app.example.com/other"},
            (400, "bad_request.invalid_grant", "invalid_grant"),
        ),
    ],
)
async def test_token_when_refused_carries_the_oauth_error(
    http: httpx.AsyncClient,
    app: dict[str, Any],
    ada: dict[str, Any],
    change: dict[str, str],
    expected: tuple[int, str, str],
) -> None:
    code = await choose(http, app, ada["id"])
    assert await token_error(http, code_grant(app, code, **change)) == expected


async def test_token_with_a_used_code_is_invalid_grant(
    http: httpx.AsyncClient, app: dict[str, Any], ada: dict[str, Any]
) -> None:
    form = code_grant(app, await choose(http, app, ada["id"]))
    assert (await http.post("/oauth2/token", data=form)).status_code == 200
    assert await token_error(http, form) == (400, "bad_request.invalid_grant", "invalid_grant")


async def test_token_with_a_code_of_another_client_is_invalid_grant(
    http: httpx.AsyncClient, app: dict[str, Any], ada: dict[str, Any]
) -> None:
    registered = {"name": "Other", "redirect_uris": [REDIRECT_URI]}
    other = (await http.post("/clients", json=registered)).json()
    code = await choose(http, app, ada["id"])
    form = code_grant(other, code)
    assert await token_error(http, form) == (400, "bad_request.invalid_grant", "invalid_grant")


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"grant_type":"authorization_code"}', "application/json"),
        (b"\xff\xfe", FORM_WITH_CHARSET["content-type"]),
    ],
)
async def test_token_with_a_body_that_is_no_form_is_invalid_request(
    http: httpx.AsyncClient, content: bytes, content_type: str
) -> None:
    response = await http.post(
        "/oauth2/token", content=content, headers={"content-type": content_type}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_token_with_another_method_is_405_with_the_oauth_error(
    http: httpx.AsyncClient, method: str
) -> None:
    response = await http.request(method, "/oauth2/token")
    body = response.json()
    assert (response.status_code, response.headers["allow"]) == (405, "POST")
    assert (body["code"], body["error"]) == ("method_not_allowed.route", "invalid_request")
    assert body["error_description"] and body["message"]


async def test_token_with_head_is_405(http: httpx.AsyncClient) -> None:
    response = await http.head("/oauth2/token")
    assert (response.status_code, response.headers["allow"]) == (405, "POST")


async def test_token_for_a_customer_who_is_gone_is_invalid_grant(
    http: httpx.AsyncClient, app: dict[str, Any]
) -> None:
    store = http.app.runtime.store  # type: ignore[attr-defined]
    code = await codes.issue_code(store, Grant("user_gone", app["id"], REDIRECT_URI), 600)
    expected = (400, "bad_request.invalid_grant", "invalid_grant")
    assert await token_error(http, code_grant(app, code)) == expected
