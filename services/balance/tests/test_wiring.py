from typing import Any

import httpx

from balance import main
from balance.tests.test_pots import POT_KEYS
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
            f"{base}/holds/h1/capture", json={"amount": 450, "currency": "GBP", "tolerance": 50}
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


async def pot_refusals(client: httpx.AsyncClient, account: str, pot: str) -> list[tuple[int, str]]:
    deposit, withdraw = f"/pots/{pot}/deposit", f"/pots/{pot}/withdraw"
    into = {"source_account_id": account, "dedupe_id": "d9"}
    out_of = {"destination_account_id": account, "dedupe_id": "w9"}
    return [
        error_of(await client.put(deposit, json={**into, "amount": 801})),
        error_of(await client.put(withdraw, json={**out_of, "amount": 201})),
        error_of(await client.put(deposit, json={**into, "amount": 5, "dedupe_id": "d1"})),
        error_of(
            await client.put(deposit, json={**into, "amount": 5, "source_account_id": "acc_x"})
        ),
        *[
            error_of(await client.put(deposit, json={**into, "amount": amount}))
            for amount in ["10", True, 10.0, None, 0]
        ],
        error_of(await client.put(withdraw, json={"destination_account_id": account, "amount": 5})),
        error_of(await client.put("/pots/pot_missing/deposit", json={**into, "amount": 5})),
        error_of(await client.get("/pots/pot_missing")),
        error_of(await client.get("/accounts/acc_missing/pots")),
        error_of(await client.post(f"/accounts/{account}/pots", json={"name": ""})),
        error_of(await client.delete(f"/pots/{pot}")),
    ]


async def test_pots_answer_through_the_onion() -> None:
    async with service_client(main.service) as client:
        account = await open_funded_account(client)
        pots_url = f"/accounts/{account}/pots"
        assert (await client.get(pots_url)).json() == {"pots": []}
        made = (await client.post(pots_url, json={"name": "Holiday"})).json()
        spare = await client.post(pots_url, json={"name": "Spare", "pot_id": "pot_spare"})
        moved = await client.put(
            f"/pots/{made['id']}/deposit",
            json={"source_account_id": account, "amount": 300, "dedupe_id": "d1"},
        )
        replayed = await client.put(
            f"/pots/{made['id']}/deposit",
            json={"source_account_id": account, "amount": 300, "dedupe_id": "d1"},
        )
        back = await client.put(
            f"/pots/{made['id']}/withdraw",
            json={"destination_account_id": account, "amount": 100, "dedupe_id": "w1"},
        )

        assert set(made) == POT_KEYS and (made["style"], made["balance"]) == ("beach_ball", 0)
        assert made["deleted"] is False and made["currency"] == "GBP"
        assert spare.status_code == 200 and spare.json()["id"] == "pot_spare"
        assert moved.status_code == 200 and moved.json()["balance"] == 300
        assert replayed.json() == moved.json()
        assert (
            back.status_code == 200
            and back.json() == (await client.get(f"/pots/{made['id']}")).json()
        )
        assert back.json()["balance"] == 200
        assert await pot_refusals(client, account, made["id"]) == [
            (400, "bad_request.insufficient_funds"),
            (400, "bad_request.insufficient_funds"),
            (400, "bad_request.dedupe_mismatch"),
            (400, "bad_request.wrong_account"),
            *[(400, "bad_request.invalid_request")] * 6,
            (404, "not_found.pot"),
            (404, "not_found.pot"),
            (404, "not_found.account"),
            (400, "bad_request.invalid_request"),
            (400, "bad_request.pot_not_empty"),
        ]
        deleted = await client.delete("/pots/pot_spare")
        refused = await client.put(
            "/pots/pot_spare/deposit",
            json={"source_account_id": account, "amount": 5, "dedupe_id": "d1"},
        )

        assert deleted.status_code == 200 and deleted.json()["deleted"] is True
        assert error_of(refused) == (400, "bad_request.pot_deleted")
        listed = (await client.get(pots_url)).json()["pots"]
        assert [pot["id"] for pot in listed] == [made["id"], "pot_spare"]
        assert [pot["balance"] for pot in listed] == [200, 0]
        assert (await client.get(f"/accounts/{account}/balance")).json() == {
            "account_id": account,
            "currency": "GBP",
            "balance": 800,
            "ledger_balance": 800,
            "held": 0,
            "total_balance": 1_000,
        }
