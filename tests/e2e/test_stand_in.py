"""With card-processing down, card-api still answers the network in time, with 91."""

import time

import pytest

from smartbank.launcher.stack import Stack
from tests.e2e.driver import Bank, authorisation

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_card_api_answers_91_within_the_deadline_when_card_processing_is_down(
    bank: Bank, stack: Stack
):
    nia = await bank.customer(1000)
    stack.stop_service("card-processing")
    try:
        started = time.monotonic()
        response = await bank.send(
            "authorisations",
            authorisation(nia["card_token"], 100),
            headers={"X-Network-Deadline-Ms": "500"},
        )
        elapsed = time.monotonic() - started
        default_deadline = await bank.send("authorisations", authorisation(nia["card_token"], 100))
    finally:
        stack.start_service("card-processing")
        stack.wait_ready(60)
    assert response.status_code == 200
    assert response.json() == {"approved": False, "response_code": "91"}
    assert elapsed < 0.5
    assert default_deadline.json()["response_code"] == "91"
    assert (await bank.balance(nia["account_id"]))["held"] == 0
    after = await bank.network("authorisations", authorisation(nia["card_token"], 100))
    assert after["approved"] is True
