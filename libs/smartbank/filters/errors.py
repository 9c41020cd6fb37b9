"""Error mapping: every failure leaves the service as a typed JSON error body.

ServiceErrors keep their code, message and params. A storage fault is an infrastructure fault,
not a bug: `unavailable.storage` (503), or `unavailable.outcome_unknown` when a conditional
write may yet apply, so the caller knows to send the same request again. Anything else becomes
`internal_service.unexpected` with no internals leaked, and its traceback goes to the log once.
"""

from __future__ import annotations

import logging

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartbank import errors
from smartbank.errors import ServiceError
from smartbank.storage import OutcomeUnknown, StorageError

log = logging.getLogger("smartbank.errors")


def to_service_error(exc: BaseException) -> ServiceError:
    if isinstance(exc, ServiceError):
        return exc
    if isinstance(exc, OutcomeUnknown):
        return errors.outcome_unknown("a conditional write")
    if isinstance(exc, StorageError):
        return errors.unavailable("storage", "the service's storage is unavailable; retry later")
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
            where = (scope.get("method"), scope.get("path"))
            if isinstance(exc, StorageError):
                log.warning("storage fault in %s %s: %s", *where, exc)
            elif not isinstance(exc, ServiceError):
                log.exception("unhandled error in %s %s", *where)
            if not started:
                trace_id = scope.get("state", {}).get("trace_id", "")
                await send_error(send, to_service_error(exc), trace_id)
