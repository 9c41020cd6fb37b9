"""One outgoing call and its reply; filters wrap the step that sends it (smartbank.chain)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from smartbank.chain import Filter as AnyFilter
from smartbank.chain import Step


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


Send = Step[Call, Reply]
Filter = AnyFilter[Call, Reply]
