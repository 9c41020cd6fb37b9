"""Publishing and consuming against a real broker: Tansu here, Apache Kafka in the cluster."""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from opentelemetry import trace

from smartbank.app import BuiltApp, build_app
from smartbank.events import Event, KafkaPublisher
from smartbank.events.fetch_wait import IDLE_AFTER_SECONDS, FetchWait
from smartbank.events.topics import ensure_topics
from smartbank.registry import dead_letter_topic
from smartbank.schemas.v1 import events_pb2
from smartbank.service import Service
from smartbank.settings import PlatformSettings

from .events_kit import SEEN, Behaviour, bootstrap_from_env, probe_service, started_tansu

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]


@pytest.fixture(scope="module")
def bootstrap() -> Iterator[str]:
    if bootstrap_from_env():
        yield bootstrap_from_env()
    else:
        yield from started_tansu()


@pytest.fixture
def topic(bootstrap: str) -> str:
    return f"probe.{uuid.uuid4().hex[:8]}"


def settings_for(bootstrap: str, data_dir: Path) -> PlatformSettings:
    return PlatformSettings(
        storage="sqlite",
        data_dir=data_dir,
        kafka_bootstrap=bootstrap,
        access_log=False,
        consumer_retry_base_seconds=0.01,
        consumer_max_attempts=2,
    )


@asynccontextmanager
async def consuming(service: Service, settings: PlatformSettings) -> AsyncIterator[BuiltApp]:
    built = build_app(service, settings, publisher=KafkaPublisher(settings, "test"))
    async with built.fastapi.router.lifespan_context(built.fastapi):
        yield built


def event(topic: str, account: str = "acc_1", event_id: str = "") -> Event:
    payload = events_pb2.TransactionCreated(transaction=events_pb2.Transaction(id="tx_1"))
    return Event(
        type="transaction.created",
        topic=topic,
        account_id=account,
        payload=payload,
        event_id=event_id or f"evt_{uuid.uuid4().hex}",
    )


