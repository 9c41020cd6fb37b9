from typing import Any

from card_api import main
from smartbank import errors
from smartbank.testing import FakeRpc, service_client

MESSAGE = {
    "card_token": "ctok_alice",
    "amount": 350,
    "currency": "GBP",
    "merchant": {"descriptor": "PRET A MANGER 0423", "mcc": "5812"},
    "rrn": "631512000123",
    "transmitted_at": "2026-11-22T10:00:00Z",
}
ANSWERS = [
    {"approved": True, "response_code": "00", "authorisation_code": "A1"},
    {"approved": False, "response_code": "51", "decline_reason": "INSUFFICIENT_FUNDS"},
    {"approved": False, "response_code": "51", "decline_reason": "INSUFFICIENT_FUNDS"},
]


async def test_every_answer_is_counted_by_outcome_including_the_stand_in() -> None:
    answers = iter(ANSWERS)

    def decide(_: Any, __: Any) -> dict[str, Any]:
        answer = next(answers, None)
        if answer is None:
            raise errors.unavailable("connect", "card-processing is down")
        return answer

    rpc = FakeRpc()
    rpc.on("card-processing", "POST", "/authorisations", decide)
    rpc.on("card-processing", "POST", "/stand-ins", lambda _, __: {"accepted": True})
    async with service_client(main.service, rpc=rpc) as client:
        for stan in range(4):
            await client.post("/network/v1/authorisations", json={**MESSAGE, "stan": f"{stan:06}"})
        exported = (await client.get("/metrics")).text
    assert (
        'smartbank_card_authorisations_total{approved="true",reason="",response_code="00"} 1.0'
        in exported
    )
    assert (
        'smartbank_card_authorisations_total{approved="false",reason="INSUFFICIENT_FUNDS",'
        'response_code="51"} 2.0'
    ) in exported
    assert (
        'smartbank_card_authorisations_total{approved="false",reason="",response_code="91"} 1.0'
        in exported
    )
