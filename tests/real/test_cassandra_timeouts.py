"""Timed-out conditional writes on a real Cassandra: the store's outcome-unknown paths.

A lightweight transaction that times out may still land. The store resolves such a timeout by
reading the row at SERIAL; these tests provoke the timeout for real, two ways: pausing the
node's JVM (SIGSTOP) while a write is in flight, which times out the driver's request, and a
node whose write and CAS timeouts are a few milliseconds, where contention times rounds out
on the server. Whatever the store answers, it must never be a wrong certainty: "applied" when
the row is someone else's, or "certainly not applied" to the writer whose row it is.
"""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator
from pathlib import Path
from typing import Any

import pytest

from smartbank.errors import ServiceError
from smartbank.local.real import parts
from smartbank.local.real.cassandra import running_cassandra
from smartbank.local.real.process import Running
from smartbank.settings import PlatformSettings
from smartbank.storage import StorageError, TableStore, cql_session, open_store
from tests.contract.tables import COUNTERS

from .plugin import installed

DRIVER_TIMEOUT_S = cql_session._REQUEST_TIMEOUT_S
SHORT = {"write_request_timeout": "20ms", "cas_contention_timeout": "20ms"}
CONTENDERS = 40


async def opened(address: str) -> TableStore:
    settings = PlatformSettings(storage="cassandra", cassandra_hosts=address)
    store = open_store(settings, f"real_{uuid.uuid4().hex[:10]}")
    await store.ensure([COUNTERS])
    for _ in range(50):  # on a fresh node with 20 ms timeouts even a lone round can time out
        try:
            await store.insert(COUNTERS, {"name": "warm", "value": 0}, if_not_exists=True)
            await store.get(COUNTERS, {"name": "warm"})  # both prepared before any pause
            return store
        except StorageError:
            await asyncio.sleep(0.1)
    raise AssertionError("the node never completed one conditional write")


@pytest.fixture
async def store(cassandra_node: Running) -> AsyncIterator[TableStore]:
    opened_store = await opened(cassandra_node.launch.address)
    yield opened_store
    await opened_store.close()


async def insert_while_paused(store: TableStore, node: Running, seconds: float) -> Any:
    """Send a conditional insert, pause the node's JVM for `seconds`, return what came back."""
    write = store.insert(COUNTERS, {"name": "k", "value": 1, "writer": "me"}, if_not_exists=True)
    return await while_paused(write, node, seconds)


async def while_paused(write: Awaitable[Any], node: Running, seconds: float) -> Any:
    """Send `write`, pause the node's JVM for `seconds`; what came back, or what it raised."""
    task = asyncio.ensure_future(write)
    await asyncio.sleep(0.005)
    os.kill(node.pid, signal.SIGSTOP)
    try:
        await asyncio.sleep(seconds)
    finally:
        os.kill(node.pid, signal.SIGCONT)
    try:
        return await task
    except (StorageError, ServiceError) as exc:
        return exc


async def test_write_paused_past_the_driver_timeout_is_never_a_wrong_certainty(
    store: TableStore, cassandra_node: Running
) -> None:
    outcome = await insert_while_paused(store, cassandra_node, DRIVER_TIMEOUT_S + 1)
    row = await store.get(COUNTERS, {"name": "k"})
    assert not isinstance(outcome, StorageError), f"the SERIAL read-back failed: {outcome}"
    if outcome.applied:
        assert row is not None and row["writer"] == "me"
    else:
        assert not outcome.certain, f"certainly not applied, yet the row is {row}"


async def test_a_create_that_lands_after_its_outcome_was_unknown_is_recognised_on_retry(
    store: TableStore, cassandra_node: Running
) -> None:
    # Paused past the write's timeout and the read-back's: nothing certain can come back.
    outcome = await insert_while_paused(store, cassandra_node, 2 * DRIVER_TIMEOUT_S + 1)
    assert isinstance(outcome, StorageError) or not outcome.certain or outcome.applied
    retry = await store.insert(
        COUNTERS, {"name": "k", "value": 1, "writer": "me"}, if_not_exists=True
    )
    mine = {"name": "k", "value": 1, "version": None, "writer": "me"}
    assert retry.applied or retry.current == mine  # the caller can tell its own row


@pytest.fixture(scope="module")
def short_timeouts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """A second node whose writes and Paxos rounds time out after 20 ms."""
    installed(parts.cassandra())
    with running_cassandra(Path(tmp_path_factory.mktemp("short")), overrides=SHORT) as node:
        yield node


async def test_contended_creates_that_time_out_never_give_a_wrong_certainty(
    short_timeouts: Running,
) -> None:
    store = await opened(short_timeouts.launch.address)
    writes = [
        store.insert(COUNTERS, {"name": "once", "value": i, "writer": f"w{i}"}, if_not_exists=True)
        for i in range(CONTENDERS)
    ]
    results: list[Any] = await asyncio.gather(*writes, return_exceptions=True)
    await asyncio.sleep(1)  # rounds still in flight finish
    row = await store.get(COUNTERS, {"name": "once"})
    await store.close()
    print(f"\n{CONTENDERS} contended creates at 20 ms timeouts: {dict(tally(results))}")
    winners = [f"w{i}" for i, r in enumerate(results) if not isinstance(r, Exception) and r.applied]
    told_lost = {f"w{i}" for i, r in enumerate(results) if lost_for_certain(r)}
    assert len(winners) <= 1
    assert row is not None or not winners
    if row is not None:
        assert winners in ([], [row["writer"]])
        assert row["writer"] not in told_lost, "the winner was told it certainly lost"
    assert all(r.current == row for r in results if lost_for_certain(r))


def lost_for_certain(result: Any) -> bool:
    return not isinstance(result, Exception) and not result.applied and result.certain


def tally(results: list[Any]) -> collections.Counter[str]:
    def kind(result: Any) -> str:
        if isinstance(result, Exception):
            return type(result).__name__
        return f"applied={result.applied} certain={result.certain}"

    return collections.Counter(kind(r) for r in results)