async def until(condition: Callable[[], Any], within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not await condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def seen_count(built: BuiltApp, ids: list[str]) -> int:
    rows = [await built.runtime.store.get(SEEN, {"event_id": i}) for i in ids]
    return sum(r is not None for r in rows)


async def read_all(bootstrap: str, topic: str, expected: int) -> list[Any]:
    reader = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await reader.start()
    records: list[Any] = []
    try:
        deadline = time.monotonic() + 20
        while len(records) < expected and time.monotonic() < deadline:
            batch = await reader.getmany(timeout_ms=500)
            records.extend(r for rs in batch.values() for r in rs)
    finally:
        await reader.stop()
    return records


async def publish(bootstrap: str, settings: PlatformSettings, events: list[Event]) -> None:
    publisher = KafkaPublisher(settings, "test-producer")
    try:
        await publisher.publish(events)
    finally:
        await publisher.close()


async def test_poison_messages_go_to_the_dead_letter_topic_and_later_ones_are_processed(
    bootstrap: str, topic: str, tmp_path: Path
) -> None:
    behaviour = Behaviour()
    service = probe_service(topic, behaviour)
    group = service.name
    await ensure_topics(bootstrap, [topic, dead_letter_topic(group)])
    settings = settings_for(bootstrap, tmp_path)
    first, poisoned, refused, last = (event(topic) for _ in range(4))
    behaviour.poison.add(poisoned.event_id)
    behaviour.refused.add(refused.event_id)
    publisher = KafkaPublisher(settings, "test-producer")
    await publisher.publish([first, poisoned, refused])
    await publisher.send_raw(topic, b"acc_1", b"\xff not an envelope", [("event-id", b"junk")])
    await publisher.publish([last])
    await publisher.close()
    async with consuming(service, settings) as built:
        ids = [first.event_id, last.event_id]
        await until(lambda: _equals(seen_count(built, ids), 2))
    assert behaviour.attempts[poisoned.event_id] == settings.consumer_max_attempts
    assert behaviour.attempts[refused.event_id] == 1  # a refusal is final: no retry
    letters = await read_all(bootstrap, dead_letter_topic(group), 3)
    reasons = sorted(dict(r.headers)["dead-letter-reason"].decode() for r in letters)
    assert len(letters) == 3
    assert reasons[0].startswith("BadEvent")
    assert reasons[1].startswith("ServiceError") and reasons[2].startswith("ValueError")
    assert {r.value for r in letters} >= {b"\xff not an envelope"}
    assert all(dict(r.headers)["dead-letter-source"].startswith(topic.encode()) for r in letters)


async def test_redelivered_event_changes_nothing(
    bootstrap: str, topic: str, tmp_path: Path
) -> None:
    behaviour = Behaviour()
    service = probe_service(topic, behaviour)
    await ensure_topics(bootstrap, [topic])
    settings = settings_for(bootstrap, tmp_path)
    once = event(topic)
    await publish(bootstrap, settings, [once, once])
    async with consuming(service, settings) as built:
        await until(lambda: _equals(_attempts(behaviour, once.event_id), 2))
        row = await built.runtime.store.get(SEEN, {"event_id": once.event_id})
    assert row is not None and row["offset"] == 0


async def test_unavailable_dependency_is_waited_for_in_order(
    bootstrap: str, topic: str, tmp_path: Path
) -> None:
    behaviour = Behaviour()
    service = probe_service(topic, behaviour)
    await ensure_topics(bootstrap, [topic])
    settings = settings_for(bootstrap, tmp_path)
    stuck, after = event(topic), event(topic)
    behaviour.flaky[stuck.event_id] = 5  # more than consumer_max_attempts: never dead-lettered
    await publish(bootstrap, settings, [stuck, after])
    async with consuming(service, settings) as built:
        await until(lambda: _equals(seen_count(built, [stuck.event_id, after.event_id]), 2))
        stuck_row = await built.runtime.store.get(SEEN, {"event_id": stuck.event_id})
        after_row = await built.runtime.store.get(SEEN, {"event_id": after.event_id})
    assert behaviour.attempts[stuck.event_id] == 6
    assert stuck_row is not None and after_row is not None
    assert stuck_row["offset"] < after_row["offset"]


async def test_waiting_out_an_outage_does_not_use_up_the_retries_of_other_failures(
    bootstrap: str, topic: str, tmp_path: Path
) -> None:
    behaviour = Behaviour()
    service = probe_service(topic, behaviour)
    await ensure_topics(bootstrap, [topic, dead_letter_topic(service.name)])
    settings = settings_for(bootstrap, tmp_path)  # 2 attempts for failures other than outages
    once = event(topic)
    behaviour.flaky[once.event_id] = 3  # the dependency is down for three attempts,
    behaviour.hiccup_at[once.event_id] = 4  # then one unexpected failure, then success
    await publish(bootstrap, settings, [once])
    async with consuming(service, settings) as built:
        await until(lambda: _equals(seen_count(built, [once.event_id]), 1))
    assert behaviour.attempts[once.event_id] == 5


async def test_consumer_killed_mid_batch_leaves_each_side_effect_once_after_restart(
    bootstrap: str, topic: str, tmp_path: Path
) -> None:
    behaviour = Behaviour()
    service = probe_service(topic, behaviour)
    await ensure_topics(bootstrap, [topic])
    settings = settings_for(bootstrap, tmp_path)
    events = [event(topic) for _ in range(10)]
    ids = [e.event_id for e in events]
    behaviour.stall_at = ids[5]
    await publish(bootstrap, settings, events)
    async with consuming(service, settings) as built:
        await asyncio.wait_for(behaviour.stalled.wait(), 30)
        assert await seen_count(built, ids[:5]) == 5  # done, but the batch is not committed
    behaviour.stall_at = ""
    async with consuming(service, settings) as built:
        await until(lambda: _equals(seen_count(built, ids), 10))
    assert [behaviour.attempts[i] for i in ids[:6]] == [2] * 6
    assert [behaviour.attempts[i] for i in ids[6:]] == [1] * 4


async def test_consumer_continues_the_publishers_trace(
    bootstrap: str, topic: str, tmp_path: Path
) -> None:
    behaviour = Behaviour()
    service = probe_service(topic, behaviour)
    await ensure_topics(bootstrap, [topic])
    settings = settings_for(bootstrap, tmp_path)
    tracer = trace.get_tracer("test", tracer_provider=_provider())
    with tracer.start_as_current_span("publishing") as span:
        captured = Event.capture("transaction.created", "acc_1", event(topic).payload)
        traced = dataclasses.replace(captured, topic=topic)
        trace_id = format(span.get_span_context().trace_id, "032x")
    await publish(bootstrap, settings, [traced])
    async with consuming(service, settings) as built:
        await until(lambda: _equals(seen_count(built, [traced.event_id]), 1))
    assert behaviour.trace_ids[traced.event_id] == trace_id


def _provider() -> Any:
    from opentelemetry.sdk.trace import TracerProvider

    return TracerProvider()


async def _equals(value: Any, expected: Any) -> bool:
    return bool(await value == expected)


async def _attempts(behaviour: Behaviour, event_id: str) -> int:
    return behaviour.attempts.get(event_id, 0)


async def test_outbox_relay_stopped_between_write_and_publish_publishes_once_after_restart(
    bootstrap: str, tmp_path: Path
) -> None:
    from transactions import domain
    from transactions.main import service as transactions
    from transactions.settings import Settings

    await ensure_topics(bootstrap, ["transaction.created"])
    base = settings_for(bootstrap, tmp_path).model_dump()
    stopped = Settings(**base, outbox_interval=3600)
    relaying = Settings(**base, outbox_interval=0.05)
    tx_id = f"tx_{uuid.uuid4().hex}"
    new = domain.NewTransaction(
        id=tx_id,
        account_id="acc_outbox",
        amount=-350,
        currency="GBP",
        description="PRET A MANGER",
        status="authorised",
    )
    async with consuming(transactions, stopped) as built:
        await domain.create_transaction(built.runtime.store, new)
    assert await _published_for(bootstrap, tx_id, wait=1.0) == []  # written, never published
    async with consuming(transactions, relaying):
        found = await _published_for(bootstrap, tx_id, wait=5.0)
        await asyncio.sleep(0.5)  # several more relay passes
    again = await _published_for(bootstrap, tx_id, wait=1.0)
    assert len(found) == 1 and len(again) == 1
    assert dict(found[0].headers)["event-type"] == b"transaction.created"


async def _published_for(bootstrap: str, tx_id: str, wait: float) -> list[Any]:
    from smartbank.events.envelope import decode

    reader = AIOKafkaConsumer(
        "transaction.created", bootstrap_servers=bootstrap, auto_offset_reset="earliest"
    )
    await reader.start()
    found: list[Any] = []
    try:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            batch = await reader.getmany(timeout_ms=200)
            for record in (r for rs in batch.values() for r in rs):
                if decode(record.value).payload.transaction.id == tx_id:  # type: ignore[attr-defined]
                    found.append(record)
    finally:
        await reader.stop()
    return found


@pytest.mark.skipif(
    not bootstrap_from_env(),
    reason="Tansu does not rebalance a group when a member joins (checked: the second member "
    "never gets a partition); runs against Apache Kafka (KAFKA_BOOTSTRAP, the cluster's test Job)",
)
async def test_a_replica_joining_the_group_takes_over_without_repeating_handled_events(
    bootstrap: str, topic: str, tmp_path: Path
) -> None:
    behaviour = Behaviour(pace=0.1)
    service = probe_service(topic, behaviour)
    await ensure_topics(bootstrap, [topic], partitions=6)
    settings = settings_for(bootstrap, tmp_path)
    events = [event(topic, account=f"acc_{i % 6}") for i in range(240)]
    ids = [e.event_id for e in events]
    await publish(bootstrap, settings, events)
    async with consuming(service, settings) as first:
        await until(lambda: _at_least(behaviour, 30))
        async with consuming(service, settings) as second:  # same group, one more member
            await until(lambda: _equals(seen_count(first, ids), len(ids)), within=60)
    repeated = {i: n for i, n in behaviour.attempts.items() if n > 1}
    assert behaviour.by_runtime.get(id(second.runtime), 0) > 0, "no partition moved"
    assert repeated == {}, f"{len(repeated)} events handled twice across the rebalance"


async def _at_least(behaviour: Behaviour, handled: int) -> bool:
    return len(behaviour.attempts) >= handled


async def test_an_idle_consumer_asks_the_broker_with_the_longer_wait(
    bootstrap: str, topic: str
) -> None:
    """FetchWait changes the wait where the installed aiokafka reads it for every fetch request
    (an upgrade that moves it fails here, not silently in an idle stack)."""
    await ensure_topics(bootstrap, [topic], partitions=1)
    kafka = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, fetch_max_wait_ms=50)
    await kafka.start()
    try:
        clock = [0.0]
        wait = FetchWait(50, 400, clock=lambda: clock[0])
        clock[0] += IDLE_AFTER_SECONDS
        assert wait.after_fetch(kafka, got_events=False) == 400
        assert kafka._fetcher._fetch_max_wait_ms == 400
        assert wait.after_fetch(kafka, got_events=True) == 50
        assert kafka._fetcher._fetch_max_wait_ms == 50
    finally:
        await kafka.stop()
