"""One outgoing call and its reply, and how filters wrap the step that sends it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    service: str
    method: str
    path: str
    json: Any = None
    params: dict[str, Any] | None = None
    idempotent: bool = False
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes


Send = Callable[[Call], Awaitable[Reply]]
Filter = Callable[[Call, Send], Awaitable[Reply]]


def chain(filters: Sequence[Filter], send: Send) -> Send:
    """`send` wrapped in `filters`, the first outermost."""
    for outer in reversed(filters):
        send = _bound(outer, send)
    return send


def _bound(outer: Filter, inner: Send) -> Send:
    async def step(call: Call) -> Reply:
        return await outer(call, inner)

    return step
