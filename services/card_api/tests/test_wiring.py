from card_api import main
from smartbank.testing import FakeRpc, assert_platform_routes, service_client

ORIGINAL = {"stan": "000321", "rrn": "631512000321", "transmitted_at": "2026-11-22T10:00:00Z"}
AUTH = {
    "card_token": "ctok_alice",
    "amount": 350,
    "currency": "GBP",
    "merchant": {"descriptor": "PRET A MANGER 0423", "mcc": "5812"},
    **ORIGINAL,
}
APPROVED = {"approved": True, "response_code": "00", "authorisation_code": "A1B2C3",
            "transaction_id": "tx_1"}  # fmt: skip


async def test_card_api_answers_the_network_through_the_onion() -> None:
    rpc = FakeRpc()
    rpc.on("card-processing", "POST", "/authorisations", lambda _, body: APPROVED)
    async with service_client(main.service, rpc=rpc) as client:
        await assert_platform_routes(client)
        answered = await client.post("/network/v1/authorisations", json=AUTH)
        assert answered.status_code == 200 and answered.json() == APPROVED
        assert answered.headers["x-trace-id"]
        [forwarded] = rpc.calls_to("card-processing")
        assert forwarded.json["card_token"] == "ctok_alice" and forwarded.idempotent

        for body in [{**AUTH, "amount": 0}, {**AUTH, "currency": "XXQ"}, {"card_token": "x"}]:
            refused = await client.post("/network/v1/authorisations", json=body)
            assert refused.status_code == 400
            assert refused.json()["code"] == "bad_request.invalid_request"
            assert set(refused.json()) == {"code", "message", "params"}
        malformed = await client.post("/network/v1/authorisations", content=b"{")
        assert malformed.status_code == 400 and "." in malformed.json()["code"]
        wrong_method = await client.get("/network/v1/authorisations")
        assert wrong_method.json()["code"] == "method_not_allowed.route"
    assert len(rpc.calls_to("card-processing")) == 1
