import json
from datetime import timedelta
from typing import cast

import pytest

from apns import devices, pushes
from apns.client import Outcome
from apns.devices import INVALID
from apns.tables import PUSH_CLAIMS, PUSHES
from smartbank import timeutil
from smartbank.errors import ServiceError
from smartbank.storage import TableStore

TOKEN_A = "a" * 64
TOKEN_B = "0123456789abcdef" * 4
OTHER_USERS_TOKEN = "c" * 64


def feed_item(number: int = 1, **changes):
    return {
        "id": f"feed_{number}",
        "account_id": "acc_1",
        "user_id": "user_1",
        "title": "Starbucks",
        "body": "£3.50 on coffee",
        "image_url": "https://example.com/logo.png",
        "transaction_id": f"tx_{number}",
        "created": "2026-11-22T10:00:00.000Z",
        **changes,
    }


@pytest.fixture
async def two_devices(store) -> None:
    for token in (TOKEN_A, TOKEN_B):
        await devices.register(store, user_id="user_1", token=token, platform="ios")
    await devices.register(store, user_id="user_2", token=OTHER_USERS_TOKEN, platform="ios")


async def test_feed_item_created_pushes_to_each_active_device_of_the_user(
    store, apns_client, fake_apns, two_devices
) -> None:
    sent = await pushes.on_feed_item_created("ev_1", feed_item(), store=store, apns=apns_client)
    assert sorted(fake_apns.tokens()) == sorted([TOKEN_A, TOKEN_B])
    assert {p["status"] for p in sent} == {"sent"}
    logged = await pushes.list_pushes(store, "acc_1", 30)
    assert sorted(logged, key=lambda p: p["id"]) == sorted(sent, key=lambda p: p["id"])
    assert all(p["apns_id"] and p["status_code"] == 200 for p in logged)


async def test_feed_item_created_sends_the_apns_payload(store, apns_client, fake_apns) -> None:
    await devices.register(store, user_id="user_1", token=TOKEN_A, platform="ios")
    await pushes.on_feed_item_created("ev_1", feed_item(), store=store, apns=apns_client)
    [request] = fake_apns.requests
    assert json.loads(request.content) == {
        "aps": {
            "alert": {"title": "Starbucks", "body": "£3.50 on coffee"},
            "sound": "default",
            "thread-id": "acc_1",
        },
        "feed_item_id": "feed_1",
        "account_id": "acc_1",
        "transaction_id": "tx_1",
    }
    assert request.headers["apns-push-type"] == "alert"


async def test_feed_item_with_long_text_is_clipped(store, apns_client, fake_apns) -> None:
    await devices.register(store, user_id="user_1", token=TOKEN_A, platform="ios")
    item = feed_item(title="T" * 500, body="B" * 5000, transaction_id=None)
    await pushes.on_feed_item_created("ev_1", item, store=store, apns=apns_client)
    payload = json.loads(fake_apns.requests[0].content)
    assert len(payload["aps"]["alert"]["title"]) == pushes.MAX_TITLE
    assert payload["aps"]["alert"]["body"].endswith("…")
    assert "transaction_id" not in payload


async def test_feed_item_redelivered_pushes_once(
    store, apns_client, fake_apns, two_devices
) -> None:
    await pushes.on_feed_item_created("ev_1", feed_item(), store=store, apns=apns_client)
    again = await pushes.on_feed_item_created("ev_1", feed_item(), store=store, apns=apns_client)
    other_event = await pushes.on_feed_item_created(
        "ev_2", feed_item(), store=store, apns=apns_client
    )
    assert again == other_event == []
    assert len(fake_apns.requests) == 2
    assert len(await pushes.list_pushes(store, "acc_1", 30)) == 2


async def test_every_push_of_a_feed_item_collapses_on_the_device(
    store, apns_client, fake_apns, two_devices
) -> None:
    await pushes.on_feed_item_created("ev_1", feed_item(), store=store, apns=apns_client)
    assert {r.headers["apns-collapse-id"] for r in fake_apns.requests} == {"feed_1"}
    claims = await store.query(PUSH_CLAIMS, {"feed_item_id": "feed_1"})
    assert [c["done"] for c in claims] == [True, True]


CLAIM_KEY = {"feed_item_id": "feed_1", "device_token": TOKEN_A}


