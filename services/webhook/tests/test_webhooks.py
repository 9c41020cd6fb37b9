from typing import Any

import pytest

from smartbank.errors import ServiceError
from smartbank.storage import TableStore
from webhook import webhooks
from webhook.tables import WEBHOOKS, WEBHOOKS_BY_ACCOUNT
from webhook.tests.fakes import HOOK_URL, FakeResolver


async def register(
    store: TableStore, resolver: FakeResolver, url: str = HOOK_URL, account_id: str = "acc_1"
) -> dict[str, Any]:
    return await webhooks.create_webhook(
        store, account_id=account_id, url=url, allow_private=False, resolve=resolver
    )


async def test_create_webhook_answers_with_a_secret_shown_once(
    store: TableStore, resolver: FakeResolver
) -> None:
    created = await register(store, resolver)
    assert set(created) == {"id", "account_id", "url", "secret"}
    assert created["id"].startswith("webhook_")
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 30
    assert created["url"] == HOOK_URL
    shown = await webhooks.get_webhook(store, created["id"])
    assert shown == {"id": created["id"], "account_id": "acc_1", "url": HOOK_URL}


async def test_create_webhook_gives_each_its_own_secret(
    store: TableStore, resolver: FakeResolver
) -> None:
    first, second = await register(store, resolver), await register(store, resolver)
    assert first["secret"] != second["secret"]


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://hooks.example.com/", "bad_request.invalid_url"),
        ("https://nowhere.invalid/", "bad_request.invalid_url"),
        ("http://127.0.0.1:8000/", "bad_request.unsafe_url"),
        ("http://[::ffff:10.0.0.1]/", "bad_request.unsafe_url"),
    ],
)
async def test_create_webhook_when_url_refused_writes_nothing(
    store: TableStore, resolver: FakeResolver, url: str, code: str
) -> None:
    with pytest.raises(ServiceError) as caught:
        await register(store, resolver, url)
    assert caught.value.code == code
    assert await store.query(WEBHOOKS_BY_ACCOUNT, {"account_id": "acc_1"}) == []


async def test_list_webhooks_lists_only_that_accounts_live_hooks(
    store: TableStore, resolver: FakeResolver
) -> None:
    kept = await register(store, resolver)
    gone = await register(store, resolver)
    await register(store, resolver, account_id="acc_2")
    await webhooks.delete_webhook(store, gone["id"])
    assert await webhooks.list_webhooks(store, "acc_1") == [
        {"id": kept["id"], "account_id": "acc_1", "url": HOOK_URL}
    ]
    assert await webhooks.list_webhooks(store, "acc_none") == []


async def test_delete_webhook_twice_is_a_no_op(store: TableStore, resolver: FakeResolver) -> None:
    created = await register(store, resolver)
    await webhooks.delete_webhook(store, created["id"])
    await webhooks.delete_webhook(store, created["id"])
    row = await store.get(WEBHOOKS, {"webhook_id": created["id"]})
    assert row is not None and row["deleted"] is True
    with pytest.raises(ServiceError) as caught:
        await webhooks.get_webhook(store, created["id"])
    assert caught.value.code == "not_found.webhook"


@pytest.mark.parametrize(
    "action",
    [webhooks.get_webhook, webhooks.delete_webhook, webhooks.list_deliveries],
)
async def test_webhook_actions_when_unknown_are_not_found(store: TableStore, action: Any) -> None:
    with pytest.raises(ServiceError) as caught:
        await action(store, "webhook_missing")
    assert caught.value.code == "not_found.webhook"
    assert caught.value.params == {"webhook_id": "webhook_missing"}


@pytest.mark.parametrize("limit", [0, 101])
async def test_list_deliveries_when_limit_out_of_range_is_bad_request(
    store: TableStore, resolver: FakeResolver, limit: int
) -> None:
    created = await register(store, resolver)
    with pytest.raises(ServiceError) as caught:
        await webhooks.list_deliveries(store, created["id"], limit)
    assert caught.value.code == "bad_request.invalid_limit"
