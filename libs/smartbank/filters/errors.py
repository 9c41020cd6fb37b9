"""Error mapping: every failure leaves the service as a typed JSON error body.

ServiceErrors keep their code, message and params; anything unexpected becomes
`internal_service.unexpected` with no internals leaked, and its traceback goes to the log once.
"""

from __future__ import annotations

import logging

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartbank.errors import ServiceError

log = logging.getLogger("smartbank.errors")


def to_service_error(exc: BaseException) -> ServiceError:
    if isinstance(exc, ServiceError):
        return exc
    return ServiceError("internal_service.unexpected", "internal error")


async def send_error(send: Send, error: ServiceError, trace_id: str = "") -> None:
    body = orjson.dumps(error.to_dict())
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if trace_id:
        headers.append((b"x-trace-id", trace_id.encode()))
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class ErrorFilter:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if not isinstance(exc, ServiceError):
                log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            if not started:
                trace_id = scope.get("state", {}).get("trace_id", "")
                await send_error(send, to_service_error(exc), trace_id)
