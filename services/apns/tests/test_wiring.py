from apns import main, pushes
from smartbank.testing import fake_settings, service_client

TOKEN = "0123456789abcdef" * 4
GONE = "e" * 64
ITEM = {
    "id": "feed_1",
    "account_id": "acc_1",
    "user_id": "user_1",
    "title": "Starbucks",
    "body": "£3.50",
    "image_url": "",
    "transaction_id": "tx_1",
    "created": "2026-11-22T10:00:00.000Z",
}


async def devices_of(client, user_id: str) -> dict[str, str]:
    listed = await client.get("/devices", params={"user_id": user_id})
    assert listed.status_code == 200
    return {d["token"]: d["status"] for d in listed.json()["devices"]}


async def test_devices_api_answers_with_status_codes_and_typed_errors() -> None:
    async with service_client(main.service) as client:
        created = await client.post("/devices", json={"user_id": "user_1", "token": TOKEN})
        assert created.status_code == 200
        device = created.json()["device"]
        assert (device["token"], device["platform"], device["status"]) == (TOKEN, "ios", "active")
        again = await client.post(
            "/devices", json={"user_id": "user_1", "token": TOKEN, "platform": "ios"}
        )
        assert again.json() == {"device": device}

        for body, code in [
            ({"user_id": "user_1", "token": "xyz"}, "bad_request.invalid_device_token"),
            (
                {"user_id": "user_1", "token": GONE, "platform": "web"},
                "bad_request.invalid_platform",
            ),
            ({"token": GONE}, "bad_request.invalid_request"),
            ({"user_id": "", "token": GONE}, "bad_request.invalid_request"),
        ]:
            refused = await client.post("/devices", json=body)
            assert refused.status_code == 400
            assert refused.json()["code"] == code
            assert set(refused.json()) == {"code", "message", "params"}
        assert await devices_of(client, "user_1") == {TOKEN: "active"}
        assert (await client.get("/devices", params={"user_id": ""})).status_code == 400

        bad_delete = await client.delete("/devices/nothex", params={"user_id": "user_1"})
        assert bad_delete.json()["code"] == "bad_request.invalid_device_token"
        assert (await client.delete(f"/devices/{TOKEN}")).status_code == 400
        removed = await client.delete(f"/devices/{TOKEN}", params={"user_id": "user_1"})
        assert removed.status_code == 200 and removed.json() == {}
        assert await devices_of(client, "user_1") == {}


async def test_pushes_api_lists_what_the_consumer_sent(make_client, fake_apns) -> None:
    settings = fake_settings(main.service, apns_topic="com.example.bank")
    async with service_client(main.service, settings=settings) as client:
        for token in (TOKEN, GONE):
            await client.post("/devices", json={"user_id": "user_1", "token": token})
        fake_apns.script(GONE, (410, "Unregistered"))
        runtime = client.app.runtime  # type: ignore[attr-defined]
        apns = make_client(apns_topic=runtime.settings.apns_topic)
        await pushes.on_feed_item_created("ev_1", ITEM, store=runtime.store, apns=apns)

        logged = await client.get("/pushes", params={"account_id": "acc_1"})
        assert logged.status_code == 200
        assert {(p["device_token"], p["status"]) for p in logged.json()["pushes"]} == {
            (TOKEN, "sent"),
            (GONE, "rejected"),
        }
        assert {r.headers["apns-topic"] for r in fake_apns.requests} == {"com.example.bank"}
        assert await devices_of(client, "user_1") == {TOKEN: "active", GONE: "invalid"}

        limited = await client.get("/pushes", params={"account_id": "acc_1", "limit": 1})
        assert len(limited.json()["pushes"]) == 1
        bad_queries: list[dict[str, str]] = [
            {"account_id": "acc_1", "limit": "0"},
            {"account_id": "acc_1", "limit": "101"},
            {"account_id": "acc_1", "limit": "x"},
            {},
        ]
        for params in bad_queries:
            refused = await client.get("/pushes", params=params)
            assert refused.status_code == 400
            assert refused.json()["code"] == "bad_request.invalid_request"
