import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest

from smartbank import timeutil
from smartbank.storage import TableStore
from webhook import signing, webhooks
from webhook.delivery import backoff, on_transaction_enriched
from webhook.records import BUCKETS, Records, bucket_of
from webhook.tables import DUE_DELIVERIES
from webhook.tests.fakes import FakeClock, MakeDeliverer, Receiver


async def delivery_of(store: TableStore, hook: dict[str, Any]) -> dict[str, Any]:
    [delivery] = await webhooks.list_deliveries(store, hook["id"])
    return delivery


async def due_entries(store: TableStore) -> list[dict[str, Any]]:
    return [e for b in range(BUCKETS) for e in await store.query(DUE_DELIVERIES, {"bucket": b})]


def later(clock: FakeClock, seconds: float) -> str:
    return timeutil.format_time(clock.moment + timedelta(seconds=seconds))


async def test_retry_due_after_failure_then_success_delivers(
    make_deliverer: MakeDeliverer,
    hook: dict[str, Any],
    transaction: dict[str, Any],
    receiver: Receiver,
    clock: FakeClock,
    store: TableStore,
) -> None:
    receiver.script = [500, 200]
    deliverer = make_deliverer()
    [delivery_id] = await on_transaction_enriched("evt_1", transaction, deliverer)
    failed_once = await delivery_of(store, hook)
    assert failed_once["status"] == "pending"
    assert failed_once["last_status_code"] == 500
    assert failed_once["next_attempt_at"] == later(clock, 2)
    clock.advance(1.9)
    assert await deliverer.retry_due() == 0
    clock.advance(0.1)
    assert await deliverer.retry_due() == 1
    delivered = await delivery_of(store, hook)
    assert (delivered["status"], delivered["attempts"]) == ("delivered", 2)
    assert delivered["last_status_code"] == 200 and delivered["last_error"] == ""
    retried = receiver.requests[1]
    assert retried.headers["smartbank-delivery"] == delivery_id
    assert retried.content == receiver.requests[0].content
    header = retried.headers[signing.HEADER]
    assert header.startswith(f"t={int(clock().timestamp())},")
    signing.verify(hook["secret"], header, retried.content, clock().timestamp())
    assert await due_entries(store) == []


async def test_retry_due_when_always_failing_marks_failed_after_max(
    make_deliverer: MakeDeliverer,
    hook: dict[str, Any],
    transaction: dict[str, Any],
    receiver: Receiver,
    clock: FakeClock,
    store: TableStore,
) -> None:
    receiver.script = [503]
    deliverer = make_deliverer(webhook_max_attempts=3)
    await on_transaction_enriched("evt_1", transaction, deliverer)
    for delay in (2, 4):
        assert (await delivery_of(store, hook))["next_attempt_at"] == later(clock, delay)
        clock.advance(delay)
        assert await deliverer.retry_due() == 1
    failed = await delivery_of(store, hook)
    assert (failed["status"], failed["attempts"], failed["next_attempt_at"]) == ("failed", 3, "")
    assert failed["last_error"] == "the receiver answered HTTP 503"
    clock.advance(86_400)
    assert await deliverer.retry_due() == 0
    assert len(receiver.requests) == 3
    assert await due_entries(store) == []


@pytest.mark.parametrize(
    "answer",
    [httpx.ConnectTimeout("timed out"), httpx.ConnectError("refused"), 302, 404],
)
async def test_attempt_when_not_2xx_schedules_retry(
    make_deliverer: MakeDeliverer,
    hook: dict[str, Any],
    transaction: dict[str, Any],
    receiver: Receiver,
    store: TableStore,
    answer: int | Exception,
) -> None:
    receiver.script = [answer]
    await on_transaction_enriched("evt_1", transaction, make_deliverer())
    delivery = await delivery_of(store, hook)
    assert (delivery["status"], delivery["attempts"]) == ("pending", 1)
    if isinstance(answer, Exception):
        assert delivery["last_status_code"] is None
        assert delivery["last_error"].startswith(type(answer).__name__)
    else:
        assert delivery["last_status_code"] == answer
    assert len(await due_entries(store)) == 1


