"""The call context: who is calling, on whose behalf, within which deadline.

One `CallContext` lives in a contextvar for the duration of a request (or a consumed message).
The server side restores it from headers, the RPC client writes it back into headers, so the
request id, the principal and the shrinking deadline travel with every hop. The trace context
travels alongside it through OpenTelemetry's own propagation.

The deadline goes out twice: as a remaining budget (what a hop is given, whatever its clock)
and as an absolute time (so time spent queued in sockets and event loops before the next hop
looks at the request counts against it too). The receiver keeps the earlier of the two, so a
clock that is off (NTP keeps hosts within milliseconds) can only shorten a deadline.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

REQUEST_ID = "x-request-id"
BUDGET_MS = "x-smartbank-budget-ms"
PRINCIPAL = "x-smartbank-principal"
CALLER = "x-smartbank-caller"
DEADLINE_AT_MS = "x-smartbank-deadline-at-ms"  # Unix time, milliseconds
# Stamped by the edge proxy on every request from outside (Unix time, milliseconds; a client's
# own value is overwritten), so an edge service can count its deadline from arrival at the edge.
ARRIVED_AT_MS = "x-smartbank-arrived-at-ms"

DEFAULT_BUDGET_S = 10.0


@dataclass(frozen=True)
class CallContext:
    """What a request carries with it across services.

    `deadline` is absolute, on this process's monotonic clock: a budget received in a header
    becomes a deadline on arrival, and what is left of it is sent on with every call.
    """

    request_id: str
    deadline: float
    principal: str = ""
    caller: str = ""

    def remaining(self) -> float:
        """Seconds left before the deadline (negative once it has passed)."""
        return self.deadline - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def with_budget(self, seconds: float) -> CallContext:
        """A copy whose deadline is at most `seconds` from now (never later than ours)."""
        return replace(self, deadline=min(self.deadline, time.monotonic() + seconds))

    def until(self, deadline: float) -> CallContext:
        """A copy whose deadline is `deadline` (a monotonic time), later or earlier than ours:
        at an edge, where the caller's own deadline bounds the request, not a default budget."""
        return replace(self, deadline=deadline)

    def renewed(self, seconds: float) -> CallContext:
        """A copy with a fresh deadline, for clean-up that must finish after the caller gave up
        (releasing a hold whose authorisation timed out)."""
        return replace(self, deadline=time.monotonic() + seconds)

    def to_headers(self, caller: str) -> dict[str, str]:
        headers = {
            REQUEST_ID: self.request_id,
            BUDGET_MS: str(max(0, int(self.remaining() * 1000))),
            DEADLINE_AT_MS: str(int((time.time() + self.remaining()) * 1000)),
            CALLER: caller,
        }
        if self.principal:
            headers[PRINCIPAL] = self.principal
        return headers

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], *, arrived: float) -> CallContext:
        """Rebuild the context from incoming headers; absent values get fresh defaults."""
        deadline = arrived + _parse_budget(headers.get(BUDGET_MS))
        absolute = _parse_millis(headers.get(DEADLINE_AT_MS))
        if absolute is not None:
            deadline = min(deadline, monotonic_of(absolute))
        return cls(
            request_id=headers.get(REQUEST_ID) or new_request_id(),
            deadline=deadline,
            principal=headers.get(PRINCIPAL, ""),
            caller=headers.get(CALLER, ""),
        )


def _parse_budget(value: str | None) -> float:
    if value is None:
        return DEFAULT_BUDGET_S
    try:
        return int(value) / 1000
    except ValueError:
        return DEFAULT_BUDGET_S


def _parse_millis(value: str | None) -> float | None:
    """A Unix time in milliseconds as seconds; None when absent or not a number."""
    try:
        return int(value) / 1000 if value is not None else None
    except ValueError:
        return None


def monotonic_of(unix_time: float) -> float:
    """A Unix time (seconds) on this process's monotonic clock, where deadlines live."""
    return time.monotonic() - (time.time() - unix_time)


def edge_arrival(stamp: str | None, *, latest: float = 60.0) -> float | None:
    """When the edge proxy received the request (its `ARRIVED_AT_MS` stamp), on the monotonic
    clock; None without a usable stamp. A stamp from the future (the edge's clock a little
    ahead) counts as now; one more than `latest` seconds old says the clocks disagree, not
    that the request waited that long, and is ignored."""
    unix_time = _parse_millis(stamp)
    if unix_time is None:
        return None
    waited = time.time() - unix_time
    if waited > latest:
        return None
    return time.monotonic() - max(waited, 0.0)


def new_request_id() -> str:
    return uuid.uuid4().hex


def fresh(budget: float = DEFAULT_BUDGET_S, principal: str = "") -> CallContext:
    """A context for work that starts here (a CLI call, a background job)."""
    return CallContext(new_request_id(), time.monotonic() + budget, principal)


_current: ContextVar[CallContext | None] = ContextVar("smartbank_call_context", default=None)


def has_current() -> bool:
    return _current.get() is not None


def current() -> CallContext:
    """The context of the running request, or a fresh one outside any request."""
    ctx = _current.get()
    return ctx if ctx is not None else fresh()


def name_principal(principal: str) -> CallContext:
    """Name who the rest of this request acts for (the public edge, once a token checks out);
    the calls it makes carry the principal on."""
    ctx = replace(current(), principal=principal)
    _current.set(ctx)
    return ctx


@contextmanager
def bound(ctx: CallContext) -> Iterator[CallContext]:
    """Make `ctx` the current context inside the block."""
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
