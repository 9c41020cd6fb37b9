"""card-api answers the network in time whatever happens behind it, and a late decision
never leaves money held for a swipe the network was told was declined."""

import asyncio
import time

import pytest

from smartbank.local.launcher.stack import Stack
from smartbank.registry import CARD_NETWORK_PORT, PUBLIC_API_PORT
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


async def test_swipes_answered_91_under_a_tight_deadline_leave_no_hold(bank: Bank):
    oli = await bank.customer(100_000)
    answers = await asyncio.gather(
        *(
            bank.network("authorisations", authorisation(oli["card_token"], 10), deadline_ms=60)
            for _ in range(60)
        )
    )
    codes = {answer["response_code"] for answer in answers}
    assert codes <= {"00", "91"} and "91" in codes
    approved = sum(answer["approved"] for answer in answers)
    held = -1
    for _ in range(50):
        await asyncio.sleep(0.2)
        held = (await bank.balance(oli["account_id"]))["held"]
        if held == 10 * approved:
            break
    assert held == 10 * approved


@pytest.mark.parametrize(
    ("service", "method", "url"),
    [
        ("card-api", "POST", f"http://127.0.0.1:{CARD_NETWORK_PORT}/network/v1/authorisations"),
        ("api", "GET", f"http://127.0.0.1:{PUBLIC_API_PORT}/ping/whoami"),
    ],
)
async def test_an_edge_whose_service_is_down_answers_in_the_contracts_error_format(
    bank: Bank, stack: Stack, service: str, method: str, url: str
):
    stack.stop_service(service)
    try:
        response = await bank.http.request(method, url, json={})
    finally:
        stack.start_service(service)
        stack.wait_ready(60)
    assert response.status_code == 500, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["code"] == "internal_service.unavailable"
    assert response.json()["message"].startswith("the service is unavailable")
