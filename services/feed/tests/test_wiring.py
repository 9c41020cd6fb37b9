from feed import main
from smartbank.testing import service_client

SPEND = {
    "id": "feeditem_wire",
    "account_id": "acc_1",
    "user_id": "user_1",
    "type": "transaction",
    "title": "Starbucks",
    "body": "£3.50",
    "image_url": "https://example.com/starbucks.png",
    "emoji": "☕",
    "transaction_id": "tx_1",
    "created": "2026-11-22T10:00:00Z",
}
BASIC = {
    "account_id": "acc_1",
    "type": "basic",
    "title": "Hello",
    "image_url": "https://example.com/hello.png",
    "url": "https://example.com",
    "background_color": "#FCF1EE",
    "created": "2026-11-22T11:00:00Z",
}


async def test_feed_api_answers_with_status_codes_and_typed_errors() -> None:
    async with service_client(main.service) as client:
        created = await client.post("/feed/items", json=SPEND)
        assert created.status_code == 200
        assert created.json()["created"] is True
        spend = created.json()["feed_item"]
        assert spend["created"] == "2026-11-22T10:00:00.000Z"

        replayed = await client.post("/feed/items", json={**SPEND, "body": "£4.00"})
        assert replayed.status_code == 200
        assert replayed.json() == {"feed_item": spend, "created": False}

        basic = (await client.post("/feed/items", json=BASIC)).json()["feed_item"]
        assert basic["id"].startswith("feeditem_") and basic["transaction_id"] is None

        listed = await client.get("/feed/items", params={"account_id": "acc_1"})
        assert listed.status_code == 200
        assert listed.json() == {"feed_items": [basic, spend]}
        paged = await client.get(
            "/feed/items", params={"account_id": "acc_1", "before": basic["id"], "limit": 1}
        )
        assert paged.json() == {"feed_items": [spend]}

        fetched = await client.get(f"/feed/items/{spend['id']}")
        assert fetched.json() == {"feed_item": spend}

        no_image = await client.post("/feed/items", json={**BASIC, "image_url": None})
        assert no_image.status_code == 400
        assert no_image.json()["code"] == "bad_request.missing_field"
        assert no_image.json()["params"] == {"field": "image_url"}
        assert set(no_image.json()) == {"code", "message", "params"}

        bad_colour = await client.post("/feed/items", json={**BASIC, "title_color": "blue"})
        assert bad_colour.status_code == 400
        assert bad_colour.json()["code"] == "bad_request.invalid_color"

        bad_url = await client.post("/feed/items", json={**BASIC, "url": "file:///etc/passwd"})
        assert bad_url.json()["code"] == "bad_request.invalid_url"

        not_text = await client.post("/feed/items", json={**BASIC, "title": 12})
        assert not_text.status_code == 400
        assert not_text.json()["code"] == "bad_request.invalid_request"

        unchanged = await client.get("/feed/items", params={"account_id": "acc_1"})
        assert unchanged.json() == listed.json()

        too_many = await client.get("/feed/items", params={"account_id": "acc_1", "limit": 101})
        assert too_many.status_code == 400
        assert too_many.json()["code"] == "bad_request.invalid_limit"

        no_account = await client.get("/feed/items")
        assert no_account.status_code == 400

        missing = await client.get("/feed/items/feeditem_missing")
        assert missing.status_code == 404
        assert missing.json()["code"] == "not_found.feed_item"
