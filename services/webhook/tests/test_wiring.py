import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any, cast

import httpx
import pytest

from smartbank.testing import fake_settings, service_client
from webhook import handlers, main, signing
from webhook.delivery import on_transaction_enriched, open_deliverer
from webhook.settings import Settings
from webhook.tests.fakes import HOOK_URL, FakeResolver, LocalReceiver


@pytest.fixture
async def local_receiver() -> AsyncIterator[LocalReceiver]:
    receiver = LocalReceiver()
    await receiver.start()
    yield receiver
    await receiver.stop()


async def test_webhooks_api_answers_with_status_codes_and_typed_errors(
    resolver: FakeResolver,
) -> None:
    async with service_client(main.service) as client:
        built = client.app  # type: ignore[attr-defined]
        built.fastapi.dependency_overrides[handlers.get_resolver] = lambda: resolver
        created = await client.post("/webhooks", json={"account_id": "acc_1", "url": HOOK_URL})
        assert created.status_code == 200
        webhook = created.json()["webhook"]
        assert set(webhook) == {"id", "account_id", "url", "secret"}
        public = {"id": webhook["id"], "account_id": "acc_1", "url": HOOK_URL}
        assert resolver.asked == ["hooks.example.com"]

        listed = await client.get("/webhooks", params={"account_id": "acc_1"})
        assert listed.json() == {"webhooks": [public]}
        assert (await client.get(f"/webhooks/{webhook['id']}")).json() == {"webhook": public}
        log = await client.get(f"/webhooks/{webhook['id']}/deliveries")
        assert log.status_code == 200 and log.json() == {"deliveries": []}

        for url, code in [
            ("ftp://hooks.example.com/", "bad_request.invalid_url"),
            ("http://127.0.0.1:9000/hook", "bad_request.unsafe_url"),
            ("https://nowhere.invalid/", "bad_request.invalid_url"),
        ]:
            refused = await client.post("/webhooks", json={"account_id": "acc_1", "url": url})
            assert refused.status_code == 400
            assert refused.json()["code"] == code
        incomplete = await client.post("/webhooks", json={"account_id": "acc_1"})
        assert incomplete.status_code == 400
        assert incomplete.json()["code"] == "bad_request.invalid_request"
        bad_limit = await client.get(f"/webhooks/{webhook['id']}/deliveries?limit=0")
        assert bad_limit.json()["code"] == "bad_request.invalid_limit"
        again = await client.get("/webhooks", params={"account_id": "acc_1"})
        assert again.json() == {"webhooks": [public]}

        deleted = await client.delete(f"/webhooks/{webhook['id']}")
        assert deleted.status_code == 200 and deleted.json() == {}
        gone = await client.get("/webhooks", params={"account_id": "acc_1"})
        assert gone.json() == {"webhooks": []}
        for missing in (
            await client.get(f"/webhooks/{webhook['id']}"),
            await client.delete("/webhooks/webhook_missing"),
            await client.get("/webhooks/webhook_missing/deliveries"),
        ):
            assert missing.status_code == 404
            assert missing.json()["code"] == "not_found.webhook"


async def test_webhook_on_local_stack_retries_until_the_receiver_accepts(
    local_receiver: LocalReceiver, transaction: dict[str, Any]
) -> None:
    local_receiver.script = [503, 200]
    settings = cast(
        Settings,
        fake_settings(
            main.service,
            webhook_allow_private_addresses=True,
            webhook_retry_interval=0.02,
            webhook_backoff_base=0.02,
        ),
    )
    async with service_client(main.service, settings=settings) as client:
        created = await client.post(
            "/webhooks", json={"account_id": "acc_1", "url": local_receiver.url}
        )
        webhook = created.json()["webhook"]
        store = client.app.runtime.store  # type: ignore[attr-defined]
        async with open_deliverer(store, settings) as deliverer:
            await on_transaction_enriched("evt_1", transaction, deliverer)
        deliveries = await wait_until_settled(client, webhook["id"])
    assert [(d["status"], d["attempts"]) for d in deliveries] == [("delivered", 2)]
    assert len(local_receiver.received) == 2
    headers, body = local_receiver.received[-1]
    signing.verify(webhook["secret"], headers["smartbank-signature"], body, time.time())
    assert json.loads(body) == {"type": "transaction.created", "data": transaction}
    assert headers["smartbank-event"] == "evt_1"
    assert headers["smartbank-delivery"] == deliveries[0]["id"]


async def wait_until_settled(client: httpx.AsyncClient, webhook_id: str) -> list[dict[str, Any]]:
    for _ in range(250):
        answer = await client.get(f"/webhooks/{webhook_id}/deliveries")
        deliveries: list[dict[str, Any]] = answer.json()["deliveries"]
        if deliveries and all(d["status"] != "pending" for d in deliveries):
            return deliveries
        await asyncio.sleep(0.02)
    raise AssertionError(f"deliveries never settled: {deliveries}")
