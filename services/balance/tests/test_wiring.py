from typing import Any

import httpx

from balance import main
from smartbank.testing import service_client

HOLD = {"hold_id": "h1", "amount": 400, "currency": "GBP", "expires_at": "2030-01-01T00:00:00Z"}
TOP_UP = {"posting_id": "p1", "amount": 1_000, "currency": "GBP", "description": "Top up"}


def error_of(response: httpx.Response) -> tuple[int, str]:
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "params"}
    return response.status_code, body["code"]


async def open_funded_account(client: httpx.AsyncClient) -> str:
    created = await client.post("/accounts", json={"user_id": "user_1", "currency": "GBP"})
    assert created.status_code == 200
    account: str = created.json()["id"]
    assert (await client.post(f"/accounts/{account}/postings", json=TOP_UP)).status_code == 200
    return account


async def refusals(client: httpx.AsyncClient, base: str) -> list[tuple[int, str]]:
    holds = f"{base}/holds"
    json_header = {"content-type": "application/json"}
    return [
        error_of(await client.post(holds, json={**HOLD, "hold_id": "h2", "amount": 601})),
        error_of(await client.post(holds, json={**HOLD, "amount": 1})),
        *[
            error_of(await client.post(holds, json={**HOLD, "hold_id": "h3", "amount": amount}))
            for amount in ["400", True, 400.0, None]
        ],
        error_of(await client.post(holds, content=b"{", headers=json_header)),
        error_of(await client.post(f"{holds}/h1/release", json={"release_id": "r1"})),
        error_of(await client.get("/accounts/acc_missing")),
        error_of(await client.get(f"{holds}/h9")),
        error_of(await client.get("/accounts")),
    ]


async def test_balance_service_answers_through_the_onion() -> None:
    async with service_client(main.service) as client:
        account = await open_funded_account(client)
        base = f"/accounts/{account}"
        reserved = await client.post(f"{base}/holds", json=HOLD)
        captured = await client.post(
            f"{base}/holds/h1/capture", json={"amount": 450, "currency": "GBP"}
        )

        assert reserved.status_code == 200 and reserved.json()["state"] == "held"
        assert captured.status_code == 200 and captured.json()["captured_amount"] == 450
        assert await refusals(client, base) == [
            (400, "bad_request.insufficient_funds"),
            (409, "conflict.hold_mismatch"),
            *[(400, "bad_request.invalid_request")] * 5,
            (409, "conflict.already_captured"),
            (404, "not_found.account"),
            (404, "not_found.hold"),
            (400, "bad_request.invalid_request"),
        ]
        assert (await client.get(f"{base}/balance")).json() == {
            "account_id": account,
            "currency": "GBP",
            "balance": 550,
            "ledger_balance": 550,
            "held": 0,
            "total_balance": 550,
        }
        too_much = await client.post(f"{base}/holds", json={**HOLD, "hold_id": "h4", "amount": 551})
        assert too_much.json()["params"] == {"available": 550, "requested": 551}
        listed = (await client.get("/accounts", params={"user_id": "user_1"})).json()
        assert [a["id"] for a in listed["accounts"]] == [account]
