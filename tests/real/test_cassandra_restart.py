"""A store outlives its Cassandra: the node killed (SIGKILL) and started again, the same store
object answers again by itself, with every acknowledged write still there.

Before the session was rebuilt, the driver's own reconnection waited longer and longer between
attempts (up to ten minutes), and in a cluster, where the restarted pod has a new address, it
never found the node again: every service stayed unready until it was restarted.
"""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from smartbank.local.real import cassandra, parts
from smartbank.local.real.process import Launch, Running, free_port, signal_group, started
from smartbank.settings import PlatformSettings
from smartbank.storage import Row, StorageError, TableStore, open_store
from tests.contract.tables import COUNTERS

from .plugin import installed

RECOVERED_WITHIN_S = 20.0


@pytest.fixture
def node_launch(tmp_path: Path) -> Launch:
    installed(parts.cassandra())
    return cassandra.launch(tmp_path / "node", free_port(), free_port())


@pytest.fixture
def node(node_launch: Launch) -> Iterator[Running]:
    with running(node_launch) as first:
        yield first


def running(how: Launch) -> AbstractContextManager[Running]:
    return started(how, lambda: cassandra.ready(how.address), 180.0)


async def test_a_store_answers_again_after_its_node_is_killed_and_restarted(
    node: Running, node_launch: Launch
) -> None:
    settings = PlatformSettings(storage="cassandra", cassandra_hosts=node_launch.address)
    store = open_store(settings, f"restart_{uuid.uuid4().hex[:8]}")
    await store.ensure([COUNTERS])
    await store.insert(COUNTERS, {"name": "before", "value": 1})
    signal_group(node, signal.SIGKILL)
    node.process.wait(10)
    with pytest.raises(StorageError):
        await store.get(COUNTERS, {"name": "before"})
    with running(node_launch):
        began = time.monotonic()
        row = await answered(store)
        recovered_in = time.monotonic() - began
        print(f"\nthe store answered {recovered_in:.1f} s after its node was ready again")
        assert row is not None and row["value"] == 1
        assert (await store.insert(COUNTERS, {"name": "after", "value": 2})).applied
    await store.close()


async def answered(store: TableStore) -> Row | None:
    """The row, once the store answers; fails after RECOVERED_WITHIN_S."""
    deadline = time.monotonic() + RECOVERED_WITHIN_S
    while True:
        try:
            return await store.get(COUNTERS, {"name": "before"})
        except StorageError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
