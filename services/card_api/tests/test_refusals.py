"""A message card-processing refuses as one that can never apply is answered 12, so the network
stops sending it; only the issuer side failing (timeouts, outages, conflicts, 5xx) is 91."""

import asyncio
from typing import Any

import pytest

from card_api import main
from smartbank import errors
from smartbank.errors import ServiceError
from smartbank.testing import FakeRpc, service_client

pytestmark = pytest.mark.asyncio

ORIGINAL = {"stan": "000123", "rrn": "631512000123", "transmitted_at": "2026-11-22T10:00:00Z"}
AUTHORISATION = {
    "card_token": "ctok_alice",
    "amount": 350,
    "currency": "GBP",
    "merchant": {"descriptor": "STARBUCKS 1234 LONDON GBR", "mcc": "5814"},
    **ORIGINAL,
}
ADJUSTMENT = {"card_token": "ctok_alice", "original": ORIGINAL, "amount": 350, "currency": "EUR"}

PERMANENT = [
    errors.bad_request("currency_mismatch", "the original was in GBP"),
    errors.bad_request("invalid_request", "card-processing reads the message otherwise"),
    errors.not_found("card", "no card ctok_alice"),
    errors.forbidden("card", "not this card"),
    ServiceError("unprocessable.amount", "cannot apply"),
]
PASSING = [
    errors.conflict("contention", "the authorisation kept changing; try again"),
    errors.timeout("upstream", "card-processing did not answer in time"),
    errors.too_many_requests("busy", "slow down"),
    errors.unavailable("connect", "card-processing is down"),
    errors.internal_service("unexpected", "internal error"),
]


def rpc_raising(path: str, error: ServiceError) -> FakeRpc:
    def refuse(_: Any, __: Any) -> None:
        raise error

    rpc = FakeRpc()
    rpc.on("card-processing", "POST", path, refuse)
    rpc.on("card-processing", "POST", "/stand-ins", lambda _, __: {"accepted": True})
    return rpc


async def answer_to(path: str, message: dict[str, Any], error: ServiceError) -> tuple[Any, FakeRpc]:
    rpc = rpc_raising(path, error)
    async with service_client(main.service, rpc=rpc) as client:
        response = await client.post(f"/network/v1{path}", json=message)
        await asyncio.sleep(0.05)
    assert response.status_code == 200
    return response.json(), rpc


@pytest.mark.parametrize("error", PERMANENT, ids=lambda e: e.code)
@pytest.mark.parametrize("path", ["/reversals", "/presentments"])
async def test_adjustment_that_can_never_apply_is_12(path: str, error: ServiceError):
    answer, _ = await answer_to(path, ADJUSTMENT, error)
    assert answer == {"accepted": False, "response_code": "12"}


@pytest.mark.parametrize("error", PERMANENT, ids=lambda e: e.code)
async def test_authorisation_that_can_never_apply_is_12_without_a_stand_in(error: ServiceError):
    answer, rpc = await answer_to("/authorisations", AUTHORISATION, error)
    assert answer == {"approved": False, "response_code": "12"}
    assert [c.path for c in rpc.calls] == ["/authorisations"]


@pytest.mark.parametrize("error", PASSING, ids=lambda e: e.code)
@pytest.mark.parametrize("path", ["/reversals", "/presentments"])
async def test_adjustment_the_issuer_side_failed_is_91(path: str, error: ServiceError):
    answer, _ = await answer_to(path, ADJUSTMENT, error)
    assert answer == {"accepted": False, "response_code": "91"}


@pytest.mark.parametrize("error", PASSING, ids=lambda e: e.code)
async def test_authorisation_the_issuer_side_failed_is_91_with_a_stand_in(error: ServiceError):
    answer, rpc = await answer_to("/authorisations", AUTHORISATION, error)
    assert answer == {"approved": False, "response_code": "91"}
    assert [c.path for c in rpc.calls] == ["/authorisations", "/stand-ins"]