async def test_retry_due_when_webhook_deleted_marks_failed_unsent(
    make_deliverer: MakeDeliverer,
    hook: dict[str, Any],
    transaction: dict[str, Any],
    receiver: Receiver,
    clock: FakeClock,
    store: TableStore,
) -> None:
    receiver.script = [500, 200]
    deliverer = make_deliverer()
    await on_transaction_enriched("evt_1", transaction, deliverer)
    [delivery] = await Records(store).newest(hook["id"], 1)
    await webhooks.delete_webhook(store, hook["id"])
    clock.advance(2)
    assert await deliverer.retry_due() == 1
    row = await Records(store).get(hook["id"], delivery["delivery_id"])
    assert row is not None
    assert (row["status"], row["last_error"]) == ("failed", "the webhook was deleted")
    assert len(receiver.requests) == 1
    assert await due_entries(store) == []


async def test_retry_due_when_two_workers_race_sends_once(
    make_deliverer: MakeDeliverer,
    hook: dict[str, Any],
    transaction: dict[str, Any],
    receiver: Receiver,
    clock: FakeClock,
    store: TableStore,
) -> None:
    receiver.script = [500, 200]
    await on_transaction_enriched("evt_1", transaction, make_deliverer())
    clock.advance(2)
    racers = [make_deliverer(interleaving=True) for _ in range(2)]
    tried = await asyncio.gather(*(racer.retry_due() for racer in racers))
    assert sorted(tried) == [0, 1]
    assert len(receiver.requests) == 2
    assert (await delivery_of(store, hook))["status"] == "delivered"


async def test_retry_due_after_crash_mid_attempt_retries_after_lease(
    make_deliverer: MakeDeliverer,
    hook: dict[str, Any],
    receiver: Receiver,
    clock: FakeClock,
    store: TableStore,
) -> None:
    now = timeutil.format_time(clock())
    opened = await Records(store).open(
        hook["id"], "evt_1", "{}", now=now, lease_until=later(clock, 40)
    )
    assert opened is not None
    deliverer = make_deliverer()
    clock.advance(39)
    assert await deliverer.retry_due() == 0
    clock.advance(1)
    assert await deliverer.retry_due() == 1
    assert (await delivery_of(store, hook))["status"] == "delivered"
    assert [r.headers["smartbank-event"] for r in receiver.requests] == ["evt_1"]


async def test_retry_due_when_index_entry_stale_repairs_it(
    make_deliverer: MakeDeliverer,
    hook: dict[str, Any],
    transaction: dict[str, Any],
    receiver: Receiver,
    clock: FakeClock,
    store: TableStore,
) -> None:
    receiver.script = [500, 200]
    deliverer = make_deliverer()
    [delivery_id] = await on_transaction_enriched("evt_1", transaction, deliverer)
    stale = {
        "bucket": bucket_of(delivery_id),
        "next_attempt_at": timeutil.format_time(clock()),
        "delivery_id": delivery_id,
        "webhook_id": hook["id"],
    }
    orphan = {**stale, "delivery_id": "delivery_gone", "bucket": bucket_of("delivery_gone")}
    await store.insert(DUE_DELIVERIES, stale)
    await store.insert(DUE_DELIVERIES, orphan)
    assert await deliverer.retry_due() == 0
    [entry] = await due_entries(store)
    assert entry["next_attempt_at"] == later(clock, 2)
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    ("attempts", "rand", "expected"),
    [(1, 1.0, 2.0), (2, 1.0, 4.0), (3, 0.0, 4.0), (3, 0.5, 6.0), (12, 1.0, 3600.0)],
)
def test_backoff_doubles_with_jitter_up_to_the_cap(
    attempts: int, rand: float, expected: float
) -> None:
    assert backoff(attempts, 2.0, 3600.0, lambda: rand) == expected


async def test_settle_after_claim_lost_changes_nothing(
    hook: dict[str, Any], clock: FakeClock, store: TableStore
) -> None:
    records = Records(store)
    now = timeutil.format_time(clock())
    first = await records.open(hook["id"], "evt_1", "{}", now=now, lease_until=later(clock, 40))
    assert first is not None
    clock.advance(40)
    second = await records.claim(first, now=later(clock, 0), lease_until=later(clock, 40))
    assert second is not None and second["claim"] != first["claim"]
    assert not await records.settle(first, {"status": "delivered", "attempts": 1})
    assert await records.settle(second, {"status": "failed", "attempts": 1})
    row = await records.get(hook["id"], first["delivery_id"])
    assert row is not None and row["status"] == "failed"
    assert await due_entries(store) == []
