"""Cassandra killed (SIGKILL) and started again in the middle of a stream of swipes, on
`--infra real`: every swipe is answered within the network's deadline (91 while the node is
gone), the services come back by themselves, without a restart of theirs (the same processes
before and after), swipes are approved again once the node answers, and every account
reconciles: no hold without an approval the network was told of, none counted twice.

Runs after test_real_stack.py (file order), on the same stack.
"""

from __future__ import annotations

import asyncio
import time

from smartbank.local.launcher.stack import Stack
from tests.e2e.burst import settled
from tests.e2e.driver import Bank
from tests.e2e_faults.faults import ANSWERS, Swipe, swipe_stream

OPENING = 1_000_000
RATE, STREAM_LIMIT = 5.0, 120.0  # swipes per second; the stream's longest run (s)
DEADLINE, MARGIN = 2.0, 0.5  # the network's default deadline; slack for a loaded machine
SETTLE = 5.0  # seconds of steady swipes before the kill
BACK_WITHIN = 60.0  # seconds for every service to be ready again once the node answers
# A restarted node is cold: on two loaded cores its first swipes take 1-1.8 s each, and one that
# reaches the deadline is answered 91, in time. Approvals must be back, for RECOVERED_AFTER
# swipes in a row, within APPROVED_WITHIN seconds of every service being ready.
APPROVED_WITHIN, RECOVERED_AFTER = 30.0, 10


async def test_services_recover_by_themselves_when_cassandra_is_killed_mid_stream(
    bank: Bank, stack: Stack
) -> None:
    customers = list(await asyncio.gather(*(bank.customer(OPENING) for _ in range(5))))
    services = {n: s["pid"] for n, s in stack.status().items() if s["kind"] == "service"}
    stop = asyncio.Event()
    answered: list[Swipe] = []
    stream = asyncio.create_task(swipe_stream(bank, customers, stop, RATE, STREAM_LIMIT, answered))
    await asyncio.sleep(SETTLE)
    killed = time.monotonic()
    stack.kill("cassandra")
    await asyncio.sleep(2.0)
    await asyncio.to_thread(stack.revive, "cassandra", 180.0)
    node_back = time.monotonic()
    await asyncio.to_thread(stack.wait_ready, BACK_WITHIN)
    ready = time.monotonic()
    try:
        approved_again = await approvals_resume(answered, ready)
    finally:
        stop.set()
    swipes = await stream
    print(summary(swipes, killed, node_back, ready), f"approved again {approved_again:.1f} s later")
    assert {s.status for s in swipes} == {200}
    assert {s.code for s in swipes} <= ANSWERS
    assert max(s.seconds for s in swipes) < DEADLINE + MARGIN
    assert {n: s["pid"] for n, s in stack.status().items() if n in services} == services
    for customer in customers:
        await reconciles(bank, customer["account_id"], swipes)


async def approvals_resume(answered: list[Swipe], ready: float) -> float:
    """Seconds after `ready` until the RECOVERED_AFTER latest swipes sent since are approved."""
    while time.monotonic() - ready < APPROVED_WITHIN:
        since = sorted((s for s in answered if s.sent_at > ready), key=lambda s: s.sent_at)
        latest = since[-RECOVERED_AFTER:]
        if len(latest) == RECOVERED_AFTER and {s.code for s in latest} == {"00"}:
            return time.monotonic() - ready
        await asyncio.sleep(0.2)
    codes = [s.code for s in answered if s.sent_at > ready]
    raise AssertionError(f"not approved again {APPROVED_WITHIN:g} s after ready: {codes}")


async def reconciles(bank: Bank, account_id: str, swipes: list[Swipe]) -> None:
    """Once late approvals are undone: nothing posted, every hold an approval the network was
    told of, and each approval authorised once."""
    mine = [s for s in swipes if s.account_id == account_id]
    approved = {s.answer["transaction_id"]: s.amount for s in mine if s.answer.get("approved")}
    held = sum(approved.values())
    balance, authorised = await settled(bank, account_id, held, len(approved))
    assert (balance["ledger_balance"], balance["held"]) == (OPENING, held), balance
    assert balance["balance"] == OPENING - held, balance
    assert authorised == set(approved), sorted(authorised ^ set(approved))


def summary(swipes: list[Swipe], killed: float, node_back: float, ready: float) -> str:
    codes = sorted({s.code for s in swipes})
    counts = ", ".join(f"{code}: {sum(s.code == code for s in swipes)}" for code in codes)
    slowest = max(s.seconds for s in swipes)
    return (
        f"\n{len(swipes)} swipes ({counts}), slowest {slowest:.3f} s; Cassandra answered "
        f"{node_back - killed:.1f} s after the kill, every service ready "
        f"{ready - node_back:.1f} s after that, with no restart"
    )