async def crashed_claim(store, *, lease_seconds: float) -> None:
    """User 1's device, and a claim on pushing feed_1 to it as a process leaves it when it
    stops between claiming and recording."""
    await devices.register(store, user_id="user_1", token=TOKEN_A, platform="ios")
    now = timeutil.now()
    claim = {
        **CLAIM_KEY,
        "push_id": "push_crashed",
        "event_id": "ev_1",
        "created": timeutil.format_time(now - timedelta(minutes=5)),
        "lease_until": timeutil.format_time(now + timedelta(seconds=lease_seconds)),
        "done": False,
    }
    await store.insert(PUSH_CLAIMS, claim)


async def push_feed_1(store, apns) -> list[dict]:
    return await pushes.on_feed_item_created("ev_1", feed_item(), store=store, apns=apns)


async def test_push_whose_sender_stopped_is_sent_once_its_lease_lapsed(
    store, apns_client, fake_apns
) -> None:
    await crashed_claim(store, lease_seconds=-1)
    [push] = await push_feed_1(store, apns_client)
    again = await push_feed_1(store, apns_client)
    assert (push["status"], push["id"] != "push_crashed", again) == ("sent", True, [])
    assert fake_apns.tokens() == [TOKEN_A]
    [claim] = await store.query(PUSH_CLAIMS, {"feed_item_id": "feed_1"})
    assert (claim["push_id"], claim["done"]) == (push["id"], True)


async def test_push_whose_sender_may_still_be_sending_is_looked_at_again_later(
    store, apns_client, fake_apns
) -> None:
    await crashed_claim(store, lease_seconds=60)
    with pytest.raises(ServiceError) as caught:
        await push_feed_1(store, apns_client)
    assert (caught.value.code, caught.value.status) == ("unavailable.push_in_progress", 503)
    assert fake_apns.requests == []


async def test_push_claimed_before_leases_existed_counts_as_done(
    store, apns_client, fake_apns
) -> None:
    await crashed_claim(store, lease_seconds=-1)
    await store.update(PUSH_CLAIMS, CLAIM_KEY, {"lease_until": None, "done": None})
    assert await push_feed_1(store, apns_client) == [] and fake_apns.requests == []


@pytest.mark.parametrize("meanwhile", ["finished", "renewed"])
async def test_takeover_of_a_claim_its_holder_finished_or_renewed_meanwhile_sends_nothing(
    store, apns_client, fake_apns, meanwhile
) -> None:
    await crashed_claim(store, lease_seconds=-1)
    later = timeutil.format_time(timeutil.now() + timedelta(seconds=60))
    change = {"done": True} if meanwhile == "finished" else {"lease_until": later}

    class HolderFirst:
        """The slow holder finishes, or renews its lease, just as the takeover looks for its
        record (after seeing the lease lapsed, before taking the claim)."""

        def __getattr__(self, name: str) -> object:
            return getattr(store, name)

        async def get(self, table, row_key):
            found = await store.get(table, row_key)
            if table is PUSHES:
                await store.update(PUSH_CLAIMS, CLAIM_KEY, change)
            return found

    with pytest.raises(ServiceError):
        await push_feed_1(cast(TableStore, HolderFirst()), apns_client)
    assert fake_apns.requests == []
    [claim] = await store.query(PUSH_CLAIMS, {"feed_item_id": "feed_1"})
    assert claim["push_id"] == "push_crashed"


async def test_sender_that_retries_keeps_its_claim_for_the_wait_and_the_next_attempt(
    store, make_client, fake_apns
) -> None:
    await devices.register(store, user_id="user_1", token=TOKEN_A, platform="ios")
    fake_apns.script(TOKEN_A, (503, "ServiceUnavailable"), 200)
    leases: list[str] = []
    client = make_client(apns_retry_wait_seconds=0.5, apns_retry_max_wait_seconds=0.5)
    original = client.http.post

    async def watching(*args, **kwargs):
        [claim] = await store.query(PUSH_CLAIMS, {"feed_item_id": "feed_1"})
        leases.append(claim["lease_until"])
        return await original(*args, **kwargs)

    client.http.post = watching
    [push] = await push_feed_1(store, client)
    assert push["status"] == "sent" and len(leases) == 2 and leases[1] > leases[0]


