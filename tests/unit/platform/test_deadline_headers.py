"""The deadline travels as a budget and as an absolute time: the receiver keeps the earlier, so
time a request spent queued before the next hop looked at it counts against it; behind the
edge, the budget starts when the edge received the request."""

from __future__ import annotations

import time

import httpx
import pytest

from smartbank import context

pytestmark = pytest.mark.asyncio


def unix_ms(seconds_from_now: float) -> str:
    return str(int((time.time() + seconds_from_now) * 1000))


async def test_headers_carry_the_deadline_as_a_budget_and_a_time():
    headers = context.fresh(budget=1.5).to_headers("card-api")
    assert 1400 <= int(headers[context.BUDGET_MS]) <= 1500
    assert abs(int(headers[context.DEADLINE_AT_MS]) - int(unix_ms(1.5))) <= 20


@pytest.mark.parametrize(
    ("budget_ms", "deadline_in", "remaining"),
    [("1000", 0.2, 0.2), ("300", 5.0, 0.3), ("1000", -0.1, -0.1)],
)
async def test_the_earlier_of_budget_and_deadline_wins(
    budget_ms: str, deadline_in: float, remaining: float
):
    headers = {context.BUDGET_MS: budget_ms, context.DEADLINE_AT_MS: unix_ms(deadline_in)}
    ctx = context.CallContext.from_headers(headers, arrived=time.monotonic())
    assert ctx.remaining() == pytest.approx(remaining, abs=0.05)


async def test_a_garbled_deadline_time_leaves_the_budget():
    headers = {context.BUDGET_MS: "500", context.DEADLINE_AT_MS: "soon"}
    ctx = context.CallContext.from_headers(headers, arrived=time.monotonic())
    assert ctx.remaining() == pytest.approx(0.5, abs=0.05)


async def test_edge_arrival_is_on_the_monotonic_clock():
    arrived = context.edge_arrival(unix_ms(-0.4))
    assert arrived is not None and time.monotonic() - arrived == pytest.approx(0.4, abs=0.05)
    assert context.edge_arrival(None) is None
    assert context.edge_arrival("1") is None  # 1970: the clocks disagree, not a real wait


async def test_work_whose_deadline_passed_while_queued_is_refused(probe_url):
    headers = {context.BUDGET_MS: "5000", context.DEADLINE_AT_MS: unix_ms(-0.05)}
    async with httpx.AsyncClient(base_url=probe_url) as client:
        response = await client.get("/sleep/1", headers=headers)
    assert response.status_code == 504
    assert response.json()["code"] == "timeout.deadline_exceeded"


async def test_the_default_budget_starts_at_the_edges_arrival(probe_url):
    headers = {context.ARRIVED_AT_MS: unix_ms(-4.0)}
    async with httpx.AsyncClient(base_url=probe_url) as client:
        seen = (await client.get("/context", headers=headers)).json()
    assert context.DEFAULT_BUDGET_S - 4.5 < seen["remaining"] <= context.DEFAULT_BUDGET_S - 4.0
