from collections.abc import Callable
from datetime import timedelta

from apns import devices
from apns.client import ApnsClient
from apns.main import service
from apns.tests.conftest import FakeApns, quick_settings
from smartbank import timeutil
from smartbank.events import Event
from smartbank.events.codec import feed_item_from_dict
from smartbank.schemas.v1 import events_pb2
from smartbank.testing import deliver, running

TOKEN = "c0" * 32


def item_created(user_id: str, created: str = "") -> Event:
    item = {
        "created": created,
        "id": "feeditem_1",
        "account_id": "acc_1",
        "user_id": user_id,
        "type": "transaction",
        "title": "Starbucks",
        "body": "£3.50",
        "transaction_id": "tx_1",
    }
    payload = events_pb2.FeedItemCreated(item=feed_item_from_dict(item))
    return Event("feed.item.created", "acc_1", payload)


async def test_feed_item_is_pushed_to_the_owners_device_once(
    make_client: Callable[..., ApnsClient], fake_apns: FakeApns
) -> None:
    async with running(service, settings=quick_settings()) as built:
        built.runtime.resource("apns", make_client)
        store = built.runtime.store
        await devices.register(store, user_id="user_1", token=TOKEN, platform="ios")
        event = item_created("user_1")
        await deliver(built, event)
        await deliver(built, event)
    assert fake_apns.tokens() == [TOKEN]


async def test_item_about_no_customer_is_skipped(
    make_client: Callable[..., ApnsClient], fake_apns: FakeApns
) -> None:
    async with running(service, settings=quick_settings()) as built:
        built.runtime.resource("apns", make_client)
        await deliver(built, item_created(""))
    assert fake_apns.requests == []


async def test_a_push_records_the_time_since_the_swipe_once(
    make_client: Callable[..., ApnsClient], fake_apns: FakeApns
) -> None:
    swiped = timeutil.format_time(timeutil.now() - timedelta(seconds=3))
    async with running(service, settings=quick_settings()) as built:
        built.runtime.resource("apns", make_client)
        await devices.register(built.runtime.store, user_id="user_1", token=TOKEN, platform="ios")
        event = item_created("user_1", created=swiped)
        await deliver(built, event)
        await deliver(built, event)
        registry = built.runtime.registry
    count = registry.get_sample_value("smartbank_swipe_to_push_seconds_count")
    under_2s = registry.get_sample_value("smartbank_swipe_to_push_seconds_bucket", {"le": "2.0"})
    under_5s = registry.get_sample_value("smartbank_swipe_to_push_seconds_bucket", {"le": "5.0"})
    assert (count, under_2s, under_5s) == (1.0, 0.0, 1.0)
