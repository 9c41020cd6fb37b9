"""Access log: one JSON line per request, with its request id and trace id.

Probes and metrics scrapes (`QUIET_PATHS`) are not logged, and not counted or traced either.
"""

from __future__ import annotations

import logging

from starlette.types import Scope

from smartbank.context import CALLER, REQUEST_ID

log = logging.getLogger("smartbank.access")

QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def log_request(
    scope: Scope, status: int, seconds: float, headers: dict[str, str], trace_id: str
) -> None:
    """The request's line: what was asked, what it was answered, in how long, by whom."""
    method, path = scope["method"], scope["path"]
    log.info(
        "%s %s %d",
        method,
        path,
        status,
        extra={
            "request_id": headers.get(REQUEST_ID, ""),
            "trace_id": trace_id,
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "caller": headers.get(CALLER, ""),
        },
    )
