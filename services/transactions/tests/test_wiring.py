from smartbank.testing import service_client
from transactions import main

NEW = {
    "id": "tx_wire",
    "account_id": "acc_1",
    "amount": -350,
    "currency": "GBP",
    "description": "STARBUCKS",
    "status": "authorised",
    "created": "2026-11-22T10:00:00Z",
}


async def test_transactions_api_answers_with_status_codes_and_typed_errors() -> None:
    async with service_client(main.service) as client:
        created = await client.post("/transactions", json=NEW)
        assert created.status_code == 200
        assert created.json()["created"] == "2026-11-22T10:00:00.000Z"
        replayed = await client.post("/transactions", json=NEW)
        assert replayed.status_code == 200
        assert replayed.json() == created.json()

        mismatch = await client.post("/transactions", json={**NEW, "amount": -1})
        assert mismatch.status_code == 409
        assert mismatch.json()["code"] == "conflict.transaction_mismatch"
        assert set(mismatch.json()) == {"code", "message", "params"}

        fractional = await client.post("/transactions", json={**NEW, "amount": 3.5})
        assert fractional.status_code == 400
        assert fractional.json()["code"] == "bad_request.invalid_request"

        listed = await client.get(
            "/transactions", params={"account_id": "acc_1", "since": "2026-11-22T09:00:00Z"}
        )
        assert listed.status_code == 200
        assert listed.json() == {"transactions": [created.json()]}

        too_many = await client.get("/transactions", params={"account_id": "acc_1", "limit": 101})
        assert too_many.status_code == 400
        assert too_many.json()["code"] == "bad_request.invalid_limit"

        bad_time = await client.get("/transactions", params={"account_id": "a", "before": "soon"})
        assert bad_time.status_code == 400
        assert bad_time.json()["code"] == "bad_request.invalid_time"

        partly = await client.post("/transactions/tx_wire/reverse", json={"amount": 50})
        assert partly.json()["amount"] == -300
        settled = await client.post("/transactions/tx_wire/settle", json={"amount": 300})
        assert settled.status_code == 200
        assert settled.json()["status"] == "settled"

        again = await client.post("/transactions/tx_wire/settle", json={"amount": 999})
        assert again.status_code == 409
        assert again.json()["code"] == "conflict.already_settled"

        final = await client.post("/transactions/tx_wire/reverse")
        assert final.status_code == 409
        assert final.json()["code"] == "conflict.transaction_final"

        declined = await client.post("/transactions/tx_wire/decline", json={"decline_reason": "x"})
        assert declined.status_code == 400
        assert declined.json()["code"] == "bad_request.invalid_decline_reason"

        missing = await client.get("/transactions/tx_missing")
        assert missing.status_code == 404
        assert missing.json()["code"] == "not_found.transaction"
        assert missing.json()["params"] == {"transaction_id": "tx_missing"}


async def test_annotations_and_spend_answer_over_http() -> None:
    async with service_client(main.service) as client:
        await client.post("/transactions", json={**NEW, "card_id": "card_1"})
        annotated = await client.patch(
            "/transactions/tx_wire/annotations", json={"metadata": {"trip": "x", "notes": "n"}}
        )
        assert annotated.status_code == 200
        transaction = annotated.json()["transaction"]
        assert (transaction["metadata"], transaction["notes"]) == ({"trip": "x"}, "n")
        assert transaction == (await client.get("/transactions/tx_wire")).json()

        too_long = await client.patch(
            "/transactions/tx_wire/annotations", json={"metadata": {"k" * 101: "x"}}
        )
        assert too_long.status_code == 400
        assert too_long.json()["code"] == "bad_request.invalid_metadata"
        missing = await client.patch(
            "/transactions/tx_missing/annotations", json={"metadata": {"a": "b"}}
        )
        assert (missing.status_code, missing.json()["code"]) == (404, "not_found.transaction")

        spent = await client.get(
            "/transactions/spend", params={"account_id": "acc_1", "since": "2026-11-22"}
        )
        assert spent.status_code == 200
        assert spent.json() == {
            "account_id": "acc_1",
            "since": "2026-11-22T00:00:00.000Z",
            "currency": "GBP",
            "spend": -350,
        }
        unbounded = await client.get("/transactions/spend", params={"account_id": "acc_1"})
        assert unbounded.status_code == 400
