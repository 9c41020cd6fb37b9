from typing import Any

import pytest

from card_api import main
from smartbank.testing import FakeRpc, service_client

pytestmark = pytest.mark.asyncio

ORIGINAL = {"stan": "000123", "rrn": "631512000123", "transmitted_at": "2026-11-22T10:00:00Z"}
AUTHORISATION = {
    **ORIGINAL,
    "amount": 350,
    "currency": "GBP",
    "merchant": {"descriptor": "STARBUCKS 1234 LONDON GBR", "mcc": "5814"},
}
HOSTILE = [
    "../card_x",
    "ctok_alice?x=1",
    "ctok_alice#frag",
    "../../healthz",
    "a/b",
    "%2e%2e",
    "..",
    "x" * 65,
    "ctok_ålice",
    "ctok_١٢٣",
    "",
    " ctok_alice",
    "ctok_alice\n",
]


def anything_answering() -> FakeRpc:
    rpc = FakeRpc()
    for path in ("/authorisations", "/reversals", "/presentments", "/stand-ins"):
        rpc.on("card-processing", "POST", path, lambda _, __: {"approved": True})
    return rpc


async def send(path: str, body: dict[str, Any]) -> tuple[int, Any, FakeRpc]:
    rpc = anything_answering()
    async with service_client(main.service, rpc=rpc) as client:
        response = await client.post(f"/network/v1/{path}", json=body)
    return response.status_code, response.json(), rpc


@pytest.mark.parametrize("token", HOSTILE)
async def test_authorise_malformed_token_is_14_and_recorded_nowhere(token: str):
    status, answer, rpc = await send("authorisations", {**AUTHORISATION, "card_token": token})
    assert (status, answer) == (200, {"approved": False, "response_code": "14"})
    assert rpc.calls == []


@pytest.mark.parametrize("kind", ["reversals", "presentments"])
@pytest.mark.parametrize("token", HOSTILE)
async def test_adjust_malformed_token_is_14_and_recorded_nowhere(kind: str, token: str):
    body = {"card_token": token, "original": ORIGINAL, "amount": 350, "currency": "GBP"}
    status, answer, rpc = await send(kind, body)
    assert (status, answer) == (200, {"accepted": False, "response_code": "14"})
    assert rpc.calls == []


@pytest.mark.parametrize("token", ["ctok_alice", "A-z_09", "x" * 64])
async def test_authorise_wellformed_token_is_forwarded_as_is(token: str):
    status, _, rpc = await send("authorisations", {**AUTHORISATION, "card_token": token})
    assert status == 200
    assert [c.json["card_token"] for c in rpc.calls] == [token]


@pytest.mark.parametrize("token", [None, 12, ["ctok_alice"]])
async def test_authorise_token_that_is_not_a_string_is_400(token: Any):
    status, answer, rpc = await send("authorisations", {**AUTHORISATION, "card_token": token})
    assert (status, answer["code"]) == (400, "bad_request.invalid_request")
    assert rpc.calls == []
