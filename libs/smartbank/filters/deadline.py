"""Deadline: turn the caller's remaining budget into an absolute deadline on arrival.

A request whose budget is already spent (it waited in a socket or the event loop past its
caller's deadline) is refused before any work is done; otherwise the call context (request id,
deadline) is bound for everything downstream, including RPC calls, which pass on only what is
left. Behind the edge proxy, arrival is when the edge received the request, not when this
process got round to it.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Receive, Scope, Send

from smartbank import context, errors


def headers_of(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", ())}


class DeadlineFilter:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = headers_of(scope)
        arrived = context.edge_arrival(headers.get(context.ARRIVED_AT_MS))
        if arrived is None:
            arrived = time.monotonic()
        request_id = scope.get("state", {}).get("request_id")
        if request_id:
            headers[context.REQUEST_ID] = request_id
        ctx = context.CallContext.from_headers(headers, arrived=arrived)
        if ctx.expired():
            raise errors.timeout(
                "deadline_exceeded", "the request's deadline had passed on arrival"
            )
        with context.bound(ctx):
            await self.app(scope, receive, send)
