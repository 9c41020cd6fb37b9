"""The broker killed (SIGKILL) and started again in the middle of a stream: the outbox relay
(the producer), the consumer group and the handlers resume by themselves, and every
transaction recorded meanwhile is published and handled, none lost, none handled twice.

transactions records one transaction every 50 ms through its outbox; its relay publishes them
with the idempotent producer, as in the cluster; a probe service consumes them. The broker's
log survives the kill (same data directory, same ports), as a pod's volume does.
"""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from smartbank.events.envelope import decode
from smartbank.events.topics import ensure_topics
from smartbank.local.real import kafka, parts
from smartbank.local.real.process import Launch, Running, free_port, signal_group, started
from tests.contract.events_kit import SEEN, Behaviour, probe_service
from tests.contract.test_events import consuming, read_all, settings_for

from .plugin import installed

TOPIC = "transaction.created"
RECORDED = 120
EVERY_S = 0.05
DOWN_S = 3.0
pytestmark = pytest.mark.timeout(240)


@pytest.fixture
def broker_launch(tmp_path: Path) -> Launch:
    installed(parts.kafka())
    how = kafka.launch(tmp_path / "kafka", free_port(), free_port())
    kafka.format_storage(tmp_path / "kafka")
    return how


def running(how: Launch) -> AbstractContextManager[Running]:
    return started(how, lambda: kafka.ready(how.address), 90.0)


@pytest.fixture
def broker(broker_launch: Launch) -> Iterator[Running]:
    with running(broker_launch) as first:
        yield first


async def test_relay_consumers_and_handlers_resume_after_the_broker_is_killed(
    broker: Running, broker_launch: Launch, tmp_path: Path
) -> None:
    from transactions import domain
    from transactions.main import service as transactions
    from transactions.settings import Settings

    bootstrap = broker_launch.address
    await ensure_topics(bootstrap, [TOPIC])
    base = settings_for(bootstrap, tmp_path).model_dump()
    relaying = Settings(**{**base, "kafka_idempotence": True}, outbox_interval=0.05)
    probe_settings = settings_for(bootstrap, tmp_path / "probe")
    behaviour = Behaviour()
    written: list[str] = []
    outage: asyncio.Task[None] | None = None
    down = 0  # transactions recorded while the broker was gone
    async with (
        consuming(transactions, relaying) as recorder,
        consuming(probe_service(TOPIC, behaviour), probe_settings) as probe,
    ):
        for n in range(RECORDED):
            tx_id = f"tx_{uuid.uuid4().hex}"
            new = domain.NewTransaction(
                id=tx_id,
                account_id=f"acc_{n % 7}",
                amount=-100 - n,
                currency="GBP",
                description="PRET",
                status="authorised",
            )
            await domain.create_transaction(recorder.runtime.store, new)
            written.append(tx_id)
            down += broker.process.poll() is not None and not RESTARTED
            if n == RECORDED // 3:
                outage = asyncio.create_task(kill_and_restart(broker, broker_launch))
            await asyncio.sleep(EVERY_S)
        assert outage is not None
        await outage
        published = await until_published(bootstrap, written)
        handled = await until_handled(probe, published)
    per_tx = Counter(tx for tx, _ in published)
    print(
        f"\n{RECORDED} recorded ({down} while the broker was down): "
        f"{sum(per_tx.values()) - len(per_tx)} duplicate publications, "
        f"{sum(n > 1 for n in behaviour.attempts.values())} events delivered again"
    )
    assert down > 0, "the broker was not down while transactions were recorded"
    assert set(per_tx) >= set(written), "transactions whose event never reached the broker"
    assert all(len(ids) == 1 for ids in event_ids_per_tx(published).values())
    assert handled == len(per_tx), "events published but never handled"


def event_ids_per_tx(published: list[tuple[str, str]]) -> dict[str, set[str]]:
    """A publication repeated by the relay carries the same event id, so consumers dedupe it."""
    ids: dict[str, set[str]] = {}
    for tx, event_id in published:
        ids.setdefault(tx, set()).add(event_id)
    return ids


async def kill_and_restart(broker: Running, how: Launch) -> None:
    signal_group(broker, signal.SIGKILL)
    await asyncio.to_thread(broker.process.wait, 10)
    await asyncio.sleep(DOWN_S)
    again = running(how)
    await asyncio.to_thread(again.__enter__)
    RESTARTED.append(again)


RESTARTED: list[AbstractContextManager[Running]] = []


@pytest.fixture(autouse=True)
def stop_restarted() -> Iterator[None]:
    yield
    while RESTARTED:
        RESTARTED.pop().__exit__(None, None, None)


async def until_published(
    bootstrap: str, written: list[str], within: float = 60.0
) -> list[tuple[str, str]]:
    """(transaction id, event id) of every publication in the topic, duplicates included."""
    deadline = time.monotonic() + within
    while True:
        records = await read_all(bootstrap, TOPIC, expected=len(written))
        events = [decode(r.value) for r in records]
        found = [(e.payload.transaction.id, e.event_id) for e in events]  # type: ignore[attr-defined]
        if {tx for tx, _ in found} >= set(written) or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.5)


async def until_handled(probe: Any, published: list[tuple[str, str]], within: float = 60.0) -> int:
    ids = sorted({event_id for _, event_id in published})
    deadline = time.monotonic() + within
    while True:
        rows = [await probe.runtime.store.get(SEEN, {"event_id": i}) for i in ids]
        handled = sum(r is not None for r in rows)
        if handled == len(ids) or time.monotonic() > deadline:
            return handled
        await asyncio.sleep(0.5)
