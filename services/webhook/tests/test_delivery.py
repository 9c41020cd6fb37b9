import asyncio
import json
from typing import Any

import pytest

from smartbank.storage import TableStore
from webhook import signing, webhooks
from webhook.delivery import on_transaction_enriched
from webhook.tests.fakes import PUBLIC_ADDRESS, FakeClock, FakeResolver, MakeDeliverer, Receiver


async def test_on_transaction_enriched_posts_the_signed_event(
    make_deliverer: MakeDeliverer,
    hook: dict[str, Any],
    transaction: dict[str, Any],
    receiver: Receiver,
    clock: FakeClock,
    store: TableStore,
) -> None:
    opened = await on_transaction_enriched("evt_1", transaction, make_deliverer())
    assert len(opened) == 1
    [request] = receiver.requests
    assert request.method == "POST"
    assert str(request.url) == f"https://{PUBLIC_ADDRESS}/in"
    assert request.headers["host"] == "hooks.example.com"
    assert request.extensions["sni_hostname"] == "hooks.example.com"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["smartbank-delivery"] == opened[0]
    assert request.headers["smartbank-event"] == "evt_1"
    assert json.loads(request.content) == {"type": "transaction.created", "data": transaction}
    now = clock().timestamp()
    signing.verify(hook["secret"], request.headers[signing.HEADER], request.content, now)
    [delivery] = await webhooks.list_deliveries(store, hook["id"])
    assert delivery["id"] == opened[0]
    assert delivery["event_id"] == "evt_1"
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == 1
    assert delivery["last_status_code"] == 200
    assert delivery["next_attempt_at"] == ""


async def test_on_transaction_enriched_when_redelivered_delivers_once(
    make_deliverer: MakeDeliverer,
    hook: dict[str, Any],
    transaction: dict[str, Any],
    receiver: Receiver,
    store: TableStore,
) -> None:
    deliverer = make_deliverer()
    first = await on_transaction_enriched("evt_1", transaction, deliverer)
    again = await on_transaction_enriched("evt_1", transaction, deliverer)
    assert len(first) == 1 and again == []
    assert len(receiver.requests) == 1
    assert len(await webhooks.list_deliveries(store, hook["id"])) == 1


async def test_on_transaction_enriched_when_redelivered_concurrently_delivers_once(
    make_deliverer: MakeDeliverer,
    hook: dict[str, Any],
    transaction: dict[str, Any],
    receiver: Receiver,
) -> None:
    deliverer = make_deliverer(interleaving=True)
    results = await asyncio.gather(
        *(on_transaction_enriched("evt_1", transaction, deliverer) for _ in range(5))
    )
    assert sum(len(opened) for opened in results) == 1
    assert len(receiver.requests) == 1


async def test_on_transaction_enriched_when_new_event_delivers_again(
    make_deliverer: MakeDeliverer,
    hook: dict[str, Any],
    transaction: dict[str, Any],
    receiver: Receiver,
    store: TableStore,
) -> None:
    deliverer = make_deliverer()
    await on_transaction_enriched("evt_1", transaction, deliverer)
    await on_transaction_enriched("evt_2", transaction, deliverer)
    events = [r.headers["smartbank-event"] for r in receiver.requests]
    assert events == ["evt_1", "evt_2"]
    newest_first = await webhooks.list_deliveries(store, hook["id"])
    assert [d["event_id"] for d in newest_first] == ["evt_2", "evt_1"]
    assert [d["event_id"] for d in await webhooks.list_deliveries(store, hook["id"], 1)] == [
        "evt_2"
    ]


async def test_on_transaction_enriched_sends_only_to_live_hooks_of_the_account(
    make_deliverer: MakeDeliverer,
    store: TableStore,
    resolver: FakeResolver,
    transaction: dict[str, Any],
    receiver: Receiver,
) -> None:
    async def register(account_id: str, path: str) -> dict[str, Any]:
        url = f"https://hooks.example.com/{path}"
        return await webhooks.create_webhook(
            store, account_id=account_id, url=url, allow_private=False, resolve=resolver
        )

    await register("acc_1", "kept")
    gone = await register("acc_1", "gone")
    await register("acc_2", "other")
    await webhooks.delete_webhook(store, gone["id"])
    opened = await on_transaction_enriched("evt_1", transaction, make_deliverer())
    assert len(opened) == 1
    assert [r.url.path for r in receiver.requests] == ["/kept"]


async def test_on_transaction_enriched_when_address_turned_private_sends_nothing(
    make_deliverer: MakeDeliverer,
    hook: dict[str, Any],
    resolver: FakeResolver,
    transaction: dict[str, Any],
    receiver: Receiver,
    store: TableStore,
) -> None:
    resolver.answers["hooks.example.com"] = ["169.254.169.254"]
    await on_transaction_enriched("evt_1", transaction, make_deliverer())
    assert receiver.requests == []
    [delivery] = await webhooks.list_deliveries(store, hook["id"])
    assert delivery["status"] == "pending"
    assert delivery["attempts"] == 1
    assert delivery["last_error"].startswith("bad_request.unsafe_url")
    assert delivery["last_status_code"] is None


async def test_on_transaction_enriched_when_private_allowed_sends_unpinned(
    make_deliverer: MakeDeliverer,
    store: TableStore,
    resolver: FakeResolver,
    transaction: dict[str, Any],
    receiver: Receiver,
) -> None:
    await webhooks.create_webhook(
        store,
        account_id="acc_1",
        url="http://localhost:9000/in",
        allow_private=True,
        resolve=resolver,
    )
    deliverer = make_deliverer(webhook_allow_private_addresses=True)
    await on_transaction_enriched("evt_1", transaction, deliverer)
    assert [str(r.url) for r in receiver.requests] == ["http://localhost:9000/in"]
    assert resolver.asked == []


async def test_on_transaction_enriched_without_account_is_refused(
    make_deliverer: MakeDeliverer, transaction: dict[str, Any]
) -> None:
    del transaction["account_id"]
    with pytest.raises(ValueError, match="account_id"):
        await on_transaction_enriched("evt_1", transaction, make_deliverer())


async def test_on_transaction_enriched_when_slower_than_timeout_schedules_retry(
    make_deliverer: MakeDeliverer,
    hook: dict[str, Any],
    resolver: FakeResolver,
    transaction: dict[str, Any],
    receiver: Receiver,
    store: TableStore,
) -> None:
    resolver.delay = 5.0
    await on_transaction_enriched("evt_1", transaction, make_deliverer(webhook_timeout=0.05))
    assert receiver.requests == []
    [delivery] = await webhooks.list_deliveries(store, hook["id"])
    assert (delivery["status"], delivery["attempts"]) == ("pending", 1)
    assert delivery["last_error"] == "the attempt took longer than 0.05s"


async def test_on_transaction_enriched_when_not_json_safe_is_refused(
    make_deliverer: MakeDeliverer, hook: dict[str, Any], transaction: dict[str, Any]
) -> None:
    transaction["merchant"]["address"]["latitude"] = float("nan")
    with pytest.raises(ValueError):
        await on_transaction_enriched("evt_1", transaction, make_deliverer())
