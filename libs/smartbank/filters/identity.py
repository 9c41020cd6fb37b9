"""Caller identity: which service is calling and on behalf of which principal.

Inside the mesh the headers are trusted (the edge strips them from outside traffic and the
api sets the principal only after checking a token). Handlers read `context.current()`.
"""

from __future__ import annotations

from dataclasses import replace

from starlette.types import ASGIApp, Receive, Scope, Send

from smartbank import context
from smartbank.filters.access_log import header


class IdentityFilter:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ctx = replace(
            context.current(),
            principal=header(scope, context.PRINCIPAL.encode()) or "",
            caller=header(scope, context.CALLER.encode()) or "",
        )
        scope.setdefault("state", {})["principal"] = ctx.principal
        with context.bound(ctx):
            await self.app(scope, receive, send)
