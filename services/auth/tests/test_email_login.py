import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from auth import pages
from auth.tests.flows import authorize_query, code_grant, code_of

EDGE = "http://127.0.0.1:8080"


@pytest.fixture
def login_mode() -> str:
    return "email"


async def mail_to(http: httpx.AsyncClient, email: str) -> list[dict[str, Any]]:
    listed = await http.get("/mail", params={"to": email})
    assert listed.status_code == 200
    return list(listed.json()["mail"])


def link_in(body: str) -> str:
    found = re.search(r"http://\S+/oauth2/authorize/link\?token=\S+", body)
    assert found, body
    return found.group(0)


async def ask_for_link(http: httpx.AsyncClient, app: dict[str, Any], email: str) -> httpx.Response:
    return await http.post("/oauth2/authorize", data={**authorize_query(app), "email": email})


async def link_path(http: httpx.AsyncClient, app: dict[str, Any], email: str) -> str:
    await ask_for_link(http, app, email)
    return link_in((await mail_to(http, email))[0]["body"]).removeprefix(EDGE)


def token_of(path: str) -> str:
    return parse_qs(urlsplit(path).query)["token"][0]


async def follow(http: httpx.AsyncClient, token: str) -> httpx.Response:
    return await http.post("/oauth2/authorize/link", data={"token": token})


async def test_email_login_sends_a_link_that_gives_a_code(
    http: httpx.AsyncClient, app: dict[str, Any], ada: dict[str, Any]
) -> None:
    page = await http.get("/oauth2/authorize", params=authorize_query(app))
    assert 'name="email"' in page.text and "user_id" not in page.text
    asked = await ask_for_link(http, app, "ADA@example.com")
    assert asked.status_code == 200 and "Check your email" in asked.text
    [sent] = await mail_to(http, "ada@example.com")
    assert set(sent) == {"id", "to", "subject", "body", "created"}
    assert sent["to"] == "ada@example.com" and "Budget app" in sent["body"]
    link = link_in(sent["body"])
    assert link.startswith(f"{EDGE}/oauth2/authorize/link?token=sbll_")
    shown = await http.get(link.removeprefix(EDGE))
    assert shown.status_code == 200 and shown.headers["content-type"].startswith("text/html")
    assert "Budget app" in shown.text and shown.headers["x-frame-options"] == "DENY"
    assert 'method="post" action="/oauth2/authorize/link"' in shown.text
    assert f'name="token" value="{token_of(link)}"' in shown.text
    followed = await follow(http, token_of(link))
    assert followed.status_code == 303
    issued = await http.post("/oauth2/token", data=code_grant(app, code_of(followed)))
    assert issued.status_code == 200 and issued.json()["user_id"] == ada["id"]


async def test_show_link_twice_then_follow_works_once(
    http: httpx.AsyncClient, app: dict[str, Any], ada: dict[str, Any]
) -> None:
    path = await link_path(http, app, ada["email"])
    for _ in range(2):
        shown = await http.get(path)
        assert shown.status_code == 200 and "location" not in shown.headers
    assert code_of(await follow(http, token_of(path)))
    again = await follow(http, token_of(path))
    assert again.status_code == 400 and "location" not in again.headers


async def test_follow_link_twice_is_an_error_page(
    http: httpx.AsyncClient, app: dict[str, Any], ada: dict[str, Any]
) -> None:
    token = token_of(await link_path(http, app, ada["email"]))
    assert (await follow(http, token)).status_code == 303
    again = await follow(http, token)
    assert again.status_code == 400 and "location" not in again.headers
    assert again.headers["content-type"].startswith("text/html")
    assert "used or expired" in again.text


async def test_show_link_once_followed_is_an_error_page(
    http: httpx.AsyncClient, app: dict[str, Any], ada: dict[str, Any]
) -> None:
    path = await link_path(http, app, ada["email"])
    assert (await follow(http, token_of(path))).status_code == 303
    shown = await http.get(path)
    assert shown.status_code == 400 and "used or expired" in shown.text


@pytest.mark.parametrize("token", ["", "sbll_made_up", '"><script>alert(1)</script>'])
async def test_show_link_when_unknown_is_an_error_page(http: httpx.AsyncClient, token: str) -> None:
    response = await http.get("/oauth2/authorize/link", params={"token": token})
    assert response.status_code == 400 and "location" not in response.headers
    assert "<script>" not in response.text


@pytest.mark.parametrize("form", [{}, {"token": ""}, {"token": "sbll_made_up"}])
async def test_follow_link_when_unknown_is_an_error_page(
    http: httpx.AsyncClient, form: dict[str, str]
) -> None:
    response = await http.post("/oauth2/authorize/link", data=form)
    assert response.status_code == 400 and "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")


def test_link_page_escapes_the_client_name_and_token() -> None:
    page = pages.link_page("<b>App</b>", '"><i>')
    assert "<b>App" not in page and "&lt;b&gt;App&lt;/b&gt;" in page
    assert '"><i>' not in page and 'value="&quot;&gt;&lt;i&gt;"' in page


async def test_email_login_for_an_unknown_email_answers_the_same_and_sends_nothing(
    http: httpx.AsyncClient, app: dict[str, Any], ada: dict[str, Any]
) -> None:
    known = await ask_for_link(http, app, ada["email"])
    unknown = await ask_for_link(http, app, "eve@example.com")
    assert unknown.status_code == known.status_code == 200
    assert unknown.text.replace("eve@example.com", "X") == known.text.replace(ada["email"], "X")
    assert await mail_to(http, "eve@example.com") == []
    assert len((await http.get("/mail")).json()["mail"]) == 1


async def test_confirm_in_email_mode_does_not_accept_a_chosen_customer(
    http: httpx.AsyncClient, app: dict[str, Any], ada: dict[str, Any]
) -> None:
    sent = {**authorize_query(app), "user_id": ada["id"]}
    response = await http.post("/oauth2/authorize", data=sent)
    assert response.status_code == 400 and "location" not in response.headers
