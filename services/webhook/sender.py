from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from webhook import signing
from webhook.settings import Settings
from webhook.urls import Target

EVENT_TYPE = "transaction.created"
USER_AGENT = "smartbank-webhooks/1"
MAX_ERROR_LENGTH = 300


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def event_body(transaction: Mapping[str, Any]) -> str:
    payload = {"type": EVENT_TYPE, "data": transaction}
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def delivery_headers(
    secret: str, body: bytes, *, delivery_id: str, event_id: str, timestamp: int
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        signing.HEADER: signing.sign(secret, body, timestamp),
        "Smartbank-Delivery": delivery_id,
        "Smartbank-Event": event_id,
    }


def new_client(settings: Settings) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        http2=True,
        timeout=settings.webhook_timeout,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
    )


async def post(
    client: httpx.AsyncClient, target: Target, body: bytes, headers: dict[str, str]
) -> Outcome:
    """POST without reading the answer's body: only its status counts."""
    try:
        async with client.stream(
            "POST",
            target.url,
            content=body,
            headers={**headers, **target.headers},
            extensions=target.extensions,
        ) as response:
            status = response.status_code
    except httpx.HTTPError as exc:
        return Outcome(None, _describe(exc))
    return Outcome(status, "" if 200 <= status < 300 else f"the receiver answered HTTP {status}")


def _describe(exc: Exception) -> str:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text[:MAX_ERROR_LENGTH]
