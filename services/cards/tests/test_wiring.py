from cards import main
from smartbank.testing import service_client


async def test_cards_api_answers_with_status_codes_and_typed_errors() -> None:
    async with service_client(main.service) as client:
        created = await client.post(
            "/cards", json={"account_id": "acc_1", "user_id": "user_1", "name": "Ada"}
        )
        assert created.status_code == 200
        card = created.json()

        by_token = await client.get(f"/cards/by-token/{card['processor_token']}")
        assert by_token.status_code == 200
        assert by_token.json() == {**card, "usability": "ACTIVE"}

        listed = await client.get("/cards", params={"account_id": "acc_1"})
        assert listed.json() == {"cards": [card]}

        frozen = await client.put(f"/cards/{card['id']}/status", json={"status": "INACTIVE"})
        assert frozen.status_code == 200
        assert frozen.json()["status"] == "INACTIVE"
        assert (await client.get(f"/cards/{card['id']}")).json() == frozen.json()

        invalid = await client.put(f"/cards/{card['id']}/status", json={"status": "FROZEN"})
        assert invalid.status_code == 400
        assert invalid.json()["code"] == "bad_request.invalid_status"

        await client.put(f"/cards/{card['id']}/status", json={"status": "BLOCKED"})
        refused = await client.put(f"/cards/{card['id']}/status", json={"status": "ACTIVE"})
        assert refused.status_code == 400
        assert refused.json()["code"] == "bad_request.card_blocked"
        assert set(refused.json()) == {"code", "message", "params"}

        missing = await client.get("/cards/card_missing")
        assert missing.status_code == 404
        assert missing.json()["code"] == "not_found.card"
        assert missing.json()["params"] == {"card_id": "card_missing"}

        unknown_token = await client.get("/cards/by-token/ctok_nope")
        assert unknown_token.status_code == 404
        assert unknown_token.json()["code"] == "not_found.card"

        incomplete = await client.post("/cards", json={"account_id": "acc_1"})
        assert incomplete.status_code == 400
        assert incomplete.json()["code"] == "bad_request.invalid_request"

        bad_expiry = await client.post(
            "/cards",
            json={"account_id": "acc_1", "user_id": "user_1", "name": "A", "expires": "2029-01"},
        )
        assert bad_expiry.status_code == 400
        assert bad_expiry.json()["code"] == "bad_request.invalid_expires"
