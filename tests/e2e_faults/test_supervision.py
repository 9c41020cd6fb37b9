"""The detached stack keeps the card path up by itself: each of its services killed with
SIGKILL mid-stream comes back, every swipe is answered in time, and the books add up after.
A service stopped by hand stays down until started; `smartbank down` leaves nothing behind.

The tests run in order on one stack: the last one takes it down.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest

from smartbank.local.launcher import health
from smartbank.local.launcher.layout import Layout
from smartbank.local.launcher.processes import read_pid
from smartbank.registry import spec
from tests.e2e.driver import Bank
from tests.e2e_faults.conftest import Smartbank
from tests.e2e_faults.faults import (
    ANSWERS,
    Swipe,
    kill_and_await_ready,
    reconciled,
    swipe,
    swipe_stream,
)
from tests.unit.local.supervision_kit import group_gone, wait_for

ON_THE_LOOP = pytest.mark.asyncio(loop_scope="session")

CARD_PATH = ("balance", "transactions", "card-processing", "cards")
OPENING = 1_000_000
RATE, STREAM_LIMIT = 10.0, 45.0  # swipes per second; the stream's longest run (s)
DEADLINE, MARGIN = 2.0, 0.3  # the network's default deadline; slack for a loaded machine
BACK_WITHIN = 30.0  # seconds for a killed service to be ready again
SETTLE = 2.5  # seconds of steady swipes before each kill, and after the last


def status(smartbank: Smartbank) -> dict[str, dict[str, Any]]:
    document = json.loads(smartbank("status", "--json").stdout)
    return {component["name"]: component for component in document["components"]}


def while_down(swipe: Swipe, kills: dict[str, tuple[float, float]]) -> bool:
    """Whether the swipe was in flight between a kill and the service being ready again
    (with a second's slack for the proxy and pooled connections to notice it is back)."""
    ends = swipe.sent_at, swipe.sent_at + swipe.seconds
    return any(
        ends[1] >= killed and ends[0] <= killed + back + 1.0 for killed, back in kills.values()
    )


def summary(swipes: list[Swipe], kills: dict[str, tuple[float, float]]) -> str:
    slowest = max(swipes, key=lambda s: s.seconds)
    codes = sorted({s.code for s in swipes})
    counts = ", ".join(f"{code}: {sum(s.code == code for s in swipes)}" for code in codes)
    back = ", ".join(f"{name} {seconds:.1f} s" for name, (_, seconds) in kills.items())
    return (
        f"{len(swipes)} swipes ({counts}); slowest {slowest.seconds:.3f} s ({slowest.code}); "
        f"ready again after kill -9: {back}"
    )


@ON_THE_LOOP
async def test_card_path_survives_kill_9_of_each_of_its_services(
    bank: Bank, home: Path, smartbank: Smartbank
) -> None:
    customers = list(await asyncio.gather(*(bank.customer(OPENING) for _ in range(10))))
    stop = asyncio.Event()
    stream = asyncio.create_task(swipe_stream(bank, customers, stop, RATE, STREAM_LIMIT))
    kills = {}
    for name in CARD_PATH:
        await asyncio.sleep(SETTLE)
        kills[name] = await kill_and_await_ready(home, name, BACK_WITHIN)
    await asyncio.sleep(SETTLE)
    stop.set()
    swipes = await stream
    print(summary(swipes, kills))
    assert {s.status for s in swipes} == {200}
    assert {s.code for s in swipes} <= ANSWERS
    assert max(s.seconds for s in swipes) < DEADLINE + MARGIN
    steady = [s.code for s in swipes if not while_down(s, kills)]
    assert steady and set(steady) == {"00"}, sorted(steady)
    components = status(smartbank)
    for name in CARD_PATH:
        assert components[name]["ready"] is True
        assert (components[name]["state"], components[name]["restarts"]) == ("running", 1)
        assert components[name]["last_exit"] == {"code": None, "signal": "SIGKILL"}
    assert await reconciled(bank, home, customers, swipes, OPENING) == []


@ON_THE_LOOP
async def test_a_stopped_service_stays_down_until_started(
    bank: Bank, home: Path, smartbank: Smartbank
) -> None:
    customer = await bank.customer(10_000)
    assert smartbank("stop", "cards").returncode == 0
    try:
        await asyncio.sleep(2.0)  # longer than the first few restart delays
        cards = status(smartbank)["cards"]
        assert (cards["state"], cards["ready"], cards["pid"]) == ("stopped", False, None)
        declined = [await swipe(bank, customer, 100 + n) for n in range(5)]
    finally:
        started = smartbank("start", "cards")
    assert started.returncode == 0, started.stderr
    assert [s.code for s in declined] == ["91"] * 5
    assert max(s.seconds for s in declined) < 1.0, [s.seconds for s in declined]
    assert (await swipe(bank, customer, 300)).code == "00"
    assert status(smartbank)["cards"]["state"] == "running"
    assert (await bank.balance(customer["account_id"]))["held"] == 300


@ON_THE_LOOP
async def test_restart_brings_a_service_back_with_a_new_process(
    bank: Bank, home: Path, smartbank: Smartbank
) -> None:
    before = read_pid(Layout(home).pid("transactions"))
    restarted = smartbank("restart", "transactions")
    assert restarted.returncode == 0, restarted.stderr
    assert "transactions is ready" in restarted.stdout
    assert read_pid(Layout(home).pid("transactions")) not in (None, before)
    customer = await bank.customer(1_000)
    assert (await swipe(bank, customer, 100)).code == "00"


def test_unknown_service_is_refused(smartbank: Smartbank) -> None:
    refused = smartbank("stop", "ledger")
    assert refused.returncode == 2
    assert "no service 'ledger'" in refused.stderr


def test_down_stops_everything_including_restarted_services(
    home: Path, smartbank: Smartbank
) -> None:
    layout = Layout(home)
    supervisor = read_pid(layout.supervisor_pid)
    children = [read_pid(path) for path in layout.run.glob("*.pid")]
    groups = [pid for pid in children if pid is not None and pid != supervisor]
    assert len(groups) == 17  # the broker, two sinks, Envoy and 13 services
    started = time.monotonic()
    assert smartbank("down").returncode == 0
    print(f"down took {time.monotonic() - started:.1f} s")
    assert wait_for(lambda: all(group_gone(pgid) for pgid in groups))
    assert supervisor is not None and wait_for(lambda: group_gone(supervisor))
    assert not any(health.probe(health.service(spec(name))).ready for name in CARD_PATH)
    assert list(layout.run.iterdir()) == []
