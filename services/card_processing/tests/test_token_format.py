from typing import Any

import pytest

from card_processing import main
from card_processing.peers import Peers
from smartbank.contracts.cards import UsableCard
from smartbank.testing import FakeRpc, service_client

pytestmark = pytest.mark.asyncio

ORIGINAL = {"stan": "000001", "rrn": "631512000001", "transmitted_at": "2026-11-22T10:00:00Z"}
AUTHORISATION = {
    **ORIGINAL,
    "amount": 350,
    "currency": "GBP",
    "merchant": {"descriptor": "STARBUCKS 1234 LONDON GBR", "mcc": "5814"},
}
HOSTILE = ["../../healthz", "../card_x", "ctok_a?x=1", "ctok_a#f", "a/b", "", "x" * 65, "ctok_å"]


@pytest.mark.parametrize("token", HOSTILE)
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/authorisations", AUTHORISATION),
        ("/reversals", {"original": ORIGINAL}),
        ("/stand-ins", {"original": ORIGINAL}),
        ("/presentments", {"original": ORIGINAL, "amount": 350, "currency": "GBP"}),
    ],
)
async def test_message_with_malformed_token_is_400_and_calls_nobody(
    path: str, body: dict[str, Any], token: str
):
    rpc = FakeRpc()
    async with service_client(main.service, rpc=rpc) as client:
        response = await client.post(path, json={**body, "card_token": token})
    assert (response.status_code, response.json()["code"]) == (400, "bad_request.invalid_request")
    assert rpc.calls == []


@pytest.mark.parametrize("token", ["../../healthz", "a/b", "..", ""])
async def test_card_lookup_of_a_token_that_is_no_segment_finds_no_card_and_sends_nothing(
    token: str,
):
    rpc = FakeRpc()
    assert await Peers(rpc).card_by_token(token) is None
    assert rpc.calls == []


async def test_card_lookup_sends_the_token_as_one_encoded_segment():
    rpc = FakeRpc()
    rpc.on("cards", "GET", "/cards/by-token/{token}", lambda params, _: card(params["token"]))
    found = await Peers(rpc).card_by_token("ctok_a?x=1#f")
    assert found is not None and found.id == "ctok_a%3Fx%3D1%23f"


def card(card_id: str) -> UsableCard:
    return UsableCard(
        id=card_id,
        account_id="acc_1",
        user_id="user_1",
        processor_token="ctok_1",
        last_digits="4242",
        name="Alice",
        expires="12/2030",
        status="ACTIVE",
        created="2026-01-01T00:00:00.000Z",
        usability="ACTIVE",
    )
