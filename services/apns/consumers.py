from __future__ import annotations

from apns.client import ApnsClient
from apns.metrics import PushMetrics
from apns.pushes import on_feed_item_created
from apns.settings import Settings
from smartbank.events import Consumer, Received
from smartbank.events.codec import feed_item_to_dict
from smartbank.runtime import Runtime
from smartbank.schemas.v1 import events_pb2


def client(runtime: Runtime) -> ApnsClient:
    settings = runtime.settings_as(Settings)
    return runtime.resource("apns", lambda: ApnsClient.from_settings(settings))


async def on_feed_item(received: Received, runtime: Runtime) -> None:
    payload = received.event.payload
    assert isinstance(payload, events_pb2.FeedItemCreated)
    item = feed_item_to_dict(payload.item)
    if not item["user_id"]:
        return  # an item about no customer's card (a top-up): nobody to notify
    pushed = await on_feed_item_created(
        received.event.event_id, item, store=runtime.store, apns=client(runtime)
    )
    if pushed and item["transaction_id"] and item["created"]:
        metrics = runtime.resource("metrics", lambda: PushMetrics(runtime.registry))
        metrics.pushed(item["created"])


ALL = [Consumer("feed.item.created", on_feed_item)]
