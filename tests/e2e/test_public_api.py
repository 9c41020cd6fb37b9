"""The public API on the real stack, through the edge proxy: the OAuth code flow, the README
walkthrough, and schemathesis against the served OpenAPI document."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from smartbank.local.launcher.stack import Stack
from smartbank.local.push_sink import read_pushes
from tests.e2e.driver import Bank, authorisation

EDGE = "http://127.0.0.1:8080"
NETWORK = "http://127.0.0.1:8090/network/v1"
REDIRECT = "http://127.0.0.1:9/callback"


async def oauth_client(bank: Bank) -> dict[str, Any]:
    made: dict[str, Any] = await bank.inside(
        "auth", "POST", "/clients", json={"name": "E2E app", "redirect_uris": [REDIRECT]}
    )
    return made


async def log_in(http: httpx.AsyncClient, client: dict[str, Any], user_id: str) -> str:
    query = {
        "client_id": client["id"],
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "state": "s-42",
    }
    page = await http.get(f"{EDGE}/oauth2/authorize", params=query)
    assert page.status_code == 200 and user_id in page.text, page.text
    confirmed = await http.post(f"{EDGE}/oauth2/authorize", data={**query, "user_id": user_id})
    assert confirmed.status_code in (302, 303), confirmed.text
    location = urlsplit(confirmed.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    sent = parse_qs(location.query)
    assert sent["state"] == ["s-42"]
    return sent["code"][0]


async def token(http: httpx.AsyncClient, client: dict[str, Any], **grant: str) -> httpx.Response:
    form = {"client_id": client["id"], "client_secret": client["secret"], **grant}
    return await http.post(f"{EDGE}/oauth2/token", data=form)


async def whoami(http: httpx.AsyncClient, access_token: str) -> httpx.Response:
    return await http.get(
        f"{EDGE}/ping/whoami", headers={"authorization": f"Bearer {access_token}"}
    )


async def test_oauth_code_flow_refresh_and_logout_through_the_edge(
    bank: Bank, http: httpx.AsyncClient
) -> None:
    customer = await bank.customer(balance=0)
    client = await oauth_client(bank)
    code = await log_in(http, client, customer["user_id"])
    issued = await token(
        http, client, grant_type="authorization_code", redirect_uri=REDIRECT, code=code
    )
    assert issued.status_code == 200, issued.text
    first = issued.json()
    assert set(first) == {
        "access_token", "client_id", "expires_in", "refresh_token", "token_type", "user_id",
    }  # fmt: skip
    assert (first["expires_in"], first["token_type"]) == (21600, "Bearer")
    me = (await whoami(http, first["access_token"])).json()
    assert me == {"authenticated": True, "client_id": client["id"], "user_id": customer["user_id"]}

    reused = await token(
        http, client, grant_type="authorization_code", redirect_uri=REDIRECT, code=code
    )
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")
    assert (await whoami(http, first["access_token"])).status_code == 401  # RFC 6749 4.1.2
    stolen = await token(
        http, client, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert (stolen.status_code, stolen.json()["error"]) == (400, "invalid_grant")

    fresh = await token(
        http,
        client,
        grant_type="authorization_code",
        redirect_uri=REDIRECT,
        code=await log_in(http, client, customer["user_id"]),
    )
    first = fresh.json()
    refreshed = await token(
        http, client, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert refreshed.status_code == 200, refreshed.text
    second = refreshed.json()
    assert (await whoami(http, first["access_token"])).status_code == 401
    again = await token(
        http, client, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")

    bye = await http.post(
        f"{EDGE}/oauth2/logout", headers={"authorization": f"Bearer {second['access_token']}"}
    )
    assert (bye.status_code, bye.json()) == (200, {})
    gone = await whoami(http, second["access_token"])
    assert gone.status_code == 401 and gone.json()["error"] == "invalid_token"


async def test_readme_walkthrough(bank: Bank, http: httpx.AsyncClient, stack: Stack) -> None:
    customer = await bank.customer(balance=10_000, device=True)
    auth = {"authorization": f"Bearer {customer['access_token']}"}
    account = customer["account_id"]

    accounts = (await http.get(f"{EDGE}/accounts", headers=auth)).json()["accounts"]
    assert [a["id"] for a in accounts] == [account]
    swipe = authorisation(customer["card_token"], 350, merchant={
        "descriptor": "STARBUCKS 1234 LONDON GBR", "mcc": "5814", "city": "London", "country": "GB",
    })  # fmt: skip
    assert (await bank.network("authorisations", swipe))["response_code"] == "00"
    balance = await http.get(f"{EDGE}/balance", params={"account_id": account}, headers=auth)
    assert balance.json()["balance"] == 9_650 and balance.json()["spend_today"] == -350

    coffee = await enriched_last(http, auth, account)
    assert coffee["merchant"]["name"] == "Starbucks" and coffee["category"] == "eating_out"
    pushed = await pushed_to(stack, customer["device_token"])
    assert pushed["payload"]["aps"]["alert"] == {"title": "Starbucks", "body": "£3.50"}

    (card,) = (
        await http.get(f"{EDGE}/card/list", params={"account_id": account}, headers=auth)
    ).json()["cards"]
    frozen = await http.put(
        f"{EDGE}/card/toggle", data={"card_id": card["id"], "status": "INACTIVE"}, headers=auth
    )
    assert frozen.json()["card"]["status"] == "INACTIVE"
    declined = await bank.network("authorisations", authorisation(customer["card_token"], 100))
    assert declined["response_code"] == "62"
    listed = await http.get(f"{EDGE}/transactions", params={"account_id": account}, headers=auth)
    assert listed.json()["transactions"][-1]["decline_reason"] == "CARD_INACTIVE"

    hook = await http.post(
        f"{EDGE}/webhooks",
        data={"account_id": account, "url": "http://127.0.0.1:9/hook"},
        headers=auth,
    )
    assert hook.status_code == 200 and hook.json()["webhook"]["id"].startswith("webhook_")


async def pushed_to(stack: Stack, device_token: str) -> dict[str, Any]:
    """The first push the local APNs sink got for a device (within 15 s)."""
    for _ in range(150):
        found = [p for p in read_pushes(stack.layout.pushes) if p["token"] == device_token]
        if found:
            return found[0]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no push reached {device_token}")


async def enriched_last(
    http: httpx.AsyncClient, auth: dict[str, str], account: str
) -> dict[str, Any]:
    """The newest transaction once the pipeline has given it a merchant (within 15 s)."""
    params = {"account_id": account, "expand[]": "merchant"}
    for _ in range(150):
        found = await http.get(f"{EDGE}/transactions", params=params, headers=auth)
        last: dict[str, Any] = found.json()["transactions"][-1]
        if isinstance(last["merchant"], dict):
            return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"never enriched: {last}")


CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,ignored_auth"
)
# Real ids of the customer whose token schemathesis holds, so its cases also take the paths
# where the customer owns what they name (generated ids only ever reach 400s and 404s).
PARAMETERS = """
[parameters]
"query.account_id" = "${SB_ACCOUNT}"
"query.current_account_id" = "${SB_ACCOUNT}"
"path.transaction_id" = "${SB_TX}"
"path.pot_id" = "${SB_POT}"
"path.webhook_id" = "${SB_WEBHOOK}"
"body.account_id" = "${SB_ACCOUNT}"
"body.source_account_id" = "${SB_ACCOUNT}"
"body.destination_account_id" = "${SB_ACCOUNT}"
"body.card_id" = "${SB_CARD}"
"""


async def owned_ids(
    bank: Bank, http: httpx.AsyncClient, customer: dict[str, str]
) -> dict[str, str]:
    account = customer["account_id"]
    swipe = await bank.network("authorisations", authorisation(customer["card_token"], 350))
    pot = await bank.inside("balance", "POST", f"/accounts/{account}/pots", json={"name": "Pot"})
    hook = await http.post(
        f"{EDGE}/webhooks",
        data={"account_id": account, "url": "http://127.0.0.1:9/hook"},
        headers={"authorization": f"Bearer {customer['access_token']}"},
    )
    return {
        "SB_ACCOUNT": account,
        "SB_TX": swipe["transaction_id"],
        "SB_POT": pot["id"],
        "SB_WEBHOOK": hook.json()["webhook"]["id"],
        "SB_CARD": customer["card_id"],
    }


async def test_schemathesis_finds_no_server_error_schema_break_or_open_door(
    bank: Bank, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    customer = await bank.customer(balance=1_000_000)
    env = {**os.environ, **await owned_ids(bank, http, customer)}
    (tmp_path / "schemathesis.toml").write_text(PARAMETERS)
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    assert st, "schemathesis is a dev dependency"
    argv = [
        st, "run", f"{EDGE}/openapi.json", "--url", EDGE,
        "-H", f"Authorization: Bearer {customer['access_token']}",
        "--checks", CHECKS, "--phases", "examples,coverage,fuzzing",
        "--max-examples", "15", "--seed", "20261130", "--max-failures", "20",
        "--exclude-path", "/oauth2/logout", "--request-timeout", "10",
    ]  # fmt: skip
    run = await asyncio.to_thread(
        subprocess.run, argv, capture_output=True, text=True, timeout=300, check=False,
        cwd=tmp_path, env=env,
    )  # fmt: skip
    summary = run.stdout[-6000:]
    assert run.returncode == 0, summary
    assert " passed" in summary and "failures" not in summary.split("SUMMARY")[-1], summary
