"""The network's deadline counts from arrival at the edge, not from when card-api got round to
the message; a message whose budget is spent, or that would crowd card-processing, is answered
91 at once, and card-processing is told of every 91."""

import asyncio
import time
from typing import Any

import pytest

from card_api import main
from card_api.network import Network
from card_api.settings import Settings
from card_api.tests.test_network import MESSAGE
from smartbank import context
from smartbank.testing import FakeRpc, fake_settings, service_client

pytestmark = pytest.mark.asyncio

APPROVED = {"approved": True, "response_code": "00", "authorisation_code": "ABC123"}
STAND_IN = {"approved": False, "response_code": "91"}


def arrived_ago(seconds: float) -> dict[str, str]:
    return {context.ARRIVED_AT_MS: str(int((time.time() - seconds) * 1000))}


def network(**settings: Any) -> Network:
    return Network(FakeRpc(), Settings(**settings))


def rpc_answering(answer: Any) -> FakeRpc:
    rpc = FakeRpc()
    rpc.on("card-processing", "POST", "/authorisations", answer)
    rpc.on("card-processing", "POST", "/stand-ins", lambda _, __: {"accepted": True})
    return rpc


def stand_ins(rpc: FakeRpc) -> list[Any]:
    return [c.json["original"]["stan"] for c in rpc.calls if c.path == "/stand-ins"]


async def test_budget_counts_from_the_edges_arrival_stamp():
    budget = network().budget(None, arrived_ago(0.5)[context.ARRIVED_AT_MS])
    assert budget.remaining() == pytest.approx(2.0 - 0.2 - 0.5, abs=0.05)


async def test_budget_without_a_stamp_counts_from_now():
    assert network().budget(None, None).remaining() == pytest.approx(1.8, abs=0.05)


async def test_budget_of_a_short_deadline_keeps_a_quarter_as_margin():
    assert network().budget(100, None).remaining() == pytest.approx(0.075, abs=0.01)


async def test_budget_ignores_a_stamp_from_the_future_or_from_long_ago():
    ahead = arrived_ago(-0.3)[context.ARRIVED_AT_MS]
    assert network().budget(None, ahead).remaining() == pytest.approx(1.8, abs=0.05)
    assert network().budget(None, "garbled").remaining() == pytest.approx(1.8, abs=0.05)
    stale = arrived_ago(3600)[context.ARRIVED_AT_MS]
    assert network().budget(None, stale).remaining() == pytest.approx(1.8, abs=0.05)


async def test_card_processing_is_given_the_deadline_counted_from_arrival():
    given: list[float] = []

    def decide(_: Any, __: Any) -> dict[str, Any]:
        given.append(context.current().remaining())
        return APPROVED

    async with service_client(main.service, rpc=rpc_answering(decide)) as client:
        response = await client.post(
            "/network/v1/authorisations", json=MESSAGE, headers=arrived_ago(1.0)
        )
    assert response.json() == APPROVED
    assert given[0] == pytest.approx(2.0 - 0.2 - 1.0, abs=0.05)


async def test_spent_budget_is_91_at_once_without_asking_and_still_stands_in():
    rpc = rpc_answering(lambda _, __: APPROVED)
    async with service_client(main.service, rpc=rpc) as client:
        started = time.monotonic()
        response = await client.post(
            "/network/v1/authorisations", json=MESSAGE, headers=arrived_ago(2.5)
        )
        took = time.monotonic() - started
        await asyncio.sleep(0.05)
    assert response.json() == STAND_IN and took < 0.1
    assert [c.path for c in rpc.calls] == ["/stand-ins"]
    assert stand_ins(rpc) == ["000123"]


async def test_a_decision_after_the_cutoff_is_91_and_stands_in():
    def too_late(_: Any, __: Any) -> dict[str, Any]:
        time.sleep(0.08)  # holds the event loop: the answer arrives, but after the cutoff
        return APPROVED

    rpc = rpc_answering(too_late)
    async with service_client(main.service, rpc=rpc) as client:
        response = await client.post(
            "/network/v1/authorisations", json=MESSAGE, headers={"X-Network-Deadline-Ms": "60"}
        )
        await asyncio.sleep(0.05)
    assert response.json() == STAND_IN
    assert stand_ins(rpc) == ["000123"]


async def slow_decision(_: Any, __: Any) -> dict[str, Any]:
    await asyncio.sleep(0.3)
    return APPROVED


async def while_one_is_in_flight(deadline_ms: str) -> tuple[Any, float, FakeRpc]:
    """The answer to a second message while card-processing decides a first, one at a time."""
    rpc = rpc_answering(slow_decision)
    settings = fake_settings(main.service, max_in_flight=1)
    async with service_client(main.service, rpc=rpc, settings=settings) as client:
        first = asyncio.create_task(client.post("/network/v1/authorisations", json=MESSAGE))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        second = await client.post(
            "/network/v1/authorisations",
            json={**MESSAGE, "stan": "000124"},
            headers={"X-Network-Deadline-Ms": deadline_ms},
        )
        took = time.monotonic() - started
        assert (await first).json() == APPROVED
        await asyncio.sleep(0.05)
    return second.json(), took, rpc


async def test_message_beyond_the_in_flight_limit_is_91_at_once_when_it_cannot_wait():
    answer, took, rpc = await while_one_is_in_flight("1000")
    assert answer == STAND_IN and took < 0.1
    assert stand_ins(rpc) == ["000124"]
    assert len(rpc.calls_to("card-processing", "POST")) == 2  # the first, and the notice


async def test_message_beyond_the_in_flight_limit_waits_its_turn_when_it_has_time():
    answer, took, rpc = await while_one_is_in_flight("5000")
    assert answer == APPROVED and 0.2 < took < 0.7
    assert stand_ins(rpc) == []


async def test_past_the_cutoff_the_edges_91_goes_first():
    rpc = rpc_answering(lambda _, __: APPROVED)
    async with service_client(main.service, rpc=rpc) as client:
        started = time.monotonic()
        response = await client.post(
            "/network/v1/authorisations", json=MESSAGE, headers=arrived_ago(1.9)
        )
        took = time.monotonic() - started
    assert response.json() == STAND_IN
    assert 0.11 <= took < 0.3  # after the edge's deadline (100 ms away) and a little more


async def test_a_network_deadline_longer_than_the_default_budget_is_the_one_card_processing_gets():
    seen: list[float] = []

    def decide(_: Any, __: Any) -> dict[str, Any]:
        seen.append(context.current().remaining())
        return APPROVED

    headers = {"X-Network-Deadline-Ms": "30000"}
    async with service_client(main.service, rpc=rpc_answering(decide)) as client:
        response = await client.post("/network/v1/authorisations", json=MESSAGE, headers=headers)
    assert response.json()["response_code"] == "00"
    assert seen[0] > context.DEFAULT_BUDGET_S  # was cut to the 10 s every request starts with
    assert seen[0] == pytest.approx(30.0 - 0.2, abs=0.2)
