"""Each event is handled inside the call context it was published from: its request id, and
a fresh deadline (a consumer is not bound by the swipe's network deadline)."""

from __future__ import annotations

from smartbank import context
from smartbank.events.handling.received import Handle, Received

HANDLER_BUDGET = 30.0


async def call_context(received: Received, handle: Handle) -> None:
    fresh = context.fresh(budget=HANDLER_BUDGET)
    bound = context.CallContext(
        request_id=received.event.request_id or fresh.request_id,
        deadline=fresh.deadline,
        caller=f"kafka:{received.topic}",
    )
    with context.bound(bound):
        await handle(received)
