import asyncio
from typing import Any, cast

from smartbank.events.outbox import OUTBOX_INDEX, SHARDS, held_events
from smartbank.storage import Result, TableStore
from smartbank.testing import FakePublisher, fake_settings, running
from transactions import domain, lifecycle
from transactions.events import OUTBOX
from transactions.main import service
from transactions.tables import TRANSACTIONS
from transactions.tests.fakes import RacingStore

QUIET = fake_settings(service, outbox_interval=3600)  # the tests run the relay themselves


async def indexed(store: Any) -> int:
    return sum([len(await store.query(OUTBOX_INDEX, {"shard": s})) for s in range(SHARDS)])


async def test_create_transaction_holds_its_created_event_until_relayed(new_tx: Any) -> None:
    publisher = FakePublisher()
    async with running(service, publisher=publisher, settings=QUIET) as built:
        store = built.runtime.store
        await domain.create_transaction(store, new_tx())
        row = await store.get(TRANSACTIONS, {"id": "tx_1"})
        assert row is not None and len(row["outbox"]) == 1 and await indexed(store) == 1
        await _relay(built)
        row = await store.get(TRANSACTIONS, {"id": "tx_1"})
        assert row is not None and row["outbox"] == {} and await indexed(store) == 0
    [event] = publisher.events
    assert (event.type, event.account_id) == ("transaction.created", "acc_1")
    assert event.payload.transaction.amount == -350  # type: ignore[attr-defined]
    assert event.payload.transaction.status == "authorised"  # type: ignore[attr-defined]


async def test_replayed_create_announces_nothing_new(new_tx: Any) -> None:
    publisher = FakePublisher()
    async with running(service, publisher=publisher, settings=QUIET) as built:
        store = built.runtime.store
        await domain.create_transaction(store, new_tx())
        await _relay(built)
        await domain.create_transaction(store, new_tx())
        assert await indexed(store) == 0  # the replay's announcement is withdrawn at once
        await _relay(built)
    assert len(publisher.events) == 1


async def test_replay_before_the_relay_leaves_one_announcement(new_tx: Any) -> None:
    publisher = FakePublisher()
    async with running(service, publisher=publisher, settings=QUIET) as built:
        store = built.runtime.store
        await asyncio.gather(*(domain.create_transaction(store, new_tx()) for _ in range(5)))
        assert await indexed(store) == 1
        await _relay(built)
        assert await indexed(store) == 0
    assert len(publisher.events) == 1


async def test_changes_that_lose_a_race_withdraw_their_announcements(new_tx: Any) -> None:
    publisher = FakePublisher()
    async with running(service, publisher=publisher, settings=QUIET) as built:
        store = built.runtime.store
        await domain.create_transaction(store, new_tx())
        racing = RacingStore(store, lambda: lifecycle.reverse(store, "tx_1", 10))
        await lifecycle.reverse(cast(TableStore, racing), "tx_1", 20)  # loses once, then applies
        assert await indexed(store) == 3  # the create and the two reversals that applied
        await _relay(built)
        assert await indexed(store) == 0
    assert len(publisher.of_type("transaction.reversed")) == 2


async def test_an_uncertain_or_held_event_keeps_its_announcement(new_tx: Any) -> None:
    async with running(service, publisher=FakePublisher(), settings=QUIET) as built:
        store = built.runtime.store
        await domain.create_transaction(store, new_tx())
        row = await store.get(TRANSACTIONS, {"id": "tx_1"})
        assert row is not None
        [created] = held_events(row).values()
        other = {**row, "outbox": {}}
        await OUTBOX.withdraw(store, Result(False, current=other, certain=False), [created])
        await OUTBOX.withdraw(store, Result(False, current=row), [created])  # the row holds it
        await OUTBOX.withdraw(store, Result(False, current=None), [created])  # row not seen
        assert await indexed(store) == 1
        await OUTBOX.withdraw(store, Result(False, current=other), [created])
        assert await indexed(store) == 0


async def test_each_change_publishes_its_event_in_order(new_tx: Any) -> None:
    publisher = FakePublisher()
    async with running(service, publisher=publisher, settings=QUIET) as built:
        store = built.runtime.store
        await domain.create_transaction(store, new_tx())
        await lifecycle.settle(store, "tx_1", 340)
        await _relay(built)
    kinds = sorted((e.event_id, e.type) for e in publisher.events)
    assert [k for _, k in kinds] == ["transaction.created", "transaction.settled"]
    settled = publisher.of_type("transaction.settled")[0].payload.transaction  # type: ignore[attr-defined]
    assert (settled.amount, settled.amount_authorised, settled.version) == (-340, -350, 2)


async def test_relay_that_fails_to_publish_publishes_after_restart(new_tx: Any) -> None:
    publisher = FakePublisher(fail_with=ConnectionError("broker down"))
    async with running(service, publisher=publisher, settings=QUIET) as built:
        store = built.runtime.store
        await domain.create_transaction(store, new_tx())
        await _relay(built)  # the row's failure is logged; other rows would still be relayed
        assert publisher.events == [] and await indexed(store) == 1
        publisher.fail_with = None
        await _relay(built)
        await _relay(built)
    assert [e.type for e in publisher.events] == ["transaction.created"]


async def test_enrichment_changes_merchant_without_an_event(new_tx: Any) -> None:
    publisher = FakePublisher()
    async with running(service, publisher=publisher, settings=QUIET) as built:
        store = built.runtime.store
        await domain.create_transaction(store, new_tx())
        enriched = await lifecycle.enrich(store, "tx_1", "merch_1", "eating_out")
        again = await lifecycle.enrich(store, "tx_1", "merch_1", "eating_out")
        await _relay(built)
    assert (enriched.merchant, enriched.category) == ("merch_1", "eating_out")
    assert again == enriched
    assert [e.type for e in publisher.events] == ["transaction.created"]


async def _relay(built: Any) -> None:
    from transactions.jobs import publish_outbox

    await publish_outbox(built.runtime)


async def test_enrichment_of_a_declined_transaction_announces_nothing_more(new_tx: Any) -> None:
    publisher = FakePublisher()
    async with running(service, publisher=publisher, settings=QUIET) as built:
        store = built.runtime.store
        declined = new_tx(status="declined", decline_reason="INSUFFICIENT_FUNDS")
        await domain.create_transaction(store, declined)
        await lifecycle.enrich(store, "tx_1", "merch_1", "eating_out")
        await _relay(built)
    assert [e.type for e in publisher.events] == ["transaction.created"]
