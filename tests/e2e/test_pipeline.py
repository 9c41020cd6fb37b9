"""After the swipe: enrichment, the feed, a push and a webhook, all in the swipe's trace."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from smartbank.local.cli.trace import trace_source
from smartbank.local.launcher.stack import Stack
from smartbank.local.push_sink import read_pushes
from smartbank.local.traces import SpanRecord
from tests.e2e.driver import Bank, authorisation
from tests.e2e.receiver import receiver
from webhook.signing import verify

pytestmark = pytest.mark.asyncio(loop_scope="session")

DEVICE = "a1" * 32
PIPELINE = {
    "card-api",
    "card-processing",
    "cards",
    "balance",
    "transactions",
    "transaction-enrichment",
    "merchant",
    "feed-generator",
    "feed",
    "apns",
    "webhook",
}

# Each consumes an event another service published: its CONSUMER span's parent is that
# service's span, carried across Kafka in the event.
CONSUMERS = {"transaction-enrichment", "feed-generator", "apns", "webhook"}


async def eventually(check: Callable[[], Awaitable[Any]], within: float = 20.0) -> Any:
    deadline = time.monotonic() + within
    while True:
        found = await check()
        if found or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.1)


async def feed_of(bank: Bank, account_id: str) -> list[dict[str, Any]]:
    found = await bank.inside("feed", "GET", "/feed/items", params={"account_id": account_id})
    return list(found["feed_items"])


async def test_one_swipe_reaches_feed_push_and_webhook_in_one_trace(bank: Bank, stack: Stack):
    ada = await bank.customer(10_000)
    await bank.inside("apns", "POST", "/devices", json={"user_id": ada["user_id"], "token": DEVICE})
    with receiver() as hooks:
        registered = await bank.inside(
            "webhook", "POST", "/webhooks", json={"account_id": ada["account_id"], "url": hooks.url}
        )
        secret = registered["webhook"]["secret"]
        # A descriptor enrichment has not seen (it remembers those it has), so merchant is asked.
        swipe_at = {"descriptor": f"STARBUCKS {uuid.uuid4().int % 10**6} LEEDS GBR", "mcc": "5814"}
        message = authorisation(ada["card_token"], 350, merchant=swipe_at)
        response = await bank.send("authorisations", message)
        answer, trace_id = response.json(), response.headers["x-trace-id"]
        assert answer["approved"] is True
        swipe = answer["transaction_id"]
        items = await eventually(lambda: _about(feed_of(bank, ada["account_id"]), swipe))
        pushes = await eventually(
            lambda: asyncio.sleep(0, _pushed(read_pushes(stack.layout.pushes), swipe))
        )
        deliveries = await eventually(lambda: asyncio.sleep(0, _delivered(hooks.deliveries, swipe)))
    [item] = items
    assert (item["title"], item["body"], item["emoji"]) == ("Starbucks", "£3.50", "☕")
    [push] = pushes
    assert push["token"] == DEVICE
    assert push["payload"]["aps"]["alert"] == {"title": "Starbucks", "body": "£3.50"}
    [delivery] = deliveries
    verify(secret, delivery.headers["smartbank-signature"], delivery.body, time.time())
    sent = json.loads(delivery.body)
    assert sent["type"] == "transaction.created"
    assert sent["data"]["id"] == answer["transaction_id"]
    assert sent["data"]["merchant"]["name"] == "Starbucks"
    assert sent["data"]["category"] == "eating_out" and sent["data"]["settled"] == ""
    await eventually(lambda: asyncio.sleep(0, _whole(stack, trace_id)), 30)
    spans = trace_source(stack.layout).load(trace_id)
    services = {span.service for span in spans}
    assert services >= PIPELINE, f"missing from the trace: {PIPELINE - services}"
    assert _orphans(spans) == [], "spans whose parent is not in the trace"
    services_by_id = {span.span_id: span.service for span in spans}
    hops = {
        s.service for s in spans if _consumed(s) and services_by_id[s.parent_id or ""] != s.service
    }
    assert hops >= CONSUMERS, f"Kafka hops not linked to their publisher: {CONSUMERS - hops}"


def _whole(stack: Stack, trace_id: str) -> bool:
    """Every service has reported, and every span's parent has arrived."""
    spans = trace_source(stack.layout).load(trace_id)
    return {s.service for s in spans} >= PIPELINE and not _orphans(spans)


def _orphans(spans: list[SpanRecord]) -> list[SpanRecord]:
    """Spans whose parent is not in the trace, besides the one root."""
    ids = {span.span_id for span in spans}
    unparented = [span for span in spans if span.parent_id not in ids]
    return unparented[1:] if len(unparented) == 1 and not unparented[0].parent_id else unparented


def _consumed(span: SpanRecord) -> bool:
    return span.name.startswith("process ") and span.parent_id is not None


async def _about(found: Awaitable[list[dict[str, Any]]], tx_id: str) -> list[dict[str, Any]]:
    return [item for item in await found if item["transaction_id"] == tx_id]


def _pushed(pushes: list[dict[str, Any]], tx_id: str) -> list[dict[str, Any]]:
    return [p for p in pushes if p["payload"].get("transaction_id") == tx_id]


def _delivered(deliveries: list[Any], tx_id: str) -> list[Any]:
    return [d for d in deliveries if json.loads(d.body)["data"]["id"] == tx_id]


async def test_swipes_are_approved_while_merchant_is_down_and_the_feed_catches_up(
    bank: Bank, stack: Stack
):
    grace = await bank.customer(10_000)
    shop = {"descriptor": f"GRACES CORNER SHOP {uuid.uuid4().hex[:6].upper()}", "mcc": "5411"}
    stack.stop_service("merchant")
    try:
        answers, took = [], []
        for i in range(3):
            started = time.monotonic()
            message = authorisation(grace["card_token"], 100 + i, merchant=shop)
            answers.append(await bank.network("authorisations", message))
            took.append(time.monotonic() - started)
        swipes = sorted(a["transaction_id"] for a in answers)
        await asyncio.sleep(1.0)
        assert await _all_of(feed_of(bank, grace["account_id"]), swipes, at_least=1) == []
    finally:
        stack.start_service("merchant")
        stack.wait_ready(60)
    assert all(a["approved"] for a in answers)
    assert max(took) < 1.0, took  # nothing on the card path waits for merchant
    items = await eventually(lambda: _all_of(feed_of(bank, grace["account_id"]), swipes), 40)
    assert sorted(i["transaction_id"] for i in items) == swipes
    assert {i["title"] for i in items} == {"Graces Corner Shop"}  # the store code is dropped


async def _all_of(
    found: Awaitable[list[dict[str, Any]]], tx_ids: list[str], at_least: int = 0
) -> list[dict[str, Any]]:
    items = [i for i in await found if i["transaction_id"] in tx_ids]
    return items if len(items) >= (at_least or len(tx_ids)) else []
