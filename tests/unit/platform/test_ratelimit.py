"""The rate limiter's buckets under a fake clock, and its filter seen from outside."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from smartbank.filters.ratelimit import RateLimiter, RateLimitFilter, RateLimits

EDGE = "10.0.0.9"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def ok(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


@asynccontextmanager
async def limited(clock: FakeClock, per_token: bool = False) -> AsyncIterator[httpx.AsyncClient]:
    """A client through the filter with two requests of burst and one a second of refill."""
    limits = RateLimits(
        per_token=RateLimiter(1.0, 2, clock) if per_token else None,
        per_address=RateLimiter(1.0, 2, clock),
    )
    app = RateLimitFilter(ok, limits)
    transport = httpx.ASGITransport(app=app, client=(EDGE, 40_000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def statuses(client: httpx.AsyncClient, count: int, **headers: str) -> list[int]:
    return [(await client.get("/things", headers=headers)).status_code for _ in range(count)]


def test_allow_within_burst_then_refuses() -> None:
    limiter = RateLimiter(2.0, 3, FakeClock())
    assert [limiter.allow("a")[0] for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("a") == (False, 0.5)


def test_allow_refills_over_time_up_to_the_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2.0, 3, clock)
    for _ in range(3):
        limiter.allow("a")
    clock.advance(0.25)
    assert limiter.allow("a") == (False, 0.25)
    clock.advance(0.25)
    assert limiter.allow("a") == (True, 0.0)
    clock.advance(60)
    assert [limiter.allow("a")[0] for _ in range(4)] == [True, True, True, False]


def test_allow_keys_are_independent() -> None:
    limiter = RateLimiter(1.0, 1, FakeClock())
    assert limiter.allow("a")[0] and not limiter.allow("a")[0]
    assert limiter.allow("b")[0]


def test_allow_forgets_idle_full_buckets() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1.0, 2, clock)
    for key in ("a", "b", "c"):
        limiter.allow(key)
    assert len(limiter) == 3
    clock.advance(1)
    limiter.allow("d")
    assert len(limiter) == 1
    assert limiter.allow("a") == (True, 0.0)


def test_allow_keeps_at_most_max_keys() -> None:
    limiter = RateLimiter(0.001, 1, FakeClock(), max_keys=2)
    for key in ("a", "b", "c"):
        assert limiter.allow(key)[0]
    assert len(limiter) == 2
    assert limiter.allow("a")[0]
    assert not limiter.allow("c")[0]


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1), (-1.0, 1), (1.0, 0)])
def test_limiter_with_bad_settings_is_rejected(rate: float, burst: int) -> None:
    with pytest.raises(ValueError):
        RateLimiter(rate, burst)


async def test_filter_when_empty_answers_429_with_retry_after() -> None:
    clock = FakeClock()
    async with limited(clock) as client:
        assert await statuses(client, 2) == [200, 200]
        clock.advance(0.2)
        refused = await client.get("/things")
        clock.advance(0.8)
        assert await statuses(client, 2) == [200, 429]
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert refused.json() == {
        "code": "too_many_requests.rate_limited",
        "message": "too many requests; retry after 1 s",
        "params": {"retry_after": 1},
        "error": "temporarily_unavailable",
        "error_description": "too many requests; retry after 1 s",
    }


async def test_filter_rounds_retry_after_up_to_whole_seconds() -> None:
    clock = FakeClock()
    app = RateLimitFilter(ok, RateLimits(per_address=RateLimiter(0.4, 1, clock)))
    transport = httpx.ASGITransport(app=app, client=(EDGE, 40_000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        await client.get("/things")
        refused = await client.get("/things")
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "3")


async def test_filter_keys_on_the_address_the_edge_appended() -> None:
    async with limited(FakeClock()) as client:
        first = {"x-forwarded-for": "203.0.113.1"}
        assert await statuses(client, 3, **first) == [200, 200, 429]
        assert await statuses(client, 1, **{"x-forwarded-for": "203.0.113.2"}) == [200]
        spoofed = {"x-forwarded-for": "198.51.100.7, 203.0.113.1"}
        assert await statuses(client, 1, **spoofed) == [429]


async def test_filter_without_forwarded_header_keys_on_the_peer() -> None:
    app = RateLimitFilter(ok, RateLimits(per_address=RateLimiter(1.0, 1, FakeClock())))
    peers = [httpx.ASGITransport(app=app, client=(peer, 1)) for peer in ("192.0.2.1", "192.0.2.2")]
    seen = []
    for transport in peers + peers:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            seen.append((await client.get("/things")).status_code)
    assert seen == [200, 200, 429, 429]


async def test_filter_exempts_health_and_metrics() -> None:
    async with limited(FakeClock()) as client:
        await statuses(client, 2)
        for path in ("/healthz", "/readyz", "/metrics"):
            assert (await client.get(path)).status_code == 200
        assert (await client.get("/things")).status_code == 429


async def test_filter_limits_each_token_across_addresses() -> None:
    async with limited(FakeClock(), per_token=True) as client:
        for address in ("203.0.113.1", "203.0.113.2"):
            sent = {"authorization": "Bearer tok_a", "x-forwarded-for": address}
            assert await statuses(client, 1, **sent) == [200]
        third = {"authorization": "Bearer tok_a", "x-forwarded-for": "203.0.113.3"}
        assert await statuses(client, 1, **third) == [429]
        other = {"authorization": "bearer tok_b", "x-forwarded-for": "203.0.113.3"}
        assert await statuses(client, 1, **other) == [200]


async def test_filter_without_token_uses_only_the_address() -> None:
    clock = FakeClock()
    per_token = RateLimiter(1.0, 2, clock)
    app = RateLimitFilter(
        ok, RateLimits(per_token=per_token, per_address=RateLimiter(1.0, 5, clock))
    )
    transport = httpx.ASGITransport(app=app, client=(EDGE, 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert await statuses(client, 3, authorization="Basic abc") == [200, 200, 200]
        assert await statuses(client, 3) == [200, 200, 429]
    assert len(per_token) == 0


async def test_filter_keeps_token_digests_not_tokens() -> None:
    per_token = RateLimiter(1.0, 2, FakeClock())
    app = RateLimitFilter(ok, RateLimits(per_token=per_token))
    transport = httpx.ASGITransport(app=app, client=(EDGE, 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        await client.get("/things", headers={"authorization": "Bearer secret"})
    digest = hashlib.sha256(b"secret").hexdigest()
    assert per_token.allow(digest) == (True, 0.0)
    assert per_token.allow(digest) == (False, 1.0)
