from card_processing import main
from smartbank.testing import assert_platform_routes, service_client

AUTH = {
    "card_token": "ctok_alice",
    "amount": 350,
    "currency": "GBP",
    "merchant": {"descriptor": "PRET A MANGER 0423", "mcc": "5812"},
    "stan": "000001",
    "rrn": "631512000001",
    "transmitted_at": "2026-11-22T10:00:00Z",
}
ORIGINAL = {k: AUTH[k] for k in ("stan", "rrn", "transmitted_at")}


async def test_card_processing_answers_through_the_onion(bank) -> None:
    async with service_client(main.service, rpc=bank.rpc) as client:
        await assert_platform_routes(client)
        approved = await client.post("/authorisations", json=AUTH)
        assert approved.status_code == 200 and approved.json()["response_code"] == "00"
        clearing = {"card_token": "ctok_alice", "original": ORIGINAL, "amount": 1_000}
        settled = await client.post("/presentments", json={**clearing, "currency": "GBP"})
        assert settled.json()["accepted"] is True
        listed = await client.get("/chargebacks", params={"account_id": "acc_ctok_alice"})
        assert [c["claimed"] for c in listed.json()["chargebacks"]] == [1_000 - 420]

        for path, body in [
            ("/authorisations", {**AUTH, "amount": 0}),
            ("/authorisations", {**AUTH, "merchant": None}),
            ("/reversals", {"card_token": "ctok_alice"}),
            ("/presentments", {"card_token": "ctok_alice", "original": ORIGINAL, "amount": -5}),
        ]:
            refused = await client.post(path, json=body)
            assert refused.status_code == 400, path
            assert refused.json()["code"] == "bad_request.invalid_request"
            assert set(refused.json()) == {"code", "message", "params"}
        bank.failing.add("cards")
        down = await client.post("/authorisations", json={**AUTH, "stan": "000002"})
        assert down.status_code == 503
        assert down.json()["code"] == "unavailable.issuer"