async def test_sender_whose_claim_was_taken_over_while_it_waited_stops(
    store, make_client, fake_apns
) -> None:
    await devices.register(store, user_id="user_1", token=TOKEN_A, platform="ios")
    fake_apns.script(TOKEN_A, (503, "ServiceUnavailable"), 200)
    client = make_client(apns_retry_wait_seconds=0.01, apns_retry_max_wait_seconds=0.01)
    original = client.http.post

    async def taken_over_after_the_first(*args, **kwargs):
        answer = await original(*args, **kwargs)
        await store.update(PUSH_CLAIMS, CLAIM_KEY, {"push_id": "push_other"})
        return answer

    client.http.post = taken_over_after_the_first
    assert await push_feed_1(store, client) == []
    assert len(fake_apns.requests) == 1
    assert await pushes.list_pushes(store, "acc_1", 30) == []


async def test_push_recorded_before_its_sender_stopped_is_not_sent_again(
    store, apns_client, fake_apns
) -> None:
    await crashed_claim(store, lease_seconds=-1)
    outcome = Outcome("sent", "apns-1", 200)
    await pushes._record(store, "push_crashed", "ev_1", feed_item(), TOKEN_A, outcome)
    assert await push_feed_1(store, apns_client) == [] and fake_apns.requests == []
    [claim] = await store.query(PUSH_CLAIMS, {"feed_item_id": "feed_1"})
    assert claim["done"] is True


@pytest.mark.parametrize("answer", [(410, "Unregistered"), (400, "BadDeviceToken")])
async def test_rejected_token_is_marked_invalid_and_skipped_next_time(
    store, apns_client, fake_apns, two_devices, answer
) -> None:
    fake_apns.script(TOKEN_A, answer)
    sent = await pushes.on_feed_item_created("ev_1", feed_item(1), store=store, apns=apns_client)
    assert {(p["device_token"], p["status"]) for p in sent} == {
        (TOKEN_A, "rejected"),
        (TOKEN_B, "sent"),
    }
    by_token = {d["token"]: d for d in await devices.list_devices(store, "user_1")}
    assert (by_token[TOKEN_A]["status"], by_token[TOKEN_A]["invalid_reason"]) == (
        INVALID,
        answer[1],
    )
    fake_apns.requests.clear()
    await pushes.on_feed_item_created("ev_2", feed_item(2), store=store, apns=apns_client)
    assert fake_apns.tokens() == [TOKEN_B]


async def test_push_that_keeps_failing_is_logged_failed_and_device_kept(
    store, make_client, fake_apns
) -> None:
    await devices.register(store, user_id="user_1", token=TOKEN_A, platform="ios")
    fake_apns.script(TOKEN_A, (503, "ServiceUnavailable"))
    client = make_client(apns_attempts=2)
    [push] = await pushes.on_feed_item_created("ev_1", feed_item(), store=store, apns=client)
    assert (push["status"], push["status_code"], push["attempts"]) == ("failed", 503, 2)
    assert await devices.active_tokens(store, "user_1") == [TOKEN_A]


async def test_feed_item_for_user_without_devices_pushes_nothing(
    store, apns_client, fake_apns, two_devices
) -> None:
    item = feed_item(user_id="user_9")
    assert await pushes.on_feed_item_created("ev_1", item, store=store, apns=apns_client) == []
    assert fake_apns.requests == []


@pytest.mark.parametrize("missing", ["id", "account_id", "user_id", "title"])
async def test_feed_item_without_required_field_is_refused(
    store, apns_client, fake_apns, two_devices, missing
) -> None:
    item = {k: v for k, v in feed_item().items() if k != missing}
    with pytest.raises(ServiceError) as caught:
        await pushes.on_feed_item_created("ev_1", item, store=store, apns=apns_client)
    assert caught.value.code == "bad_request.invalid_feed_item"
    assert caught.value.params == {"missing": [missing]}
    assert fake_apns.requests == []


async def test_list_pushes_is_newest_first_and_limited(store, apns_client, two_devices) -> None:
    for number in range(3):
        await pushes.on_feed_item_created(
            f"ev_{number}", feed_item(number), store=store, apns=apns_client
        )
    listed = await pushes.list_pushes(store, "acc_1", 4)
    assert len(listed) == 4
    assert [p["id"] for p in listed] == sorted((p["id"] for p in listed), reverse=True)
    assert listed[0]["feed_item_id"] == "feed_2"
    assert await pushes.list_pushes(store, "acc_2", 30) == []
