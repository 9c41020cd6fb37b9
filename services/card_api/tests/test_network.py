import asyncio
import time
from typing import Any

import pytest

from card_api import main
from smartbank import errors
from smartbank.testing import FakeRpc, service_client

pytestmark = pytest.mark.asyncio

MESSAGE = {
    "card_token": "ctok_alice",
    "amount": 350,
    "currency": "GBP",
    "merchant": {"descriptor": "STARBUCKS 1234 LONDON GBR", "mcc": "5814"},
    "stan": "000123",
    "rrn": "631512000123",
    "transmitted_at": "2026-11-22T10:00:00Z",
}
ANSWER = {"approved": True, "response_code": "00", "authorisation_code": "ABC123"}


def rpc_answering(answer: Any) -> FakeRpc:
    rpc = FakeRpc()
    rpc.on("card-processing", "POST", "/authorisations", answer)
    rpc.on("card-processing", "POST", "/stand-ins", lambda _, __: {"accepted": True})
    return rpc


async def test_authorisation_passes_the_decision_through():
    rpc = rpc_answering(lambda _, body: ANSWER)
    async with service_client(main.service, rpc=rpc) as client:
        response = await client.post("/network/v1/authorisations", json=MESSAGE)
    assert response.status_code == 200 and response.json() == ANSWER
    assert len(response.headers["x-trace-id"]) == 32
    assert rpc.calls_to("card-processing")[0].json["card_token"] == "ctok_alice"


async def test_slow_issuer_gets_91_within_the_deadline_and_a_stand_in_notice():
    async def slow(_: Any, __: Any) -> dict[str, Any]:
        await asyncio.sleep(1.0)
        return ANSWER

    rpc = rpc_answering(slow)
    async with service_client(main.service, rpc=rpc) as client:
        started = time.monotonic()
        response = await client.post(
            "/network/v1/authorisations", json=MESSAGE, headers={"X-Network-Deadline-Ms": "200"}
        )
        elapsed = time.monotonic() - started
        await asyncio.sleep(0.1)
    assert response.json() == {"approved": False, "response_code": "91"}
    assert elapsed < 0.2
    notices = [c for c in rpc.calls if c.path == "/stand-ins"]
    assert notices and notices[0].json["original"]["stan"] == "000123"


async def test_issuer_failure_gets_91():
    def down(_: Any, __: Any) -> None:
        raise errors.unavailable("upstream", "card-processing is down")

    async with service_client(main.service, rpc=rpc_answering(down)) as client:
        response = await client.post("/network/v1/authorisations", json=MESSAGE)
    assert response.json()["response_code"] == "91"


@pytest.mark.parametrize(
    "change",
    [
        {"amount": 0},
        {"amount": -1},
        {"amount": "350"},
        {"amount": 3.5},
        {"currency": "ZZZ"},
        {"currency": "gbp"},
        {"transmitted_at": "yesterday"},
        {"merchant": {"mcc": "5814"}},
        {"stan": ""},
    ],
)
async def test_malformed_authorisation_is_400_and_not_forwarded(change):
    rpc = rpc_answering(lambda _, body: ANSWER)
    async with service_client(main.service, rpc=rpc) as client:
        response = await client.post("/network/v1/authorisations", json={**MESSAGE, **change})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request.invalid_request"
    assert rpc.calls == []


async def test_bad_deadline_header_is_400():
    async with service_client(main.service, rpc=rpc_answering(lambda _, b: ANSWER)) as client:
        response = await client.post(
            "/network/v1/authorisations", json=MESSAGE, headers={"X-Network-Deadline-Ms": "soon"}
        )
    assert response.status_code == 400


async def test_reversal_without_an_answer_is_91():
    def down(_: Any, __: Any) -> None:
        raise errors.timeout("upstream", "slow")

    rpc = FakeRpc()
    rpc.on("card-processing", "POST", "/reversals", down)
    body = {
        "card_token": "ctok_alice",
        "original": {k: MESSAGE[k] for k in ("stan", "rrn", "transmitted_at")},
    }
    async with service_client(main.service, rpc=rpc) as client:
        response = await client.post("/network/v1/reversals", json=body)
    assert response.json() == {"accepted": False, "response_code": "91"}
