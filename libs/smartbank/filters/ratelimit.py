"""Rate limiting: token buckets per access token and per client address, refused with a 429.

A client may send `burst` requests at once and then `rate_per_second` on average. A refused
request is answered here, before any work, as `too_many_requests.rate_limited` with a
`Retry-After` header in whole seconds, so well-behaved clients know when to come back.

Buckets live in this process: with several replicas a client gets each replica's allowance.
That is the price of adding no shared store to every request; the edge is the place for a
global limit.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartbank import errors
from smartbank.filters.access_log import QUIET_PATHS, header
from smartbank.filters.errors import send_error
from smartbank.settings import PlatformSettings

MAX_KEYS = 100_000


class RateLimiter:
    """Token buckets by key: `burst` tokens each, refilled at `rate_per_second`.

    Memory stays bounded: a bucket that has refilled is the same as no bucket, so idle full
    buckets are dropped as calls come in, and beyond `max_keys` the least recently used key
    is forgotten (it starts again with a full bucket). Not thread-safe: one event loop only.
    """

    def __init__(
        self,
        rate_per_second: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        if rate_per_second <= 0 or burst < 1 or max_keys < 1:
            raise ValueError("rate_per_second must be positive, burst and max_keys at least 1")
        self.rate = rate_per_second
        self.burst = burst
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, key: str) -> tuple[bool, float]:
        """Take a token for `key`: (True, 0.0), or (False, seconds until one is there)."""
        now = self.clock()
        tokens = self._tokens(key, now)
        allowed = tokens >= 1
        self._buckets[key] = (tokens - 1 if allowed else tokens, now)
        self._buckets.move_to_end(key)
        self._forget_idle(now)
        return allowed, 0.0 if allowed else (1 - tokens) / self.rate

    def __len__(self) -> int:
        return len(self._buckets)

    def _tokens(self, key: str, now: float) -> float:
        kept = self._buckets.get(key)
        if kept is None:
            return float(self.burst)
        tokens, stamp = kept
        return min(float(self.burst), tokens + max(now - stamp, 0.0) * self.rate)

    def _forget_idle(self, now: float) -> None:
        """Drop full buckets from the least recently used end; stop at the first that is not."""
        while self._buckets:
            key = next(iter(self._buckets))
            if len(self._buckets) <= self.max_keys and self._tokens(key, now) < self.burst:
                return
            del self._buckets[key]


class RateLimits:
    """Which bucket a request takes from: its token's, and its address's.

    The address is the one the edge proxy saw: Envoy (`use_remote_address`) appends its peer
    to `X-Forwarded-For`, so the trustworthy entry is the last one `trusted_proxies` counts
    from the right; entries before it were written by the client and are not believed.
    Without the header (or with `trusted_proxies=0`) it is the connection's peer.
    """

    def __init__(
        self,
        per_token: RateLimiter | None = None,
        per_address: RateLimiter | None = None,
        exempt_paths: Iterable[str] = QUIET_PATHS,
        trusted_proxies: int = 1,
        prefixes: tuple[str, ...] = ("/",),
    ) -> None:
        self.per_token = per_token
        self.per_address = per_address
        self.exempt_paths = frozenset(exempt_paths)
        self.trusted_proxies = trusted_proxies
        self.prefixes = prefixes

    @classmethod
    def configured(cls, settings: PlatformSettings) -> RateLimits | None:
        """The limits the service's settings ask for; None when both are off."""
        burst = settings.rate_limit_burst

        def limiter(rate: float) -> RateLimiter | None:
            return RateLimiter(rate, burst) if rate > 0 else None

        per_token, per_address = (
            limiter(settings.rate_limit_per_token),
            limiter(settings.rate_limit_per_address),
        )
        if per_token is None and per_address is None:
            return None
        prefixes = tuple(p.strip() for p in settings.rate_limit_paths.split(",") if p.strip())
        return cls(per_token, per_address, prefixes=prefixes or ("/",))

    def wait(self, scope: Scope) -> float | None:
        """Seconds to wait when a bucket is empty, None when the request may go on."""
        path = scope["path"]
        if path in self.exempt_paths or not path.startswith(self.prefixes):
            return None
        checks = [(self.per_token, bearer_token(scope)), (self.per_address, self.address(scope))]
        for limiter, key in checks:
            if limiter is not None and key is not None:
                allowed, wait = limiter.allow(key)
                if not allowed:
                    return wait
        return None

    def address(self, scope: Scope) -> str:
        forwarded = [
            entry.strip()
            for value in all_headers(scope, b"x-forwarded-for")
            for entry in value.split(",")
            if entry.strip()
        ]
        if self.trusted_proxies > 0 and len(forwarded) >= self.trusted_proxies:
            return forwarded[-self.trusted_proxies]
        client = scope.get("client")
        return str(client[0]) if client else ""


class RateLimitFilter:
    """The limits on their own, in front of `app`: what the onion does with them."""

    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        wait = self.limits.wait(scope) if scope["type"] == "http" else None
        if wait is None:
            await self.app(scope, receive, send)
        else:
            await refuse(send, wait)


def bearer_token(scope: Scope) -> str | None:
    """A digest of the bearer token, so buckets never hold a usable credential."""
    scheme, _, token = (header(scope, b"authorization") or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return hashlib.sha256(token.strip().encode()).hexdigest()


def all_headers(scope: Scope, name: bytes) -> list[str]:
    return [value.decode("latin-1") for key, value in scope.get("headers", ()) if key == name]


async def refuse(send: Send, wait: float) -> None:
    """Answer 429 with `Retry-After`; the onion adds the trace id."""
    seconds = max(1, math.ceil(wait))
    message = f"too many requests; retry after {seconds} s"
    # OAuth's token endpoint requires an `error` key on every error body.
    error = errors.too_many_requests("rate_limited", message, retry_after=seconds).with_fields(
        error="temporarily_unavailable", error_description=message
    )

    async def with_retry_after(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"].append((b"retry-after", str(seconds).encode()))
        await send(message)

    await send_error(with_retry_after, error)
