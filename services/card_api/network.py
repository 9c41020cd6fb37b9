"""Answering the card network within its deadline, whatever happens behind card-api.

The decision is card-processing's; card-api gives it what is left of the network's deadline
minus a margin to answer in. When no decision arrives in time, card-api answers 91 (issuer
unavailable) itself and then tells card-processing, so an approval that lands late is undone:
the network was told no, so no money may stay held.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from card_api.settings import Settings
from smartbank import context
from smartbank.errors import ServiceError
from smartbank.rpc import Rpc

log = logging.getLogger(__name__)

ISSUER_UNAVAILABLE = "91"


@dataclass
class Network:
    rpc: Rpc
    settings: Settings
    background: set[asyncio.Task[None]] = field(default_factory=set)

    def budget(self, deadline_ms: int | None, arrived: float) -> float:
        """Seconds card-processing may take: the network's deadline less the answering margin."""
        total = (deadline_ms or self.settings.network_deadline_ms) / 1000
        margin = min(self.settings.answer_margin_ms / 1000, total * 0.1)
        return total - margin - (time.monotonic() - arrived)

    async def forward(
        self, path: str, message: dict[str, Any], budget: float
    ) -> dict[str, Any] | None:
        """card-processing's answer, or None when none came within the budget.

        card-api has already checked the message, so any error from card-processing is the
        issuer side failing, never the network's fault: it becomes "no answer" (91).
        """
        ctx = context.current().with_budget(budget)
        try:
            with context.bound(ctx):
                answer: dict[str, Any] = await asyncio.wait_for(
                    self.rpc.call("card-processing", "POST", path, json=message, idempotent=True),
                    timeout=max(budget, 0.001),
                )
                return answer
        except TimeoutError:
            log.warning("no decision within the deadline", extra={"path": path})
        except ServiceError as exc:
            log.warning("issuer side failed", extra={"path": path, "code": exc.code})
        return None

    def stand_in(self, message: dict[str, Any]) -> None:
        """After answering 91: tell card-processing in the background, retrying with backoff."""
        reversal = {
            "card_token": message["card_token"],
            "original": {k: message[k] for k in ("stan", "rrn", "transmitted_at")},
        }
        task = asyncio.create_task(self._notify(reversal))
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def _notify(self, reversal: dict[str, Any]) -> None:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.stand_in_attempts),
            wait=wait_exponential(multiplier=0.2, max=5.0),
            retry=retry_if_exception_type(ServiceError),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt, context.bound(context.fresh(budget=2.0)):
                    await self.rpc.call(
                        "card-processing", "POST", "/stand-ins", json=reversal, idempotent=True
                    )
        except ServiceError as exc:
            log.warning("gave up telling card-processing of a stand-in", extra={"code": exc.code})
        except RuntimeError:
            log.warning("shutting down before a stand-in notice was delivered")
