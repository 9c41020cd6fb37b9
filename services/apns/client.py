"""The APNs provider API: one POST per notification, retried on transient failures.

Real APNs speaks HTTP/2 over TLS only, which httpx negotiates through ALPN, keeping one
multiplexed connection open. A plain-http endpoint such as the local sink gets HTTP/1.1:
without TLS there is no ALPN, and httpx only upgrades with prior knowledge (HTTP/1 disabled).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from apns.provider_token import ProviderToken
from apns.settings import Settings

SENT, REJECTED, FAILED = "sent", "rejected", "failed"
INVALID_TOKEN_REASONS = ("BadDeviceToken",)
MAX_COLLAPSE_ID = 64  # bytes, as APNs allows; ids here are ASCII
LEASE_MARGIN_SECONDS = 30.0  # slow storage writes around the attempt, recording it, clocks


@dataclass(frozen=True)
class Outcome:
    status: str
    apns_id: str
    status_code: int | None = None
    reason: str = ""
    attempts: int = 1


class Transient(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(f"{outcome.status_code} {outcome.reason}")
        self.outcome = outcome


@dataclass
class ApnsClient:
    settings: Settings
    provider: ProviderToken
    http: httpx.AsyncClient

    @classmethod
    def from_settings(
        cls, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> ApnsClient:
        http = httpx.AsyncClient(
            base_url=settings.apns_endpoint,
            http2=True,
            timeout=settings.apns_timeout_seconds,
            transport=transport,
        )
        return cls(settings, ProviderToken.from_settings(settings), http)

    async def aclose(self) -> None:
        await self.http.aclose()

    def lease_seconds(self, wait: float = 0.0) -> float:
        """How long a claim on a push must last to cover a wait of `wait` seconds and then one
        attempt, with a margin for recording the push and for clocks. A sender renews its claim
        before each retry (`send`'s `before_retry`), so a claim whose sender died lapses soon."""
        return wait + self.settings.apns_timeout_seconds + LEASE_MARGIN_SECONDS

    async def send(
        self,
        token: str,
        payload: dict[str, Any],
        collapse_id: str = "",
        before_retry: Callable[[float], Awaitable[None]] | None = None,
    ) -> Outcome:
        """Send one push, retrying transient failures; `before_retry(wait)` runs before each
        wait between attempts, and an exception it raises ends the send."""
        apns_id = str(uuid.uuid4())

        async def before_sleep(state: RetryCallState) -> None:
            if before_retry is not None and state.next_action is not None:
                await before_retry(state.next_action.sleep)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.apns_attempts),
            wait=wait_exponential(
                multiplier=self.settings.apns_retry_wait_seconds,
                max=self.settings.apns_retry_max_wait_seconds,
            ),
            retry=retry_if_exception_type((Transient, httpx.TransportError)),
            retry_error_callback=partial(_gave_up, apns_id),
            before_sleep=before_sleep,
        )
        outcome: Outcome = await retrying(self._attempt, token, payload, apns_id, collapse_id)
        return replace(outcome, attempts=retrying.statistics["attempt_number"])

    async def _attempt(
        self, token: str, payload: dict[str, Any], apns_id: str, collapse_id: str
    ) -> Outcome:
        headers = self._headers(apns_id, collapse_id)
        try:  # httpx times each phase; this bounds the whole attempt, as the lease assumes
            async with asyncio.timeout(self.settings.apns_timeout_seconds):
                response = await self.http.post(f"/3/device/{token}", json=payload, headers=headers)
        except TimeoutError:
            raise httpx.TimeoutException("the attempt took too long") from None
        outcome = Outcome(
            status=_status_of(response),
            apns_id=response.headers.get("apns-id", apns_id),
            status_code=response.status_code,
            reason=_reason(response),
        )
        if response.status_code == 429 or response.status_code >= 500:
            raise Transient(outcome)
        if response.status_code == 403:
            self.provider.rejected()
        return outcome

    def _headers(self, apns_id: str, collapse_id: str) -> dict[str, str]:
        expiration = int(time.time()) + self.settings.apns_expiration_seconds
        headers = {
            "authorization": f"bearer {self.provider.current()}",
            "apns-topic": self.settings.apns_topic,
            "apns-push-type": "alert",
            "apns-priority": "10",
            "apns-id": apns_id,
            "apns-expiration": str(expiration),
        }
        if collapse_id:  # the device shows one notification per collapse id: a resend replaces
            headers["apns-collapse-id"] = collapse_id[:MAX_COLLAPSE_ID]
        return headers


def _status_of(response: httpx.Response) -> str:
    if response.status_code == 200:
        return SENT
    if response.status_code == 410:
        return REJECTED
    if response.status_code == 400 and _reason(response) in INVALID_TOKEN_REASONS:
        return REJECTED
    return FAILED


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("reason", "")) if isinstance(body, dict) else ""


def _gave_up(apns_id: str, state: RetryCallState) -> Outcome:
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, Transient):
        return error.outcome
    return Outcome(FAILED, apns_id, None, type(error).__name__)
