"""Answering the card network within its deadline, whatever happens behind card-api.

The network's deadline (API.md section 2: 2 s, or what `X-Network-Deadline-Ms` asks for, longer
or shorter, up to 60 s) counts from arrival at the edge proxy, which stamps that time on the
request and answers 91 itself at the deadline. card-api answers a margin before it (200 ms, or
a quarter of a shorter deadline), and that cutoff is card-processing's deadline too, so a
decision it reaches later is void on its side. Past the cutoff card-api lets the edge's 91 go
out first, so the network never gets an answer the edge's timeout cut off half-way.

No decision in time is 91 (issuer unavailable): the budget was spent before card-api got to the
request, no decision slot came free in time, card-processing was slow, down or failing, or its
answer came after the cutoff. card-api then tells card-processing in the background, so an
approval that lands late is undone: the network was told no, so no money may stay held. A
message card-processing refuses as one that can never apply is 12, and nothing needs undoing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from card_api.settings import Settings
from smartbank import context
from smartbank.contracts.card_processing import Adjusted, Decision
from smartbank.errors import ServiceError
from smartbank.rpc import Rpc

log = logging.getLogger(__name__)

ISSUER_UNAVAILABLE = "91"
INVALID_TRANSACTION = "12"
# Refusals of the message itself: sending it again can never change the answer.
PERMANENT_KINDS = frozenset({"bad_request", "not_found", "forbidden", "unprocessable"})
# With less left than this, card-processing cannot decide in time: do not ask it.
LEAST_WORTH_ASKING = 0.02
# A message may wait for a free decision slot only while more than this would be left for the
# decision itself (about twice what one takes with every slot busy on two cores): with the
# default 2 s a burst's overflow is answered within a second, while a message allowed 30 s
# waits its turn.
DECISION_RESERVE = 1.0
# Past its cutoff card-api no longer races the edge: it lets the edge's 91 go first, by this
# much, so the network never gets an answer cut off half-way by the edge's timeout.
AFTER_THE_EDGE = 0.02
# Stand-in notices delivered at once: after a burst they queue here rather than crowd
# card-processing while it is still working through the burst's authorisations.
NOTICES_AT_ONCE = 4

Answer = TypeVar("Answer", Decision, Adjusted)


@dataclass(frozen=True)
class Budget:
    """Until when card-api may wait for card-processing (`cutoff`), and when the edge answers
    91 itself (`edge_deadline`, None for a caller that skipped the edge): monotonic times."""

    cutoff: float
    edge_deadline: float | None = None

    def remaining(self) -> float:
        return self.cutoff - time.monotonic()

    async def answer_in_turn(self) -> None:
        """Return at once while before the cutoff; after it, only once the edge has answered."""
        if self.edge_deadline is not None and self.remaining() < 0:
            await asyncio.sleep(self.edge_deadline + AFTER_THE_EDGE - time.monotonic())


def is_permanent(error: ServiceError) -> bool:
    return error.kind in PERMANENT_KINDS


@dataclass
class Network:
    rpc: Rpc
    settings: Settings
    background: set[asyncio.Task[None]] = field(default_factory=set)
    notices: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(NOTICES_AT_ONCE))

    def __post_init__(self) -> None:
        self.slots = asyncio.Semaphore(self.settings.max_in_flight)

    def budget(self, deadline_ms: int | None, arrived_at: str | None) -> Budget:
        """The network's deadline less the answering margin, from arrival at the edge (from
        now when nothing stamped it: a caller that skipped the edge)."""
        total = (deadline_ms or self.settings.network_deadline_ms) / 1000
        margin = min(self.settings.answer_margin_ms / 1000, total * 0.25)
        arrived = context.edge_arrival(arrived_at)
        if arrived is None:
            return Budget(time.monotonic() + total - margin)
        return Budget(arrived + total - margin, edge_deadline=arrived + total)

    async def authorise(self, message: dict[str, Any], budget: Budget) -> Decision:
        decided = await self.decide("/authorisations", message, budget, Decision)
        if decided == ISSUER_UNAVAILABLE:
            self.stand_in(message)
        await budget.answer_in_turn()
        if isinstance(decided, str):
            return Decision(approved=False, response_code=decided)
        return decided

    async def adjust(self, path: str, message: dict[str, Any], budget: Budget) -> Adjusted:
        decided = await self.decide(path, message, budget, Adjusted)
        await budget.answer_in_turn()
        if isinstance(decided, str):
            return Adjusted(accepted=False, response_code=decided)
        return decided

    async def decide(
        self, path: str, message: dict[str, Any], budget: Budget, reply: type[Answer]
    ) -> Answer | str:
        """card-processing's answer, or the response code card-api answers with itself: no
        answer after the cutoff reaches the network (the edge has answered 91 by then)."""
        if budget.remaining() < LEAST_WORTH_ASKING or not await self._slot(budget):
            return ISSUER_UNAVAILABLE
        try:
            decided = await self.forward(path, message, budget, reply)
        finally:
            self.slots.release()
        return decided if budget.remaining() > 0 else ISSUER_UNAVAILABLE

    async def _slot(self, budget: Budget) -> bool:
        """A decision slot (at most MAX_IN_FLIGHT decisions at once), if one comes free while
        the budget still leaves the decision its reserve."""
        if not self.slots.locked():
            return await self.slots.acquire()
        wait = budget.remaining() - DECISION_RESERVE
        try:
            return wait > 0 and await asyncio.wait_for(self.slots.acquire(), wait)
        except TimeoutError:
            return False

    async def forward(
        self, path: str, message: dict[str, Any], budget: Budget, reply: type[Answer]
    ) -> Answer | str:
        """card-processing's answer; 12 when it refuses the message as one that can never
        apply; 91 when it does not answer within the budget or fails (timeouts, outages,
        conflicts and 5xx are the issuer side failing, never the network's fault)."""
        ctx = context.current().until(budget.cutoff)  # the network's deadline, not a default
        try:
            with context.bound(ctx):
                call = self.rpc.call(
                    "card-processing", "POST", path, json=message, idempotent=True, reply=reply
                )
                answer: Answer = await asyncio.wait_for(call, max(budget.remaining(), 0.001))
                return answer
        except TimeoutError:
            log.warning("no decision within the deadline", extra={"path": path})
        except ServiceError as exc:
            if is_permanent(exc):
                log.info("message refused", extra={"path": path, "code": exc.code})
                return INVALID_TRANSACTION
            log.warning("issuer side failed", extra={"path": path, "code": exc.code})
        return ISSUER_UNAVAILABLE

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
                with attempt:
                    await self._send_notice(reversal)
        except ServiceError as exc:
            log.warning("gave up telling card-processing of a stand-in", extra={"code": exc.code})
        except RuntimeError:
            log.warning("shutting down before a stand-in notice was delivered")

    async def _send_notice(self, reversal: dict[str, Any]) -> None:
        async with self.notices:
            with context.bound(context.fresh(budget=2.0)):
                await self.rpc.call(
                    "card-processing", "POST", "/stand-ins", json=reversal, idempotent=True
                )
