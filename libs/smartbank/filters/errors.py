"""Error mapping: every failure leaves the service as a typed JSON error body.

ServiceErrors keep their code, message and params. A storage fault is an infrastructure fault,
not a bug: `unavailable.storage` (503), or `unavailable.outcome_unknown` when a conditional
write may yet apply, so the caller knows to send the same request again. Anything else becomes
`internal_service.unexpected` with no internals leaked, and its traceback goes to the log once.
"""

from __future__ import annotations

import logging

import orjson
from starlette.types import Scope, Send

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


async def send_error(send: Send, error: ServiceError) -> None:
    """Answer with the error's status and typed body; the onion adds the trace and request ids."""
    body = orjson.dumps(error.to_dict())
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def report(exc: Exception, scope: Scope) -> None:
    """Log a failure once: a storage fault as a warning, a bug with its traceback."""
    where = (scope.get("method"), scope.get("path"))
    if isinstance(exc, StorageError):
        log.warning("storage fault in %s %s: %s", *where, exc)
    elif not isinstance(exc, ServiceError):
        log.exception("unhandled error in %s %s", *where)
