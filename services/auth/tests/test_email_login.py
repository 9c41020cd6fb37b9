import re
from typing import Any

import httpx
import pytest

from auth.tests.flows import authorize_query, code_grant, code_of


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
    assert link.startswith("http://127.0.0.1:8080/oauth2/authorize/link?token=sbll_")
    code = code_of(await http.get(link.removeprefix("http://127.0.0.1:8080")))
    issued = await http.post("/oauth2/token", data=code_grant(app, code))
    assert issued.status_code == 200 and issued.json()["user_id"] == ada["id"]


async def test_follow_link_twice_is_an_error_page(
    http: httpx.AsyncClient, app: dict[str, Any], ada: dict[str, Any]
) -> None:
    await ask_for_link(http, app, ada["email"])
    path = link_in((await mail_to(http, ada["email"]))[0]["body"]).removeprefix(
        "http://127.0.0.1:8080"
    )
    assert (await http.get(path)).status_code == 302
    again = await http.get(path)
    assert again.status_code == 400 and "location" not in again.headers
    assert "used or expired" in again.text


@pytest.mark.parametrize("token", ["", "sbll_made_up"])
async def test_follow_link_when_unknown_is_an_error_page(
    http: httpx.AsyncClient, token: str
) -> None:
    response = await http.get("/oauth2/authorize/link", params={"token": token})
    assert response.status_code == 400 and "location" not in response.headers


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
