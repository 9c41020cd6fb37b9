from typing import Any

import pytest

from card_processing import main
from smartbank.testing import service_client

pytestmark = pytest.mark.asyncio

ORIGINAL = {"stan": "000001", "rrn": "631512000001", "transmitted_at": "2026-11-22T10:00:00Z"}
AUTH = {
    "card_token": "ctok_alice",
    "amount": 350,
    "currency": "GBP",
    "merchant": {"descriptor": "PRET A MANGER 0423", "mcc": "5812"},
    **ORIGINAL,
}


def adjustment(**extra: Any) -> dict[str, Any]:
    return {"card_token": "ctok_alice", "original": ORIGINAL, **extra}


async def post(client: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_reversal_releases_hold_once(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        approved = await post(client, "/authorisations", AUTH)
        first = await post(client, "/reversals", adjustment())
        again = await post(client, "/reversals", adjustment())
    assert first == again == {"accepted": True, "response_code": "00"}
    assert bank.held() == 0 and bank.available["acc_ctok_alice"] == 1000
    assert bank.transactions[approved["transaction_id"]]["status"] == "reversed"


async def test_partial_reversal_releases_part(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        approved = await post(client, "/authorisations", AUTH)
        await post(client, "/reversals", adjustment(amount=100, currency="GBP"))
        await post(client, "/reversals", adjustment(amount=100, currency="GBP"))
    assert bank.held() == 250
    assert bank.transactions[approved["transaction_id"]]["amount"] == -250


async def test_partial_reversal_whose_outcome_was_unknown_is_taken_off_once(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        approved = await post(client, "/authorisations", AUTH)
        bank.failing.add("transition-uncertain")
        await post(client, "/reversals", adjustment(amount=100, currency="GBP"))
    assert bank.held() == 250
    assert bank.transactions[approved["transaction_id"]]["amount"] == -250


async def test_presentment_settles_for_a_different_amount(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        approved = await post(client, "/authorisations", AUTH)
        answer = await post(client, "/presentments", adjustment(amount=400, currency="GBP"))
        again = await post(client, "/presentments", adjustment(amount=400, currency="GBP"))
    assert (
        answer
        == again
        == {"accepted": True, "response_code": "00", "transaction_id": approved["transaction_id"]}
    )
    assert bank.held() == 0 and bank.available["acc_ctok_alice"] == 600
    assert bank.transactions[approved["transaction_id"]]["status"] == "settled"
    assert bank.transactions[approved["transaction_id"]]["amount"] == -400


async def test_presentment_without_authorisation_is_posted(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        answer = await post(client, "/presentments", adjustment(amount=200, currency="GBP"))
        again = await post(client, "/presentments", adjustment(amount=200, currency="GBP"))
    assert answer["accepted"] is True and answer == again
    assert bank.available["acc_ctok_alice"] == 800
    assert bank.transactions[answer["transaction_id"]]["status"] == "settled"


async def test_stand_in_voids_a_late_approval(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        approved = await post(client, "/authorisations", AUTH)
        await post(client, "/stand-ins", adjustment())
        replay = await post(client, "/authorisations", AUTH)
    assert bank.held() == 0
    assert bank.transactions[approved["transaction_id"]]["status"] == "declined"
    assert replay["approved"] is False and replay["response_code"] == "91"


async def test_reversal_of_unknown_card_answers_25(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        answer = await post(client, "/reversals", {**adjustment(), "card_token": "ctok_nobody"})
    assert answer == {"accepted": False, "response_code": "25"}


async def test_reversal_with_bad_body_is_400(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        response = await client.post("/reversals", json={"card_token": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request.invalid_request"


async def test_reversal_cut_short_by_an_outage_completes_on_the_retry(bank):
    async with service_client(main.service, rpc=bank.rpc) as client:
        approved = await post(client, "/authorisations", AUTH)
        bank.failing.add("release")
        failed = await client.post("/reversals", json=adjustment())
        bank.failing.discard("release")
        again = await post(client, "/reversals", adjustment())
    assert failed.status_code == 503 and again == {"accepted": True, "response_code": "00"}
    assert bank.held() == 0 and bank.available["acc_ctok_alice"] == 1000
    assert bank.transactions[approved["transaction_id"]]["status"] == "reversed"
